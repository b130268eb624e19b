// NeRF2's ray grid and renderer (public dataloader.gen_rays_spectrum,
// renderer.raw2outputs); its positional encoding is nn::positional_encoding.
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/models/nerf2.hpp"

namespace radiofield::models {

torch::Tensor grid_directions(const data::SpectrumGrid& grid, const Quat& orientation) {
    const Mat3 r = orientation.to_matrix();
    auto dirs = torch::empty({grid.n_el * grid.n_az, 3}, torch::kFloat32);
    auto d = dirs.accessor<float, 2>();
    constexpr double deg = std::numbers::pi / 180.0;
    for (int i = 0; i < grid.n_el; ++i) {
        const double el = (grid.el0_deg + i * grid.step_deg) * deg;
        for (int j = 0; j < grid.n_az; ++j) {
            const double az = (grid.az0_deg + j * grid.step_deg) * deg;
            const Vec3 local{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az),
                             std::sin(el)};
            const Vec3 world = r * local;
            const auto row = static_cast<std::int64_t>(i) * grid.n_az + j;
            d[row][0] = static_cast<float>(world.x);
            d[row][1] = static_cast<float>(world.y);
            d[row][2] = static_cast<float>(world.z);
        }
    }
    return dirs;  // [n_el·n_az, 3]
}

namespace {
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kPathLossScale = 0.025;  // public renderer: path_loss = 0.025 / r
torch::Tensor amplitude(const torch::Tensor& raw) {
    return torch::leaky_relu(raw).abs();
}  // slope 0.01
torch::Tensor phase(const torch::Tensor& raw) {
    return torch::sigmoid(raw) * kTwoPi;
}
// Exclusive prefix sum along dim 1: out[:, 0] = 0, out[:, k] = Σ_{j<k} x[:, j].
torch::Tensor exclusive_cumsum(const torch::Tensor& x) {  // [R, K]
    const auto k = x.size(1);
    return torch::cat(
        {torch::zeros_like(x.narrow(1, 0, 1)), torch::cumsum(x.narrow(1, 0, k - 1), 1)}, 1);
}
}  // namespace

torch::Tensor render_reference(const torch::Tensor& raw,  // [R, K, 4]
                               const torch::Tensor& t) {  // [K]
    const auto r = raw.size(0), k = raw.size(1);
    auto big = torch::full({1}, 1e10, t.options());
    auto dists =
        torch::cat({t.narrow(0, 1, k - 1) - t.narrow(0, 0, k - 1), big}).expand({r, k});  // |d| = 1
    const auto att_a = amplitude(raw.select(2, 0)), att_p = phase(raw.select(2, 1));
    const auto s_a = amplitude(raw.select(2, 2)), s_p = phase(raw.select(2, 3));
    const auto alpha = 1.0 - torch::exp(-att_a * dists);
    const auto ph = att_p * dists;
    const auto ones = torch::ones({r, 1}, raw.options());
    const auto att_i =
        torch::cumprod(torch::cat({ones, 1.0 - alpha + 1e-10}, -1), -1).narrow(1, 0, k);
    const auto path = torch::cat({t.narrow(0, 1, k - 1), big});
    const auto path_loss = kPathLossScale / path;  // [K]
    const auto phase_i = torch::cumsum(torch::cat({ones, ph}, -1), -1).narrow(1, 0, k);
    const auto signal = torch::polar(s_a * att_i * path_loss, s_p + phase_i);  // [R, K] complex
    return signal.sum(-1).abs();                                               // [R]
}

// The renderer, for one ray with samples t_0..t_{K−1} (t_0 = near, t_{K−1} = far), spacing
// δ_k = t_{k+1} − t_k and unit direction; over k = 0..K'−1, K' = K−1:
//   a_k = |leaky_relu(att_raw_0)|,  p_k = 2π·sigmoid(att_raw_1)       attenuation
//   s_k = |leaky_relu(sig_raw_0)|,  ψ_k = 2π·sigmoid(sig_raw_1)       signal
//   T_k = exp(−Σ_{j<k} a_j δ_j)      transmittance (public: Π_{j<k}(e^{−a_j δ_j} + 1e−10))
//   Φ_k = Σ_{j<k} p_j δ_j            phase accumulation (public adds a constant 1 rad; |·| drops
//   it) L_k = 0.025 / t_{k+1}            path loss (public: distance of the NEXT sample) y   = |Σ_k
//   s_k e^{jψ_k} · T_k e^{jΦ_k} L_k|
// The public code's last sample has L = 0.025/1e10 (its padded distance) and its a, p enter
// nothing (exclusive products), so it is left out: the difference is below float32 resolution.
torch::Tensor render_weights(const torch::Tensor& att_raw,  // [R, K', 2]
                             const torch::Tensor& t) {      // [K]
    const auto kp = att_raw.size(1);
    if (t.size(0) != kp + 1)
        fail("nerf2 render_weights: {} samples but {} distances", kp, t.size(0));
    const auto delta = t.narrow(0, 1, kp) - t.narrow(0, 0, kp);  // [K']
    const auto a = amplitude(att_raw.select(2, 0)) * delta;      // [R, K']
    const auto p = phase(att_raw.select(2, 1)) * delta;
    const auto mag = torch::exp(-exclusive_cumsum(a)) * (kPathLossScale / t.narrow(0, 1, kp));
    const auto phi = exclusive_cumsum(p);
    return torch::stack({mag * torch::cos(phi), mag * torch::sin(phi)}, -1);  // [R, K', 2]
}

torch::Tensor render_signal(const torch::Tensor& sig_raw,  // [R, K', 2]
                            const torch::Tensor& w) {      // [R, K', 2]
    const auto s = amplitude(sig_raw.select(2, 0));
    const auto psi = phase(sig_raw.select(2, 1));
    const auto sr = s * torch::cos(psi), si = s * torch::sin(psi);  // s·e^{jψ}
    const auto wr = w.select(2, 0), wi = w.select(2, 1);
    const auto re = (sr * wr - si * wi).sum(1), im = (sr * wi + si * wr).sum(1);  // [R]
    return torch::complex(re, im).abs();  // |·| whose gradient is 0 (not NaN) at 0
}

}  // namespace radiofield::models
