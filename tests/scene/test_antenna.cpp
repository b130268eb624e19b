// Antenna patterns (Sionna RT / 3GPP TR 38.901 §7.3) and planar arrays.

#include <gtest/gtest.h>

#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/core/vec.hpp"
#include "radiofield/scene/antenna.hpp"

using namespace radiofield;
using namespace radiofield::scene;

namespace {

double deg(double d) {
    return d * kPi / 180.0;
}

// Global field direction of a port: Fθ·θ̂ + Fφ·φ̂ (real here: the patterns are real).
Vec3 field_vector(const Antenna& a, double theta, double phi, int port) {
    const FieldPattern f = a.field(theta, phi, port);
    return theta_hat(theta, phi) * f.f_theta.real() + phi_hat(theta, phi) * f.f_phi.real();
}

// (1/4π)∫G dΩ by the midpoint rule on a θ×φ grid.
double mean_gain(const Antenna& a) {
    const int n_theta = 720, n_phi = 360;
    double sum = 0;
    for (int i = 0; i < n_theta; ++i) {
        const double th = (i + 0.5) * kPi / n_theta;
        for (int j = 0; j < n_phi; ++j) {
            const double ph = -kPi + (j + 0.5) * 2 * kPi / n_phi;
            sum += a.element_gain(th, ph) * std::sin(th);
        }
    }
    return sum * (kPi / n_theta) * (2 * kPi / n_phi) / (4 * kPi);
}

}  // namespace

TEST(Antenna, IsotropicHasUnitGainEverywhere) {
    const Antenna a(PatternKind::Isotropic, Polarization::V);
    for (double th : {0.0, 0.3, 1.57, 3.0})
        for (double ph : {-3.0, 0.0, 1.0, 2.5})
            EXPECT_DOUBLE_EQ(a.field(th, ph).gain(), 1.0);
}

TEST(Antenna, ShortDipoleGainIsOnePointFiveSinSquared) {
    const Antenna a(PatternKind::ShortDipole);
    EXPECT_NEAR(a.element_gain(deg(90), 0.3), 1.5, 1e-12);
    EXPECT_NEAR(a.element_gain(deg(30), 1.0), 0.375, 1e-12);   // 1.5·0.5²
    EXPECT_NEAR(a.element_gain(deg(60), -2.0), 1.125, 1e-12);  // 1.5·0.75
    EXPECT_NEAR(a.element_gain(0.0, 0.0), 0.0, 1e-15);
}

TEST(Antenna, HalfWaveDipoleGainMatchesClosedForm) {
    const Antenna a(PatternKind::HalfWaveDipole);
    EXPECT_NEAR(a.element_gain(deg(90), 0.0), 1.643, 1e-12);
    // θ = 60°: cos(π/4)/sin 60° = 0.816497, squared 2/3 → 1.643·2/3 = 1.095333.
    EXPECT_NEAR(a.element_gain(deg(60), 0.0), 1.0953333, 1e-6);
    // θ = 30°: cos(π/2·0.866025)/0.5 = 0.417797, squared 0.174554 → 0.286788.
    EXPECT_NEAR(a.element_gain(deg(30), 1.0), 0.2867883, 1e-6);
    EXPECT_DOUBLE_EQ(a.element_gain(0.0, 0.0), 0.0);  // null on the axis, no NaN
    EXPECT_DOUBLE_EQ(a.element_gain(kPi, 0.0), 0.0);
}

TEST(Antenna, DipolePatternsRadiateUnitTotalPower) {
    // Directivity 1.5 (short) and 1.643 (half-wave) make the mean gain 1 (Balanis §4.2, §4.6).
    EXPECT_NEAR(mean_gain(Antenna(PatternKind::ShortDipole)), 1.0, 1e-4);
    EXPECT_NEAR(mean_gain(Antenna(PatternKind::HalfWaveDipole)), 1.0, 2e-3);
}

