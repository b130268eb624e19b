#pragma once
// Custom tensor ops with a CPU and a CUDA implementation behind one dispatch on the
// tensor's device (src/nn/*_cpu.cpp, src/nn/*_cuda.cu).

#include <torch/types.h>

namespace radiofield::nn {

// Per-sample min–max normalisation to [0, 1] (how spectra are presented to models,
// DESIGN.md §4.3): x [N, ...] float32 → y [N, ...], y = (x − min_n) / (max_n − min_n);
// a constant sample maps to 0.
torch::Tensor minmax_normalize(const torch::Tensor& x);

namespace detail {
torch::Tensor minmax_normalize_cpu(const torch::Tensor& x);   // [N, M] contiguous
torch::Tensor minmax_normalize_cuda(const torch::Tensor& x);  // [N, M] contiguous
}  // namespace detail

}  // namespace radiofield::nn
