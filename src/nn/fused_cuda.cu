// relu_bias_backward on CUDA: one pass over g and y that writes the masked gradient and
// per-block column sums; the blocks' sums are added by a second, small reduction (no
// atomics, so the bias gradient is the same from run to run).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>

#include <cstdint>

#include "radiofield/nn/fused.hpp"

namespace radiofield::nn::detail {
namespace {

constexpr int kThreads = 256;
constexpr int kRowsPerBlock = 256;

// Threads are (column quad q, row lane l): q < nq = N/4 columns of float4, l < lanes =
// kThreads / nq. Each thread walks rows l, l + lanes, … of the block's slice and keeps its
// quad's running sum; the lanes' sums meet in shared memory.
__global__ void relu_bias_backward_kernel(const float4* __restrict__ g,
                                          const float4* __restrict__ y,
                                          float4* __restrict__ gz,
                                          float4* __restrict__ partial,
                                          int64_t m,
                                          int nq) {
    __shared__ float4 sums[kThreads];
    const int lanes = kThreads / nq;
    const int q = threadIdx.x % nq, lane = threadIdx.x / nq;
    float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
    if (lane < lanes) {
        const int64_t r0 = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock;
        const int64_t r1 = r0 + kRowsPerBlock < m ? r0 + kRowsPerBlock : m;
        for (int64_t r = r0 + lane; r < r1; r += lanes) {
            const int64_t i = r * nq + q;
            const float4 gv = g[i], yv = y[i];
            // as threshold_backward(g, y, 0): zero where y ≤ 0
            const float4 o = make_float4(yv.x <= 0.f ? 0.f : gv.x, yv.y <= 0.f ? 0.f : gv.y,
                                         yv.z <= 0.f ? 0.f : gv.z, yv.w <= 0.f ? 0.f : gv.w);
            gz[i] = o;
            acc.x += o.x, acc.y += o.y, acc.z += o.z, acc.w += o.w;
        }
    }
    sums[threadIdx.x] = acc;
    __syncthreads();
    if (lane == 0) {
        for (int l = 1; l < lanes; ++l) {
            const float4 s = sums[l * nq + q];
            acc.x += s.x, acc.y += s.y, acc.z += s.z, acc.w += s.w;
        }
        partial[static_cast<int64_t>(blockIdx.x) * nq + q] = acc;
    }
}

bool aligned16(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_cuda(const torch::Tensor& g,
                                                                const torch::Tensor& y) {
    const int64_t m = g.size(0), n = g.size(1);
    // The vector kernel needs whole float4 rows and at most one row of quads per block.
    if (n % 4 != 0 || n / 4 > kThreads || m == 0 || !aligned16(g.data_ptr()) ||
        !aligned16(y.data_ptr())) {
        return relu_bias_backward_reference(g, y);
    }
    const int nq = static_cast<int>(n / 4);
    const int64_t blocks = (m + kRowsPerBlock - 1) / kRowsPerBlock;
    auto gz = torch::empty_like(g);
    auto partial = torch::empty({blocks, n}, g.options());
    auto stream = at::cuda::getCurrentCUDAStream();
    relu_bias_backward_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
        reinterpret_cast<const float4*>(g.data_ptr<float>()),
        reinterpret_cast<const float4*>(y.data_ptr<float>()),
        reinterpret_cast<float4*>(gz.data_ptr<float>()),
        reinterpret_cast<float4*>(partial.data_ptr<float>()), m, nq);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    return {gz, partial.sum(0)};
}

}  // namespace radiofield::nn::detail
