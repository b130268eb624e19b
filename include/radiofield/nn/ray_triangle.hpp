#pragma once
// Ray geometry on tensors (GeNeRT's tensorised ray launching, DESIGN.md §6.5): directions on
// a Fibonacci sphere, and the nearest hit of many rays against every triangle of a mesh by
// the Möller–Trumbore test (Möller & Trumbore 1997, "Fast, minimum storage ray-triangle
// intersection"): every (ray, triangle) pair, as one kernel per device (intersect_nearest)
// and as plain LibTorch ops over [rays, triangles] tensors (intersect_nearest_tensor, the
// reference the kernels are tested against).

#include <torch/types.h>

#include <cstdint>

namespace radiofield::nn {

// Unit directions of an n-point Fibonacci lattice on the sphere: z_i = 1 − (2i + 1)/n,
// φ_i = 2π·i/ϕ (ϕ the golden ratio) → [n, 3] of `dtype` on `device`.
torch::Tensor fibonacci_sphere(std::int64_t n,
                               torch::ScalarType dtype = torch::kFloat32,
                               torch::Device device = torch::kCPU);

// Triangles as Möller–Trumbore wants them: first vertex and the two edges from it.
struct TriangleTensors {
    torch::Tensor v0;  // [F, 3]
    torch::Tensor e1;  // [F, 3] v1 − v0
    torch::Tensor e2;  // [F, 3] v2 − v0
    // [F, 12] = (v0, e1, e2, 0, 0, 0) per row, as the kernels read them; built from v0, e1,
    // e2 on first use when left undefined.
    torch::Tensor packed;

    static TriangleTensors from_vertices(const torch::Tensor& vertices);  // [F, 3, 3]
    torch::Tensor pack() const;  // `packed`, or built from v0, e1, e2
    std::int64_t size() const { return v0.size(0); }
};

struct NearestHit {
    torch::Tensor t;     // [R] distance along the (unit) direction; +inf where nothing is hit
    torch::Tensor face;  // [R] int64 triangle index; −1 where nothing is hit
    torch::Tensor hit;   // [R] bool
    torch::Tensor point(const torch::Tensor& origins, const torch::Tensor& dirs) const;
};

struct IntersectOptions {
    double t_min = 0;  // hits at t ≤ t_min do not count (self-intersection guard)
    // Barycentric slack: u, v ≥ −slack and u + v ≤ 1 + slack, so that a ray through a shared
    // edge hits one of the two triangles despite round-off.
    double edge_slack = 1e-7;
    // intersect_nearest_tensor only: rays per chunk = max(1, pairs_per_chunk / F), so the
    // [chunk, F] work tensors stay bounded (about 20 alive at once; 2^22 pairs ≈ 16 MiB each
    // in float32).
    std::int64_t pairs_per_chunk = std::int64_t{1} << 22;
};

// Nearest hit of each ray origins[r] + t·dirs[r] (dirs unit) among all triangles, every
// (ray, triangle) pair tested. `exclude` ([R] int64, −1 for none), when defined, names one
// triangle per ray that never counts (the one the ray leaves from). Ties go to the lowest
// triangle index. Not differentiable (the engine differentiates through coefficients, not
// through geometry). One kernel per device: a thread per ray on CUDA, the triangles streamed
// through shared memory; rays in parallel on the CPU. Memory: O(R + F).
NearestHit intersect_nearest(const torch::Tensor& origins,  // [R, 3]
                             const torch::Tensor& dirs,     // [R, 3]
                             const TriangleTensors& tris,
                             const IntersectOptions& options = {},
                             const torch::Tensor& exclude = {});  // [R] int64 or undefined

// The same with plain LibTorch ops: every pair at once per chunk of rays ([chunk, F] work
// tensors, IntersectOptions::pairs_per_chunk). The reference for the kernels; slower.
NearestHit intersect_nearest_tensor(const torch::Tensor& origins,
                                    const torch::Tensor& dirs,
                                    const TriangleTensors& tris,
                                    const IntersectOptions& options = {},
                                    const torch::Tensor& exclude = {});

}  // namespace radiofield::nn
