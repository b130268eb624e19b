#pragma once
// NeRF2 positional-encoding kernels behind models::positional_encoding (nerf2_render.cpp),
// one per device. Kept apart from nerf2.hpp so nvcc (C++17) never sees the C++20 headers.

#include <torch/types.h>

namespace radiofield::models::detail {

// x [N, 3] float32 contiguous → [N, 3 + 6L] = [x, sin(2^0 x), cos(2^0 x), …] (no π).
torch::Tensor positional_encoding_cpu(const torch::Tensor& x, int n_freqs);
torch::Tensor positional_encoding_cuda(const torch::Tensor& x, int n_freqs);

}  // namespace radiofield::models::detail
