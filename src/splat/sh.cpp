// Real spherical harmonics up to degree 3 (the basis 3DGS uses: l = 0..3, m = −l..l, with the
// Condon–Shortley sign (−1)^m), as plain LibTorch ops: differentiable on any device.
#include <torch/torch.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/splat/ops.hpp"
#include "radiofield/splat/sh_constants.hpp"

namespace radiofield::splat {
namespace {

using sh::kC0, sh::kC1, sh::kC2, sh::kC3;  // Y_lm normalisations (sh_constants.hpp)

// The monomials' order: 1 | x y z | xx yy zz | xy yz zx | xxx xxy xxz xyy yyy yyz xzz yzz zzz
// | xyz. Column j of the matrix holds basis function j's coefficients on them.
torch::Tensor basis_matrix_cpu() {
    enum { one, x, y, z, xx, yy, zz, xy, yz, zx, xxx, xxy, xxz, xyy, yyy, yyz, xzz, yzz, zzz, xyz };
    const std::vector<std::vector<std::pair<int, double>>> terms{
        {{one, kC0}},
        {{y, -kC1}},
        {{z, kC1}},
        {{x, -kC1}},
        {{xy, kC2[0]}},
        {{yz, kC2[1]}},
        {{zz, 2 * kC2[2]}, {xx, -kC2[2]}, {yy, -kC2[2]}},
        {{zx, kC2[3]}},
        {{xx, kC2[4]}, {yy, -kC2[4]}},
        {{xxy, 3 * kC3[0]}, {yyy, -kC3[0]}},                          // y(3xx − yy)
        {{xyz, kC3[1]}},                                              // xyz
        {{yzz, 4 * kC3[2]}, {xxy, -kC3[2]}, {yyy, -kC3[2]}},          // y(4zz − xx − yy)
        {{zzz, 2 * kC3[3]}, {xxz, -3 * kC3[3]}, {yyz, -3 * kC3[3]}},  // z(2zz − 3xx − 3yy)
        {{xzz, 4 * kC3[4]}, {xxx, -kC3[4]}, {xyy, -kC3[4]}},          // x(4zz − xx − yy)
        {{xxz, kC3[5]}, {yyz, -kC3[5]}},                              // z(xx − yy)
        {{xxx, kC3[6]}, {xyy, -3 * kC3[6]}},                          // x(xx − 3yy)
    };
    auto a = torch::zeros({20, 16}, torch::kFloat64);
    for (std::size_t j = 0; j < terms.size(); ++j)
        for (const auto& [m, c] : terms[j])
            a[m][static_cast<std::int64_t>(j)] = c;
    return a;
}

// basis_matrix_cpu on a device and dtype, made once per (device, dtype).
const torch::Tensor& basis_matrix(const torch::TensorOptions& options) {
    static std::mutex mutex;
    static std::map<std::string, torch::Tensor> cache;
    const std::string key = options.device().str() + c10::toString(options.dtype());
    const std::lock_guard lock(mutex);
    auto& a = cache[key];
    if (!a.defined())
        a = basis_matrix_cpu().to(options.device(), options.dtype().toScalarType());
    return a;
}

// [1, 2, 0]: dirs[:, that] is (y, z, x).
const torch::Tensor& rolled_index(const torch::Device& device) {
    static std::mutex mutex;
    static std::map<std::string, torch::Tensor> cache;
    const std::lock_guard lock(mutex);
    auto& i = cache[device.str()];
    if (!i.defined())
        i = torch::tensor({1, 2, 0}, torch::kLong).to(device);
    return i;
}

}  // namespace

torch::Tensor eval_sh(const torch::Tensor& sh, const torch::Tensor& dirs, int degree) {
    if (degree < 0 || degree > 3) {
        fail("splat::eval_sh: degree must be 0..3, got {}", degree);
    }
    const int k = sh_coefficients(degree);
    if (sh.dim() != 3 || sh.size(1) < k) {
        fail("splat::eval_sh: expected sh [N, K ≥ {}, C] for degree {}, got {}", k, degree,
             c10::str(sh.sizes()));
    }
    if (dirs.dim() != 2 || dirs.size(0) != sh.size(0) || dirs.size(1) != 3) {
        fail("splat::eval_sh: expected dirs [{}, 3], got {}", sh.size(0), c10::str(dirs.sizes()));
    }
    // Every basis function is a polynomial of degree ≤ 3 in (x, y, z): the 20 monomials,
    // then one constant matrix to the basis — about ten kernels whatever the degree, where a
    // term-by-term evaluation launches fifty (RF-3DGS+ evaluates this per spectrum).
    const auto sq = dirs * dirs;                                                  // xx yy zz
    const auto cross = dirs * dirs.index_select(1, rolled_index(dirs.device()));  // xy yz zx
    const auto cubes = (sq.unsqueeze(2) * dirs.unsqueeze(1)).flatten(1);  // xx·(x y z), yy·…, zz·…
    const auto xyz = cross.narrow(1, 0, 1) * dirs.narrow(1, 2, 1);
    const auto monomials =
        torch::cat({torch::ones_like(xyz), dirs, sq, cross, cubes, xyz}, 1);  // [N, 20]
    const auto b =
        torch::matmul(monomials, basis_matrix(dirs.options()).narrow(1, 0, k));  // [N, k]
    return (b.unsqueeze(-1) * sh.narrow(1, 0, k)).sum(1);                        // [N, C]
}

}  // namespace radiofield::splat
