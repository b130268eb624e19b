#pragma once
// The splatting op against its dense LibTorch reference (radiofield/splat/reference.hpp) on one
// scene and camera: project + rasterize through both, images and the gradients of a weighted
// sum of the image w.r.t. means, scales, quats, features and opacities. Shared by the CPU
// tests (test_reference.cpp) and the CUDA ones (test_cuda.cpp).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "radiofield/splat/ops.hpp"
#include "radiofield/splat/reference.hpp"

namespace radiofield::test {

// Plain inputs of project + rasterize: scales > 0, unit quats, opacities in (0, 1).
struct SplatInputs {
    torch::Tensor means, scales, quats, features, opacities, background;
};

// n Gaussians around `centre` (± spread) with scales scale·[0.5, 2], opacities
// opacity_lo..opacity_hi, features [N, channels] in [0, 1]; float32 on the CPU (seeded by the
// caller).
inline SplatInputs random_inputs(int64_t n,
                                 const torch::Tensor& centre,
                                 double spread,
                                 double scale,
                                 int channels,
                                 double opacity_lo = 0.3,
                                 double opacity_hi = 0.95) {
    SplatInputs in;
    in.means = centre.to(torch::kFloat32).view({1, 3}) + (torch::rand({n, 3}) * 2 - 1) * spread;
    in.scales = scale * torch::exp((torch::rand({n, 3}) * 2 - 1) * std::log(2.0));
    const auto q = torch::randn({n, 4});
    in.quats = q / q.norm(2, 1, true);
    in.features = torch::rand({n, channels});
    in.opacities = torch::rand({n}) * (opacity_hi - opacity_lo) + opacity_lo;
    in.background = torch::rand({channels});
    return in;
}

struct SplatResult {
    splat::Raster raster;
    splat::Projection projection;
    std::vector<torch::Tensor> grads;  // means, scales, quats, features, opacities
};

// project + rasterize on `device` by the op or the reference, and the gradients of
// Σ weights·image.
inline SplatResult splat_with_grads(const SplatInputs& in,
                                    const splat::Camera& cam,
                                    const torch::Tensor& weights,
                                    const torch::Device& device,
                                    bool reference) {
    std::vector<torch::Tensor> leaves;
    for (const auto* t : {&in.means, &in.scales, &in.quats, &in.features, &in.opacities})
        leaves.push_back(t->to(device).detach().requires_grad_(true));
    const auto bg = in.background.to(device);
    SplatResult r;
    if (reference) {
        r.projection = splat::reference::project(leaves[0], leaves[1], leaves[2], cam);
        r.raster = splat::reference::rasterize(r.projection.means2d, r.projection.conics, leaves[3],
                                               leaves[4], r.projection.radii, r.projection.depths,
                                               cam, bg);
    } else {
        r.projection = splat::project(leaves[0], leaves[1], leaves[2], cam);
        r.raster = splat::rasterize(r.projection.means2d, r.projection.conics, leaves[3], leaves[4],
                                    r.projection.radii, r.projection.depths, cam, bg);
    }
    (r.raster.image * weights.to(device)).sum().backward();
    for (const auto& l : leaves)
        r.grads.push_back(l.grad());
    return r;
}

// ‖a − b‖ / ‖b‖ in float64 on the CPU.
inline double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
    const auto w = b.detach().cpu().to(torch::kFloat64);
    return (a.detach().cpu().to(torch::kFloat64) - w).norm().item<double>() /
           std::max(w.norm().item<double>(), 1e-30);
}

// The op's image within `image_rel` of the reference's (relative L2 norm; the transmittance
// alike), its screen radii and top-Gaussian ids equal but for rare rounding flips, and every
// gradient within `grad_rel` (relative L2 norm).
inline void expect_op_matches_reference(const SplatInputs& in,
                                        const splat::Camera& cam,
                                        const torch::Device& device,
                                        double image_rel,
                                        double grad_rel) {
    const auto weights =
        torch::randn({splat::height_of(cam), splat::width_of(cam), in.features.size(1)}) /
        splat::width_of(cam);
    const auto op = splat_with_grads(in, cam, weights, device, false);
    const auto ref = splat_with_grads(in, cam, weights, device, true);
    ASSERT_EQ(op.raster.image.device().type(), device.type());
    const auto visible = (ref.projection.radii.select(1, 0) > 0).sum().item<int64_t>();
    ASSERT_GT(visible, in.means.size(0) / 4) << "the scene should mostly be in view";
    EXPECT_LE(relative_error(op.projection.means2d, ref.projection.means2d), 1e-5);
    EXPECT_LE(relative_error(op.projection.conics, ref.projection.conics), 1e-4);
    const auto radii_differ =
        (op.projection.radii.cpu() != ref.projection.radii.cpu()).any(1).sum().item<int64_t>();
    EXPECT_LE(radii_differ, in.means.size(0) / 100);
    EXPECT_LE(relative_error(op.raster.image, ref.raster.image), image_rel);
    EXPECT_LE(relative_error(op.raster.transmittance, ref.raster.transmittance), image_rel);
    const auto top_differ =
        (op.raster.top_gaussian.cpu() != ref.raster.top_gaussian.cpu()).sum().item<int64_t>();
    EXPECT_LE(top_differ, ref.raster.top_gaussian.numel() / 1000);
    const char* names[] = {"means", "scales", "quats", "features", "opacities"};
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(ref.grads[i].defined()) << names[i];
        ASSERT_GT(ref.grads[i].abs().max().item<double>(), 0) << names[i];
        EXPECT_LE(relative_error(op.grads[i], ref.grads[i]), grad_rel) << names[i];
    }
}

}  // namespace radiofield::test
