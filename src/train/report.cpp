// The HTML evaluation report: one self-contained page (PNG data URIs, inline SVG) with the
// metrics table, the best / median / worst spectra and a PSNR histogram; the figures are
// also written beside it as files.
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/metrics.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::vector<std::uint8_t> encode_png(const data::RgbImage& img) {
    std::vector<std::uint8_t> bytes;
    auto sink = [](void* ctx, void* data, int size) {
        auto* out = static_cast<std::vector<std::uint8_t>*>(ctx);
        const auto* p = static_cast<const std::uint8_t*>(data);
        out->insert(out->end(), p, p + size);
    };
    if (stbi_write_png_to_func(sink, &bytes, img.width, img.height, 3, img.rgb.data(), img.width * 3) == 0) {
        fail("report: could not encode a PNG image");
    }
    return bytes;
}

void write_file(const fs::path& path, const void* bytes, std::size_t size) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
        if (!f) fail("cannot write '{}' (is the folder writable?)", path.string());
    }
    out.commit();
}

std::string cell(const nlohmann::json& v) {
    if (v.is_number()) return fmt::format("{:.4g}", v.get<double>());
    return escape(v.is_string() ? v.get<std::string>() : v.dump());
}

// Ground truth | prediction | |error| of one sample, on fixed colour ranges.
data::RgbImage figure(Model& model, const SpectrumData& data, const SampleScore& s) {
    const auto index = torch::tensor({s.index}, torch::kInt64);
    const bool in_pool = std::find(data.split.train.begin(), data.split.train.end(), s.index) != data.split.train.end();
    const auto pred = model.predict(data.positions.index_select(0, index), torch::tensor({in_pool ? s.index : -1}))
                          .to(torch::kCPU, torch::kFloat32)[0].contiguous();  // [H, W]
    const auto truth = data.spectra[s.index].contiguous();                    // [H, W]
    const auto err = (pred - truth).abs().contiguous();
    const auto& g = data.grid;
    auto span = [](const torch::Tensor& t) { return std::span<const float>(t.data_ptr<float>(), t.numel()); };
    data::SpectrumImageOptions o;
    o.upscale = std::clamp(360 / std::max(1, g.n_az), 1, 16);
    o.range = std::make_pair(0.0, 1.0);
    const auto a = data::render_spectrum(span(truth), g, o);
    const auto b = data::render_spectrum(span(pred), g, o);
    o.colour_map = data::ColourMap::Magma;
    o.range = std::make_pair(0.0, std::max(1e-6, err.max().item<double>()));
    const auto c = data::render_spectrum(span(err), g, o);
    return data::side_by_side({a, b, c}, {"ground truth", "prediction", "|error|"});
}

// Histogram of the finite PSNR values as an SVG (axes, counts, mean and median markers).
std::string psnr_histogram_svg(const EvalResult& r) {
    std::vector<double> v;
    for (const auto& s : r.samples) if (std::isfinite(s.psnr)) v.push_back(s.psnr);
    const int W = 640, H = 300, L = 56, R = 20, T = 20, B = 50;
    std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" font-family="sans-serif" font-size="12">)", W, H, W, H);
    svg += fmt::format(R"(<rect width="{}" height="{}" fill="white"/>)", W, H);
    if (v.empty()) return svg + R"(<text x="20" y="40">no finite PSNR values</text></svg>)";
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    double lo = std::floor(*mn), hi = std::ceil(*mx);
    if (hi - lo < 1) hi = lo + 1;
    const int bins = std::clamp(static_cast<int>(std::sqrt(static_cast<double>(v.size()))) + 1, 5, 30);
    std::vector<int> count(bins, 0);
    for (double x : v) ++count[std::min(bins - 1, static_cast<int>((x - lo) / (hi - lo) * bins))];
    const int cmax = *std::max_element(count.begin(), count.end());
    const double pw = W - L - R, ph = H - T - B;
    auto X = [&](double x) { return L + (x - lo) / (hi - lo) * pw; };
    auto Y = [&](double c) { return T + ph - c / cmax * ph; };
    for (int i = 0; i < bins; ++i) {
        const double x0 = X(lo + (hi - lo) * i / bins), x1 = X(lo + (hi - lo) * (i + 1) / bins);
        svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#4a7fb5" stroke="white"/>)",
                           x0, Y(count[i]), x1 - x0, T + ph - Y(count[i]));
    }
    svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)", L, T + ph, W - R, T + ph);
    svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)", L, T, L, T + ph);
    for (int i = 0; i <= 5; ++i) {
        const double x = lo + (hi - lo) * i / 5;
        svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="black"/><text x="{0:.1f}" y="{3}" text-anchor="middle">{4:.1f}</text>)",
                           X(x), T + ph, T + ph + 5, T + ph + 18, x);
    }
    for (int c : {0, (cmax + 1) / 2, cmax}) {
        svg += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" dominant-baseline="middle">{}</text>)", L - 6, Y(c), c);
    }
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">PSNR (dB)</text>)", L + pw / 2, H - 8);
    svg += fmt::format(R"~(<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">samples</text>)~", T + ph / 2, T + ph / 2);
    const SummaryStats st = summarize(v);
    const std::pair<double, const char*> marks[] = {{st.mean, "#d62728"}, {st.median, "#2ca02c"}};
    for (const auto& [x, colour] : marks) {
        svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="{3}" stroke-width="2" stroke-dasharray="5,3"/>)",
                           X(x), T, T + ph, colour);
    }
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" fill="#d62728">mean {:.2f} dB</text>)", W - R, T + 12, st.mean);
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" fill="#2ca02c">median {:.2f} dB</text>)", W - R, T + 28, st.median);
    return svg + "</svg>";
}

}  // namespace

