#include "radiofield/rt/fresnel.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

// Sign convention (Sionna RT EM primer, "Reflection and Refraction", eqs. fresnel_in_vectors /
// fresnel_out_vectors): ê⊥ = k̂ᵢ×n̂/‖k̂ᵢ×n̂‖ is shared by the incident, reflected and transmitted
// waves, and ê∥ = ê⊥×k̂ for each of them. In that basis a perfect conductor gives r_TE = −1,
// r_TM = +1, and at normal incidence r_TM = −r_TE = (√η − 1)/(√η + 1).

namespace radiofield::rt {
namespace {

// Validated cos θ and A = √(η − sin²θ) (principal branch: Re A ≥ 0, and Im A ≤ 0 for
// lossy media, so that e^{−jq} below decays through the slab).
struct Incidence {
    double cos_theta;
    cdouble a;
};

Incidence incidence(cdouble eta, double cos_theta) {
    if (!std::isfinite(cos_theta) || cos_theta < -1e-9 || cos_theta > 1.0 + 1e-9) {
        fail(
            "Fresnel coefficients: cos θ = {} is not in [0, 1]; pass the cosine of the angle "
            "between the incoming ray and the surface normal (oriented towards the ray)",
            cos_theta);
    }
    if (!std::isfinite(eta.real()) || !std::isfinite(eta.imag())) {
        fail("Fresnel coefficients: permittivity η = {}{:+}j is not finite", eta.real(),
             eta.imag());
    }
    const double c = std::clamp(cos_theta, 0.0, 1.0);
    const double sin2 = 1.0 - c * c;
    return {c, std::sqrt(eta - sin2)};
}

}  // namespace

FresnelCoefficients fresnel_interface(cdouble eta, double cos_theta) {
    const auto [c, a] = incidence(eta, cos_theta);
    FresnelCoefficients out;
    // ITU-R P.2040-3 eqs. 31–34 (Sionna EM primer eq. fresnel_vac), incident medium vacuum.
    out.r_te = (c - a) / (c + a);                         // eq. 31
    out.r_tm = (eta * c - a) / (eta * c + a);             // eq. 32
    out.t_te = 2.0 * c / (c + a);                         // eq. 33
    out.t_tm = 2.0 * std::sqrt(eta) * c / (eta * c + a);  // eq. 34
    return out;
}

FresnelCoefficients fresnel_slab(cdouble eta,
                                 double cos_theta,
                                 double thickness_m,
                                 double wavelength_m) {
    if (!(thickness_m >= 0) || !std::isfinite(thickness_m)) {
        fail("slab coefficients: thickness {} m must be finite and ≥ 0", thickness_m);
    }
    if (!(wavelength_m > 0) || !std::isfinite(wavelength_m)) {
        fail("slab coefficients: wavelength {} m must be positive", wavelength_m);
    }
    const auto [c, a] = incidence(eta, cos_theta);
    const FresnelCoefficients half = fresnel_interface(eta, c);
    // ITU-R P.2040-3 eq. 44: q = (2πd/λ)·√(η − sin²θ).
    const cdouble q = (2.0 * kPi * thickness_m / wavelength_m) * a;
    const cdouble j(0.0, 1.0);
    const cdouble e1 = std::exp(-j * q);        // e^{−jq}
    const cdouble e2 = std::exp(-2.0 * j * q);  // e^{−j2q}
    // ITU-R P.2040-3 eq. 43a/43b, once per polarisation with r′ the half-space coefficient.
    auto reflect = [&](cdouble r) { return r * (1.0 - e2) / (1.0 - r * r * e2); };
    auto transmit = [&](cdouble r) { return (1.0 - r * r) * e1 / (1.0 - r * r * e2); };
    FresnelCoefficients out;
    out.r_te = reflect(half.r_te);
    out.r_tm = reflect(half.r_tm);
    out.t_te = transmit(half.r_te);
    out.t_tm = transmit(half.r_tm);
    return out;
}

}  // namespace radiofield::rt
