#pragma once
// Fused layers: one op where LibTorch would run several passes over memory.
// CPU and CUDA behind one call, like ops.hpp; the CPU path is the reference in the tests.

#include <torch/types.h>

#include <cstdint>
#include <utility>
#include <vector>

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

// Inference of an MLP whose first layer differs per item and whose other layers are shared
// (GRaF's ray network: each target's own first-layer weights on the same encoded ray
// samples). x [M, K] rows shared by all T items; w1 [T, N, K], b1 [T, N]; hidden layers
// (w [N, N], b [N]), each after a ReLU; w_out [O, N], b_out [O]:
//   y[t] = relu(… relu(x·w1[t]ᵀ + b1[t]) …)·w_outᵀ + b_out   → y [T, M, O] float32.
// No autograd. The CPU runs the matmuls in x's precision (the reference). On CUDA, where the
// shapes fit (fused_mlp_fits), one kernel keeps every layer's activations in registers and
// multiplies on fp16 tensor cores with fp32 accumulation (the input, weights and activations
// rounded to fp16, 11 significant bits as TF32); elsewhere the CUDA matmuls.
torch::Tensor fused_mlp(const torch::Tensor& x,
                        const torch::Tensor& w1,
                        const torch::Tensor& b1,
                        const std::vector<std::pair<torch::Tensor, torch::Tensor>>& hidden,
                        const torch::Tensor& w_out,
                        const torch::Tensor& b_out);

// Whether the CUDA kernel takes these sizes: width N = 128, K ≤ 128, O ≤ 16, at most 3
// hidden layers (their weights share the multiprocessor's shared memory).
bool fused_mlp_fits(std::int64_t k, std::int64_t n, std::int64_t o, std::size_t hidden);

namespace detail {
// The matmuls, in x's dtype, on x's device: the CPU path and the tests' reference.
torch::Tensor fused_mlp_reference(
    const torch::Tensor& x,
    const torch::Tensor& w1,
    const torch::Tensor& b1,
    const std::vector<std::pair<torch::Tensor, torch::Tensor>>& hidden,
    const torch::Tensor& w_out,
    const torch::Tensor& b_out);
// The fused kernel (fused_mlp_fits must hold); any float dtypes in, float32 out.
torch::Tensor fused_mlp_cuda(const torch::Tensor& x,
                             const torch::Tensor& w1,
                             const torch::Tensor& b1,
                             const std::vector<std::pair<torch::Tensor, torch::Tensor>>& hidden,
                             const torch::Tensor& w_out,
                             const torch::Tensor& b_out);

// ATen ops (threshold_backward, then sum): any dtype and device; the tests' reference.
std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_reference(const torch::Tensor& g,
                                                                     const torch::Tensor& y);
// g, y contiguous float32 [M, N] on one CUDA device.
std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_cuda(const torch::Tensor& g,
                                                                const torch::Tensor& y);
}  // namespace detail

}  // namespace radiofield::nn
