#pragma once
// Image metrics for spatial spectra (docs/metrics.md has the definitions and conventions).
//
// Every metric takes a prediction and a target of the same shape, [N, H, W] (a batch) or
// [H, W] (one image), values in [0, 1] (data range 1, as NeRF2's 8-bit PNGs / 255), on any
// device (CPU or CUDA, both the same), any floating dtype. The arithmetic is float64; the
// result is a float64 tensor [N] (one value per image; [1] for a single [H, W] image) on
// the inputs' device. Values outside [0, 1] are not checked (that would cost a device sync).

#include <torch/types.h>

#include <cstdint>
#include <span>

namespace radiofield::train {

// Mean squared error per image.
torch::Tensor mse(const torch::Tensor& pred,     // [N, H, W] or [H, W]
                  const torch::Tensor& target);  // same shape
                                                 // -> [N] float64

// PSNR = -10 log10(MSE) in dB with data range 1. Identical images (MSE 0) give +inf
// (std::numeric_limits<double>::infinity()), never a large finite stand-in: aggregate it
// with summarize(), which counts and excludes the infinities from the mean.
torch::Tensor psnr(const torch::Tensor& pred, const torch::Tensor& target);  // -> [N]
torch::Tensor psnr_from_mse(const torch::Tensor& mse);                       // [N] -> [N]

// SSIM as GRaF (and most PyTorch code) computes it, the pytorch-ssim form: 11x11 Gaussian
// window (sigma 1.5, normalised to sum 1), conv2d with zero padding 5 so the map keeps the
// image size, C1 = 0.01^2, C2 = 0.03^2, population (biased) variances, mean over the whole
// map. Reported as "ssim". Any image size.
torch::Tensor ssim(const torch::Tensor& pred, const torch::Tensor& target);  // -> [N]

// SSIM as NeRF2's evaluation computes it: scikit-image
// structural_similarity(im1, im2, data_range=1) with its defaults: 7x7 uniform window,
// sample covariances (x 49/48), K1 = 0.01, K2 = 0.03, mean over the map with the
// 3-pixel border cropped (the map of full windows only). Reported as "ssim_skimage".
// Needs H, W >= 7 (scikit-image raises otherwise; so do we).
torch::Tensor ssim_skimage(const torch::Tensor& pred, const torch::Tensor& target);  // -> [N]

// Mean and median of per-image values over a test set.
// - Infinite values (PSNR of a perfect prediction) are counted in n_infinite and left out
//   of the mean: the mean is over the finite values only (NaN when there are none).
// - The median is over all values, infinities included in their order (+inf sorts last),
//   so it stays the true middle value; it is +inf only when over half the values are +inf.
// - A NaN value is an error (it means a broken prediction, not a score).
struct SummaryStats {
    int64_t count = 0;       // values summarised
    int64_t n_infinite = 0;  // of which infinite, excluded from the mean
    double mean = 0.0;       // over the finite values
    double median = 0.0;     // over all values
};
SummaryStats summarize(std::span<const double> values);
SummaryStats summarize(const torch::Tensor& values);  // any shape, flattened; any device

}  // namespace radiofield::train
