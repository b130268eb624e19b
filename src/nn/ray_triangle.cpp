// Tensorised ray launching and Möller–Trumbore nearest hit
// (include/radiofield/nn/ray_triangle.hpp): the dispatch, the CPU kernel and the plain
// LibTorch version; the CUDA kernel is ray_triangle_cuda.cu.
#include "radiofield/nn/ray_triangle.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/dispatch.hpp"
#include "ray_triangle_kernels.hpp"

namespace radiofield::nn {

torch::Tensor fibonacci_sphere(std::int64_t n, torch::ScalarType dtype, torch::Device device) {
    if (n < 1)
        fail("fibonacci_sphere: n = {} rays; ask for at least one", n);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(device);
    const auto i = torch::arange(n, opts);
    const auto z = 1.0 - (2.0 * i + 1.0) / static_cast<double>(n);
    const auto rho = (1.0 - z * z).clamp_min(0).sqrt();
    const auto phi = 2.0 * std::numbers::pi * i / std::numbers::phi;
    return torch::stack({rho * phi.cos(), rho * phi.sin(), z}, 1).to(dtype);  // [n, 3]
}

TriangleTensors TriangleTensors::from_vertices(const torch::Tensor& vertices) {
    if (vertices.dim() != 3 || vertices.size(1) != 3 || vertices.size(2) != 3)
        fail("TriangleTensors: vertices must be [F, 3, 3], got {} dimensions", vertices.dim());
    const auto v0 = vertices.select(1, 0);
    TriangleTensors t{v0.contiguous(),
                      (vertices.select(1, 1) - v0).contiguous(),
                      (vertices.select(1, 2) - v0).contiguous(),
                      {}};
    t.packed = t.pack();
    return t;
}

torch::Tensor TriangleTensors::pack() const {
    if (packed.defined())
        return packed;
    return torch::cat({v0, e1, e2, torch::zeros_like(v0)}, 1).contiguous();  // [F, 12]
}

torch::Tensor NearestHit::point(const torch::Tensor& origins, const torch::Tensor& dirs) const {
    return origins + dirs * torch::where(hit, t, torch::zeros_like(t)).unsqueeze(1);
}

namespace {

void check_rays(const char* op,
                const torch::Tensor& origins,
                const torch::Tensor& dirs,
                const torch::Tensor& exclude) {
    if (origins.dim() != 2 || origins.size(1) != 3 || !origins.sizes().equals(dirs.sizes()))
        fail("{}: origins and dirs must both be [R, 3]", op);
    if (exclude.defined() && (exclude.dim() != 1 || exclude.size(0) != origins.size(0)))
        fail("{}: exclude must be [R] (one triangle per ray, −1 for none)", op);
}

// One chunk: rays [C, 3] against all faces [F, 3]; returns (t [C], face [C]).
std::pair<torch::Tensor, torch::Tensor> nearest_chunk(const torch::Tensor& o,
                                                      const torch::Tensor& d,
                                                      const TriangleTensors& tris,
                                                      const IntersectOptions& options,
                                                      const torch::Tensor& exclude) {
    const auto dd = d.unsqueeze(1);                               // [C, 1, 3]
    const auto p = torch::cross(dd.expand({-1, tris.size(), 3}),  // [C, F, 3]
                                tris.e2.unsqueeze(0).expand({d.size(0), -1, -1}), 2);
    const auto det = (p * tris.e1.unsqueeze(0)).sum(2);  // [C, F]
    const double tiny = d.scalar_type() == torch::kFloat64 ? 1e-300 : 1e-30;
    const auto parallel = det.abs() <= tiny;
    const auto inv = 1.0 / torch::where(parallel, torch::ones_like(det), det);
    const auto s = o.unsqueeze(1) - tris.v0.unsqueeze(0);                  // [C, F, 3]
    const auto u = (s * p).sum(2) * inv;                                   // [C, F]
    const auto q = torch::cross(s, tris.e1.unsqueeze(0).expand_as(s), 2);  // [C, F, 3]
    const auto v = (q * dd).sum(2) * inv;                                  // [C, F]
    const auto t = (q * tris.e2.unsqueeze(0)).sum(2) * inv;                // [C, F]
    const double e = options.edge_slack;
    auto valid = ~parallel & (u >= -e) & (v >= -e) & (u + v <= 1.0 + e) & (t > options.t_min);
    if (exclude.defined()) {
        const auto faces = torch::arange(tris.size(), exclude.options()).unsqueeze(0);
        valid = valid & (faces != exclude.unsqueeze(1));
    }
    const auto masked = torch::where(valid, t, torch::full_like(t, INFINITY));
    auto [t_min, face] = masked.min(1);  // first index among equal minima
    return {t_min, face};
}

}  // namespace

namespace detail {

std::pair<torch::Tensor, torch::Tensor> nearest_hit_cpu(const torch::Tensor& origins,
                                                        const torch::Tensor& dirs,
                                                        const torch::Tensor& triangles,
                                                        const torch::Tensor& exclude,
                                                        double t_min,
                                                        double edge_slack) {
    const auto rays = origins.size(0), faces = triangles.size(0);
    auto t = torch::empty({rays}, origins.options());
    auto face = torch::empty({rays}, origins.options().dtype(torch::kInt64));
    AT_DISPATCH_FLOATING_TYPES(origins.scalar_type(), "nearest_hit_cpu", [&] {
        const auto* o = origins.data_ptr<scalar_t>();
        const auto* d = dirs.data_ptr<scalar_t>();
        const auto* tri = triangles.data_ptr<scalar_t>();
        const auto* skip = exclude.defined() ? exclude.data_ptr<std::int64_t>() : nullptr;
        auto* t_out = t.data_ptr<scalar_t>();
        auto* f_out = face.data_ptr<std::int64_t>();
        const auto lo = static_cast<scalar_t>(t_min), slack = static_cast<scalar_t>(edge_slack);
        const scalar_t one_plus_slack = scalar_t(1) + slack;
        const scalar_t tiny = std::is_same_v<scalar_t, double> ? scalar_t(1e-300) : scalar_t(1e-30);
        at::parallel_for(0, rays, 64, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r) {
                scalar_t best = std::numeric_limits<scalar_t>::infinity();
                std::int64_t best_face = -1;
                const std::int64_t own = skip != nullptr ? skip[r] : -1;
                for (std::int64_t f = 0; f < faces; ++f) {
                    if (f != own &&
                        moller_trumbore_nearer(o + 3 * r, d + 3 * r, tri + f * kTriangleStride, lo,
                                               slack, one_plus_slack, tiny, best))
                        best_face = f;
                }
                t_out[r] = best;
                f_out[r] = best_face;
            }
        });
    });
    return {t, face};
}

}  // namespace detail

