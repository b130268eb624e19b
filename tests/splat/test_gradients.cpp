// Splatting backward: every Gaussian tensor's gradient against central finite differences in
// float64, through both cameras (the equirect scene straddles the seam); the screen-space
// probe and the densification statistics.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "radiofield/splat/render.hpp"
#include "scenes.hpp"

namespace {

using namespace radiofield;
using radiofield::test::front_camera;
using radiofield::test::max_abs_diff;
using radiofield::test::random_gaussians;

std::vector<torch::Tensor*> tensors_of(splat::Gaussians& g) {
    return {&g.means, &g.log_scales, &g.quats, &g.opacity_logits, &g.sh};
}

// Analytic gradients of L = Σ weights·image vs central differences, every element.
void expect_gradients_match(const splat::Gaussians& scene, const splat::Camera& cam) {
    const splat::RenderOptions options{.sh_degree = 3, .background = {0.1, 0.2, 0.3}};
    const auto weights =
        torch::randn({splat::height_of(cam), splat::width_of(cam), 3}, torch::kFloat64);
    auto loss = [&](const splat::Gaussians& g) {
        return (splat::render(g, cam, options).image * weights).sum();
    };
    splat::Gaussians g = scene;
    for (auto* t : tensors_of(g))
        *t = t->clone().requires_grad_(true);
    loss(g).backward();
    const char* names[] = {"means", "log_scales", "quats", "opacity_logits", "sh"};
    const double eps = 1e-6;
    int which = 0;
    for (auto* t : tensors_of(g)) {
        const auto analytic = t->grad();
        ASSERT_TRUE(analytic.defined()) << names[which];
        auto numeric = torch::zeros_like(analytic);
        torch::NoGradGuard no_grad;
        for (int64_t i = 0; i < t->numel(); ++i) {
            splat::Gaussians plus = scene, minus = scene;
            auto& tp = *tensors_of(plus)[which];
            auto& tm = *tensors_of(minus)[which];
            tp = tp.clone(), tm = tm.clone();
            tp.view(-1)[i] += eps;
            tm.view(-1)[i] -= eps;
            numeric.view(-1)[i] = (loss(plus) - loss(minus)).item<double>() / (2 * eps);
        }
        const double scale = 1 + numeric.abs().max().item<double>();
        EXPECT_LE(max_abs_diff(analytic, numeric), 1e-5 * scale)
            << names[which] << "\nanalytic " << analytic.view(-1).slice(0, 0, 12) << "\nnumeric "
            << numeric.view(-1).slice(0, 0, 12);
        EXPECT_GT(analytic.abs().max().item<double>(), 0) << names[which];
        ++which;
    }
}

TEST(SplatGradients, PinholeMatchesFiniteDifferencesForEveryTensor) {
    torch::manual_seed(21);
    const auto scene =
        random_gaussians(5, torch::tensor({0.0, 0.0, 4.0}), 0.6, 0.15, 3, torch::kFloat64);
    auto cam = splat::PinholeCamera::look_at({0.3, -0.2, 0}, {0, 0, 4}, {0, -1, 0}, 50, 24, 20);
    expect_gradients_match(scene, cam);
}

TEST(SplatGradients, EquirectAcrossTheSeamMatchesFiniteDifferencesForEveryTensor) {
    torch::manual_seed(22);
    // Gaussians around azimuth 0 (the seam), elevation ~25°, on a coarse 10° grid
    const auto scene =
        random_gaussians(5, torch::tensor({2.7, 0.0, 1.3}), 0.5, 0.25, 3, torch::kFloat64);
    splat::EquirectCamera cam;
    cam.width = 36, cam.height = 9, cam.az0_deg = 5, cam.el0_deg = 5;
    cam.az_step_deg = cam.el_step_deg = 10;
    cam.translation = {0.1, 0, -0.2};
    ASSERT_TRUE(cam.wraps());
    expect_gradients_match(scene, cam);
}

// A scene like the CUDA comparison's (test_cuda.cpp), float32 against float64 on the CPU:
// float32's gradients are within 1e-3 (relative L2) of float64's (8e-4 at worst, the
// log-scales), the scale of the allowance the CUDA = CPU comparison gets.
TEST(SplatGradients, Float32AgreesWithFloat64OnLargeRandomScenes) {
    torch::manual_seed(24);
    const auto scene =
        random_gaussians(3000, torch::tensor({0.0, 0.0, 2.0}), 6.0, 0.1, 3, torch::kFloat64);
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    const auto weights = test::loss_weights(cam);
    const auto f32 = test::render_with_grads(scene, cam, weights, torch::kCPU, torch::kFloat32);
    const auto f64 = test::render_with_grads(scene, cam, weights, torch::kCPU, torch::kFloat64);
    test::expect_renders_agree(f32, f64, 1e-4, 3e-3);
}

TEST(SplatGradients, ScreenProbeGradientFeedsTheDensificationStatistics) {
    torch::manual_seed(23);
    auto g = random_gaussians(40, torch::tensor({0.0, 0.0, 5.0}), 2.0, 0.1, 3, torch::kFloat32);
    g.means.requires_grad_(true);
    g.means = torch::cat({g.means, torch::tensor({{0.0f, 0.0f, -3.0f}})});  // one behind
    g.log_scales = torch::cat({g.log_scales, g.log_scales.slice(0, 0, 1)});
    g.quats = torch::cat({g.quats, g.quats.slice(0, 0, 1)});
    g.opacity_logits = torch::cat({g.opacity_logits, g.opacity_logits.slice(0, 0, 1)});
    g.sh = torch::cat({g.sh, g.sh.slice(0, 0, 1)});
    const auto cam = front_camera(48, 40, 40.0);
    splat::DensifyStats stats;
    for (int view = 0; view < 2; ++view) {
        const auto out = splat::render(g, cam, {});
        out.image.sum().backward();
        ASSERT_TRUE(out.screen_probe.grad().defined());
        stats.accumulate(out);
        const auto drawn = out.radii.select(1, 0) > 0;
        EXPECT_FALSE(drawn[40].item<bool>());
        EXPECT_GT(drawn.sum().item<int64_t>(), 10);
        EXPECT_EQ(max_abs_diff(stats.max_radius, std::get<0>(out.radii.max(1))), 0);
    }
    EXPECT_EQ(stats.count[40].item<int>(), 0);
    EXPECT_EQ(stats.count.max().item<int>(), 2);
    EXPECT_GT(stats.mean_grad().max().item<float>(), 0);
    EXPECT_EQ(stats.mean_grad()[40].item<float>(), 0);
}

}  // namespace
