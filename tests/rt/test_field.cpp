// Path coefficients (Jones calculus, Sionna RT conventions) against closed forms:
// free-space LoS, polarisation mismatch, dipole nulls, two-ray ground and wall reflection.

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/field.hpp"

namespace radiofield::rt {
namespace {

using scene::Antenna;
using scene::PatternKind;
using scene::Polarization;

const Antenna kIsoV(PatternKind::Isotropic, Polarization::V);
const Antenna kIsoH(PatternKind::Isotropic, Polarization::H);
const Antenna kDipoleV(PatternKind::ShortDipole, Polarization::V);

AntennaPose pose(const Antenna& a, Mat3 r = {}) {
    return {&a, r};
}

double friis(double frequency_hz, double d) {
    return wavelength(frequency_hz) / (4 * kPi * d);
}

// Half-space Fresnel coefficients written out here, independently of fresnel.cpp
// (ITU-R P.2040-3 eqs. 31–32).
cdouble r_te(cdouble eta, double c) {
    const cdouble a = std::sqrt(eta - (1 - c * c));
    return (c - a) / (c + a);
}
cdouble r_tm(cdouble eta, double c) {
    const cdouble a = std::sqrt(eta - (1 - c * c));
    return (eta * c - a) / (eta * c + a);
}

HitGeometry ground_hit(const Vec3& p, cdouble eta, Vec3 normal = {0, 0, 1}) {
    HitGeometry h;
    h.type = InteractionType::Specular;
    h.point = p;
    h.normal = normal;
    h.eta = eta;
    return h;
}

TEST(LosPath, VToVIsotropicEqualsFriisAmplitudeAndDelay) {
    const Vec3 tx{0, 0, 1.5}, rx{20, 5, 3};
    const double d = norm(rx - tx);
    for (double f : {0.92e9, 3.5e9, 28e9}) {
        const Path p = specular_path(tx, {}, rx, f, pose(kIsoV), pose(kIsoV));
        EXPECT_NEAR(p.a[0].real(), friis(f, d), 1e-12 * friis(f, d));
        EXPECT_NEAR(p.a[0].imag(), 0.0, 1e-12 * friis(f, d));
        EXPECT_NEAR(p.tau, d / kSpeedOfLight, 1e-20);
        EXPECT_DOUBLE_EQ(p.length, d);
        EXPECT_TRUE(p.is_los());
    }
}

TEST(LosPath, AnglesPointAwayFromEachDevice) {
    const Vec3 tx{1, 2, 3}, rx{-4, 6, 1};
    const Path p = specular_path(tx, {}, rx, 3.5e9, pose(kIsoV), pose(kIsoV));
    const Vec3 dep = direction_from_angles(p.theta_t, p.phi_t);
    const Vec3 arr = direction_from_angles(p.theta_r, p.phi_r);
    EXPECT_NEAR(norm(dep - normalize(rx - tx)), 0.0, 1e-12);
    EXPECT_NEAR(norm(arr - normalize(tx - rx)), 0.0, 1e-12);
}

TEST(LosPath, HToHHasSionnaSignFromFlippedPhiHat) {
    // φ̂(−k̂) = −φ̂(k̂): Sionna's arrival basis makes H→H LoS equal −λ/(4πd).
    const Vec3 tx{0, 0, 1}, rx{7, -3, 2};
    const double f = 2.4e9;
    const Path p = specular_path(tx, {}, rx, f, pose(kIsoH), pose(kIsoH));
    EXPECT_NEAR(p.a[0].real(), -friis(f, norm(rx - tx)), 1e-12 * friis(f, norm(rx - tx)));
}

TEST(LosPath, CrossPolarisedVToHIsZero) {
    const Vec3 tx{0, 0, 1}, rx{10, 3, 1.5};
    const double f = 3.5e9, ref = friis(f, norm(rx - tx));
    EXPECT_LT(std::abs(specular_path(tx, {}, rx, f, pose(kIsoV), pose(kIsoH)).a[0]), 1e-12 * ref);
    EXPECT_LT(std::abs(specular_path(tx, {}, rx, f, pose(kIsoH), pose(kIsoV)).a[0]), 1e-12 * ref);
}

TEST(LosPath, ShortDipolesEndFireGiveZeroAndBroadsideGiveGain) {
    const double f = 3.5e9;
    const Path end_fire =
        specular_path({0, 0, 0}, {}, {0, 0, 10}, f, pose(kDipoleV), pose(kDipoleV));
    EXPECT_LT(std::abs(end_fire.a[0]), 1e-12 * friis(f, 10));
    // Broadside: both gains 1.5 (Balanis §4.2), amplitude √1.5·√1.5 = 1.5.
    const Path broadside =
        specular_path({0, 0, 0}, {}, {10, 0, 0}, f, pose(kDipoleV), pose(kDipoleV));
    EXPECT_NEAR(broadside.a[0].real(), 1.5 * friis(f, 10), 1e-12 * friis(f, 10));
}

TEST(AntennaField, RolledVerticalAntennaRadiatesHorizontalPolarisation) {
    // Roll by 90° about x turns the local z axis into −y: along +x the field is along +ŷ = φ̂.
    const auto c = antenna_field_global(pose(kIsoV, rotation_zyx(0, 0, kPi / 2)), {1, 0, 0}, 0);
    EXPECT_NEAR(std::abs(c[0]), 0.0, 1e-12);
    EXPECT_NEAR(c[1].real(), 1.0, 1e-12);
    // Yaw only turns the pattern about z: a V antenna stays V in every direction.
    const auto v = antenna_field_global(pose(kIsoV, rotation_zyx(0.7, 0, 0)), {0.3, -0.5, 0.2}, 0);
    EXPECT_NEAR(v[0].real(), 1.0, 1e-12);
    EXPECT_NEAR(std::abs(v[1]), 0.0, 1e-12);
}

TEST(AntennaField, PitchedDipoleHasNullAlongItsAxis) {
    // Pitch by 90° about y turns the dipole axis z into x: null along x, gain 1.5 along y.
    const AntennaPose p = pose(kDipoleV, rotation_zyx(0, kPi / 2, 0));
    const auto along = antenna_field_global(p, {1, 0, 0}, 0);
    EXPECT_LT(std::hypot(std::abs(along[0]), std::abs(along[1])), 1e-12);
    const auto side = antenna_field_global(p, {0, 1, 0}, 0);
    EXPECT_NEAR(std::norm(side[0]) + std::norm(side[1]), 1.5, 1e-12);
}

// Two-ray ground reflection. For a horizontal ground the plane of incidence is vertical, so
// V (θ̂) is TM and H (φ̂) is TE. Working the basis changes through (field.cpp conventions):
// T = diag(r_TM, −r_TE)/L, hence a_VV = λ/(4πL)·r_TM and a_HH = −λ/(4πL)·r_TE — each the LoS
// coefficient of the same polarisation (+λ/4πd, −λ/4πd) times r·d/L, the classical two-ray form.
TEST(TwoRay, GroundReflectionMatchesClosedFormForVAndH) {
    const cdouble ground(15.0, -2.1);
    for (double f : {0.92e9, 3.5e9, 28e9}) {
        for (double grazing_deg : {2.0, 10.0, 30.0, 60.0}) {
            for (double azimuth : {0.0, 1.1}) {
                const double h1 = 2.0, h2 = 1.0;
                const double horizontal = (h1 + h2) / std::tan(deg2rad(grazing_deg));
                const Vec3 dir{std::cos(azimuth), std::sin(azimuth), 0};
                const Vec3 tx{0, 0, h1}, rx = dir * horizontal + Vec3{0, 0, h2};
                const Vec3 p = dir * (horizontal * h1 / (h1 + h2));
                const double len = norm(p - tx) + norm(rx - p);
                const double c = std::sin(deg2rad(grazing_deg));  // cos of incidence from normal
                const double ref = friis(f, len);

                const Path v =
                    specular_path(tx, {ground_hit(p, ground)}, rx, f, pose(kIsoV), pose(kIsoV));
                EXPECT_LT(std::abs(v.a[0] - ref * r_tm(ground, c)), 1e-12 * ref)
                    << f << " " << grazing_deg;
                const Path h =
                    specular_path(tx, {ground_hit(p, ground)}, rx, f, pose(kIsoH), pose(kIsoH));
                EXPECT_LT(std::abs(h.a[0] + ref * r_te(ground, c)), 1e-12 * ref)
                    << f << " " << grazing_deg;
                // No cross-polarisation from a horizontal ground.
                const Path vh =
                    specular_path(tx, {ground_hit(p, ground)}, rx, f, pose(kIsoV), pose(kIsoH));
                EXPECT_LT(std::abs(vh.a[0]), 1e-12 * ref);

                EXPECT_NEAR(v.tau, len / kSpeedOfLight, 1e-20);
                ASSERT_EQ(v.depth(), 1);
                EXPECT_NEAR(v.interactions[0].incidence_angle, deg2rad(90 - grazing_deg), 1e-12);
                EXPECT_LT(std::abs(v.interactions[0].c_tm - r_tm(ground, c)), 1e-12);
                EXPECT_LT(std::abs(v.interactions[0].c_te - r_te(ground, c)), 1e-12);
                // Arrival direction points from the receiver down to the ground point.
                EXPECT_NEAR(norm(direction_from_angles(v.theta_r, v.phi_r) - normalize(p - rx)), 0,
                            1e-12);
            }
        }
    }
}

TEST(TwoRay, VerticalWallSwapsTeAndTmRoles) {
    // Wall x = 10, devices at equal height: the plane of incidence is horizontal, so V (θ̂,
    // vertical) is TE and H is TM; the same derivation gives T = diag(r_TE, −r_TM)/L.
    const cdouble wall(5.24, -0.4);
    const double f = 3.5e9;
    const Vec3 tx{4, 0, 1.5}, rx{6, 8, 1.5}, p{10, 4.8, 1.5};  // mirror-image point on the wall
    const double len = norm(p - tx) + norm(rx - p), ref = friis(f, len);
    const double c = dot(normalize(p - tx), Vec3{1, 0, 0});
    const auto hit = ground_hit(p, wall, {1, 0, 0});  // either normal side works
    const Path v = specular_path(tx, {hit}, rx, f, pose(kIsoV), pose(kIsoV));
    EXPECT_LT(std::abs(v.a[0] - ref * r_te(wall, c)), 1e-12 * ref);
    const Path h = specular_path(tx, {hit}, rx, f, pose(kIsoH), pose(kIsoH));
    EXPECT_LT(std::abs(h.a[0] + ref * r_tm(wall, c)), 1e-12 * ref);
}

TEST(Reflection, MetalPreservesFriisMagnitudeOverTwoBounces) {
    const double f = 3.5e9;
    const cdouble metal(1.0, -1e7 / (kVacuumPermittivity * 2 * kPi * f));
    // Corner: floor z = 0 then wall x = 10. Unfolding both mirrors (tx in the floor, rx in the
    // wall) makes the path the straight line tx′ → rx′; its crossings are the hit points.
    const Vec3 tx{2, 1, 1}, rx{4, 9, 3};
    const Vec3 tx_img{2, 1, -1}, rx_img{16, 9, 3};
    const Vec3 d = rx_img - tx_img;
    const double s_floor = (0 - tx_img.z) / d.z;
    const double s_wall = (10 - tx_img.x) / d.x;
    const Vec3 p1 = tx_img + d * s_floor, p2 = tx_img + d * s_wall;
    ASSERT_GT(p2.z, 0.0);
    ASSERT_LT(s_floor, s_wall);
    const double len = norm(d);
    for (const Antenna* a : {&kIsoV, &kIsoH}) {
        const Path p = specular_path(tx, {ground_hit(p1, metal), ground_hit(p2, metal, {-1, 0, 0})},
                                     rx, f, pose(*a), pose(*a));
        EXPECT_NEAR(p.length, len, 1e-9);
        EXPECT_NEAR(std::abs(p.a[0]), friis(f, len), 2e-3 * friis(f, len));
    }
}

TEST(Reflection, SwappingTxAndRxGivesSameDelayAndCoefficient) {
    // Reciprocity over two bounces on different lossy materials (DESIGN.md §5 validation).
    const double f = 2.4e9;
    const Vec3 tx{2, 1, 1}, rx{4, 9, 3};
    const Vec3 tx_img{2, 1, -1}, rx_img{16, 9, 3};
    const Vec3 d = rx_img - tx_img;
    const Vec3 p1 = tx_img + d * ((0 - tx_img.z) / d.z), p2 = tx_img + d * ((10 - tx_img.x) / d.x);
    const auto floor_hit = ground_hit(p1, {15.0, -2.0});
    const auto wall_hit = ground_hit(p2, {5.24, -0.3}, {1, 0, 0});
    for (const Antenna* a : {&kIsoV, &kIsoH, &kDipoleV}) {
        const Path fwd = specular_path(tx, {floor_hit, wall_hit}, rx, f, pose(*a), pose(*a));
        const Path back = specular_path(rx, {wall_hit, floor_hit}, tx, f, pose(*a), pose(*a));
        EXPECT_DOUBLE_EQ(fwd.tau, back.tau);
        EXPECT_LT(std::abs(fwd.a[0] - back.a[0]), 1e-12 * std::abs(fwd.a[0]));
    }
}

TEST(Reflection, ScatteringCoefficientScalesSpecularFieldBySqrtOneMinusS2) {
    const cdouble ground(15.0, -2.1);
    const double f = 3.5e9, s = 0.6;
    const Vec3 tx{0, 0, 2}, rx{20, 0, 1}, p{40.0 / 3.0, 0, 0};
    HitGeometry rough = ground_hit(p, ground);
    rough.scattering_coefficient = s;
    const Path smooth_path =
        specular_path(tx, {ground_hit(p, ground)}, rx, f, pose(kIsoV), pose(kIsoV));
    const Path rough_path = specular_path(tx, {rough}, rx, f, pose(kIsoV), pose(kIsoV));
    EXPECT_LT(std::abs(rough_path.a[0] - std::sqrt(1 - s * s) * smooth_path.a[0]),
              1e-12 * std::abs(smooth_path.a[0]));
    EXPECT_EQ(rough_path.interactions[0].c_tm,
              smooth_path.interactions[0].c_tm);  // record is plain Fresnel
}

TEST(Transmission, ThinSlabAtObliqueIncidenceScalesByItuTransmissionCoefficient) {
    // Wall x = 5, devices at equal height: V is TE for the wall; T_TE from P.2040 eq. 43b.
    const double f = 5.8e9, lambda = wavelength(f), thick = 0.12;
    const cdouble eta(6.31, -0.2);
    const Vec3 tx{0, 0, 1}, rx{10, 4, 1};
    const Vec3 p{5, 2, 1};
    const double c = dot(normalize(rx - tx), Vec3{1, 0, 0});
    const cdouble r = r_te(eta, c);
    const cdouble q = 2 * kPi * thick / lambda * std::sqrt(eta - (1 - c * c));
    const cdouble j(0, 1);
    const cdouble t_expected =
        (1.0 - r * r) * std::exp(-j * q) / (1.0 - r * r * std::exp(-2.0 * j * q));
    HitGeometry hit = ground_hit(p, eta, {-1, 0, 0});
    hit.type = InteractionType::Transmission;
    hit.slab = true;
    hit.thickness = thick;
    const Path path = specular_path(tx, {hit}, rx, f, pose(kIsoV), pose(kIsoV));
    const double ref = friis(f, norm(rx - tx));
    EXPECT_LT(std::abs(path.a[0] - ref * t_expected), 1e-12 * ref);
    EXPECT_LT(std::abs(path.interactions[0].c_te - t_expected), 1e-12);
}

TEST(SpecularPath, CrossPolarisedAntennaFillsAllFourPortPairs) {
    const Antenna cross(PatternKind::Isotropic, Polarization::Cross);
    const double f = 3.5e9;
    const Path p = specular_path({0, 0, 1}, {}, {10, 0, 1}, f, pose(cross), pose(cross));
    // Ports ±45°: field (cos ζ, sin ζ); free space diag(1, −1): a = cosζ_r cosζ_t − sinζ_r sinζ_t.
    const double ref = friis(f, 10);
    EXPECT_NEAR(p.coefficient(0, 0).real(), 0.0, 1e-12 * ref);  // cos(45+45)
    EXPECT_NEAR(p.coefficient(0, 1).real(), ref, 1e-12 * ref);  // cos(45−45)
    EXPECT_NEAR(p.coefficient(1, 0).real(), ref, 1e-12 * ref);
    EXPECT_NEAR(p.coefficient(1, 1).real(), 0.0, 1e-12 * ref);
}

TEST(SpecularPath, RejectsDiffuseHitsAndDegenerateSegments) {
    HitGeometry h = ground_hit({5, 0, 0}, {4, 0});
    h.type = InteractionType::Diffuse;
    EXPECT_THROW(specular_path({0, 0, 1}, {h}, {10, 0, 1}, 3.5e9, pose(kIsoV), pose(kIsoV)), Error);
    EXPECT_THROW(specular_path({0, 0, 1}, {}, {0, 0, 1}, 3.5e9, pose(kIsoV), pose(kIsoV)), Error);
    EXPECT_THROW(specular_path({0, 0, 1}, {}, {1, 0, 1}, -1.0, pose(kIsoV), pose(kIsoV)), Error);
}

}  // namespace
}  // namespace radiofield::rt
