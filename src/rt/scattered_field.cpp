// Field of a diffusely scattered path (see field.hpp, diffuse_path).
//
// Physics (Sionna RT EM primer, "Scattering"; Degli-Esposti et al. 2007, eq. 8):
//   ‖E_s(q)‖² = ‖E_i(q)‖²·cosθᵢ·dA·(SΓ)²·f_s(k̂ᵢ, k̂_s, n̂),   E_s(r) = E_s(q)/‖r − q‖,
//   Γ = √(|r_TE E_i,⊥|² + |r_TM E_i,∥|²) / ‖E_i‖.
// dA is the footprint of the SBR ray tube that found q: a tube of solid angle dΩ (4π/N for an
// N-ray Fibonacci lattice) keeps dΩ through planar specular reflections, so its cross-section
// at unfolded distance rᵢ is rᵢ²·dΩ = cosθᵢ·dA. With ‖E_i‖ ∝ 1/rᵢ the rᵢ cancels:
//   a = (λ/4π)·(1/r_s)·S·Γ·√(f_s·dΩ)·C_Rᴴ·[X(K_x) in (θ̂, φ̂)]·T_prefix·C_T.
// This is what Sionna RT's test_scattering checks (Σ|a|² = (λ/4π)²(SΓ)² f_s cosθᵢ dA/(rᵢ r_s)²
// for a small tile) and what its RadioMaterial builds for a diffuse event: the Jones matrix
// S·Γ·√(f_s·dΩ)·X(K_x) maps the incident (θ̂, φ̂) components, taken in the basis of the
// incident propagation direction, to the same components in the basis of k̂_s.
// Polarisation: with K_x = 0 the scattered wave keeps the incident (θ̂, φ̂) components (not
// the specularly reflected polarisation), as Sionna RT ≥ 1.0 does; the primer's random phases
// χ₁, χ₂ are not applied (Sionna RT ≥ 1.0 applies none either; they do not change power).

#include <algorithm>
#include <array>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/field.hpp"
#include "radiofield/rt/fresnel.hpp"
#include "radiofield/rt/scattering.hpp"

