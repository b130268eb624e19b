#include "radiofield/rt/field.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/fresnel.hpp"

// Conventions (Sionna RT EM primer and solver, v0.x and 1.x alike):
//  * The field leaves the transmitter in the global spherical basis (θ̂, φ̂) of the departure
//    direction k̂_t. It reaches the receiver expressed in the global basis (θ̂, φ̂) of the
//    arrival direction û_r, the unit vector FROM the receiver TOWARDS the last vertex (Sionna's
//    θ_r, φ_r; the wave itself travels along −û_r). C_R is evaluated for that same û_r.
//    Since θ̂(−k̂) = θ̂(k̂) and φ̂(−k̂) = −φ̂(k̂), free space maps (θ̂_t, φ̂_t) to (θ̂_r, φ̂_r) by
//    diag(1, −1): V→V LoS gives a = +λ/(4πd), H→H LoS gives a = −λ/(4πd), as in Sionna.
//  * At each interaction (primer eqs. fresnel_in_vectors, fresnel_out_vectors):
//    ê⊥ = k̂ᵢ×n̂/‖k̂ᵢ×n̂‖, ê∥,in = ê⊥×k̂ᵢ, ê∥,out = ê⊥×k̂_out, and the Jones matrix is
//    diag(c_TE, c_TM)·W(ê⊥, ê∥,in; previous basis) with W(a,b;q,r) = [[aᵀq, aᵀr],[bᵀq, bᵀr]]
//    (primer eq. W). The outgoing basis (ê⊥, ê∥,out) becomes the previous basis of the next hop.
//  * Propagation phase: a does NOT contain e^{−j2πL/λ}. Sionna's primer (eqs. T_tilde,
//    H_final) pulls it out of T (Tᵢ = T̃ᵢ·e^{j2πfτᵢ}) and applies it through τ:
//    H(f) = Σ aᵢ e^{−j2πfτᵢ}; Sionna's solver divides T by the path length only, and its
//    maintainers confirm Paths.a has no distance-dependent phase (NVlabs/sionna#825). So a
//    free-space LoS path has a = λ/(4πd) (real, positive for V→V) and τ = d/c; the baseband
//    coefficient a·e^{−j2πf_cτ} (Sionna's Paths.cir) is formed in channel.cpp.

