// The CUDA nearest-hit kernel behind nn::intersect_nearest: one thread per ray, the triangles
// streamed through shared memory a tile at a time, every ray tested against every triangle
// (brute force, as GeNeRT's tensorised launcher; no [rays, triangles] tensors in memory).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "ray_triangle_kernels.hpp"

namespace radiofield::nn::detail {
namespace {

constexpr int kThreads = 256;  // rays per block, and triangles per shared-memory tile

// Copies one triangle's kTriangleStride scalars with 16-byte loads.
template <typename T>
__device__ __forceinline__ void load_triangle(const T* __restrict__ src, T* dst) {
    using Vec = std::conditional_t<std::is_same_v<T, float>, float4, double2>;
    constexpr int n = kTriangleStride * sizeof(T) / sizeof(Vec);
    const Vec* s = reinterpret_cast<const Vec*>(src);
    Vec* t = reinterpret_cast<Vec*>(dst);
#pragma unroll
    for (int i = 0; i < n; ++i)
        t[i] = s[i];
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    nearest_hit_kernel(const T* __restrict__ origins,
                       const T* __restrict__ dirs,
                       const T* __restrict__ triangles,
                       const std::int64_t* __restrict__ exclude,  // null: none
                       std::int64_t rays,
                       std::int64_t faces,
                       T t_min,
                       T slack,
                       T tiny,
                       T* __restrict__ t_out,
                       std::int64_t* __restrict__ face_out) {
    __shared__ __align__(16) T tile[kThreads * kTriangleStride];
    const std::int64_t ray = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
    const bool active = ray < rays;
    T o[3] = {0, 0, 0}, d[3] = {0, 0, 1};
    std::int64_t skip = -1;
    if (active) {
#pragma unroll
        for (int k = 0; k < 3; ++k) {
            o[k] = origins[3 * ray + k];
            d[k] = dirs[3 * ray + k];
        }
        if (exclude != nullptr)
            skip = exclude[ray];
    }
    const T one_plus_slack = T(1) + slack;
    T best = std::numeric_limits<T>::infinity();
    std::int64_t best_face = -1;
    for (std::int64_t base = 0; base < faces; base += kThreads) {
        const int count = faces - base < kThreads ? static_cast<int>(faces - base) : kThreads;
        __syncthreads();  // the previous tile is no longer read
        if (threadIdx.x < count)
            load_triangle(triangles + (base + threadIdx.x) * kTriangleStride,
                          tile + threadIdx.x * kTriangleStride);
        __syncthreads();
        if (!active)
            continue;
        for (int j = 0; j < count; ++j) {
            if (base + j != skip && moller_trumbore_nearer(o, d, tile + j * kTriangleStride, t_min,
                                                           slack, one_plus_slack, tiny, best))
                best_face = base + j;
        }
    }
    if (active) {
        t_out[ray] = best;
        face_out[ray] = best_face;
    }
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> nearest_hit_cuda(const torch::Tensor& origins,
                                                         const torch::Tensor& dirs,
                                                         const torch::Tensor& triangles,
                                                         const torch::Tensor& exclude,
                                                         double t_min,
                                                         double edge_slack) {
    const c10::cuda::CUDAGuard guard(origins.device());
    const auto rays = origins.size(0), faces = triangles.size(0);
    auto t = torch::empty({rays}, origins.options());
    auto face = torch::empty({rays}, origins.options().dtype(torch::kInt64));
    if (rays == 0)
        return {t, face};
    const auto blocks = static_cast<unsigned>((rays + kThreads - 1) / kThreads);
    const auto stream = at::cuda::getCurrentCUDAStream();
    const std::int64_t* skip = exclude.defined() ? exclude.data_ptr<std::int64_t>() : nullptr;
    if (origins.scalar_type() == torch::kFloat64) {
        nearest_hit_kernel<double><<<blocks, kThreads, 0, stream>>>(
            origins.data_ptr<double>(), dirs.data_ptr<double>(), triangles.data_ptr<double>(), skip,
            rays, faces, t_min, edge_slack, 1e-300, t.data_ptr<double>(),
            face.data_ptr<std::int64_t>());
    } else {
        nearest_hit_kernel<float><<<blocks, kThreads, 0, stream>>>(
            origins.data_ptr<float>(), dirs.data_ptr<float>(), triangles.data_ptr<float>(), skip,
            rays, faces, static_cast<float>(t_min), static_cast<float>(edge_slack), 1e-30f,
            t.data_ptr<float>(), face.data_ptr<std::int64_t>());
    }
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    return {t, face};
}

}  // namespace radiofield::nn::detail
