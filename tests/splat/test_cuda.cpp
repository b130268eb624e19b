// The CUDA kernels against the CPU ones (the same math, float32) on random scenes through both
// cameras: images, transmittance, top-Gaussian index, and every tensor's gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "radiofield/nn/device.hpp"
#include "radiofield/splat/render.hpp"
#include "scenes.hpp"

namespace {

using namespace radiofield;
using radiofield::test::max_abs_diff;
using radiofield::test::random_gaussians;

struct Run {
    splat::RenderResult out;
    std::vector<torch::Tensor> grads;  // means, log_scales, quats, opacity_logits, sh
};

Run render_on(const splat::Gaussians& scene,
              const splat::Camera& cam,
              const torch::Tensor& weights,
              const torch::Device& device) {
    splat::Gaussians g{scene.means.to(device).requires_grad_(true),
                       scene.log_scales.to(device).requires_grad_(true),
                       scene.quats.to(device).requires_grad_(true),
                       scene.opacity_logits.to(device).requires_grad_(true),
                       scene.sh.to(device).requires_grad_(true)};
    auto out = splat::render(g, cam, {.sh_degree = 3, .background = {0.2, 0.1, 0.0}});
    (out.image * weights.to(device)).sum().backward();
    return {out,
            {g.means.grad(), g.log_scales.grad(), g.quats.grad(), g.opacity_logits.grad(),
             g.sh.grad()}};
}

void expect_cuda_matches_cpu(const splat::Gaussians& scene, const splat::Camera& cam) {
    const auto weights =
        torch::randn({splat::height_of(cam), splat::width_of(cam), 3}) / splat::width_of(cam);
    const auto cpu = render_on(scene, cam, weights, torch::kCPU);
    const auto gpu = render_on(scene, cam, weights, torch::Device(torch::kCUDA));
    ASSERT_TRUE(gpu.out.image.is_cuda());
    // nvcc contracts multiply-adds (FMA) where the host compiler does not: values agree to
    // float rounding, and a threshold decision (alpha < 1/255, T < 1e-4, a box edge) may
    // flip at a rare pixel, so images are compared pixel-wise with a small allowance and
    // gradients by relative L2 norm.
    EXPECT_LE(max_abs_diff(gpu.out.radii, cpu.out.radii), 1);
    const auto image_diff = (gpu.out.image.cpu() - cpu.out.image).abs();
    EXPECT_LE((image_diff > 1e-4).sum().item<int64_t>(), image_diff.numel() / 10000);
    EXPECT_LE(image_diff.max().item<double>(), 0.02);
    const auto t_diff = (gpu.out.transmittance.cpu() - cpu.out.transmittance).abs();
    EXPECT_LE((t_diff > 1e-4).sum().item<int64_t>(), t_diff.numel() / 10000);
    // the top index may differ only where two contributions tie to float rounding
    const auto differ = (gpu.out.top_gaussian.cpu() != cpu.out.top_gaussian).sum().item<int64_t>();
    EXPECT_LE(differ, cpu.out.top_gaussian.numel() / 1000);
    const auto relative = [](const torch::Tensor& got, const torch::Tensor& want) {
        const auto w = want.to(torch::kFloat64);
        return (got.cpu().to(torch::kFloat64) - w).norm().item<double>() /
               std::max(w.norm().item<double>(), 1e-30);
    };
    const char* names[] = {"means", "log_scales", "quats", "opacity_logits", "sh"};
    for (int i = 0; i < 5; ++i) {
        ASSERT_GT(cpu.grads[i].abs().max().item<double>(), 0) << names[i];
        EXPECT_LE(relative(gpu.grads[i], cpu.grads[i]), 1e-3) << names[i];
    }
    EXPECT_LE(relative(gpu.out.screen_probe.grad(), cpu.out.screen_probe.grad()), 1e-3);
}

TEST(Cuda, SplattingPinholeMatchesTheCpuKernels) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(41);
    const auto scene =
        random_gaussians(3000, torch::tensor({0.0, 0.0, 6.0}), 3.0, 0.05, 3, torch::kFloat32);
    const auto cam =
        splat::PinholeCamera::look_at({0.5, -0.3, 0}, {0, 0, 6}, {0, -1, 0}, 60, 200, 150);
    expect_cuda_matches_cpu(scene, cam);
}

TEST(Cuda, SplattingEquirectMatchesTheCpuKernels) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(42);
    // all around the station (seam and zenith included), the spectrum's 360×90 grid
    const auto scene =
        random_gaussians(3000, torch::tensor({0.0, 0.0, 2.0}), 6.0, 0.1, 3, torch::kFloat32);
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    expect_cuda_matches_cpu(scene, cam);
}

TEST(Cuda, SplattingFloat64MatchesTheCpuKernels) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(43);
    const auto scene =
        random_gaussians(500, torch::tensor({0.0, 0.0, 5.0}), 2.0, 0.08, 3, torch::kFloat64);
    splat::EquirectCamera cam;
    cam.width = 120, cam.height = 30, cam.az_step_deg = cam.el_step_deg = 3;
    expect_cuda_matches_cpu(scene, cam);
}

}  // namespace
