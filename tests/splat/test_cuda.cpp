// The CUDA kernels against the CPU ones (the same math, float32) on random scenes through both
// cameras: images, transmittance, top-Gaussian index, and every tensor's gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "radiofield/nn/device.hpp"
#include "radiofield/splat/render.hpp"
#include "reference_check.hpp"
#include "scenes.hpp"

namespace {

using namespace radiofield;
using radiofield::test::random_gaussians;

void expect_cuda_matches_cpu(const splat::Gaussians& scene, const splat::Camera& cam) {
    const auto weights = test::loss_weights(cam);
    const auto dtype = scene.means.scalar_type();
    const auto cpu = test::render_with_grads(scene, cam, weights, torch::kCPU, dtype);
    const auto gpu =
        test::render_with_grads(scene, cam, weights, torch::Device(torch::kCUDA), dtype);
    ASSERT_TRUE(gpu.out.image.is_cuda());
    // nvcc contracts multiply-adds (FMA) where the host compiler does not: values agree to
    // float rounding, and a threshold decision may flip at a rare pixel (scenes.hpp).
    test::expect_renders_agree(gpu, cpu, 1e-4, 5e-3);
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

// The CUDA kernels against the dense reference run on the GPU too (cuBLAS and a parallel
// cumulative product sum in other orders than the CPU): float32 rounding, and a rare threshold
// flip, so ten times the CPU tests' tolerances.
TEST(Cuda, SplattingPinholeMatchesTheDenseReference) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(51);
    const auto in = test::random_inputs(300, torch::tensor({0.0, 0.0, 5.0}), 2.0, 0.08, 3);
    const auto cam =
        splat::PinholeCamera::look_at({0.3, -0.2, 0}, {0, 0, 5}, {0, -1, 0}, 60, 64, 48);
    test::expect_op_matches_reference(in, cam, torch::Device(torch::kCUDA), 1e-4, 1e-3);
}

TEST(Cuda, SplattingEquirectMatchesTheDenseReference) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(52);
    const auto in = test::random_inputs(300, torch::tensor({0.0, 0.0, 0.0}), 4.0, 0.15, 2);
    splat::EquirectCamera cam;
    cam.width = 72, cam.height = 36, cam.az_step_deg = cam.el_step_deg = 5;
    cam.az0_deg = 2.5, cam.el0_deg = -87.5;
    test::expect_op_matches_reference(in, cam, torch::Device(torch::kCUDA), 1e-4, 1e-3);
}

}  // namespace
