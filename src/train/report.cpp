// The HTML evaluation report: one self-contained page (PNG data URIs, inline SVG) with the
// metrics table the evaluator declares, the best / median / worst samples by its ranking
// metric and a histogram of that metric; the figures are also written beside it as files.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/metrics.hpp"
#include "xml_escape.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

void write_file(const fs::path& path, const void* bytes, std::size_t size) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
        if (!f)
            fail("cannot write '{}' (is the folder writable?)", path.string());
    }
    out.commit();
}

std::string cell(const nlohmann::json& v) {
    if (v.is_number())
        return fmt::format("{:.4g}", v.get<double>());
    return xml_escape(v.is_string() ? v.get<std::string>() : v.dump());
}

// Histogram of the finite values of metric `m` as an SVG (axes, counts, mean and median markers).
std::string histogram_svg(const EvalResult& r, std::size_t m) {
    std::vector<double> v;
    for (const auto& s : r.samples) {
        if (std::isfinite(s.values[m]))
            v.push_back(s.values[m]);
    }
    const MetricInfo& info = r.metrics[m];
    const std::string label =
        info.unit.empty() ? info.name : fmt::format("{} ({})", info.name, info.unit);
    const int W = 640, H = 300, L = 56, R = 20, T = 20, B = 50;
    std::string svg = fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" font-family="sans-serif" font-size="12">)",
        W, H, W, H);
    svg += fmt::format(R"(<rect width="{}" height="{}" fill="white"/>)", W, H);
    if (v.empty())
        return svg + R"(<text x="20" y="40">no finite values</text></svg>)";
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    double lo = std::floor(*mn), hi = std::ceil(*mx);
    if (hi - lo < 1)
        hi = lo + 1;
    const int bins =
        std::clamp(static_cast<int>(std::sqrt(static_cast<double>(v.size()))) + 1, 5, 30);
    std::vector<int> count(bins, 0);
    for (double x : v)
        ++count[std::min(bins - 1, static_cast<int>((x - lo) / (hi - lo) * bins))];
    const int cmax = *std::max_element(count.begin(), count.end());
    const double pw = W - L - R, ph = H - T - B;
    auto X = [&](double x) { return L + (x - lo) / (hi - lo) * pw; };
    auto Y = [&](double c) { return T + ph - c / cmax * ph; };
    for (int i = 0; i < bins; ++i) {
        const double x0 = X(lo + (hi - lo) * i / bins), x1 = X(lo + (hi - lo) * (i + 1) / bins);
        svg += fmt::format(
            R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#4a7fb5" stroke="white"/>)",
            x0, Y(count[i]), x1 - x0, T + ph - Y(count[i]));
    }
    svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)", L, T + ph,
                       W - R, T + ph);
    svg +=
        fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)", L, T, L, T + ph);
    for (int i = 0; i <= 5; ++i) {
        const double x = lo + (hi - lo) * i / 5;
        svg += fmt::format(
            R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="black"/><text x="{0:.1f}" y="{3}" text-anchor="middle">{4:.1f}</text>)",
            X(x), T + ph, T + ph + 5, T + ph + 18, x);
    }
    for (int c : {0, (cmax + 1) / 2, cmax}) {
        svg += fmt::format(
            R"(<text x="{}" y="{:.1f}" text-anchor="end" dominant-baseline="middle">{}</text>)",
            L - 6, Y(c), c);
    }
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", L + pw / 2, H - 8,
                       xml_escape(label));
    svg += fmt::format(
        R"~(<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">samples</text>)~",
        T + ph / 2, T + ph / 2);
    const SummaryStats st = summarize(v);
    const std::pair<double, const char*> marks[] = {{st.mean, "#d62728"}, {st.median, "#2ca02c"}};
    for (const auto& [x, colour] : marks) {
        svg += fmt::format(
            R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="{3}" stroke-width="2" stroke-dasharray="5,3"/>)",
            X(x), T, T + ph, colour);
    }
    svg +=
        fmt::format(R"(<text x="{}" y="{}" text-anchor="end" fill="#d62728">mean {:.4g} {}</text>)",
                    W - R, T + 12, st.mean, xml_escape(info.unit));
    svg += fmt::format(
        R"(<text x="{}" y="{}" text-anchor="end" fill="#2ca02c">median {:.4g} {}</text>)", W - R,
        T + 28, st.median, xml_escape(info.unit));
    return svg + "</svg>";
}

}  // namespace

std::string base64_encode(const std::uint8_t* bytes, std::size_t size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) |
                                (i + 1 < size ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                                (i + 2 < size ? std::uint32_t{bytes[i + 2]} : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < size ? kAlphabet[n & 63] : '=';
    }
    return out;
}

