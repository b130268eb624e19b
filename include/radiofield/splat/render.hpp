#pragma once
// 3DGS rendering of a set of Gaussians through a camera (docs/splatting.md): activations
// (exp scales, normalised quaternions, sigmoid opacities), projection, SH colour along the
// camera → Gaussian direction, rasterisation; and the statistics densification reads.

#include <torch/types.h>

#include <vector>

#include "radiofield/splat/camera.hpp"
#include "radiofield/splat/ops.hpp"

namespace radiofield::splat {

// The trainable tensors of a Gaussian scene (raw, before activation).
struct Gaussians {
    torch::Tensor means;           // [N, 3] world, metres
    torch::Tensor log_scales;      // [N, 3] scale = exp(log_scale)
    torch::Tensor quats;           // [N, 4] (w, x, y, z), any non-zero length
    torch::Tensor opacity_logits;  // [N] opacity = sigmoid(logit)
    torch::Tensor sh;              // [N, K, C] SH coefficients, K ≥ (sh_degree + 1)²

    int64_t size() const { return means.defined() ? means.size(0) : 0; }
};

struct RenderOptions {
    int sh_degree = 3;               // 0..3, ≤ what sh holds (progressive SH training)
    double blur = 0.3;               // pixels² added to every 2-D covariance (3DGS)
    double color_offset = 0.5;       // added to the SH value (3DGS: 0.5 for RGB; RF: 0)
    bool clamp_colors = true;        // colour = max(0, SH + offset) (3DGS)
    std::vector<double> background;  // [C] behind the Gaussians; empty = zeros
};

struct RenderResult {
    torch::Tensor image;          // [H, W, C]; differentiable in every Gaussian tensor
    torch::Tensor transmittance;  // [H, W] final T
    torch::Tensor top_gaussian;   // [H, W] int64 id of the largest α_k T_k per pixel, −1 none
    torch::Tensor radii;          // [N, 2] int32 screen half-widths (u, v); 0 = not drawn
    torch::Tensor depths;         // [N]
    // [N, 2] zeros added to the screen means; a leaf that requires grad when grad mode is on,
    // so after backward its grad() is ∂L/∂(u, v) per Gaussian (densification's view-space
    // positional gradient, pixels).
    torch::Tensor screen_probe;
};

RenderResult render(const Gaussians& gaussians, const Camera& camera, const RenderOptions& options);

// Per-Gaussian accumulators for densification (3DGS): the sum of ‖∂L/∂(u, v)‖ over the views
// a Gaussian was drawn in, the number of those views, and its largest screen half-width.
struct DensifyStats {
    torch::Tensor grad_norm_sum;  // [N]
    torch::Tensor count;          // [N] int32
    torch::Tensor max_radius;     // [N] int32

    // Add one rendered view (after backward); starts the accumulators on the first call.
    void accumulate(const RenderResult& view);
    torch::Tensor mean_grad() const;  // grad_norm_sum / max(count, 1)
};

}  // namespace radiofield::splat