TEST(Antenna, Tr38901HasEightDbiAtBoresightAnd65DegreeBeamwidths) {
    const Antenna a(PatternKind::Tr38901);
    EXPECT_NEAR(to_db(a.element_gain(deg(90), 0.0)), 8.0, 1e-12);
    // Half the 3 dB beamwidth off boresight, in azimuth and in elevation: 3 dB down.
    EXPECT_NEAR(to_db(a.element_gain(deg(90), deg(32.5))), 5.0, 1e-9);
    EXPECT_NEAR(to_db(a.element_gain(deg(90), deg(-32.5))), 5.0, 1e-9);
    EXPECT_NEAR(to_db(a.element_gain(deg(90 + 32.5), 0.0)), 5.0, 1e-9);
    EXPECT_NEAR(to_db(a.element_gain(deg(90 - 32.5), 0.0)), 5.0, 1e-9);
    // Off by 65° in both planes: A_V = A_H = −12 dB → 8 − 24 = −16 dBi.
    EXPECT_NEAR(to_db(a.element_gain(deg(155), deg(65))), -16.0, 1e-9);
}

TEST(Antenna, Tr38901BackLobeIsCappedAtThirtyDbBelowMaximum) {
    const Antenna a(PatternKind::Tr38901);
    EXPECT_NEAR(to_db(a.element_gain(deg(90), kPi)), -22.0, 1e-9);
    EXPECT_NEAR(to_db(a.element_gain(deg(10), deg(120))), -22.0, 1e-9);
    // φ wraps: 2π − 0.1 is the same direction as −0.1.
    EXPECT_NEAR(a.element_gain(deg(80), 2 * kPi - 0.1), a.element_gain(deg(80), -0.1), 1e-12);
}

TEST(Antenna, VerticalAndHorizontalPortsPointAlongThetaAndPhiHat) {
    const Antenna v(PatternKind::ShortDipole, Polarization::V);
    const Antenna h(PatternKind::ShortDipole, Polarization::H);
    const FieldPattern fv = v.field(deg(70), 0.4), fh = h.field(deg(70), 0.4);
    const double g = 1.5 * std::pow(std::sin(deg(70)), 2);
    EXPECT_NEAR(fv.f_theta.real(), std::sqrt(g), 1e-12);
    EXPECT_NEAR(std::abs(fv.f_phi), 0.0, 1e-12);
    EXPECT_NEAR(std::abs(fh.f_theta), 0.0, 1e-12);
    EXPECT_NEAR(fh.f_phi.real(), std::sqrt(g), 1e-12);
}

TEST(Antenna, PolarisationVectorsAreOrthogonalToPropagationDirection) {
    for (auto pol : {Polarization::V, Polarization::H, Polarization::Cross}) {
        const Antenna a(PatternKind::Isotropic, pol);
        for (double th : {0.2, 1.0, 1.57, 2.8}) {
            for (double ph : {-2.0, 0.0, 0.7, 3.0}) {
                const Vec3 r = direction_from_angles(th, ph);
                for (int p = 0; p < a.num_ports(); ++p) {
                    const Vec3 e = field_vector(a, th, ph, p);
                    EXPECT_NEAR(dot(e, r), 0.0, 1e-12);
                    EXPECT_NEAR(norm(e), 1.0, 1e-12);  // isotropic: unit amplitude
                }
            }
        }
    }
}

