// The CPU kernels of project + rasterize against the dense LibTorch reference (the same math
// by plain tensor ops and autograd), float32, through both cameras.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "reference_check.hpp"

namespace {

using namespace radiofield;

// float32 throughout; the two sum in different orders (matmul, cumprod vs. the per-pixel
// loop), so values agree to a few float ulps: relative L2 error 1e-5 for the image (10× under
// the 1e-4), 1e-4 for gradients, which sum thousands of per-pixel terms.
constexpr double kImageRel = 1e-5, kGradRel = 1e-4;

TEST(SplatReference, CpuOpMatchesTheReferencePinhole64x48) {
    torch::manual_seed(51);
    const auto in = test::random_inputs(300, torch::tensor({0.0, 0.0, 5.0}), 2.0, 0.08, 3);
    const auto cam =
        splat::PinholeCamera::look_at({0.3, -0.2, 0}, {0, 0, 5}, {0, -1, 0}, 60, 64, 48);
    test::expect_op_matches_reference(in, cam, torch::kCPU, kImageRel, kGradRel);
}

TEST(SplatReference, CpuOpMatchesTheReferenceEquirect72x36WithSeamAndPoles) {
    torch::manual_seed(52);
    // all around the station: across the azimuth seam and over both poles
    const auto in = test::random_inputs(300, torch::tensor({0.0, 0.0, 0.0}), 4.0, 0.15, 2);
    splat::EquirectCamera cam;
    cam.width = 72, cam.height = 36, cam.az_step_deg = cam.el_step_deg = 5;
    cam.az0_deg = 2.5, cam.el0_deg = -87.5;  // wraps: 72 × 5° = 360°
    ASSERT_TRUE(cam.wraps());
    test::expect_op_matches_reference(in, cam, torch::kCPU, kImageRel, kGradRel);
}

TEST(SplatReference, CpuOpMatchesTheReferenceOnAPartialEquirectScreen) {
    torch::manual_seed(53);
    const auto in = test::random_inputs(200, torch::tensor({3.0, 0.0, 0.5}), 2.0, 0.1, 1);
    splat::EquirectCamera cam;  // 120° × 60° around azimuth 0: no wrap, Gaussians cut at the sides
    cam.width = 60, cam.height = 30, cam.az_step_deg = cam.el_step_deg = 2;
    cam.az0_deg = -59, cam.el0_deg = -29;
    ASSERT_FALSE(cam.wraps());
    test::expect_op_matches_reference(in, cam, torch::kCPU, kImageRel, kGradRel);
}

TEST(SplatReference, CpuOpMatchesTheReferenceWhereCompositingStopsAndAlphaClamps) {
    torch::manual_seed(54);
    // dense and nearly opaque: α reaches the 0.99 clamp at Gaussians' centres and many pixels
    // stack enough layers for the kernels to stop before T < 1e-4
    const auto in =
        test::random_inputs(400, torch::tensor({0.0, 0.0, 5.0}), 1.2, 0.15, 3, 0.6, 1.0);
    const auto cam =
        splat::PinholeCamera::look_at({0.0, 0.0, 0}, {0, 0, 5}, {0, -1, 0}, 40, 64, 48);
    const auto p = splat::reference::project(in.means, in.scales, in.quats, cam);
    const auto r = splat::reference::rasterize(p.means2d, p.conics, in.features, in.opacities,
                                               p.radii, p.depths, cam, in.background);
    ASSERT_GT((r.transmittance < 1e-3).sum().item<int64_t>(), 100)
        << "the stop rule is not reached";
    test::expect_op_matches_reference(in, cam, torch::kCPU, kImageRel, kGradRel);
}

TEST(SplatReference, NoVisibleGaussianGivesTheBackground) {
    const auto means = torch::tensor({0.0f, 0.0f, -5.0f}).view({1, 3});  // behind the camera
    const auto scales = torch::full({1, 3}, 0.1f);
    const auto quats = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).view({1, 4});
    const auto cam = splat::PinholeCamera::look_at({0, 0, 0}, {0, 0, 1}, {0, -1, 0}, 60, 8, 6);
    const auto p = splat::reference::project(means, scales, quats, cam);
    EXPECT_EQ(p.radii.abs().sum().item<int>(), 0);
    const auto bg = torch::tensor({0.25f, 0.5f});
    const auto r = splat::reference::rasterize(p.means2d, p.conics, torch::ones({1, 2}),
                                               torch::ones({1}), p.radii, p.depths, cam, bg);
    EXPECT_TRUE(torch::allclose(r.image, bg.expand({6, 8, 2})));
    EXPECT_EQ(r.top_gaussian.max().item<int64_t>(), -1);
}

}  // namespace
