// Positional encoding, CUDA kernel (reference: positional_encoding_reference; the CPU
// kernel in encoding_cpu.cpp computes the same values).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <cstdint>

#include "encoding_kernels.hpp"

namespace radiofield::nn::detail {
namespace {

constexpr int kThreads = 256;

// One thread per (point, coordinate): writes x_c and its 2L sines/cosines into the row
// [x | sin(2^0 x) | cos(2^0 x) | … ], D(1 + 2L) floats per point.
__global__ void positional_encoding_kernel(
    const float* __restrict__ in, float* __restrict__ out, int64_t n, int64_t d, int n_freqs) {
    const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (idx >= n * d) {
        return;
    }
    const int64_t i = idx / d;
    const int64_t c = idx - i * d;
    const int64_t dims = d * (1 + 2 * static_cast<int64_t>(n_freqs));
    const float v = in[idx];
    float* row = out + i * dims;
    row[c] = v;
    float f = 1.0f;  // 2^k, exact
    for (int k = 0; k < n_freqs; ++k, f *= 2.0f) {
        float s, co;
        sincosf(v * f, &s, &co);
        row[d + 2 * d * k + c] = s;
        row[2 * d + 2 * d * k + c] = co;
    }
}

}  // namespace

torch::Tensor positional_encoding_cuda(const torch::Tensor& x, int n_freqs) {  // [N, D]
    const int64_t n = x.size(0), d = x.size(1);
    auto y = torch::empty({n, d * (1 + 2 * static_cast<int64_t>(n_freqs))}, x.options());
    if (n == 0)
        return y;                                  // [N, D(1 + 2L)]
    const c10::cuda::CUDAGuard guard(x.device());  // the stream and launch of x's GPU
    const int64_t threads = n * d;
    const auto blocks = static_cast<unsigned>((threads + kThreads - 1) / kThreads);
    auto stream = at::cuda::getCurrentCUDAStream();
    positional_encoding_kernel<<<blocks, kThreads, 0, stream>>>(x.data_ptr<float>(),
                                                                y.data_ptr<float>(), n, d, n_freqs);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    return y;
}

}  // namespace radiofield::nn::detail
