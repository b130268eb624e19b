#pragma once
// Diffuse scattering patterns f_s(k̂ᵢ, k̂_s, n̂) of Degli-Esposti et al. 2007 as defined in
// Sionna RT's EM primer ("Scattering"): Lambertian, directive and backscattering-lobe models.
// Every pattern is normalised so that ∫_hemisphere f_s dΩ = 1, i.e.
// ∫₀^{π/2}∫₀^{2π} f_s sinθ_s dφ_s dθ_s = 1 (no extra cosθ_s: the Lambertian cosθ_s/π already
// carries it). Directions: k̂ᵢ is the propagation direction of the incoming ray (towards the
// surface), k̂_s the scattered direction (away from the surface); n̂ may face either side, it is
// oriented against k̂ᵢ. f_s = 0 for k̂_s behind the surface.

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/material.hpp"

namespace radiofield::rt {

// Specular direction k̂_r = k̂ᵢ − 2(k̂ᵢᵀn̂)n̂ (Sionna primer eq. reflected_refracted_vectors).
Vec3 specular_direction(const Vec3& k_i, const Vec3& n);

// F_α(θᵢ) = 2^{−α} Σ_{k=0}^{α} C(α,k)·I_k (Degli-Esposti 2007 eq. 13; Sionna primer, directive
// model): the hemisphere integral of ((1 + k̂_rᵀk̂_s)/2)^α for a lobe axis at θᵢ from the normal.
// α is an integer ≥ 1 (throws Error otherwise); cos_theta_i ∈ [0, 1].
double directive_normalization(int alpha, double cos_theta_i);

// Scattering parameters of one material, validated once (α integer ≥ 1, Λ ∈ [0, 1]).
class ScatteringModel {
public:
    ScatteringModel(scene::ScatteringPattern pattern,
                    int alpha_r = 4,
                    int alpha_i = 4,
                    double lambda = 0.75);
    // From a material's scattering_pattern, alpha_r, alpha_i, lambda_ (throws Error if α is not
    // an integer ≥ 1 or Λ ∉ [0, 1]).
    static ScatteringModel from_material(const scene::Material& material);

    // f_s(k̂ᵢ, k̂_s, n̂) in 1/sr. Inputs need not be unit length.
    double pattern(const Vec3& k_i, const Vec3& k_s, const Vec3& n) const;

    scene::ScatteringPattern kind() const { return m_pattern; }

private:
    scene::ScatteringPattern m_pattern;
    int m_alpha_r, m_alpha_i;
    double m_lambda;
};

}  // namespace radiofield::rt