std::string base64_encode(const std::uint8_t* bytes, std::size_t size) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) | (i + 1 < size ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                                (i + 2 < size ? std::uint32_t{bytes[i + 2]} : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < size ? kAlphabet[n & 63] : '=';
    }
    return out;
}

void write_report(Model& model, const SpectrumData& data, const EvalResult& result, const ReportInfo& info,
                  const fs::path& html_path) {
    check_output_path(html_path, true);
    const nlohmann::json summary = result.summary();
    const fs::path dir = html_path.parent_path().empty() ? fs::path(".") : html_path.parent_path();
    const std::string stem = html_path.stem().string();

    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(info.title) +
                       "</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px 32px;color:#222;max-width:1300px}"
                       "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}"
                       "h3{font-size:14px;font-weight:600;margin:18px 0 4px}"
                       "table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}"
                       "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
                       "figure{margin:12px 0}figcaption{font-size:13px;color:#555}img{max-width:100%;image-rendering:pixelated}"
                       ".note{font-size:13px;color:#555}</style></head><body>\n";
    html += "<h1>" + escape(info.title) + "</h1>\n<table>";
    for (const auto& [k, v] : info.details.items()) html += "<tr><th>" + escape(k) + "</th><td>" + cell(v) + "</td></tr>";
    html += fmt::format("<tr><th>split</th><td>{} ({} spectra)</td></tr>", escape(result.split), result.samples.size());
    html += fmt::format("<tr><th>prediction time</th><td>{:.3g} ms per spectrum</td></tr>", result.seconds_per_spectrum * 1e3);
    html += "</table>\n<h2>Metrics</h2>\n<table><tr><th>metric</th><th>mean</th><th>median</th></tr>";
    for (const char* m : {"mse", "psnr", "ssim", "ssim_skimage", "lpips"}) {
        html += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", m,
                            cell(summary["mean"][m]), cell(summary["median"][m]));
    }
    html += "</table>\n<p class=\"note\">PSNR in dB (data range 1). ssim: GRaF's convention (11&times;11 Gaussian window); "
            "ssim_skimage: scikit-image's (NeRF2's evaluation). " + escape(result.lpips_status) + ".";
    if (summary["psnr_infinite"].get<std::int64_t>() > 0) {
        html += fmt::format(" {} exact predictions (infinite PSNR) are left out of the PSNR mean.", summary["psnr_infinite"].get<std::int64_t>());
    }
    html += fmt::format("</p>\n<h2>Best, median and worst {} spectra (by PSNR)</h2>\n<p class=\"note\">Ground truth "
                        "and prediction share one colour scale (0&ndash;1, per-sample min&ndash;max normalised); |error| "
                        "has its own scale. Rows: elevation, columns: azimuth.</p>\n",
                        escape(result.split));
    const auto picks = result.best_median_worst();
    const char* names[] = {"best", "median", "worst"};
    for (std::size_t i = 0; i < picks.size(); ++i) {
        const SampleScore& sc = result.samples[picks[i]];
        const auto png = encode_png(figure(model, data, sc));
        write_file(dir / (stem + "_" + names[i] + ".png"), png.data(), png.size());
        const Vec3 p{data.positions[sc.index][0].item<double>(), data.positions[sc.index][1].item<double>(),
                     data.positions[sc.index][2].item<double>()};
        html += fmt::format("<h3>{}: sample {} at ({:.2f}, {:.2f}, {:.2f}) m &mdash; PSNR {:.2f} dB, SSIM {:.3f}, MSE {:.4g}</h3>\n"
                            "<figure><img alt=\"{} spectrum: ground truth, prediction, error\" src=\"data:image/png;base64,{}\">"
                            "</figure>\n",
                            names[i], sc.index, p.x, p.y, p.z, sc.psnr, sc.ssim, sc.mse, names[i],
                            base64_encode(png.data(), png.size()));
    }
    const std::string svg = psnr_histogram_svg(result);
    write_file(dir / (stem + "_histogram.svg"), svg.data(), svg.size());
    html += "<h2>PSNR histogram</h2>\n" + svg + "\n</body></html>\n";
    write_file(html_path, html.data(), html.size());
}

}  // namespace radiofield::train
