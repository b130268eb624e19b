// splat::composite_weights: the sparse operator W of a rasterisation, checked against the
// rasterisation itself (W·features is its image for any features), on the CPU and on CUDA.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/splat/ops.hpp"
#include "radiofield/splat/render.hpp"
#include "scenes.hpp"

namespace {

using namespace radiofield;
using radiofield::test::max_abs_diff;
using radiofield::test::random_gaussians;

struct Case {
    splat::Projection proj;
    torch::Tensor opacity;
};

Case project(const splat::Gaussians& g, const splat::Camera& cam, torch::Device device) {
    const auto quats = g.quats / g.quats.norm(2, -1, true);
    Case c;
    c.proj = splat::project(g.means.to(device), torch::exp(g.log_scales).to(device),
                            quats.to(device), cam);
    c.opacity = torch::sigmoid(g.opacity_logits).to(device);
    return c;
}

// W [H·W, N] dense, from the entries.
torch::Tensor dense(const splat::CompositeWeights& w, int64_t pixels, int64_t n) {
    auto out = torch::zeros({pixels, n}, w.weight.options().device(torch::kCPU));
    out.index_put_({w.pixel.cpu(), w.gaussian.cpu()}, w.weight.cpu(), /*accumulate=*/true);
    return out;
}

// W·features against the rasterised image (zero background) for random features, and each
// pixel's weights summing to 1 − T; entries unique and in range.
void expect_operator_draws_the_image(const splat::Gaussians& g,
                                     const splat::Camera& cam,
                                     torch::Device device,
                                     double tol) {
    const auto c = project(g, cam, device);
    const int64_t n = g.means.size(0);
    const int64_t h = splat::height_of(cam), w = splat::width_of(cam);
    const auto weights = splat::composite_weights(c.proj.means2d, c.proj.conics, c.opacity,
                                                  c.proj.radii, c.proj.depths, cam);
    ASSERT_GT(weights.weight.numel(), 0);
    EXPECT_EQ(weights.pixel.scalar_type(), torch::kInt64);
    EXPECT_EQ(weights.gaussian.scalar_type(), torch::kInt64);
    EXPECT_GE(weights.gaussian.min().item<int64_t>(), 0);
    EXPECT_LT(weights.gaussian.max().item<int64_t>(), n);
    EXPECT_GT(weights.weight.min().item<double>(), 0.0);
    const auto key = (weights.pixel * n + weights.gaussian).cpu();
    EXPECT_EQ(std::get<0>(torch::_unique(key)).numel(), key.numel()) << "repeated entries";

    const auto features = torch::rand({n, 5}, g.means.options()).to(device);
    const auto raster = splat::rasterize(c.proj.means2d, c.proj.conics, features, c.opacity,
                                         c.proj.radii, c.proj.depths, cam);
    const auto W = dense(weights, h * w, n);
    const auto drawn = W.matmul(features.cpu());
    EXPECT_LT(max_abs_diff(drawn, raster.image.reshape({h * w, 5})), tol);
    const auto coverage = W.sum(1);
    EXPECT_LT(max_abs_diff(coverage, 1 - raster.transmittance.reshape({h * w})), tol);
    // something is drawn and something is not: the check sees both kinds of pixel
    EXPECT_GT(coverage.max().item<double>(), 0.5);
}

TEST(SplatWeights, TheOperatorDrawsTheEquirectImageOfAnyFeatures) {
    torch::manual_seed(7);
    // around the station, across the seam and near the zenith, on the spectrum's grid
    const auto g =
        random_gaussians(800, torch::tensor({0.0, 0.0, 1.0}), 5.0, 0.2, 1, torch::kFloat64);
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    expect_operator_draws_the_image(g, cam, torch::kCPU, 1e-12);
}

TEST(SplatWeights, TheOperatorDrawsThePinholeImageOfAnyFeatures) {
    torch::manual_seed(8);
    const auto g =
        random_gaussians(600, torch::tensor({0.0, 0.0, 6.0}), 3.0, 0.08, 1, torch::kFloat64);
    const auto cam =
        splat::PinholeCamera::look_at({0.5, -0.3, 0}, {0, 0, 6}, {0, -1, 0}, 60, 96, 64);
    expect_operator_draws_the_image(g, cam, torch::kCPU, 1e-12);
}

TEST(SplatWeights, FarGaussiansBehindAnOpaqueOneGetNoWeight) {
    // three large Gaussians one behind the other, each 0.99-opaque at the centre pixel (α
    // clamps there): weights 0.99 and 0.99 · 0.01; the third would leave T = 1e-6 < 1e-4, so
    // the compositing stops before it and it has no weight there.
    auto near = test::one_gaussian(0, 0, 2, 1.0, 0.999);
    auto mid = test::one_gaussian(0, 0, 5, 1.0, 0.999);
    auto far = test::one_gaussian(0, 0, 8, 1.0, 0.999);
    const auto g = test::concat(test::concat(far, near), mid);  // ids: far 0, near 1, mid 2
    const auto cam = test::front_camera(16, 16, 10.0);
    const auto c = project(g, cam, torch::kCPU);
    const auto w = splat::composite_weights(c.proj.means2d, c.proj.conics, c.opacity, c.proj.radii,
                                            c.proj.depths, cam);
    const auto centre = w.pixel == 8 * 16 + 8;
    const auto ids = w.gaussian.index({centre});
    const auto weights = w.weight.index({centre});
    ASSERT_EQ(ids.numel(), 2);
    EXPECT_EQ(ids[0].item<int64_t>(), 1);
    EXPECT_EQ(ids[1].item<int64_t>(), 2);
    EXPECT_NEAR(weights[0].item<double>(), 0.99, 1e-12);
    EXPECT_NEAR(weights[1].item<double>(), 0.99 * 0.01, 1e-12);
    // the far one shows where the others are thinner
    EXPECT_GT((w.gaussian == 0).sum().item<int64_t>(), 0);
}

TEST(SplatWeights, RejectsBadInput) {
    const auto g = test::one_gaussian(0, 0, 3, 0.5, 0.5);
    const auto cam = test::front_camera(8, 8, 10.0);
    const auto c = project(g, cam, torch::kCPU);
    EXPECT_THROW(splat::composite_weights(c.proj.means2d, c.proj.conics, c.opacity.view({1, 1}),
                                          c.proj.radii, c.proj.depths, cam),
                 Error);
    EXPECT_THROW(splat::composite_weights(c.proj.means2d, c.proj.conics, c.opacity,
                                          c.proj.radii.to(torch::kInt64), c.proj.depths, cam),
                 Error);
}

TEST(SplatWeights, CudaOperatorDrawsTheImageAsOnTheCpu) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(9);
    const auto g =
        random_gaussians(3000, torch::tensor({0.0, 0.0, 1.0}), 6.0, 0.1, 1, torch::kFloat32);
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    // against the CUDA rasterisation of the same features, in float32
    expect_operator_draws_the_image(g, cam, torch::Device(torch::kCUDA), 1e-5);
    // and the same operator as the CPU kernels give (a rare threshold flip allowed)
    const auto gpu = project(g, cam, torch::Device(torch::kCUDA));
    const auto cpu = project(g, cam, torch::kCPU);
    const auto wg = splat::composite_weights(gpu.proj.means2d, gpu.proj.conics, gpu.opacity,
                                             gpu.proj.radii, gpu.proj.depths, cam);
    const auto wc = splat::composite_weights(cpu.proj.means2d, cpu.proj.conics, cpu.opacity,
                                             cpu.proj.radii, cpu.proj.depths, cam);
    const int64_t pixels = 360 * 90, n = g.means.size(0);
    const auto diff = (dense(wg, pixels, n) - dense(wc, pixels, n)).abs();
    EXPECT_LT((diff > 1e-4).sum().item<int64_t>(), pixels / 200);
    EXPECT_NEAR(static_cast<double>(wg.weight.numel()), static_cast<double>(wc.weight.numel()),
                0.005 * static_cast<double>(wc.weight.numel()));
}

}  // namespace
