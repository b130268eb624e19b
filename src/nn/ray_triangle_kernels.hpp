#pragma once
// The nearest-hit kernels behind nn::intersect_nearest (ray_triangle.cpp), one per device,
// and the Möller–Trumbore test they share. The test is written once, for float and double,
// with its arithmetic in the order of the tensorised version (intersect_nearest_tensor), so
// the three agree to round-off. Kept apart from the public headers so nvcc (C++17) never sees
// C++20 headers.

#include <torch/types.h>

#if defined(__CUDACC__)
#define RADIOFIELD_RT_HD __host__ __device__ __forceinline__
#else
#define RADIOFIELD_RT_HD inline
#endif

namespace radiofield::nn::detail {

// Per triangle, 12 scalars: v0 (3), e1 (3), e2 (3) and 3 of padding, so that a triangle is
// three 16-byte (float) or six 16-byte (double) loads.
constexpr int kTriangleStride = 12;

// Distance t along `d` from `o` to the triangle (v0, v0 + e1, v0 + e2), or a value > t_best
// when there is no hit nearer than t_best: parallel rays (|det| ≤ tiny), barycentric u, v
// outside [−slack, 1 + slack], or t ≤ t_min. NaN anywhere gives no hit.
template <typename T>
RADIOFIELD_RT_HD bool moller_trumbore_nearer(const T o[3],
                                             const T d[3],
                                             const T* tri,  // [kTriangleStride]
                                             T t_min,
                                             T slack,
                                             T one_plus_slack,
                                             T tiny,
                                             T& t_best) {
    const T* v0 = tri;
    const T* e1 = tri + 3;
    const T* e2 = tri + 6;
    const T p0 = d[1] * e2[2] - d[2] * e2[1];
    const T p1 = d[2] * e2[0] - d[0] * e2[2];
    const T p2 = d[0] * e2[1] - d[1] * e2[0];
    const T det = p0 * e1[0] + p1 * e1[1] + p2 * e1[2];
    if (!(det > tiny || det < -tiny))
        return false;
    const T inv = T(1) / det;
    const T s0 = o[0] - v0[0], s1 = o[1] - v0[1], s2 = o[2] - v0[2];
    const T u = (s0 * p0 + s1 * p1 + s2 * p2) * inv;
    if (!(u >= -slack))
        return false;
    const T q0 = s1 * e1[2] - s2 * e1[1];
    const T q1 = s2 * e1[0] - s0 * e1[2];
    const T q2 = s0 * e1[1] - s1 * e1[0];
    const T v = (q0 * d[0] + q1 * d[1] + q2 * d[2]) * inv;
    if (!(v >= -slack && u + v <= one_plus_slack))
        return false;
    const T t = (q0 * e2[0] + q1 * e2[1] + q2 * e2[2]) * inv;
    if (!(t > t_min && t < t_best))
        return false;  // strict: among equal distances the first triangle tested stays
    t_best = t;
    return true;
}

// Rays [R, 3] and triangles [F, kTriangleStride] of one floating type, contiguous, on one
// device; exclude [R] int64 or undefined. Returns (t [R], +inf where nothing is hit; face [R]
// int64, −1 where nothing is hit). Ties go to the lowest triangle index.
std::pair<torch::Tensor, torch::Tensor> nearest_hit_cpu(const torch::Tensor& origins,
                                                        const torch::Tensor& dirs,
                                                        const torch::Tensor& triangles,
                                                        const torch::Tensor& exclude,
                                                        double t_min,
                                                        double edge_slack);
std::pair<torch::Tensor, torch::Tensor> nearest_hit_cuda(const torch::Tensor& origins,
                                                         const torch::Tensor& dirs,
                                                         const torch::Tensor& triangles,
                                                         const torch::Tensor& exclude,
                                                         double t_min,
                                                         double edge_slack);

}  // namespace radiofield::nn::detail
