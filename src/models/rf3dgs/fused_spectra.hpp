#pragma once
// The fused CUDA path of RF-3DGS's operator inference (rf3dgs_fused.cpp calls it; kernels in
// fused_spectra_cuda.cu, a stub for CPU builds in cuda_stubs.cpp). It draws what the LibTorch
// operator path of rf3dgs_radiance.cpp draws — that path is its reference (tests/models) — in
// three launches: per-Gaussian features, the CSR product with the free-space factor (and, for
// path-gain dB spectra, each cell's dB by the dataset's range) and the per-spectrum min / max /
// sum, then the min–max (or only the raw means). C++17: nvcc sees this header.

#include <torch/types.h>

#include <cstdint>
#include <utility>

namespace radiofield::models::detail {

// Most spectra one call takes: 16 per block row of the product, 65,535 block rows.
constexpr std::int64_t kFusedMaxSpectra = 16 * 65535;

// Every tensor contiguous, on one CUDA device; float32 unless said otherwise.
struct FusedSpectraInputs {
    torch::Tensor crow;    // [P + 1] int32: W's row offsets (W [P, N], the operator)
    torch::Tensor cols;    // [E] int32: W's column (Gaussian) indices
    torch::Tensor values;  // [E]: W's weights α_k·T_k
    // [P, 4]: per pixel x* and the length added to l_prev (l_vd, or 0 for free_space
    // "scatter"), −1 where no Gaussian is hit
    torch::Tensor pixels;
    torch::Tensor means;      // [N, 3] Gaussian centres
    torch::Tensor sh;         // [N, K] radio SH, K ≥ (degree + 1)²
    torch::Tensor positions;  // [B, 3] moving-end positions, 1 ≤ B ≤ kFusedMaxSpectra
    int degree = 3;           // 0..3
    bool plus = true;         // RF-3DGS+ (log-gain, free-space factor, min–max) or RF-3DGS
    // RF-3DGS+ on path_gain_db spectra: the free-space factor whole, at_1m / l² with
    // at_1m = (λ/4π)², and each cell's 10·log10 mapped to 0..1 by [db_lo, db_hi] and clamped
    // (0 where no Gaussian is hit) instead of the per-spectrum min–max.
    bool db = false;
    float at_1m = 1.f;
    float db_lo = 0.f, db_hi = 1.f;
};

// {spectra [B, P], raw means [B]}: RF-3DGS+ its normalised spectra (min–max, or dB by the range)
// and each one's mean path gain before that; RF-3DGS the raw spectra and an undefined tensor.
std::pair<torch::Tensor, torch::Tensor> fused_spectra_cuda(const FusedSpectraInputs& in);

}  // namespace radiofield::models::detail
