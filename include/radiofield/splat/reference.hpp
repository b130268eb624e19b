#pragma once
// A plain LibTorch version of project and rasterize (ops.hpp): the same math as the kernels
// (splat_math.hpp) written with dense tensor ops only, differentiated by LibTorch's autograd.
// It checks the kernels (tests/splat/test_reference.cpp) and is the benchmark's baseline
// (`radiofield bench rf3dgs`). No tiles: every Gaussian meets every pixel, the list is sorted by
// depth once and the transmittance is a cumulative product, so memory grows as pixels ×
// Gaussians (several [H·W, N] tensors kept for the backward): meant for small images and
// Gaussian counts.

#include "radiofield/splat/ops.hpp"

namespace radiofield::splat::reference {

// splat::project's outputs for the same inputs (culled Gaussians: zeros, radii (0, 0)).
// Gradients flow to means, scales and quats through autograd.
Projection project(const torch::Tensor& means,   // [N, 3]
                   const torch::Tensor& scales,  // [N, 3]
                   const torch::Tensor& quats,   // [N, 4] unit (w, x, y, z)
                   const Camera& camera,
                   double blur = 0.3);

// splat::rasterize's outputs: image [H, W, C] (differentiable in means2d, conics, features,
// opacities), transmittance [H, W], top_gaussian [H, W] int64 (−1: none). Gaussians with
// radii (0, 0) take no part; the others meet every pixel (the kernels' tile boxes only skip
// pixels where α < 1/255 anyway).
Raster rasterize(const torch::Tensor& means2d,    // [N, 2]
                 const torch::Tensor& conics,     // [N, 3]
                 const torch::Tensor& features,   // [N, C]
                 const torch::Tensor& opacities,  // [N]
                 const torch::Tensor& radii,      // [N, 2] int32
                 const torch::Tensor& depths,     // [N]
                 const Camera& camera,
                 const torch::Tensor& background = {});  // [C] or undefined for zeros

// Bytes the reference's rasterize keeps alive for one forward + backward with n Gaussians
// on a camera of `pixels` pixels in a scalar type of `element_size` bytes (an estimate for
// picking sizes that fit).
double rasterize_bytes(std::int64_t pixels, std::int64_t n, std::int64_t element_size);

}  // namespace radiofield::splat::reference