void write_report(Model& model,
                  const DataList& data,
                  const EvalResult& result,
                  const EvalOptions& options,
                  const ReportInfo& info,
                  const fs::path& html_path) {
    check_output_path(html_path, true);
    auto evaluator = make_evaluator(result.kind, {options.lpips_weights, options.device});
    const nlohmann::json summary = result.summary();
    const fs::path dir = html_path.parent_path().empty() ? fs::path(".") : html_path.parent_path();
    const std::string stem = html_path.stem().string();

    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
        xml_escape(info.title) +
        "</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px "
        "32px;color:#222;max-width:1300px}"
        "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid "
        "#ddd;padding-bottom:4px}"
        "h3{font-size:14px;font-weight:600;margin:18px 0 4px}"
        "table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:4px "
        "10px;text-align:left}"
        "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
        "figure{margin:12px "
        "0}figcaption{font-size:13px;color:#555}img{max-width:100%;image-rendering:pixelated}"
        ".note{font-size:13px;color:#555}</style></head><body>\n";
    html += "<h1>" + xml_escape(info.title) + "</h1>\n<table>";
    for (const auto& [k, v] : info.details.items())
        html += "<tr><th>" + xml_escape(k) + "</th><td>" + cell(v) + "</td></tr>";
    html +=
        fmt::format("<tr><th>split</th><td>{} ({} samples, {})</td></tr>", xml_escape(result.split),
                    result.samples.size(), xml_escape(std::string(to_string(result.kind))));
    html += fmt::format(
        "<tr><th>prediction time</th><td>{:.3g} ms per sample (after a first batch of {:.3g} "
        "s, one-time work included)</td></tr>",
        result.seconds_per_sample * 1e3, result.first_call_seconds);
    html +=
        "</table>\n<h2>Metrics</h2>\n<table><tr><th>metric</th><th>mean</th><th>median</"
        "th><th>what it is</th></tr>";
    for (const auto& m : result.metrics) {
        const std::string name = m.unit.empty() ? m.name : m.name + " (" + m.unit + ")";
        html += fmt::format(
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}{}</td></tr>",
            xml_escape(name), cell(summary["mean"][m.name]), cell(summary["median"][m.name]),
            xml_escape(m.description),
            m.higher_is_better ? " (higher is better)" : " (lower is better)");
    }
    html += "</table>\n";
    if (!result.pooled.empty()) {
        html += "<h3>Pooled over every sample</h3>\n<table>";
        for (const auto& [k, v] : result.pooled.items())
            html += "<tr><th>" + xml_escape(k) + "</th><td class=\"num\">" + cell(v) + "</td></tr>";
        html += "</table>\n";
    }
    html += "<p class=\"note\">" + xml_escape(result.notes);
    for (const auto& [k, v] : summary["infinite"].items()) {
        html += fmt::format(
            " {} samples have an infinite {} (exact predictions) and are left out of its mean.",
            v.get<std::int64_t>(), xml_escape(k));
    }
    const std::size_t rank = result.metric(result.ranking);
    html += fmt::format("</p>\n<h2>Best, median and worst {} samples (by {})</h2>\n",
                        xml_escape(result.split), xml_escape(result.ranking));
    const auto picks = result.best_median_worst();
    const char* names[] = {"best", "median", "worst"};
    for (std::size_t i = 0; i < picks.size(); ++i) {
        const SampleScore& sc = result.samples[picks[i]];
        const SceneData& scene = *data[sc.dataset];
        const Prediction one = model.predict(Query::samples(scene, {sc.index}));
        const Figure fig = evaluator->figure(scene, sc.index, one);
        write_file(dir / (stem + "_" + names[i] + fig.extension()), fig.content.data(),
                   fig.content.size());
        const auto p = scene.positions[sc.index];
        std::string scores;
        for (std::size_t m = 0; m < result.metrics.size(); ++m) {
            if (std::isnan(sc.values[m]))
                continue;
            scores += fmt::format("{}{} {:.4g}", scores.empty() ? "" : ", ", result.metrics[m].name,
                                  sc.values[m]);
        }
        html += fmt::format(
            "<h3>{}: sample {} of {} at ({:.2f}, {:.2f}, {:.2f}) m &mdash; {}</h3>\n<figure>",
            names[i], sc.index, xml_escape(fs::path(scene.source()).filename().string()),
            p[0].item<double>(), p[1].item<double>(), p[2].item<double>(), xml_escape(scores));
        if (fig.mime == "image/png") {
            html += fmt::format(
                "<img alt=\"{}\" src=\"data:image/png;base64,{}\">", xml_escape(fig.alt),
                base64_encode(reinterpret_cast<const std::uint8_t*>(fig.content.data()),
                              fig.content.size()));
        } else {
            html += fig.content;
        }
        html += "</figure>\n";
    }
    const std::string svg = histogram_svg(result, rank);
    write_file(dir / (stem + "_histogram.svg"), svg.data(), svg.size());
    html += "<h2>" + xml_escape(result.ranking) + " histogram</h2>\n" + svg + "\n</body></html>\n";
    write_file(html_path, html.data(), html.size());
}

}  // namespace radiofield::train
