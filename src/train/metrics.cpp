// Spectrum metrics: MSE, PSNR, the two SSIM conventions, summary statistics.
#include "radiofield/train/metrics.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "radiofield/core/error.hpp"

namespace radiofield::train {
namespace {

namespace F = torch::nn::functional;

// Images per chunk in the SSIM convolutions: bounds the 5 float64 moment maps in memory
// (64 spectra of 90x360 -> ~83 MB) whatever the test-set size.
constexpr int64_t kChunk = 64;

std::string shape_of(const torch::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

// Validate a (prediction, target) pair and bring it to [N, 1, H, W] float64.
std::pair<torch::Tensor, torch::Tensor> as_batch(const torch::Tensor& pred,
                                                 const torch::Tensor& target,
                                                 std::string_view metric) {
    if (!pred.defined() || !target.defined())
        fail("{}: prediction or target is undefined", metric);
    if (pred.dim() != 2 && pred.dim() != 3) {
        fail("{}: images must be [N, H, W] or [H, W], got prediction of shape {}", metric,
             shape_of(pred));
    }
    if (!pred.sizes().equals(target.sizes())) {
        fail("{}: prediction {} and target {} differ in shape", metric, shape_of(pred),
             shape_of(target));
    }
    if (pred.device() != target.device()) {
        fail("{}: prediction is on {} but target on {}; move both to one device", metric,
             pred.device().str(), target.device().str());
    }
    if (!pred.is_floating_point() || !target.is_floating_point()) {
        fail("{}: images must be floating point in [0, 1] (8-bit spectra: divide by 255)", metric);
    }
    auto prep = [](const torch::Tensor& t) {
        auto b = t.dim() == 2 ? t.unsqueeze(0) : t;  // [N, H, W]
        return b.to(torch::kFloat64).unsqueeze(1);   // [N, 1, H, W]
    };
    return {prep(pred), prep(target)};
}

// SSIM map from the local moments given by `filter` ([M, 1, H, W] -> [M, 1, H', W'],
// a normalised weighted mean), `cov_norm` scaling the (co)variances. -> [n, 1, H', W']
template <typename Filter>
torch::Tensor ssim_map(const torch::Tensor& x,  // [n, 1, H, W] float64
                       const torch::Tensor& y,  // [n, 1, H, W] float64
                       Filter&& filter,
                       double cov_norm) {
    constexpr double kC1 = 0.01 * 0.01;  // (K1 * data_range)^2
    constexpr double kC2 = 0.03 * 0.03;  // (K2 * data_range)^2
    const auto moments = filter(torch::cat({x, y, x * x, y * y, x * y}, 0)).chunk(5, 0);
    const auto& mu_x = moments[0];
    const auto& mu_y = moments[1];
    const auto var_x = cov_norm * (moments[2] - mu_x * mu_x);
    const auto var_y = cov_norm * (moments[3] - mu_y * mu_y);
    const auto cov_xy = cov_norm * (moments[4] - mu_x * mu_y);
    return ((2 * mu_x * mu_y + kC1) * (2 * cov_xy + kC2)) /
           ((mu_x * mu_x + mu_y * mu_y + kC1) * (var_x + var_y + kC2));
}

// Mean of `map_fn(x_chunk, y_chunk)` per image, chunk by chunk. -> [N] float64
template <typename MapFn>
torch::Tensor per_image_mean(const torch::Tensor& x, const torch::Tensor& y, MapFn&& map_fn) {
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < x.size(0); start += kChunk) {
        const int64_t len = std::min(kChunk, x.size(0) - start);
        parts.push_back(map_fn(x.narrow(0, start, len), y.narrow(0, start, len)).mean({1, 2, 3}));
    }
    if (parts.empty())
        return torch::empty({0}, x.options());
    return torch::cat(parts);
}

}  // namespace

torch::Tensor mse(const torch::Tensor& pred, const torch::Tensor& target) {
    const auto [x, y] = as_batch(pred, target, "mse");
    return (x - y).square().mean({1, 2, 3});  // [N]
}

torch::Tensor psnr_from_mse(const torch::Tensor& mse) {
    // log10(0) = -inf, so MSE 0 gives exactly +inf (IEEE), as documented.
    return -10.0 * torch::log10(mse.to(torch::kFloat64));
}

torch::Tensor psnr(const torch::Tensor& pred, const torch::Tensor& target) {
    return psnr_from_mse(mse(pred, target));
}

torch::Tensor ssim(const torch::Tensor& pred, const torch::Tensor& target) {
    const auto [x, y] = as_batch(pred, target, "ssim");
    // pytorch-ssim's window: g(i) = exp(-(i - 5)^2 / (2 sigma^2)) / sum, i = 0..10; w = g g^T.
    constexpr int64_t kSize = 11;
    constexpr double kSigma = 1.5;
    auto g = torch::arange(kSize, x.options()) - double(kSize / 2);
    g = torch::exp(-g.square() / (2 * kSigma * kSigma));
    g = g / g.sum();
    const auto window = torch::outer(g, g).view({1, 1, kSize, kSize});  // [1, 1, 11, 11]
    auto filter = [&](const torch::Tensor& m) {
        return F::conv2d(m, window, F::Conv2dFuncOptions().padding(kSize / 2));  // zero padding
    };
    return per_image_mean(x, y, [&](const torch::Tensor& a, const torch::Tensor& b) {
        return ssim_map(a, b, filter, 1.0);
    });
}

torch::Tensor ssim_skimage(const torch::Tensor& pred, const torch::Tensor& target) {
    const auto [x, y] = as_batch(pred, target, "ssim_skimage");
    constexpr int64_t kWin = 7;
    if (x.size(2) < kWin || x.size(3) < kWin) {
        fail(
            "ssim_skimage: images of {}x{} are smaller than the 7x7 window (scikit-image "
            "needs at least 7x7)",
            x.size(2), x.size(3));
    }
    // A "valid" 7x7 mean is exactly scikit-image's uniform_filter output with the
    // (win - 1) / 2 = 3 pixel border cropped, so the edge mode (reflect) never matters.
    auto filter = [&](const torch::Tensor& m) {
        return F::avg_pool2d(m, F::AvgPool2dFuncOptions(kWin).stride(1).padding(0));
    };
    constexpr double kNp = kWin * kWin;
    return per_image_mean(x, y, [&](const torch::Tensor& a, const torch::Tensor& b) {
        return ssim_map(a, b, filter, kNp / (kNp - 1));  // sample covariance, 49/48
    });
}

SummaryStats summarize(std::span<const double> values) {
    constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
    SummaryStats stats{static_cast<int64_t>(values.size()), 0, kNan, kNan};
    double sum = 0.0;
    for (const double v : values) {
        if (std::isnan(v))
            fail("summarize: a metric value is NaN (a broken prediction?)");
        if (std::isinf(v)) {
            ++stats.n_infinite;
        } else {
            sum += v;
        }
    }
    const int64_t n_finite = stats.count - stats.n_infinite;
    if (n_finite > 0)
        stats.mean = sum / static_cast<double>(n_finite);
    if (stats.count > 0) {
        std::vector<double> sorted(values.begin(), values.end());
        std::sort(sorted.begin(), sorted.end());
        const size_t mid = sorted.size() / 2;
        const bool odd = sorted.size() % 2 == 1;
        stats.median = odd || sorted[mid - 1] == sorted[mid]
                           ? sorted[mid]
                           : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }
    return stats;
}

SummaryStats summarize(const torch::Tensor& values) {
    const auto flat = values.detach().to(torch::kCPU, torch::kFloat64).contiguous().view(-1);
    return summarize(std::span<const double>(flat.data_ptr<double>(), flat.numel()));
}

}  // namespace radiofield::train
