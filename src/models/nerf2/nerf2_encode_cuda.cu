// NeRF2 positional encoding, CUDA kernel (reference: positional_encoding_reference; the CPU
// kernel in nerf2_encode_cpu.cpp computes the same values).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>

#include "nerf2_encode.hpp"

namespace radiofield::models::detail {
namespace {

constexpr int kThreads = 256;

// One thread per (point, coordinate): writes x and its 2L sines/cosines into the row
// [x0 x1 x2 | sin(2^0 x) | cos(2^0 x) | … ], 3 + 6L floats per point.
__global__ void positional_encoding_kernel(const float* __restrict__ in, float* __restrict__ out,
                                           int64_t n, int n_freqs) {
    const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (idx >= n * 3) return;
    const int64_t i = idx / 3;
    const int c = static_cast<int>(idx - i * 3);
    const int dims = 3 + 6 * n_freqs;
    const float v = in[idx];
    float* row = out + i * dims;
    row[c] = v;
    float f = 1.0f;  // 2^k, exact
    for (int k = 0; k < n_freqs; ++k, f *= 2.0f) {
        float s, co;
        sincosf(v * f, &s, &co);
        row[3 + 6 * k + c] = s;
        row[6 + 6 * k + c] = co;
    }
}

}  // namespace

torch::Tensor positional_encoding_cuda(const torch::Tensor& x, int n_freqs) {  // [N, 3]
    const auto n = x.size(0);
    auto y = torch::empty({n, 3 + 6 * n_freqs}, x.options());
    if (n == 0) return y;
    const int64_t threads = n * 3;
    const auto blocks = static_cast<unsigned>((threads + kThreads - 1) / kThreads);
    auto stream = at::cuda::getCurrentCUDAStream();
    positional_encoding_kernel<<<blocks, kThreads, 0, stream>>>(x.data_ptr<float>(), y.data_ptr<float>(), n,
                                                                n_freqs);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    return y;
}

}  // namespace radiofield::models::detail
