#include "radiofield/rt/scattering.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::rt {
namespace {

constexpr int kMaxAlpha = 1000;  // beyond this the lobe is narrower than any ray sampling

double binomial(int n, int k) {
    double r = 1.0;
    for (int i = 1; i <= k; ++i)
        r = r * (n - k + i) / i;
    return r;
}

void check_alpha(double alpha, const char* name) {
    if (!(alpha >= 1) || alpha > kMaxAlpha || alpha != std::floor(alpha)) {
        fail(
            "scattering lobe width {} = {} must be an integer in [1, {}] (Degli-Esposti 2007 "
            "patterns are defined for integer exponents)",
            name, alpha, kMaxAlpha);
    }
}

// ((1 + x)/2)^α for x = cosine between the lobe axis and k̂_s.
double lobe(double x, int alpha) {
    return std::pow(std::max(0.0, 0.5 * (1.0 + x)), alpha);
}

}  // namespace

Vec3 specular_direction(const Vec3& k_i, const Vec3& n) {
    return k_i - 2.0 * dot(k_i, n) * n;  // Sionna primer eq. reflected_refracted_vectors
}

double directive_normalization(int alpha, double cos_theta_i) {
    check_alpha(alpha, "alpha");
    const double c = std::clamp(cos_theta_i, 0.0, 1.0);
    const double s2 = 1.0 - c * c;
    // Degli-Esposti 2007 eq. 13 / Sionna primer (directive model):
    //   I_k = 2π/(k+1) · { 1                                             k even
    //                    { cosθᵢ Σ_{w=0}^{(k−1)/2} C(2w,w) sin^{2w}θᵢ / 2^{2w}   k odd
    //   F_α = 2^{−α} Σ_{k=0}^{α} C(α,k) I_k
    double sum = 0.0;
    double odd_series = 0.0;  // Σ_{w=0}^{(k−1)/2} C(2w,w)(sin²θ/4)^w, grown as k increases
    double term = 1.0;        // C(2w,w)(sin²θ/4)^w for the next w
    int next_w = 0;
    for (int k = 0; k <= alpha; ++k) {
        double i_k = 2.0 * kPi / (k + 1);
        if (k % 2 == 1) {
            while (next_w <= (k - 1) / 2) {
                odd_series += term;
                // C(2w+2,w+1)/C(2w,w) = (2w+1)(2w+2)/(w+1)² = 2(2w+1)/(w+1)
                term *= 2.0 * (2 * next_w + 1) / (next_w + 1) * s2 / 4.0;
                ++next_w;
            }
            i_k *= c * odd_series;
        }
        sum += binomial(alpha, k) * i_k;
    }
    return sum / std::pow(2.0, alpha);
}

ScatteringModel::ScatteringModel(scene::ScatteringPattern pattern,
                                 int alpha_r,
                                 int alpha_i,
                                 double lambda)
    : m_pattern(pattern), m_alpha_r(alpha_r), m_alpha_i(alpha_i), m_lambda(lambda) {
    if (pattern != scene::ScatteringPattern::Lambertian)
        check_alpha(alpha_r, "alpha_r");
    if (pattern == scene::ScatteringPattern::Backscattering) {
        check_alpha(alpha_i, "alpha_i");
        if (!(lambda >= 0 && lambda <= 1)) {
            fail(
                "backscattering pattern: lambda (share of the specular lobe) = {} must be in [0, "
                "1]",
                lambda);
        }
    }
}

ScatteringModel ScatteringModel::from_material(const scene::Material& m) {
    if (m.scattering_pattern != scene::ScatteringPattern::Lambertian)
        check_alpha(m.alpha_r, "alpha_r");
    if (m.scattering_pattern == scene::ScatteringPattern::Backscattering)
        check_alpha(m.alpha_i, "alpha_i");
    return ScatteringModel(m.scattering_pattern, static_cast<int>(m.alpha_r),
                           static_cast<int>(m.alpha_i), m.lambda_);
}

double ScatteringModel::pattern(const Vec3& k_i_in, const Vec3& k_s_in, const Vec3& n_in) const {
    const Vec3 k_i = normalize(k_i_in), k_s = normalize(k_s_in);
    Vec3 n = normalize(n_in);
    if (dot(n, k_i) > 0)
        n = -n;  // normal on the incident side
    const double cos_s = dot(n, k_s);
    if (cos_s <= 0)
        return 0.0;  // scattered direction behind the surface
    const double cos_i = std::clamp(-dot(k_i, n), 0.0, 1.0);

    switch (m_pattern) {
        case scene::ScatteringPattern::Lambertian:
            return cos_s / kPi;  // Sionna primer eq. lambertian_model
        case scene::ScatteringPattern::Directive: {
            // Sionna primer eq. directive_model (Degli-Esposti 2007 eq. 12)
            const Vec3 k_r = specular_direction(k_i, n);
            return lobe(dot(k_r, k_s), m_alpha_r) / directive_normalization(m_alpha_r, cos_i);
        }
        case scene::ScatteringPattern::Backscattering: {
            // Sionna primer eq. backscattering_model (Degli-Esposti 2007 eq. 14); the backward
            // lobe's axis −k̂ᵢ also makes θᵢ with n̂, so its hemisphere integral is F_{α_I}(θᵢ).
            const Vec3 k_r = specular_direction(k_i, n);
            const double forward = lobe(dot(k_r, k_s), m_alpha_r);
            const double backward = lobe(-dot(k_i, k_s), m_alpha_i);
            const double norm_factor = m_lambda * directive_normalization(m_alpha_r, cos_i) +
                                       (1 - m_lambda) * directive_normalization(m_alpha_i, cos_i);
            return (m_lambda * forward + (1 - m_lambda) * backward) / norm_factor;
        }
    }
    return 0.0;
}

}  // namespace radiofield::rt
