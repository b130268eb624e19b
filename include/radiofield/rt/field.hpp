#pragma once
// Polarimetric field along a path (Jones calculus, Sionna RT's "Primer on Electromagnetics"
// conventions). The field leaving the transmitter is expressed in the global spherical
// basis (θ̂, φ̂) of the departure direction; at each interaction it is rotated into the
// local TE/TM basis, scaled by diag(c_TE, c_TM), and rotated out; at the receiver it is in
// the (θ̂, φ̂) basis of the arrival direction.

#include <array>
#include <complex>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/paths.hpp"
#include "radiofield/scene/antenna.hpp"
#include "radiofield/scene/material.hpp"

namespace radiofield::rt {

class ScatteringModel;

// 2x2 complex matrix, row-major.
struct Jones {
    std::array<std::complex<double>, 4> m{1, 0, 0, 1};
    std::complex<double> operator()(int r, int c) const { return m[r * 2 + c]; }
    Jones operator*(const Jones& o) const;
};

// One interaction of a geometric path, as the tracer found it.
struct HitGeometry {
    InteractionType type;  // Specular or Transmission (Diffuse handled separately)
    Vec3 point;
    Vec3 normal;               // unit surface normal (either side; the code orients it)
    std::complex<double> eta;  // complex relative permittivity at the frequency
    double thickness = 0.1;    // slab thickness (transmission; and reflection when slab)
    bool slab = false;         // use the slab form (P.2040 eqs. 43–44) instead of half-space
    double scattering_coefficient = 0;  // S: a specular reflection is scaled by √(1−S²) (Sionna)
    std::uint32_t object = 0, primitive = 0, material = 0;
};

// A transmitter or receiver antenna as seen by the field code: its pattern and the rotation
// of its local frame into the global frame.
struct AntennaPose {
    const scene::Antenna* antenna;
    Mat3 rotation;  // local → global
};

// Pattern of `port` for global direction `dir` (unit, pointing away from the antenna),
// expressed in the global (θ̂, φ̂) basis of that direction.
std::array<std::complex<double>, 2> antenna_field_global(const AntennaPose& pose,
                                                         const Vec3& dir,
                                                         int port);

// Fills a Path for the chain tx → hits → rx: length, τ, angles, per-interaction records
// (incidence angle, TE/TM coefficients), the Jones matrix T, and a for every port pair:
// a = (λ/4π)·(1/L)·C_Rᴴ·T·C_T.
Path specular_path(const Vec3& tx,
                   const std::vector<HitGeometry>& hits,
                   const Vec3& rx,
                   double frequency_hz,
                   const AntennaPose& tx_pose,
                   const AntennaPose& rx_pose);

// The diffuse interaction that ends a scattered path (next-event estimation): where an SBR ray
// hit a scattering surface, and what the surface is made of.
struct ScatterGeometry {
    Vec3 point;
    Vec3 normal;                        // unit surface normal (either side)
    std::complex<double> eta;           // complex relative permittivity at the frequency
    double thickness = 0.1;             // slab thickness, m (used when `slab`)
    bool slab = false;                  // Γ from the slab form (P.2040 eq. 43), not half-space
    double scattering_coefficient = 0;  // S ∈ [0, 1]
    double xpd_coefficient = 0;         // K_x ∈ [0, 1]
    const ScatteringModel* pattern = nullptr;  // f_s; must outlive the call
    std::uint32_t object = 0, primitive = 0, material = 0;
};

// Fills a Path for tx → prefix (specular/transmission hits) → diffuse scattering at
// `scatter` → rx, weighted as Sionna RT does (EM primer "Scattering"; Degli-Esposti et al.
// 2007 eq. 8; Sionna RT's RadioMaterial diffuse Jones matrix):
//   E_s = S·Γ·√(f_s(k̂ᵢ, k̂_s, n̂)·dΩ)·X(K_x)·E_i · rᵢ/r_s,   X = [[√(1−K_x), −√K_x], [√K_x,
//   √(1−K_x)]]
// acting on (θ̂, φ̂) components, incident field in the basis of its propagation direction k̂ᵢ,
// scattered field in that of k̂_s. rᵢ is the unfolded length tx → … → q, r_s = |rx − q|;
// E_i carries λ/(4π rᵢ), so a = (λ/4π)·(1/r_s)·C_Rᴴ·(…)·C_T ("length since the last diffuse
// hit"). Γ = ‖diag(r_TE, r_TM)·E_i‖/‖E_i‖ per transmit port. dΩ = `ray_solid_angle` (4π/N for
// N lattice rays) is the ray tube: its footprint dA satisfies cosθᵢ·dA = rᵢ²·dΩ. No random
// phase (Sionna RT ≥ 1.0 applies none). τ = (rᵢ + r_s)/c. The last interaction is recorded
// as Diffuse with θᵢ and c_TE = c_TM = f_s (the pattern value, 1/sr, not a Fresnel
// coefficient); a is 0 when rx lies behind the scattering surface (f_s = 0).
Path diffuse_path(const Vec3& tx,
                  const std::vector<HitGeometry>& prefix,
                  const ScatterGeometry& scatter,
                  const Vec3& rx,
                  double ray_solid_angle,
                  double frequency_hz,
                  const AntennaPose& tx_pose,
                  const AntennaPose& rx_pose);

}  // namespace radiofield::rt
