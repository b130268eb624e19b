#pragma once
// The splatting kernels behind splat::project and splat::rasterize, one per device (CPU in
// splat_cpu.cpp, CUDA in splat_cuda.cu, stubs for CPU builds in cuda_stubs.cpp). Tensors are
// contiguous, float32 or float64 (all of one op the same type). C++17: nvcc sees this header.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "splat_math.hpp"

namespace radiofield::splat::detail {

// means [N, 3], scales [N, 3] (> 0), quats [N, 4] unit (w, x, y, z) →
// {means2d [N, 2], conics [N, 3], depths [N], radii [N, 2] int32 (0, 0 = culled)}.
std::vector<torch::Tensor> project_forward_cpu(const torch::Tensor& means,
                                               const torch::Tensor& scales,
                                               const torch::Tensor& quats,
                                               const CameraParams& cam,
                                               double blur);
std::vector<torch::Tensor> project_forward_cuda(const torch::Tensor& means,
                                                const torch::Tensor& scales,
                                                const torch::Tensor& quats,
                                                const CameraParams& cam,
                                                double blur);

// Gradients of the visible Gaussians' means2d and conics back to {means, scales, quats}.
std::vector<torch::Tensor> project_backward_cpu(const torch::Tensor& means,
                                                const torch::Tensor& scales,
                                                const torch::Tensor& quats,
                                                const torch::Tensor& radii,
                                                const CameraParams& cam,
                                                double blur,
                                                const torch::Tensor& grad_means2d,
                                                const torch::Tensor& grad_conics);
std::vector<torch::Tensor> project_backward_cuda(const torch::Tensor& means,
                                                 const torch::Tensor& scales,
                                                 const torch::Tensor& quats,
                                                 const torch::Tensor& radii,
                                                 const CameraParams& cam,
                                                 double blur,
                                                 const torch::Tensor& grad_means2d,
                                                 const torch::Tensor& grad_conics);

// Tiles each Gaussian's box covers: [N] int64.
torch::Tensor count_tiles_cpu(const torch::Tensor& means2d,
                              const torch::Tensor& radii,
                              const CameraParams& cam);
torch::Tensor count_tiles_cuda(const torch::Tensor& means2d,
                               const torch::Tensor& radii,
                               const CameraParams& cam);

// One (tile << 32 | depth bits) key and Gaussian id per covered tile, written from
// offsets (the exclusive prefix sum of the counts): {keys [M] int64, ids [M] int32}.
std::vector<torch::Tensor> emit_tile_keys_cpu(const torch::Tensor& means2d,
                                              const torch::Tensor& radii,
                                              const torch::Tensor& depths,
                                              const torch::Tensor& offsets,
                                              int64_t total,
                                              const CameraParams& cam);
std::vector<torch::Tensor> emit_tile_keys_cuda(const torch::Tensor& means2d,
                                               const torch::Tensor& radii,
                                               const torch::Tensor& depths,
                                               const torch::Tensor& offsets,
                                               int64_t total,
                                               const CameraParams& cam);

// Compositing: ids [M] int32 sorted by (tile, depth); tile_begin/tile_end [tiles] int64.
// → {image [H, W, C], final transmittance [H, W], walked [H, W] int32, top [H, W] int32}.
std::vector<torch::Tensor> rasterize_forward_cpu(const torch::Tensor& means2d,
                                                 const torch::Tensor& conics,
                                                 const torch::Tensor& features,
                                                 const torch::Tensor& opacities,
                                                 const torch::Tensor& background,
                                                 const torch::Tensor& ids,
                                                 const torch::Tensor& tile_begin,
                                                 const torch::Tensor& tile_end,
                                                 const CameraParams& cam);
std::vector<torch::Tensor> rasterize_forward_cuda(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& features,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& background,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& tile_end,
                                                  const CameraParams& cam);

// The compositing weights of every entry the forward walked: pixel p's walked[p] entries at
// offsets[p] (int64, exclusive prefix sum of walked) of the `total` outputs.
// → {ids [total] int32 (−1: skipped entry), weights [total]}.
std::vector<torch::Tensor> composite_weights_cpu(const torch::Tensor& means2d,
                                                 const torch::Tensor& conics,
                                                 const torch::Tensor& opacities,
                                                 const torch::Tensor& ids,
                                                 const torch::Tensor& tile_begin,
                                                 const torch::Tensor& walked,
                                                 const torch::Tensor& offsets,
                                                 int64_t total,
                                                 const CameraParams& cam);
std::vector<torch::Tensor> composite_weights_cuda(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& walked,
                                                  const torch::Tensor& offsets,
                                                  int64_t total,
                                                  const CameraParams& cam);

// → {grad means2d [N, 2], grad conics [N, 3], grad features [N, C], grad opacities [N]}.
std::vector<torch::Tensor> rasterize_backward_cpu(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& features,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& background,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& final_t,
                                                  const torch::Tensor& walked,
                                                  const torch::Tensor& grad_image,
                                                  const CameraParams& cam);
std::vector<torch::Tensor> rasterize_backward_cuda(const torch::Tensor& means2d,
                                                   const torch::Tensor& conics,
                                                   const torch::Tensor& features,
                                                   const torch::Tensor& opacities,
                                                   const torch::Tensor& background,
                                                   const torch::Tensor& ids,
                                                   const torch::Tensor& tile_begin,
                                                   const torch::Tensor& final_t,
                                                   const torch::Tensor& walked,
                                                   const torch::Tensor& grad_image,
                                                   const CameraParams& cam);

}  // namespace radiofield::splat::detail
