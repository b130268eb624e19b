// RF-3DGS's operator inference through the fused CUDA kernels (fused_spectra.hpp): what the
// kernels read is prepared once per operator — its CSR with int32 indices, and each pixel's
// pseudo-surface point and l_vd in one float4 — so that a call is three launches. Where they
// do not apply (CPU, gradients, fused_inference off, other dtypes, a huge operator) the
// LibTorch path of rf3dgs_radiance.cpp draws the spectra.
#include <limits>

#include "fused_spectra.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/splat/ops.hpp"

namespace radiofield::models {

const Rf3dgsModel::FusedOperator& Rf3dgsModel::fused_operator() {
    const auto& w = radiance_operator();  // [P, N] CSR; the cache (x*, hit, l_vd) with it
    if (!m_fused.key.empty() && m_fused.key == m_operator_key)
        return m_fused;
    torch::NoGradGuard no_grad;
    m_fused = {};
    m_fused.key = m_operator_key;
    if (w.values().numel() >= std::numeric_limits<std::int32_t>::max() ||
        w.scalar_type() != torch::kFloat32)
        return m_fused;  // crow stays undefined: the LibTorch path draws
    const auto pixels = w.size(0);
    m_fused.crow = w.crow_indices().to(torch::kInt32).contiguous();
    m_fused.cols = w.col_indices().to(torch::kInt32).contiguous();
    m_fused.values = w.values().contiguous();
    // The kernels add this to l_prev: l_vd, or 0 for free_space "scatter".
    const auto first = torch::where(m_hit, m_l_first, torch::full_like(m_l_first, -1.0));
    m_fused.pixels = torch::cat({m_surface.reshape({pixels, 3}), first.reshape({pixels, 1})}, 1)
                         .to(torch::kFloat32)
                         .contiguous();
    return m_fused;
}

bool Rf3dgsModel::use_fused(std::int64_t count) {
    const auto& sh = m_field.rf_sh;
    if (!m_config.fused_inference || !m_device.is_cuda() || !nn::cuda_built() ||
        torch::GradMode::is_enabled() || count < 1 || count > detail::kFusedMaxSpectra ||
        m_field.geometry.means.scalar_type() != torch::kFloat32 ||
        sh.scalar_type() != torch::kFloat32 || sh.dim() != 3 || sh.size(2) != 1 ||
        sh.size(1) < splat::sh_coefficients(m_config.rf_sh_degree))
        return false;
    return fused_operator().crow.defined();
}

torch::Tensor Rf3dgsModel::fused_spectra(const torch::Tensor& positions,  // [B, 3]
                                         torch::Tensor* raw_mean) {
    const auto& op = fused_operator();
    const auto n = m_field.size();
    detail::FusedSpectraInputs in;
    in.crow = op.crow, in.cols = op.cols, in.values = op.values, in.pixels = op.pixels;
    in.means = m_field.geometry.means.detach().contiguous();
    in.sh = m_field.rf_sh.detach().reshape({n, -1}).contiguous();  // [N, K]
    in.positions = positions.contiguous();
    in.degree = m_config.rf_sh_degree;
    in.plus = m_config.plus;
    if (m_config.plus && m_db_range) {
        in.db = true;
        in.at_1m = static_cast<float>(m_free_space_1m);
        in.db_lo = static_cast<float>((*m_db_range)[0]);
        in.db_hi = static_cast<float>((*m_db_range)[1]);
    }
    auto [image, raw] = detail::fused_spectra_cuda(in);  // [B, P], [B]
    if (m_config.plus && raw_mean != nullptr)
        *raw_mean = raw;
    return image.view({positions.size(0), m_grid.n_el, m_grid.n_az});
}

}  // namespace radiofield::models