TEST(Antenna, CrossPolarisedPortsAreOrthogonalSlantsOfPlusMinus45) {
    const Antenna a(PatternKind::Tr38901, Polarization::Cross);
    ASSERT_EQ(a.num_ports(), 2);
    EXPECT_DOUBLE_EQ(a.slant_angle(0), kPi / 4);
    EXPECT_DOUBLE_EQ(a.slant_angle(1), -kPi / 4);
    const double th = deg(80), ph = deg(20);
    const Vec3 e0 = field_vector(a, th, ph, 0), e1 = field_vector(a, th, ph, 1);
    EXPECT_NEAR(dot(e0, e1), 0.0, 1e-12);
    const double g = a.element_gain(th, ph);
    EXPECT_NEAR(a.field(th, ph, 0).gain(), g, 1e-12);
    EXPECT_NEAR(a.field(th, ph, 1).gain(), g, 1e-12);
    // +45°: equal θ and φ parts of the same sign; −45°: opposite signs.
    EXPECT_NEAR(a.field(th, ph, 0).f_theta.real(), std::sqrt(g / 2), 1e-12);
    EXPECT_NEAR(a.field(th, ph, 0).f_phi.real(), std::sqrt(g / 2), 1e-12);
    EXPECT_NEAR(a.field(th, ph, 1).f_phi.real(), -std::sqrt(g / 2), 1e-12);
    EXPECT_THROW(a.field(th, ph, 2), Error);
    EXPECT_THROW(Antenna().field(th, ph, 1), Error);
}

TEST(Antenna, NamesRoundTripAndUnknownRaises) {
    for (auto k : {PatternKind::Isotropic, PatternKind::ShortDipole, PatternKind::HalfWaveDipole,
                   PatternKind::Tr38901}) {
        EXPECT_EQ(pattern_from_string(to_string(k)), k);
    }
    for (auto p : {Polarization::V, Polarization::H, Polarization::Cross}) {
        EXPECT_EQ(polarization_from_string(to_string(p)), p);
    }
    EXPECT_EQ(pattern_from_string("isotropic"), PatternKind::Isotropic);
    EXPECT_EQ(polarization_from_string("v"), Polarization::V);
    EXPECT_THROW(pattern_from_string("yagi"), Error);
    EXPECT_THROW(polarization_from_string("circular"), Error);
}

TEST(PlanarArray, OffsetsAreCentredRowMajorWithTopRowFirst) {
    PlanarArray arr;
    arr.num_rows = 2;
    arr.num_cols = 3;
    arr.vertical_spacing = 0.2;
    arr.horizontal_spacing = 0.1;
    const auto o = arr.element_offsets();
    ASSERT_EQ(o.size(), 6u);
    // Row 0 at z = +0.1, columns at y = −0.1, 0, +0.1.
    const Vec3 expected[6] = {{0, -0.1, 0.1},  {0, 0, 0.1},  {0, 0.1, 0.1},
                              {0, -0.1, -0.1}, {0, 0, -0.1}, {0, 0.1, -0.1}};
    for (int i = 0; i < 6; ++i) {
        EXPECT_NEAR(o[i].x, expected[i].x, 1e-15) << i;
        EXPECT_NEAR(o[i].y, expected[i].y, 1e-15) << i;
        EXPECT_NEAR(o[i].z, expected[i].z, 1e-15) << i;
    }
}

TEST(PlanarArray, HalfWavelengthArrayHasLambdaOverTwoPitch) {
    // NeRF2's RFID array: 4×4 at 920 MHz, λ/2 = 299792458/920e6/2 = 0.162931 m.
    const PlanarArray arr = PlanarArray::half_wavelength(4, 4, 920e6);
    EXPECT_NEAR(arr.vertical_spacing, 0.1629307, 1e-6);
    const auto o = arr.element_offsets();
    ASSERT_EQ(o.size(), 16u);
    Vec3 sum;
    for (const Vec3& p : o)
        sum += p;
    EXPECT_NEAR(norm(sum), 0.0, 1e-12);
    EXPECT_NEAR(o[1].y - o[0].y, 0.1629307, 1e-6);
    EXPECT_NEAR(o[0].z - o[4].z, 0.1629307, 1e-6);
    EXPECT_NEAR(o[0].z, 1.5 * 0.1629307, 1e-6);
    EXPECT_EQ(PlanarArray::half_wavelength(1, 1, 3.5e9).element_offsets()[0], Vec3{});
    EXPECT_THROW(PlanarArray::half_wavelength(0, 4, 1e9), Error);
    EXPECT_THROW(PlanarArray::half_wavelength(4, 4, 0), Error);
}
