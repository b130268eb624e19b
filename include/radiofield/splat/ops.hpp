#pragma once
// The three stages of differentiable Gaussian splatting (docs/splatting.md), each usable alone
// (RF-3DGS+ rasterises its own per-Gaussian features): project the 3-D Gaussians through a
// camera, evaluate their spherical harmonics, and rasterise (tile binning + front-to-back
// alpha compositing). project and rasterize are custom ops: CPU and CUDA kernels of the same
// math behind nn::dispatch, autograd functions with explicit backward passes; float32 or
// float64 (all inputs of one call the same type). eval_sh is plain LibTorch.

#include <torch/types.h>

#include "radiofield/splat/camera.hpp"

namespace radiofield::splat {

// Screen-space Gaussians. Culled ones (behind the near plane, degenerate, or off screen) have
// radii (0, 0) and zero means2d/conics/depths, and get no gradient.
struct Projection {
    torch::Tensor means2d;  // [N, 2] (u, v) pixels; differentiable
    torch::Tensor conics;   // [N, 3] inverse 2-D covariance (a, b, c) = [[a, b], [b, c]]; diff.
    torch::Tensor depths;   // [N] camera z (pinhole) or distance (equirect); sort key only
    torch::Tensor radii;    // [N, 2] int32 half-widths (u, v) of the screen box, pixels
};

// means [N, 3], scales [N, 3] (> 0, metres), quats [N, 4] unit (w, x, y, z). The 2-D
// covariance is J·W·Σ·Wᵀ·Jᵀ + blur·I (blur in pixels², 3DGS's 0.3), Σ = R(q)·diag(s)²·R(q)ᵀ.
// Gradients flow to means, scales and quats.
Projection project(const torch::Tensor& means,
                   const torch::Tensor& scales,
                   const torch::Tensor& quats,
                   const Camera& camera,
                   double blur = 0.3);

struct Raster {
    torch::Tensor image;          // [H, W, C]; differentiable
    torch::Tensor transmittance;  // [H, W] T after the last Gaussian (no gradient)
    torch::Tensor top_gaussian;  // [H, W] int64: id of the Gaussian with the largest α_k·T_k, −1
};

// Front-to-back compositing of the projected Gaussians with per-Gaussian features [N, C]
// (C ≤ 16) and opacities [N] in [0, 1]: image = Σ_k f_k α_k T_k + T·background, α_k =
// min(0.99, o_k·exp(−½ dᵀ conic d)), entries with α < 1/255 skipped, stopping before T < 1e-4.
// background [C] (no gradient) or undefined for zeros. Gradients flow to means2d, conics,
// features and opacities.
Raster rasterize(const torch::Tensor& means2d,
                 const torch::Tensor& conics,
                 const torch::Tensor& features,
                 const torch::Tensor& opacities,
                 const torch::Tensor& radii,
                 const torch::Tensor& depths,
                 const Camera& camera,
                 const torch::Tensor& background = {});

// The compositing weights of a rasterisation as a sparse operator (no gradient): rasterize's
// image, flattened to [H·W, C], is W·features + T·background, W [H·W, N] holding α_k·T_k where
// Gaussian k contributes to pixel p. One forward pass with the op's binning and thresholds;
// COO entries pixel by pixel (row-major r·W + c), each pixel's front to back. With the
// geometry frozen, W is all a rasterisation of new features needs (RF-3DGS's stage 2).
struct CompositeWeights {
    torch::Tensor pixel;     // [E] int64
    torch::Tensor gaussian;  // [E] int64
    torch::Tensor weight;    // [E] α_k·T_k, the dtype of means2d
};
CompositeWeights composite_weights(const torch::Tensor& means2d,
                                   const torch::Tensor& conics,
                                   const torch::Tensor& opacities,
                                   const torch::Tensor& radii,
                                   const torch::Tensor& depths,
                                   const Camera& camera);

// Coefficients per channel of real spherical harmonics up to `degree`: (degree + 1)².
constexpr int sh_coefficients(int degree) {
    return (degree + 1) * (degree + 1);
}

// Σ_lm c_lm·Y_lm(d) per channel: sh [N, K, C] with K ≥ (degree + 1)² (extra ones ignored),
// dirs [N, 3] unit → [N, C]. Real SH with 3DGS's signs and order (l = 0..3, m = −l..l),
// degree 0..3. Differentiable in sh and dirs.
torch::Tensor eval_sh(const torch::Tensor& sh, const torch::Tensor& dirs, int degree);

}  // namespace radiofield::splat