NearestHit intersect_nearest(const torch::Tensor& origins,
                             const torch::Tensor& dirs,
                             const TriangleTensors& tris,
                             const IntersectOptions& options,
                             const torch::Tensor& exclude) {
    check_rays("intersect_nearest", origins, dirs, exclude);
    torch::NoGradGuard no_grad;
    const auto triangles = tris.pack();
    for (const auto* t : {&dirs, &triangles, &exclude}) {
        if (t->defined() && t->device() != origins.device())
            fail(
                "intersect_nearest: the ray origins are on {} but an input is on {}; put the "
                "rays, the triangles and exclude on one device",
                origins.device().str(), t->device().str());
    }
    const auto type = triangles.scalar_type();
    const auto o = origins.to(type).contiguous();
    const auto d = dirs.to(type).contiguous();
    const auto skip = exclude.defined() ? exclude.to(torch::kInt64).contiguous() : exclude;
    auto [t, face] =
        dispatch("intersect_nearest", o, detail::nearest_hit_cpu, detail::nearest_hit_cuda, o, d,
                 triangles, skip, options.t_min, options.edge_slack);
    auto hit = face >= 0;
    return {t, face, hit};
}

NearestHit intersect_nearest_tensor(const torch::Tensor& origins,
                                    const torch::Tensor& dirs,
                                    const TriangleTensors& tris,
                                    const IntersectOptions& options,
                                    const torch::Tensor& exclude) {
    check_rays("intersect_nearest_tensor", origins, dirs, exclude);
    torch::NoGradGuard no_grad;
    const auto r = origins.size(0);
    const auto f = std::max<std::int64_t>(tris.size(), 1);
    const auto chunk = std::max<std::int64_t>(1, options.pairs_per_chunk / f);
    const auto o = origins.to(tris.v0.scalar_type());
    const auto d = dirs.to(tris.v0.scalar_type());
    const auto idx_opts = torch::TensorOptions().dtype(torch::kInt64).device(origins.device());
    if (tris.size() == 0 || r == 0) {
        auto t = torch::full({r}, INFINITY, o.options());
        return {t, torch::full({r}, -1, idx_opts), torch::zeros({r}, idx_opts.dtype(torch::kBool))};
    }
    std::vector<torch::Tensor> ts, faces;
    for (std::int64_t b = 0; b < r; b += chunk) {
        const auto e = std::min(r, b + chunk);
        auto [t, face] = nearest_chunk(o.slice(0, b, e), d.slice(0, b, e), tris, options,
                                       exclude.defined() ? exclude.slice(0, b, e) : exclude);
        ts.push_back(t);
        faces.push_back(face);
    }
    auto t = torch::cat(ts);
    const auto hit = torch::isfinite(t);
    const auto all = torch::cat(faces);
    auto face = torch::where(hit, all, torch::full_like(all, -1));
    return {t, face, hit};
}

}  // namespace radiofield::nn
