// The spectrum evaluator: MSE, PSNR, SSIM in GRaF's and scikit-image's conventions, LPIPS
// (with a weights file), and the truth | prediction | |error| figure.
#include <stb_image_write.h>

#include <limits>
#include <optional>

#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/train/evaluator.hpp"
#include "radiofield/train/lpips.hpp"
#include "radiofield/train/metrics.hpp"

namespace radiofield::train {

std::unique_ptr<Evaluator> make_path_evaluator(
    const EvaluatorOptions& options);  // evaluator_paths.cpp

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> to_vector(const torch::Tensor& t) {  // [N] → doubles
    const auto c = t.to(torch::kCPU, torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

std::string encode_png(const data::RgbImage& img) {
    std::string bytes;
    auto sink = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
    };
    if (stbi_write_png_to_func(sink, &bytes, img.width, img.height, 3, img.rgb.data(),
                               img.width * 3) == 0) {
        fail("could not encode a PNG image");
    }
    return bytes;
}

class SpectrumEvaluator final : public Evaluator {
public:
    explicit SpectrumEvaluator(const EvaluatorOptions& options)
        : m_device(options.device),
          m_lpips(LpipsMetric::from_file(
              options.lpips_weights.empty()
                  ? std::nullopt
                  : std::optional<std::filesystem::path>(options.lpips_weights),
              options.device)),
          m_lpips_status(m_lpips.status()) {}

    OutputKind kind() const override { return OutputKind::Spectrum; }
    std::vector<MetricInfo> metrics() const override {
        return {
            {"mse", "", false, "mean squared error of the [0,1] spectra"},
            {"psnr", "dB", true, "peak signal-to-noise ratio, data range 1"},
            {"ssim", "", true, "SSIM in GRaF's convention (11x11 Gaussian window)"},
            {"ssim_skimage", "", true, "SSIM in scikit-image's convention (NeRF2's evaluation)"},
            {"lpips", "", false, "LPIPS (AlexNet) with user-supplied weights"}};
    }
    std::string ranking_metric() const override { return "psnr"; }
    std::string notes() const override {
        return "PSNR in dB (data range 1). ssim: GRaF's convention (11x11 Gaussian window); "
               "ssim_skimage: "
               "scikit-image's (NeRF2's evaluation). " +
               m_lpips_status + ".";
    }

    std::vector<std::vector<double>> score(const SceneData& scene,
                                           const std::vector<std::int64_t>& index,
                                           const Prediction& prediction) override {
        const auto& g = scene.context.grid;
        const auto h = g.n_el, w = g.n_az;
        auto pred = prediction.spectra;
        if (pred.dim() != 3 || pred.size(1) != h || pred.size(2) != w) {
            fail("a model predicted spectra of shape {} for '{}', whose grid is {}x{}",
                 c10::str(pred.sizes()), scene.source(), h, w);
        }
        pred = pred.to(m_device, torch::kFloat32);
        const auto target = scene.spectra.index_select(0, torch::tensor(index, torch::kInt64))
                                .to(m_device);  // [B, H, W]
        const auto mse_t = mse(pred, target);   // [B] float64
        const auto m = to_vector(mse_t), p = to_vector(psnr_from_mse(mse_t)),
                   s = to_vector(ssim(pred, target));
        const bool skimage_ok = h >= 7 && w >= 7;
        const auto sk = skimage_ok ? to_vector(ssim_skimage(pred, target))
                                   : std::vector<double>(index.size(), kNaN);
        const bool lpips_ok = m_lpips.available() && h >= 31 && w >= 31;
        if (m_lpips.available() && !lpips_ok) {
            m_lpips_status = fmt::format(
                "unavailable: LPIPS (AlexNet) needs spectra of at least 31x31, these are {}x{}", h,
                w);
        }
        const auto lp =
            lpips_ok ? to_vector(*m_lpips(pred, target)) : std::vector<double>(index.size(), kNaN);
        std::vector<std::vector<double>> rows;
        for (std::size_t j = 0; j < index.size(); ++j)
            rows.push_back({m[j], p[j], s[j], sk[j], lp[j]});
        return rows;
    }

    Figure figure(const SceneData& scene, std::int64_t index, const Prediction& one) override {
        const auto pred = one.spectra.to(torch::kCPU, torch::kFloat32)[0].contiguous();  // [H, W]
        const auto truth = scene.spectra[index].contiguous();                            // [H, W]
        const auto err = (pred - truth).abs().contiguous();
        const auto& g = scene.context.grid;
        auto span = [](const torch::Tensor& t) {
            return std::span<const float>(t.data_ptr<float>(), t.numel());
        };
        data::SpectrumImageOptions o;
        o.upscale = std::clamp(360 / std::max(1, g.n_az), 1, 16);
        o.range = std::make_pair(0.0, 1.0);
        const auto a = data::render_spectrum(span(truth), g, o);
        const auto b = data::render_spectrum(span(pred), g, o);
        o.colour_map = data::ColourMap::Magma;
        o.range = std::make_pair(0.0, std::max(1e-6, err.max().item<double>()));
        const auto c = data::render_spectrum(span(err), g, o);
        return {
            "image/png",
            encode_png(data::side_by_side({a, b, c}, {"ground truth", "prediction", "|error|"})),
            "spectrum: ground truth, prediction, error"};
    }

private:
    torch::Device m_device;
    LpipsMetric m_lpips;
    std::string m_lpips_status;
};

}  // namespace

std::unique_ptr<Evaluator> make_evaluator(OutputKind kind, const EvaluatorOptions& options) {
    switch (kind) {
        case OutputKind::Spectrum:
            return std::make_unique<SpectrumEvaluator>(options);
        case OutputKind::PathSet:
            return make_path_evaluator(options);
    }
    fail("no evaluator for output kind {}", static_cast<int>(kind));
}

}  // namespace radiofield::train
