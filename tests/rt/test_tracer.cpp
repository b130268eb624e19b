// Tracer against closed forms: free-space LoS and the two-ray ground reflection.

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/tracer.hpp"
#include "rt_test_scenes.hpp"

namespace radiofield::rt {
namespace {

using testing::add_ground;
using testing::add_wall_x;
using testing::device_at;
using cd = std::complex<double>;

TEST(Tracer, FreeSpaceLosEqualsFriisAmplitudeAndDelay) {
    scene::Scene s;
    const auto m = s.add_material(scene::itu_material("metal"));
    scene::Mesh tiny;  // a far-away 1 mm triangle: the scene is otherwise empty
    tiny.name = "speck";
    tiny.vertices = {{1000, 1000, 1000}, {1000.001, 1000, 1000}, {1000, 1000.001, 1000}};
    tiny.triangles = {{0, 1, 2}};
    tiny.material = {m};
    s.meshes.push_back(tiny);
    const double f = 3.5e9, lambda = wavelength(f);
    const Tracer tracer(s, f);
    TraceOptions o;
    o.samples_per_source = 1000;
    const Paths p = tracer.compute(device_at({0, 0, 0}), device_at({3, 4, 12}), o);
    ASSERT_EQ(p.paths.size(), 1u);
    EXPECT_TRUE(p.paths[0].is_los());
    EXPECT_NEAR(std::abs(p.paths[0].coefficient()), lambda / (4 * kPi * 13.0), 1e-15);
    EXPECT_NEAR(p.paths[0].tau, 13.0 / kSpeedOfLight, 1e-20);
}

// ITU-R P.2040 η = ε_r − jσ/(ε₀ω), written out here so the test does not reuse the library.
cd eta_of(double a, double c, double d, double f_hz) {
    const double f_ghz = f_hz / 1e9;
    const double sigma = c * std::pow(f_ghz, d);
    return {a, -sigma / (kVacuumPermittivity * 2 * kPi * f_hz)};
}

struct TwoRayCase {
    const char* material;
    double a, c, d;  // P.2040 Table 3 (b = 0 for these)
};

TEST(Tracer, TwoRayGroundReflectionMatchesClosedFormForVAndH) {
    const TwoRayCase cases[] = {{"concrete", 5.24, 0.0462, 0.7822},
                                {"very_dry_ground", 3.0, 0.00015, 2.52},
                                {"metal", 1.0, 1e7, 0.0}};
    const double h_tx = 2.0, h_rx = 1.5;
    for (const auto& c : cases) {
        scene::Scene s;
        add_ground(s, 2000, 0, s.add_material(scene::itu_material(c.material)));
        for (double f : {2e9, 5e9, 9e9}) {
            const Tracer tracer(s, f);
            const cd eta = eta_of(c.a, c.c, c.d, f);
            for (double grazing_deg : {2.0, 10.0, 30.0, 60.0}) {
                const double psi = deg2rad(grazing_deg);
                const double dist = (h_tx + h_rx) / std::tan(psi);
                const double los = std::hypot(dist, h_tx - h_rx);
                const double unfolded = std::hypot(dist, h_tx + h_rx);
                // Incidence angle θ from the normal: cos θ = sin ψ.
                const double cos_t = std::sin(psi), sin2 = 1 - cos_t * cos_t;
                const cd A = std::sqrt(eta - sin2);
                const cd r_te = (cos_t - A) / (cos_t + A);
                const cd r_tm = (eta * cos_t - A) / (eta * cos_t + A);
                for (auto pol : {scene::Polarization::V, scene::Polarization::H}) {
                    SCOPED_TRACE(::testing::Message()
                                 << c.material << " f=" << f / 1e9 << " GHz psi=" << grazing_deg
                                 << " pol=" << (pol == scene::Polarization::V ? "V" : "H"));
                    TraceOptions o;
                    o.max_depth = 1;
                    o.samples_per_source = 20'000;
                    const Paths p = tracer.compute(device_at({0, 0.3, h_tx}, pol),
                                                   device_at({dist, 0.3, h_rx}, pol), o);
                    ASSERT_EQ(p.paths.size(), 2u);  // LoS + exactly one reflection
                    const Path& direct = p.paths[0];
                    const Path& refl = p.paths[1];
                    ASSERT_TRUE(direct.is_los());
                    ASSERT_EQ(refl.depth(), 1);
                    const double lambda = wavelength(f);
                    const cd r = pol == scene::Polarization::V
                                     ? r_tm
                                     : r_te;  // V lies in the plane of incidence
                    EXPECT_NEAR(std::abs(refl.coefficient()),
                                lambda / (4 * kPi * unfolded) * std::abs(r), 1e-12 * lambda);
                    // Ratio to the LoS coefficient cancels the basis convention at the ends.
                    const cd ratio = refl.coefficient() / direct.coefficient();
                    const cd expected = r * (los / unfolded);
                    EXPECT_NEAR(ratio.real(), expected.real(), 1e-9);
                    EXPECT_NEAR(ratio.imag(), expected.imag(), 1e-9);
                    EXPECT_NEAR(refl.tau, unfolded / kSpeedOfLight, 1e-18);
                    EXPECT_NEAR(refl.interactions[0].point.z, 0.0, 1e-12);
                }
            }
        }
    }
}

TEST(Tracer, ReflectionOnTheSharedDiagonalOfTwoGroundTrianglesIsKeptOnce) {
    scene::Scene s;
    add_ground(s, 100, 0, s.add_material(scene::itu_material("concrete")));
    const Tracer tracer(s, 3e9);
    TraceOptions o;
    o.max_depth = 1;
    o.samples_per_source = 20'000;
    // Symmetric about the origin: the reflection point is (0, 0, 0), on the split y = x.
    const Paths p = tracer.compute(device_at({-7, -7, 2}), device_at({7, 7, 2}), o);
    ASSERT_EQ(p.paths.size(), 2u);
    EXPECT_EQ(p.paths[1].depth(), 1);
    EXPECT_NEAR(norm(p.paths[1].interactions[0].point), 0.0, 1e-12);
}

TEST(Tracer, WallBlocksLosAndTransmissionCrossesItInAStraightLine) {
    scene::Scene s;
    add_wall_x(s, 0, -10, 10, -10, 10, s.add_material(scene::itu_material("brick")));
    const Tracer tracer(s, 2.4e9);
    TraceOptions o;
    o.max_depth = 1;
    o.samples_per_source = 10'000;
    const auto tx = device_at({-3, 0.2, 1}), rx = device_at({4, -0.5, 1.3});
    EXPECT_TRUE(tracer.compute(tx, rx, o).paths.empty());  // the wall reflects nothing back here
    o.transmission = true;
    const Paths p = tracer.compute(tx, rx, o);
    ASSERT_EQ(p.paths.size(), 1u);
    const Path& t = p.paths[0];
    ASSERT_EQ(t.depth(), 1);
    EXPECT_EQ(t.interactions[0].type, InteractionType::Transmission);
    const Vec3 expect = tx.position + (rx.position - tx.position) * (3.0 / 7.0);
    EXPECT_NEAR(norm(t.interactions[0].point - expect), 0.0, 1e-12);
    EXPECT_NEAR(t.length, norm(rx.position - tx.position), 1e-12);
    EXPECT_LT(std::abs(t.coefficient()), wavelength(2.4e9) / (4 * kPi * t.length));
}

TEST(Tracer, RejectsBadOptionsAndFrequenciesWithClearErrors) {
    scene::Scene s = testing::box_room();
    EXPECT_THROW(Tracer(s, 0.0), Error);
    EXPECT_THROW(Tracer(s, 500e9), Error);  // concrete is defined up to 100 GHz
    EXPECT_NO_THROW(Tracer(s, 500e9, scene::Extrapolation::Warn));
    const Tracer tracer(s, 3e9);
    TraceOptions o;
    o.max_depth = kMaxTraceDepth + 1;
    EXPECT_THROW(tracer.compute(device_at({1, 1, 1}), device_at({2, 2, 2}), o), Error);
    o.max_depth = 2;
    o.samples_per_source = 0;
    EXPECT_THROW(tracer.compute(device_at({1, 1, 1}), device_at({2, 2, 2}), o), Error);
    o.samples_per_source = 100;
    o.diffuse = true;  // diffuse scattering is available (tests in test_diffuse.cpp)
    EXPECT_NO_THROW(tracer.compute(device_at({1, 1, 1}), device_at({2, 2, 2}), o));
}

}  // namespace
}  // namespace radiofield::rt
