// Real spherical harmonics up to degree 3 (the basis 3DGS uses: l = 0..3, m = −l..l, with the
// Condon–Shortley sign (−1)^m), as plain LibTorch ops: differentiable on any device.
#include <torch/torch.h>

#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/splat/ops.hpp"

namespace radiofield::splat {
namespace {

// Y_lm normalisation constants: √((2l+1)/4π·(l−|m|)!/(l+|m|)!), ×√2 for m ≠ 0, times the
// polynomial's integer factor.
constexpr double kC0 = 0.28209479177387814;
constexpr double kC1 = 0.4886025119029199;
constexpr double kC2[] = {1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                          -1.0925484305920792, 0.5462742152960396};
constexpr double kC3[] = {-0.5900435899266435, 2.890611442640554,   -0.4570457994644658,
                          0.3731763325901154,  -0.4570457994644658, 1.445305721320277,
                          -0.5900435899266435};

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
    const auto x = dirs.select(1, 0), y = dirs.select(1, 1), z = dirs.select(1, 2);
    std::vector<torch::Tensor> basis{torch::full_like(x, kC0)};
    if (degree >= 1) {
        basis.insert(basis.end(), {-kC1 * y, kC1 * z, -kC1 * x});
    }
    if (degree >= 2) {
        const auto xx = x * x, yy = y * y, zz = z * z;
        basis.insert(basis.end(), {kC2[0] * x * y, kC2[1] * y * z, kC2[2] * (2 * zz - xx - yy),
                                   kC2[3] * x * z, kC2[4] * (xx - yy)});
        if (degree >= 3) {
            basis.insert(
                basis.end(),
                {kC3[0] * y * (3 * xx - yy), kC3[1] * x * y * z, kC3[2] * y * (4 * zz - xx - yy),
                 kC3[3] * z * (2 * zz - 3 * xx - 3 * yy), kC3[4] * x * (4 * zz - xx - yy),
                 kC3[5] * z * (xx - yy), kC3[6] * x * (xx - 3 * yy)});
        }
    }
    const auto b = torch::stack(basis, 1);                 // [N, k]
    return (b.unsqueeze(-1) * sh.narrow(1, 0, k)).sum(1);  // [N, C]
}

}  // namespace radiofield::splat
