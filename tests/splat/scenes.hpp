#pragma once
// Small Gaussian scenes and cameras shared by the splatting tests.

#include <torch/torch.h>

#include <cmath>

#include "radiofield/splat/render.hpp"

namespace radiofield::test {

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64).cpu() - b.to(torch::kFloat64).cpu()).abs().max().item<double>();
}

inline double logit(double p) {
    return std::log(p / (1 - p));
}

// One Gaussian: centre, isotropic scale, opacity, sh [1, K, C] with a constant colour
// (degree-0 coefficient such that SH + 0.5 = value).
inline splat::Gaussians one_gaussian(double x,
                                     double y,
                                     double z,
                                     double scale,
                                     double opacity,
                                     int channels = 1,
                                     double value = 1,
                                     torch::Dtype dtype = torch::kFloat64) {
    const auto opt = torch::TensorOptions().dtype(dtype);
    splat::Gaussians g;
    g.means = torch::tensor({x, y, z}, opt).view({1, 3});
    g.log_scales = torch::full({1, 3}, std::log(scale), opt);
    g.quats = torch::tensor({1.0, 0.0, 0.0, 0.0}, opt).view({1, 4});
    g.opacity_logits = torch::full({1}, logit(opacity), opt);
    g.sh = torch::zeros({1, 16, channels}, opt);
    g.sh.select(1, 0).fill_((value - 0.5) / 0.28209479177387814);
    return g;
}

inline splat::Gaussians concat(const splat::Gaussians& a, const splat::Gaussians& b) {
    return {torch::cat({a.means, b.means}), torch::cat({a.log_scales, b.log_scales}),
            torch::cat({a.quats, b.quats}), torch::cat({a.opacity_logits, b.opacity_logits}),
            torch::cat({a.sh, b.sh})};
}

// n random Gaussians around `centre` (± spread), scales scale·[0.5, 2], opacities 0.2..0.8.
inline splat::Gaussians random_gaussians(int64_t n,
                                         const torch::Tensor& centre,
                                         double spread,
                                         double scale,
                                         int channels,
                                         torch::Dtype dtype) {
    const auto opt = torch::TensorOptions().dtype(dtype);
    splat::Gaussians g;
    g.means = centre.to(opt).view({1, 3}) + (torch::rand({n, 3}, opt) * 2 - 1) * spread;
    g.log_scales = std::log(scale) + (torch::rand({n, 3}, opt) * 2 - 1) * std::log(2.0);
    g.quats = torch::randn({n, 4}, opt);
    g.opacity_logits = (torch::rand({n}, opt) * 0.6 + 0.2).logit();
    g.sh = torch::randn({n, 16, channels}, opt) * 0.3;
    return g;
}

inline splat::PinholeCamera front_camera(int width, int height, double f) {
    splat::PinholeCamera cam;  // at the origin looking along +z
    cam.width = width, cam.height = height;
    cam.fx = cam.fy = f;
    cam.cx = 0.5 * width, cam.cy = 0.5 * height;
    return cam;
}

}  // namespace radiofield::test
