#pragma once
// Fused layers: one differentiable op where LibTorch would run several passes over memory.
// CPU and CUDA behind one call, like ops.hpp; the CPU path is the reference in the tests.

#include <torch/types.h>

#include <utility>

namespace radiofield::nn {

// y = relu(x·wᵀ + b): x [M, K], w [N, K], b [N] → y [M, N], differentiable in x, w and b.
// On CUDA the bias and the ReLU run in the matrix product's epilogue (cuBLASLt), and the
// backward pass masks the gradient and sums the bias gradient in one pass
// (relu_bias_backward) before its two matrix products. On the CPU: addmm, then ReLU.
torch::Tensor linear_relu(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// The elementwise part of that backward pass: for y = relu(z) and g = ∂L/∂y [M, N],
// returns ∂L/∂z = g ⊙ [y > 0] [M, N] and its column sums Σ_m ∂L/∂z [N] (the bias gradient).
std::pair<torch::Tensor, torch::Tensor> relu_bias_backward(const torch::Tensor& g,
                                                           const torch::Tensor& y);

namespace detail {
// ATen ops (threshold_backward, then sum): any dtype and device; the tests' reference.
std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_reference(const torch::Tensor& g,
                                                                     const torch::Tensor& y);
// g, y contiguous float32 [M, N] on one CUDA device.
std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_cuda(const torch::Tensor& g,
                                                                const torch::Tensor& y);
}  // namespace detail

}  // namespace radiofield::nn