namespace radiofield::rt {
namespace {

using cd = std::complex<double>;
using CVec3 = std::array<cd, 3>;  // complex field vector in the global frame

CVec3 combine(cd a, const Vec3& u, cd b, const Vec3& v) {
    return {a * u.x + b * v.x, a * u.y + b * v.y, a * u.z + b * v.z};
}
cd project(const CVec3& e, const Vec3& u) {
    return e[0] * u.x + e[1] * u.y + e[2] * u.z;
}
double norm2(const CVec3& e) {
    return std::norm(e[0]) + std::norm(e[1]) + std::norm(e[2]);
}

// Spherical basis (θ̂, φ̂) of a direction.
std::array<Vec3, 2> sph_basis(const Vec3& dir) {
    double theta = 0, phi = 0;
    angles_from_direction(dir, theta, phi);
    return {theta_hat(theta, phi), phi_hat(theta, phi)};
}

// Ideal single-polarisation probes: an isotropic antenna with pattern θ̂ (V) or φ̂ (H) and
// the identity pose. specular_path() towards a probe at q returns, per transmit port, the
// θ̂ or φ̂ component of the field arriving at q (with its λ/(4π rᵢ) spreading), in the basis
// of the arrival direction û = −k̂ᵢ, so the prefix reuses the specular Jones chain as is.
const AntennaPose& probe(bool horizontal) {
    static const scene::Antenna v(scene::PatternKind::Isotropic, scene::Polarization::V);
    static const scene::Antenna h(scene::PatternKind::Isotropic, scene::Polarization::H);
    static const AntennaPose pv{&v, Mat3{}}, ph{&h, Mat3{}};
    return horizontal ? ph : pv;
}

}  // namespace

Path diffuse_path(const Vec3& tx,
                  const std::vector<HitGeometry>& prefix,
                  const ScatterGeometry& scatter,
                  const Vec3& rx,
                  double ray_solid_angle,
                  double frequency_hz,
                  const AntennaPose& tx_pose,
                  const AntennaPose& rx_pose) {
    if (scatter.pattern == nullptr)
        fail("diffuse_path: the scattering point has no pattern; set ScatterGeometry::pattern");
    if (!(ray_solid_angle > 0) || !std::isfinite(ray_solid_angle))
        fail("diffuse_path: ray solid angle {} sr must be positive (4π / samples)",
             ray_solid_angle);
    if (rx_pose.antenna == nullptr)
        fail("diffuse_path: receiver antenna pose has no antenna; set AntennaPose::antenna");
    const Vec3& q = scatter.point;
    const double r_s = norm(rx - q);
    if (!(r_s > 0) || !std::isfinite(r_s))
        fail("diffuse_path: receiver ({}, {}, {}) coincides with the scattering point", rx.x, rx.y,
             rx.z);

    // Field arriving at q, per transmit port, as (θ̂, φ̂) components about û = −k̂ᵢ.
    Path path = specular_path(tx, prefix, q, frequency_hz, tx_pose, probe(false));
    const Path h = specular_path(tx, prefix, q, frequency_hz, tx_pose, probe(true));
    const double r_i = path.length;
    const Vec3 k_i = normalize(q - (prefix.empty() ? tx : prefix.back().point));
    const auto [th_u, ph_u] = sph_basis(-k_i);

    // Local TE/TM frame at q (primer eq. fresnel_in_vectors), normal against k̂ᵢ.
    Vec3 n = normalize(scatter.normal);
    if (!is_finite(n))
        fail("diffuse_path: the scattering point has a zero or invalid normal");
    if (dot(n, k_i) > 0)
        n = -n;
    const double cos_i = std::clamp(-dot(k_i, n), 0.0, 1.0);
    const Vec3 s = cross(k_i, n);
    const Vec3 e_perp =
        norm(s) > 1e-12 ? normalize(s) : sph_basis(k_i)[1];  // normal incidence: any
    const Vec3 e_par = cross(e_perp, k_i);
    const double lambda = wavelength(frequency_hz);
    const FresnelCoefficients c =
        scatter.slab ? fresnel_slab(scatter.eta, cos_i, scatter.thickness, lambda)  // P.2040 eq. 43
                     : fresnel_interface(scatter.eta, cos_i);  // P.2040 eq. 31–32

    const Vec3 k_s = (rx - q) / r_s;
    const double f_s = scatter.pattern->pattern(k_i, k_s, n);
    const double sc = std::clamp(scatter.scattering_coefficient, 0.0, 1.0);
    const double kx = std::clamp(scatter.xpd_coefficient, 0.0, 1.0);
    const double xa = std::sqrt(1 - kx), xb = std::sqrt(kx);  // X(K_x), Sionna's XPD rotation
    // S·√(f_s·dΩ)·rᵢ/r_s: the rᵢ undoes the prefix's 1/rᵢ (ray-tube footprint, see above).
    const double scale = sc * std::sqrt(f_s * ray_solid_angle) * r_i / r_s;
    const auto [th_i, ph_i] = sph_basis(k_i);
    const auto [th_s, ph_s] = sph_basis(k_s);
    const Vec3 arrival = -k_s;
    const auto [th_r, ph_r] = sph_basis(arrival);

    const int n_tx = tx_pose.antenna->num_ports(), n_rx = rx_pose.antenna->num_ports();
    const auto v_field = path.a;  // rp = 0: θ̂ component per transmit port; h.a: φ̂
    path.a = {};
    for (int tp = 0; tp < n_tx; ++tp) {
        const CVec3 e_i = combine(v_field[tp], th_u, h.a[tp], ph_u);
        const double e_norm2 = norm2(e_i);
        if (!(e_norm2 > 0))
            continue;  // this port sends nothing along the path
        const cd e_te = project(e_i, e_perp), e_tm = project(e_i, e_par);
        const double gamma =
            std::sqrt((std::norm(c.r_te * e_te) + std::norm(c.r_tm * e_tm)) / e_norm2);
        const cd u_th = project(e_i, th_i), u_ph = project(e_i, ph_i);
        const CVec3 e_s = combine(scale * gamma * (xa * u_th - xb * u_ph), th_s,
                                  scale * gamma * (xb * u_th + xa * u_ph), ph_s);
        for (int rp = 0; rp < n_rx; ++rp) {
            const auto c_r = antenna_field_global(rx_pose, arrival, rp);
            path.a[rp * 2 + tp] =
                std::conj(c_r[0]) * project(e_s, th_r) + std::conj(c_r[1]) * project(e_s, ph_r);
        }
    }

    path.length = r_i + r_s;
    path.tau = path.length / kSpeedOfLight;
    angles_from_direction(arrival, path.theta_r, path.phi_r);
    Interaction rec;
    rec.type = InteractionType::Diffuse;
    rec.point = q;
    rec.object = scatter.object;
    rec.primitive = scatter.primitive;
    rec.material = scatter.material;
    rec.incidence_angle = std::acos(cos_i);
    rec.c_te = rec.c_tm = f_s;  // the pattern value (see field.hpp)
    path.interactions.push_back(rec);
    return path;
}

}  // namespace radiofield::rt
