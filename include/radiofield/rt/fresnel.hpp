#pragma once
// Reflection and transmission coefficients of a planar boundary in the local TE/TM
// (⊥/∥) basis, from the complex relative permittivity η = ε_r − jσ/(ε₀ω) (ITU-R P.2040).

#include <complex>

namespace radiofield::rt {

using cdouble = std::complex<double>;

struct FresnelCoefficients {
    cdouble r_te, r_tm;  // reflection, TE (⊥) and TM (∥)
    cdouble t_te, t_tm;  // transmission
};

// Half-space (ITU-R P.2040 eqs. 31–34, with A = √(η − sin²θ)):
//   r_TE = (cosθ − A)/(cosθ + A),  r_TM = (η cosθ − A)/(η cosθ + A),
//   t_TE = 2cosθ/(cosθ + A),       t_TM = 2√η cosθ/(η cosθ + A).
// `cos_theta` ∈ (0, 1] is the cosine of the incidence angle from the surface normal.
FresnelCoefficients fresnel_interface(cdouble eta, double cos_theta);

// Slab of thickness d (ITU-R P.2040 eqs. 43–44, q = (2πd/λ)·A):
//   R = r′(1 − e^{−j2q}) / (1 − r′² e^{−j2q}),  T = (1 − r′²) e^{−jq} / (1 − r′² e^{−j2q}),
// with r′ the half-space coefficient of each polarisation.
FresnelCoefficients fresnel_slab(cdouble eta,
                                 double cos_theta,
                                 double thickness_m,
                                 double wavelength_m);

}  // namespace radiofield::rt
