#pragma once
// The positional-encoding kernels behind nn::positional_encoding (encoding.cpp), one per
// device. Kept apart from the public headers so nvcc (C++17) never sees C++20 headers.

#include <torch/types.h>

namespace radiofield::nn::detail {

// x [N, D] float32 contiguous → [N, D(1 + 2L)] = [x, sin(2^0 x), cos(2^0 x), …] (no π).
torch::Tensor positional_encoding_cpu(const torch::Tensor& x, int n_freqs);
torch::Tensor positional_encoding_cuda(const torch::Tensor& x, int n_freqs);

}  // namespace radiofield::nn::detail
