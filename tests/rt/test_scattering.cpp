// Diffuse scattering patterns (Degli-Esposti 2007, Sionna primer): normalisation checked by
// numerical integration over the hemisphere, lobe directions, limits.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/scattering.hpp"

namespace radiofield::rt {
namespace {

using scene::ScatteringPattern;

// Orthonormal frame (t1, t2, n) around a unit normal.
struct Frame {
    Vec3 t1, t2, n;
    explicit Frame(const Vec3& normal) : n(normalize(normal)) {
        const Vec3 a = std::abs(n.x) < 0.9 ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
        t1 = normalize(cross(n, a));
        t2 = cross(n, t1);
    }
    Vec3 dir(double theta, double phi) const {
        return t1 * (std::sin(theta) * std::cos(phi)) + t2 * (std::sin(theta) * std::sin(phi)) +
               n * std::cos(theta);
    }
};

// ∫_hemisphere g(k̂_s) dΩ by the midpoint rule in θ_s and the (spectrally accurate, the
// integrand being periodic) rectangle rule in φ_s.
double hemisphere_integral(const Frame& f, const std::function<double(const Vec3&)>& g) {
    constexpr int kTheta = 500, kPhi = 96;
    const double dt = 0.5 * kPi / kTheta, dp = 2 * kPi / kPhi;
    double sum = 0;
    for (int i = 0; i < kTheta; ++i) {
        const double t = (i + 0.5) * dt;
        double ring = 0;
        for (int j = 0; j < kPhi; ++j)
            ring += g(f.dir(t, (j + 0.5) * dp));
        sum += ring * std::sin(t);
    }
    return sum * dt * dp;
}

// Incoming direction at angle θᵢ from the normal, travelling towards the surface.
Vec3 incoming(const Frame& f, double theta_i) {
    return -f.dir(theta_i, 0.4);
}

TEST(ScatteringPattern, EveryPatternIntegratesToOneOverTheHemisphere) {
    const Frame frame(Vec3{0.3, -0.2, 1.0});  // tilted surface: exercises the orientation
    const ScatteringModel models[] = {
        ScatteringModel(ScatteringPattern::Lambertian),
        ScatteringModel(ScatteringPattern::Directive, 1),
        ScatteringModel(ScatteringPattern::Directive, 4),
        ScatteringModel(ScatteringPattern::Directive, 15),
        ScatteringModel(ScatteringPattern::Backscattering, 4, 4, 0.75),
        ScatteringModel(ScatteringPattern::Backscattering, 10, 3, 0.3),
    };
    for (const auto& m : models) {
        for (double deg : {0.0, 30.0, 60.0, 85.0}) {
            const Vec3 k_i = incoming(frame, deg2rad(deg));
            const double integral = hemisphere_integral(
                frame, [&](const Vec3& k_s) { return m.pattern(k_i, k_s, frame.n); });
            EXPECT_NEAR(integral, 1.0, 1e-4) << static_cast<int>(m.kind()) << " at " << deg << "°";
        }
    }
}

TEST(ScatteringPattern, DirectiveNormalizationEqualsHemisphereIntegralOfLobe) {
    const Frame frame(Vec3{0, 0, 1});
    for (int alpha : {1, 2, 3, 7, 20}) {
        for (double deg : {0.0, 45.0, 80.0}) {
            const Vec3 k_r = specular_direction(incoming(frame, deg2rad(deg)), frame.n);
            const double numeric = hemisphere_integral(
                frame, [&](const Vec3& k_s) { return std::pow(0.5 * (1 + dot(k_r, k_s)), alpha); });
            EXPECT_NEAR(directive_normalization(alpha, std::cos(deg2rad(deg))), numeric,
                        2e-5 * numeric)
                << alpha << " " << deg;
        }
    }
    // Closed form at normal incidence for α = 1: ∫(1 + cosθ)/2 dΩ = π + π/2.
    EXPECT_NEAR(directive_normalization(1, 1.0), 1.5 * kPi, 1e-14);
}

TEST(ScatteringPattern, LambertianIsCosineOverPiAndIgnoresIncidence) {
    const ScatteringModel m(ScatteringPattern::Lambertian);
    const Vec3 n{0, 0, 1};
    const Vec3 k_s = normalize(Vec3{1, 2, 3});
    EXPECT_NEAR(m.pattern({1, 0, -1}, k_s, n), k_s.z / kPi, 1e-15);
    EXPECT_NEAR(m.pattern({0, 0, -1}, k_s, n), k_s.z / kPi, 1e-15);
}

TEST(ScatteringPattern, DirectiveLobePeaksAtSpecularDirection) {
    const ScatteringModel m(ScatteringPattern::Directive, 8);
    const Vec3 n{0, 0, 1}, k_i = normalize(Vec3{1, 0, -1});
    const Vec3 k_r = specular_direction(k_i, n);
    EXPECT_NEAR(norm(k_r - normalize(Vec3{1, 0, 1})), 0.0, 1e-15);
    const double peak = m.pattern(k_i, k_r, n);
    for (double deg : {5.0, 15.0, 40.0}) {
        const Vec3 off =
            normalize(Vec3{std::cos(deg2rad(45 + deg)), 0, std::sin(deg2rad(45 + deg))});
        EXPECT_LT(m.pattern(k_i, off, n), peak);
    }
}

TEST(ScatteringPattern, BackscatteringWithFullForwardShareEqualsDirective) {
    const ScatteringModel bs(ScatteringPattern::Backscattering, 5, 2, 1.0);
    const ScatteringModel dir(ScatteringPattern::Directive, 5);
    const Vec3 n{0, 0, 1}, k_i = normalize(Vec3{2, 1, -1});
    for (const Vec3& k_s : {Vec3{0, 0, 1}, Vec3{1, 1, 1}, Vec3{-2, -1, 1}}) {
        EXPECT_NEAR(bs.pattern(k_i, k_s, n), dir.pattern(k_i, k_s, n), 1e-14);
    }
    // With Λ = 0 the lobe points back towards the source (−k̂ᵢ).
    const ScatteringModel back(ScatteringPattern::Backscattering, 5, 6, 0.0);
    EXPECT_GT(back.pattern(k_i, -k_i, n), back.pattern(k_i, specular_direction(k_i, n), n));
}

TEST(ScatteringPattern, ZeroBehindSurfaceAndIndependentOfNormalSide) {
    const ScatteringModel m(ScatteringPattern::Directive, 3);
    const Vec3 k_i = normalize(Vec3{1, 0, -2}), k_s = normalize(Vec3{1, 1, 2});
    EXPECT_DOUBLE_EQ(m.pattern(k_i, k_s, {0, 0, 1}), m.pattern(k_i, k_s, {0, 0, -1}));
    EXPECT_EQ(m.pattern(k_i, {1, 0, -1}, {0, 0, 1}), 0.0);
}

TEST(ScatteringPattern, RejectsNonIntegerOrOutOfRangeParameters) {
    EXPECT_THROW(ScatteringModel(ScatteringPattern::Directive, 0), Error);
    EXPECT_THROW(ScatteringModel(ScatteringPattern::Backscattering, 4, 4, 1.5), Error);
    scene::Material mat;
    mat.scattering_pattern = ScatteringPattern::Directive;
    mat.alpha_r = 2.5;
    EXPECT_THROW(ScatteringModel::from_material(mat), Error);
    mat.alpha_r = 3;
    EXPECT_NO_THROW(ScatteringModel::from_material(mat));
}

}  // namespace
}  // namespace radiofield::rt
