// CUDA implementation of the per-sample min–max normalisation (reference: ops_cpu.cpp).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>

#include <cfloat>

#include "radiofield/nn/ops.hpp"

namespace radiofield::nn::detail {
namespace {

constexpr int kThreads = 256;

// One block per sample: block-wide min and max reduction, then a normalising pass.
__global__ void minmax_normalize_kernel(const float* __restrict__ in,
                                        float* __restrict__ out,
                                        int64_t m) {
    __shared__ float s_lo[kThreads];
    __shared__ float s_hi[kThreads];
    const float* row = in + blockIdx.x * m;
    float* dst = out + blockIdx.x * m;
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
        const float v = row[j];
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    s_lo[threadIdx.x] = lo;
    s_hi[threadIdx.x] = hi;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            s_lo[threadIdx.x] = fminf(s_lo[threadIdx.x], s_lo[threadIdx.x + s]);
            s_hi[threadIdx.x] = fmaxf(s_hi[threadIdx.x], s_hi[threadIdx.x + s]);
        }
        __syncthreads();
    }
    const float range = s_hi[0] - s_lo[0];
    const float scale = range > 0.f ? 1.f / range : 0.f;
    const float base = s_lo[0];
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x)
        dst[j] = (row[j] - base) * scale;
}

}  // namespace

torch::Tensor minmax_normalize_cuda(const torch::Tensor& x) {  // [N, M]
    auto y = torch::empty_like(x);
    const auto n = x.size(0), m = x.size(1);
    auto stream = at::cuda::getCurrentCUDAStream();
    minmax_normalize_kernel<<<static_cast<unsigned>(n), kThreads, 0, stream>>>(
        x.data_ptr<float>(), y.data_ptr<float>(), m);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    return y;
}

}  // namespace radiofield::nn::detail
