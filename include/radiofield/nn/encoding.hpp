#pragma once
// Positional encoding γ (NeRF's, as NeRF2's public Embedder): every model family encodes
// positions and directions with it (NeRF2 points/views/tx, GRaF neighbour offsets, ray
// samples and directions). CPU and CUDA kernels behind nn::dispatch (src/nn/encoding_*),
// checked against the plain LibTorch reference below.

#include <torch/types.h>

#include <cstdint>

namespace radiofield::nn {

// Width of γ(x) for x with `dims` coordinates and `n_freqs` frequencies: D·(1 + 2L).
constexpr std::int64_t positional_encoding_dims(std::int64_t dims, int n_freqs) {
    return dims * (1 + 2 * static_cast<std::int64_t>(n_freqs));
}

// γ(x) = [x, sin(2^0 x), cos(2^0 x), …, sin(2^{L−1} x), cos(2^{L−1} x)]: x [N, D] → [N, D(1 + 2L)],
// each block D wide: row[c] = x_c, row[D + 2Dk + c] = sin(2^k x_c),
// row[2D + 2Dk + c] = cos(2^k x_c). Frequencies 2^k WITHOUT π (NeRF2's freq_bands =
// 2**linspace(0, L−1, L), p_fn(x·freq)). D ≥ 1, 0 ≤ L ≤ 64.
// float32 x that does not require grad runs the device's kernel; x that requires grad, or of
// another floating type, runs the reference (differentiable).
torch::Tensor positional_encoding(const torch::Tensor& x, int n_freqs);

// The same with plain LibTorch ops (mul, sin, cos, cat): any floating type and device,
// differentiable; the kernels' reference in the tests.
torch::Tensor positional_encoding_reference(const torch::Tensor& x, int n_freqs);

}  // namespace radiofield::nn
