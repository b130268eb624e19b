// Fresnel and slab coefficients (ITU-R P.2040-3 eqs. 31–34, 43–44) against closed forms.

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/fresnel.hpp"

namespace radiofield::rt {
namespace {

constexpr double kFrequency = 3.5e9;

// η of a conductor from its conductivity (ITU-R P.2040 eq. 9b, ε_r = 1).
cdouble conductor_eta(double sigma, double frequency_hz) {
    return {1.0, -sigma / (kVacuumPermittivity * 2 * kPi * frequency_hz)};
}

TEST(Fresnel, TmReflectionVanishesAtBrewsterAngleOfLosslessDielectric) {
    for (double eps : {2.0, 4.0, 5.24, 9.0}) {
        const double theta_b = std::atan(std::sqrt(eps));
        const auto c = fresnel_interface({eps, 0.0}, std::cos(theta_b));
        EXPECT_LT(std::abs(c.r_tm), 1e-12) << "eps_r " << eps;
        // ... and only there: 5° away it is clearly non-zero, TE never vanishes.
        EXPECT_GT(std::abs(fresnel_interface({eps, 0.0}, std::cos(theta_b - deg2rad(5))).r_tm),
                  1e-3);
        EXPECT_GT(std::abs(c.r_te), 0.1);
    }
}

TEST(Fresnel, MetalReflectsWithUnitMagnitudeTeMinusOneTmPlusOne) {
    const cdouble eta = conductor_eta(1e7, kFrequency);
    for (double deg : {0.0, 20.0, 45.0, 70.0, 80.0, 85.0}) {
        const double c_theta = std::cos(deg2rad(deg));
        const auto c = fresnel_interface(eta, c_theta);
        // Good-conductor limit: 1 − |r| ≈ 2·Re{1/(√η cosθ)} (TM) and 2·Re{cosθ/√η} (TE),
        // both below 2/(|√η|cosθ).
        const double tol = 2.0 / (std::abs(std::sqrt(eta)) * c_theta);
        EXPECT_NEAR(std::abs(c.r_te), 1.0, tol) << deg;
        EXPECT_NEAR(std::abs(c.r_tm), 1.0, tol) << deg;
        // Perfect-conductor limit in the ê∥ = ê⊥ × k̂ convention: r_TE → −1, r_TM → +1.
        EXPECT_NEAR(c.r_te.real(), -1.0, tol) << deg;
        EXPECT_NEAR(c.r_tm.real(), 1.0, tol) << deg;
        EXPECT_LT(tol, 0.01);
    }
}

TEST(Fresnel, NormalIncidenceTeEqualsMinusTmEqualsClosedForm) {
    for (cdouble eta : {cdouble(4.0, 0.0), cdouble(5.24, -0.3), cdouble(15.0, -2.0)}) {
        const cdouble s = std::sqrt(eta);
        const cdouble expected_te = (1.0 - s) / (1.0 + s);
        const auto c = fresnel_interface(eta, 1.0);
        EXPECT_LT(std::abs(c.r_te - expected_te), 1e-14);
        EXPECT_LT(std::abs(c.r_tm + expected_te), 1e-14);
        // Transmission at normal incidence is polarisation independent: 2/(1 + √η).
        EXPECT_LT(std::abs(c.t_te - 2.0 / (1.0 + s)), 1e-14);
        EXPECT_LT(std::abs(c.t_tm - 2.0 / (1.0 + s)), 1e-14);
    }
}

TEST(Fresnel, InterfaceConservesPowerForLosslessDielectric) {
    // t is a ratio of E fields, so the transmitted power fraction is (A/cosθ)|t|² for both
    // polarisations (A = √η cosθ_t = n₂cosθ_t); with |r|² it must add up to 1.
    const double eps = 6.31;
    for (double deg : {0.0, 30.0, 60.0, 80.0}) {
        const double c = std::cos(deg2rad(deg));
        const double a = std::sqrt(eps - (1 - c * c));
        const auto f = fresnel_interface({eps, 0.0}, c);
        EXPECT_NEAR(std::norm(f.r_te) + a / c * std::norm(f.t_te), 1.0, 1e-12) << deg;
        EXPECT_NEAR(std::norm(f.r_tm) + a / c * std::norm(f.t_tm), 1.0, 1e-12) << deg;
    }
}

TEST(FresnelSlab, LosslessSlabConservesPowerExactly) {
    const double lambda = wavelength(kFrequency);
    for (double eps : {2.73, 6.31}) {
        for (double d : {0.01, 0.1, 0.237}) {
            for (double deg : {0.0, 25.0, 50.0, 75.0, 89.0}) {
                const auto s = fresnel_slab({eps, 0.0}, std::cos(deg2rad(deg)), d, lambda);
                EXPECT_NEAR(std::norm(s.r_te) + std::norm(s.t_te), 1.0, 1e-12);
                EXPECT_NEAR(std::norm(s.r_tm) + std::norm(s.t_tm), 1.0, 1e-12);
            }
        }
    }
}

TEST(FresnelSlab, LossySlabLosesPower) {
    const double lambda = wavelength(kFrequency);
    const cdouble eta(
        5.24, -0.0462 * std::pow(3.5, 0.7822) / (kVacuumPermittivity * 2 * kPi * kFrequency));
    for (double d : {0.05, 0.2}) {
        for (double deg : {0.0, 40.0, 80.0}) {
            const auto s = fresnel_slab(eta, std::cos(deg2rad(deg)), d, lambda);
            EXPECT_LT(std::norm(s.r_te) + std::norm(s.t_te), 1.0 - 1e-6);
            EXPECT_LT(std::norm(s.r_tm) + std::norm(s.t_tm), 1.0 - 1e-6);
        }
    }
}

TEST(FresnelSlab, VanishingThicknessIsTransparent) {
    const double lambda = wavelength(kFrequency);
    const cdouble eta(5.24, -0.8);
    for (double deg : {0.0, 45.0, 80.0}) {
        const auto s = fresnel_slab(eta, std::cos(deg2rad(deg)), 1e-9, lambda);
        EXPECT_LT(std::abs(s.r_te), 1e-6);
        EXPECT_LT(std::abs(s.r_tm), 1e-6);
        EXPECT_LT(std::abs(s.t_te - 1.0), 1e-6);
        EXPECT_LT(std::abs(s.t_tm - 1.0), 1e-6);
    }
}

TEST(FresnelSlab, HalfWaveSlabAtNormalIncidenceIsTransparent) {
    // Lossless slab whose optical thickness is λ/2 (q = π): R = 0 and T = e^{−jπ} = −1.
    const double lambda = wavelength(kFrequency);
    const double eps = 4.0;
    const auto s = fresnel_slab({eps, 0.0}, 1.0, lambda / (2 * std::sqrt(eps)), lambda);
    EXPECT_LT(std::abs(s.r_te), 1e-12);
    EXPECT_LT(std::abs(s.t_te + 1.0), 1e-12);
}

TEST(FresnelSlab, ThickLossySlabReflectsLikeHalfSpace) {
    const double lambda = wavelength(kFrequency);
    const cdouble eta(5.0, -2.0);
    const double c = std::cos(deg2rad(35));
    const auto s = fresnel_slab(eta, c, 10.0, lambda);
    const auto h = fresnel_interface(eta, c);
    EXPECT_LT(std::abs(s.r_te - h.r_te), 1e-12);
    EXPECT_LT(std::abs(s.r_tm - h.r_tm), 1e-12);
    EXPECT_LT(std::abs(s.t_te), 1e-12);
}

TEST(Fresnel, RejectsCosineOutsideUnitInterval) {
    EXPECT_THROW(fresnel_interface({4.0, 0.0}, 1.5), Error);
    EXPECT_THROW(fresnel_interface({4.0, 0.0}, -0.2), Error);
    EXPECT_THROW(fresnel_slab({4.0, 0.0}, 0.5, -1.0, 0.1), Error);
}

}  // namespace
}  // namespace radiofield::rt
