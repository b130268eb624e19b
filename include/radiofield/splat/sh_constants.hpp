#pragma once
// The real spherical harmonics' constants up to degree 3 (the basis 3DGS uses: l = 0..3,
// m = −l..l, Condon–Shortley sign (−1)^m): √((2l+1)/4π·(l−|m|)!/(l+|m|)!), ×√2 for m ≠ 0,
// times the polynomial's integer factor. One copy for splat::eval_sh (sh.cpp), the CUDA
// kernels that evaluate the same basis, and the models that read SH coefficients. C++17, no
// LibTorch: nvcc includes it.

namespace radiofield::splat::sh {

constexpr double kC0 = 0.28209479177387814;  // Y_00 = 1 / (2√π)
constexpr double kC1 = 0.4886025119029199;
constexpr double kC2[] = {1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                          -1.0925484305920792, 0.5462742152960396};
constexpr double kC3[] = {-0.5900435899266435, 2.890611442640554,   -0.4570457994644658,
                          0.3731763325901154,  -0.4570457994644658, 1.445305721320277,
                          -0.5900435899266435};

}  // namespace radiofield::splat::sh
