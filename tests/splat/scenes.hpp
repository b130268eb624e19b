#pragma once
// Small Gaussian scenes and cameras shared by the splatting tests.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

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

// Weights of the test loss Σ weights·image, [H, W, 3].
inline torch::Tensor loss_weights(const splat::Camera& cam) {
    return torch::randn({splat::height_of(cam), splat::width_of(cam), 3}, torch::kFloat64) /
           splat::width_of(cam);
}

struct Rendered {
    splat::RenderResult out;
    std::vector<torch::Tensor> grads;  // means, log_scales, quats, opacity_logits, sh
};

// The scene rendered on `device` in `dtype` (SH degree 3, a background) and the gradients of
// Σ weights·image.
inline Rendered render_with_grads(const splat::Gaussians& scene,
                                  const splat::Camera& cam,
                                  const torch::Tensor& weights,
                                  const torch::Device& device,
                                  torch::Dtype dtype = torch::kFloat32) {
    const auto to = [&](const torch::Tensor& t) {
        return t.to(device, dtype).detach().requires_grad_(true);
    };
    splat::Gaussians g{to(scene.means), to(scene.log_scales), to(scene.quats),
                       to(scene.opacity_logits), to(scene.sh)};
    auto out = splat::render(g, cam, {.sh_degree = 3, .background = {0.2, 0.1, 0.0}});
    (out.image * weights.to(device, dtype)).sum().backward();
    return {out,
            {g.means.grad(), g.log_scales.grad(), g.quats.grad(), g.opacity_logits.grad(),
             g.sh.grad()}};
}

// Two renders of one scene that differ by rounding (devices, precisions): screen radii within
// a pixel; images and transmittance within `value_tol` except at one pixel in 10⁴ (where a
// threshold decision — alpha < 1/255, T < 1e-4 — flipped), and never by more than 0.02; the
// top index equal at all but one pixel in 10³ (ties); every gradient within `grad_rel` in
// relative L2 norm.
inline void expect_renders_agree(const Rendered& got,
                                 const Rendered& want,
                                 double value_tol,
                                 double grad_rel) {
    EXPECT_LE(max_abs_diff(got.out.radii, want.out.radii), 1);
    for (const auto& [a, b] : {std::pair{got.out.image, want.out.image},
                               std::pair{got.out.transmittance, want.out.transmittance}}) {
        const auto diff = (a.cpu().to(torch::kFloat64) - b.cpu().to(torch::kFloat64)).abs();
        EXPECT_LE((diff > value_tol).sum().item<int64_t>(), diff.numel() / 10000);
        EXPECT_LE(diff.max().item<double>(), 0.02);
    }
    const auto differ =
        (got.out.top_gaussian.cpu() != want.out.top_gaussian.cpu()).sum().item<int64_t>();
    EXPECT_LE(differ, want.out.top_gaussian.numel() / 1000);
    const auto relative = [](const torch::Tensor& a, const torch::Tensor& b) {
        const auto w = b.cpu().to(torch::kFloat64);
        return (a.cpu().to(torch::kFloat64) - w).norm().item<double>() /
               std::max(w.norm().item<double>(), 1e-30);
    };
    const char* names[] = {"means", "log_scales", "quats", "opacity_logits", "sh"};
    for (int i = 0; i < 5; ++i) {
        ASSERT_GT(want.grads[i].abs().max().item<double>(), 0) << names[i];
        EXPECT_LE(relative(got.grads[i], want.grads[i]), grad_rel) << names[i];
    }
    EXPECT_LE(relative(got.out.screen_probe.grad(), want.out.screen_probe.grad()), grad_rel);
}

}  // namespace radiofield::test