namespace radiofield::rt {
namespace {

using cd = std::complex<double>;
using Field2 = std::array<cd, 2>;

// W(a, b; q, r): components in basis (q, r) → components in basis (a, b) (primer eq. W).
Jones basis_change(const Vec3& a, const Vec3& b, const Vec3& q, const Vec3& r) {
    Jones w;
    w.m = {dot(a, q), dot(a, r), dot(b, q), dot(b, r)};
    return w;
}

Jones diagonal(cd d0, cd d1) {
    Jones j;
    j.m = {d0, 0.0, 0.0, d1};
    return j;
}

Field2 jones_apply(const Jones& j, const Field2& v) {
    return {j.m[0] * v[0] + j.m[1] * v[1], j.m[2] * v[0] + j.m[3] * v[1]};
}

// Any unit vector orthogonal to unit k (used for ê⊥ at normal incidence, where the plane of
// incidence is undefined; r_TM = −r_TE and t_TM = t_TE there, so the result does not depend
// on the choice).
Vec3 any_orthogonal(const Vec3& k) {
    const Vec3 axis = std::abs(k.x) < 0.9 ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
    return normalize(cross(k, axis));
}

Vec3 unit_segment(const Vec3& from, const Vec3& to, double& length) {
    const Vec3 d = to - from;
    length = norm(d);
    if (!(length > 0) || !std::isfinite(length)) {
        fail(
            "path segment from ({}, {}, {}) to ({}, {}, {}) has zero or invalid length; "
            "consecutive path vertices must differ",
            from.x, from.y, from.z, to.x, to.y, to.z);
    }
    return d / length;
}

void check_pose(const AntennaPose& pose, const char* which) {
    if (pose.antenna == nullptr)
        fail("{} antenna pose has no antenna; set AntennaPose::antenna", which);
}

}  // namespace

Jones Jones::operator*(const Jones& o) const {
    Jones r;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            r.m[i * 2 + j] = m[i * 2] * o.m[j] + m[i * 2 + 1] * o.m[2 + j];
    return r;
}

std::array<std::complex<double>, 2> antenna_field_global(const AntennaPose& pose,
                                                         const Vec3& dir,
                                                         int port) {
    check_pose(pose, "the");
    const Vec3 d = normalize(dir);
    // Sionna primer eq. theta_phi_prime: local angles of the direction x′ = Rᵀx.
    const Vec3 local = pose.rotation.transposed() * d;
    double theta_l = 0, phi_l = 0;
    angles_from_direction(local, theta_l, phi_l);
    const scene::FieldPattern f = pose.antenna->field(theta_l, phi_l, port);
    // Sionna primer eq. F_prime_2_F: rotate the local vector field into the GCS and project
    // it on the global (θ̂, φ̂) of the same direction.
    const Vec3 th_l = pose.rotation * theta_hat(theta_l, phi_l);
    const Vec3 ph_l = pose.rotation * phi_hat(theta_l, phi_l);
    double theta = 0, phi = 0;
    angles_from_direction(d, theta, phi);
    const Vec3 th = theta_hat(theta, phi), ph = phi_hat(theta, phi);
    return {f.f_theta * dot(th, th_l) + f.f_phi * dot(th, ph_l),
            f.f_theta * dot(ph, th_l) + f.f_phi * dot(ph, ph_l)};
}

Path specular_path(const Vec3& tx,
                   const std::vector<HitGeometry>& hits,
                   const Vec3& rx,
                   double frequency_hz,
                   const AntennaPose& tx_pose,
                   const AntennaPose& rx_pose) {
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz)) {
        fail("specular_path: frequency {} Hz must be positive", frequency_hz);
    }
    check_pose(tx_pose, "transmitter");
    check_pose(rx_pose, "receiver");
    const double lambda = wavelength(frequency_hz);

    Path path;
    path.interactions.reserve(hits.size());

    // Vertices tx, hits..., rx and the unit direction of each segment.
    std::vector<Vec3> k(hits.size() + 1);
    double total = 0;
    for (std::size_t i = 0; i <= hits.size(); ++i) {
        const Vec3& from = i == 0 ? tx : hits[i - 1].point;
        const Vec3& to = i == hits.size() ? rx : hits[i].point;
        double len = 0;
        k[i] = unit_segment(from, to, len);
        total += len;
    }
    path.length = total;
    path.tau = total / kSpeedOfLight;
    angles_from_direction(k.front(), path.theta_t, path.phi_t);
    const Vec3 arrival = -k.back();  // from rx towards the previous vertex
    angles_from_direction(arrival, path.theta_r, path.phi_r);

    // Jones matrix T, starting in the departure basis (θ̂_t, φ̂_t).
    Jones t;
    Vec3 b1 = theta_hat(path.theta_t, path.phi_t);
    Vec3 b2 = phi_hat(path.theta_t, path.phi_t);
    for (std::size_t i = 0; i < hits.size(); ++i) {
        const HitGeometry& hit = hits[i];
        if (hit.type != InteractionType::Specular && hit.type != InteractionType::Transmission) {
            fail(
                "specular_path: interaction {} has type {}; only specular reflection (1) and "
                "transmission (3) are handled here, diffuse hits go through the scattering model",
                i, static_cast<int>(hit.type));
        }
        const Vec3& k_in = k[i];
        Vec3 n = normalize(hit.normal);
        if (!is_finite(n))
            fail("specular_path: interaction {} has a zero or invalid normal", i);
        if (dot(n, k_in) > 0)
            n = -n;  // orient the normal against the incoming ray
        const double cos_theta = std::clamp(-dot(k_in, n), 0.0, 1.0);

        // Sionna primer eq. fresnel_in_vectors / fresnel_out_vectors.
        const Vec3 s = cross(k_in, n);
        const double s_norm = norm(s);
        const Vec3 e_perp = s_norm > 1e-12 ? s / s_norm : any_orthogonal(k_in);
        const Vec3 e_par_in = cross(e_perp, k_in);
        const bool reflect = hit.type == InteractionType::Specular;
        // Reflection leaves along the next segment (k̂_r = k̂ᵢ − 2(k̂ᵢᵀn̂)n̂ for an exact path);
        // a thin slab transmits without bending, so the direction is unchanged.
        const Vec3 k_out = reflect ? k[i + 1] : k_in;
        const Vec3 e_par_out = normalize(cross(e_perp, k_out));

        const FresnelCoefficients c =
            hit.slab ? fresnel_slab(hit.eta, cos_theta, hit.thickness, lambda)  // P.2040 eqs. 43–44
                     : fresnel_interface(hit.eta, cos_theta);  // P.2040 eqs. 31–34
        const cd c_te = reflect ? c.r_te : c.t_te;
        const cd c_tm = reflect ? c.r_tm : c.t_tm;

        // Sionna: specular reflections lose the diffusely scattered share, field × √(1−S²).
        // The interaction record keeps the plain Fresnel/slab coefficient.
        const double s_coef = std::clamp(hit.scattering_coefficient, 0.0, 1.0);
        const double reduction = reflect ? std::sqrt(1.0 - s_coef * s_coef) : 1.0;
        t = diagonal(reduction * c_te, reduction * c_tm) * basis_change(e_perp, e_par_in, b1, b2) *
            t;
        b1 = e_perp;
        b2 = e_par_out;

        Interaction rec;
        rec.type = hit.type;
        rec.point = hit.point;
        rec.object = hit.object;
        rec.primitive = hit.primitive;
        rec.material = hit.material;
        rec.incidence_angle = std::acos(cos_theta);
        rec.c_te = c_te;
        rec.c_tm = c_tm;
        path.interactions.push_back(rec);
    }
    // Into the arrival basis (θ̂_r, φ̂_r) of û_r.
    t = basis_change(theta_hat(path.theta_r, path.phi_r), phi_hat(path.theta_r, path.phi_r), b1,
                     b2) *
        t;

    // a = (λ/4π)·(1/L)·C_Rᴴ·T·C_T (Sionna primer eq. H_final, with T̃ = T/L; no e^{−jkL}).
    const double scale = lambda / (4 * kPi * total);
    const int n_tx = tx_pose.antenna->num_ports(), n_rx = rx_pose.antenna->num_ports();
    for (int tp = 0; tp < n_tx; ++tp) {
        const Field2 field = jones_apply(t, antenna_field_global(tx_pose, k.front(), tp));
        for (int rp = 0; rp < n_rx; ++rp) {
            const Field2 c_r = antenna_field_global(rx_pose, arrival, rp);
            path.a[rp * 2 + tp] =
                scale * (std::conj(c_r[0]) * field[0] + std::conj(c_r[1]) * field[1]);
        }
    }
    return path;
}

}  // namespace radiofield::rt
