// Tensorised ray launching and Möller–Trumbore nearest hit
// (include/radiofield/nn/ray_triangle.hpp).
#include "radiofield/nn/ray_triangle.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "radiofield/core/error.hpp"

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
    return {v0.contiguous(), (vertices.select(1, 1) - v0).contiguous(),
            (vertices.select(1, 2) - v0).contiguous()};
}

torch::Tensor NearestHit::point(const torch::Tensor& origins, const torch::Tensor& dirs) const {
    return origins + dirs * torch::where(hit, t, torch::zeros_like(t)).unsqueeze(1);
}

namespace {

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

NearestHit intersect_nearest(const torch::Tensor& origins,
                             const torch::Tensor& dirs,
                             const TriangleTensors& tris,
                             const IntersectOptions& options,
                             const torch::Tensor& exclude) {
    if (origins.dim() != 2 || origins.size(1) != 3 || !origins.sizes().equals(dirs.sizes()))
        fail("intersect_nearest: origins and dirs must both be [R, 3]");
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
