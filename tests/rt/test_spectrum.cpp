// Spatial spectra: Bartlett beamforming of a virtual planar array and binned ideal power.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/spectrum.hpp"

namespace radiofield::rt {
namespace {

constexpr double kFrequency = 920e6;

// One path arriving at the receiver from local direction (el, az) of a station rotated by R.
Path path_from(double el_deg,
               double az_deg,
               const Mat3& rotation,
               std::complex<double> a,
               double tau = 20e-9) {
    const double el = deg2rad(el_deg), az = deg2rad(az_deg);
    const Vec3 local{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
    Path p;
    angles_from_direction(rotation * local, p.theta_r, p.phi_r);
    p.a[0] = a;
    p.tau = tau;
    return p;
}

Paths paths_of(std::initializer_list<Path> list) {
    Paths ps;
    ps.frequency_hz = kFrequency;
    ps.paths = list;
    return ps;
}

std::size_t argmax(const std::vector<float>& v) {
    return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

std::size_t cell(const SpectrumGrid& g, double el_deg, double az_deg) {
    return static_cast<std::size_t>(std::lround((el_deg - g.el0_deg) / g.step_deg)) * g.n_az +
           static_cast<std::size_t>(std::lround((az_deg - g.az0_deg) / g.step_deg));
}

const Mat3 kTilted = rotation_zyx(0.4, -0.3, 0.2);

TEST(Bartlett, SinglePathPeaksAtItsCellWithItsPower) {
    const SpectrumGrid grid;
    const VirtualArray array;
    const BartlettBeamformer bf(grid, array, kFrequency);
    for (const Mat3& rot : {Mat3{}, kTilted}) {
        for (auto [el, az] : {std::pair{30.0, 45.0}, {60.0, 200.0}, {10.0, 300.0}}) {
            const std::complex<double> a(3e-4, -1e-4);
            const auto s = bf.spectrum(paths_of({path_from(el, az, rot, a)}), rot);
            ASSERT_EQ(s.size(), 32400u);
            EXPECT_EQ(argmax(s), cell(grid, el, az)) << el << " " << az;
            EXPECT_NEAR(s[cell(grid, el, az)], std::norm(a), 1e-5 * std::norm(a));
        }
    }
}

TEST(Bartlett, TwoPathsInterfereWithTheirPropagationPhases) {
    // Two paths from the same direction whose delays differ by half a period cancel.
    const SpectrumGrid grid;
    const BartlettBeamformer bf(grid, {}, kFrequency);
    const double half_period = 0.5 / kFrequency;
    const auto s = bf.spectrum(paths_of({path_from(40, 90, {}, 1e-3, 10e-9),
                                         path_from(40, 90, {}, 1e-3, 10e-9 + half_period)}),
                               {});
    EXPECT_LT(s[cell(grid, 40, 90)], 1e-6 * 1e-6);
}

TEST(Bartlett, PathBelowArrayPlaneAppearsAtMirroredElevation) {
    const SpectrumGrid grid;
    const BartlettBeamformer bf(grid, {}, kFrequency);
    const auto below = bf.spectrum(paths_of({path_from(-25, 120, kTilted, 1e-3)}), kTilted);
    const auto above = bf.spectrum(paths_of({path_from(25, 120, kTilted, 1e-3)}), kTilted);
    EXPECT_EQ(argmax(below), cell(grid, 25, 120));
    for (std::size_t c = 0; c < below.size(); c += 97)
        EXPECT_NEAR(below[c], above[c], 1e-5 * 1e-6);
}

TEST(Bartlett, OneShotFunctionMatchesCachedBeamformer) {
    const SpectrumGrid grid{.n_el = 9, .n_az = 36, .el0_deg = 5, .az0_deg = 5, .step_deg = 10};
    VirtualArray array;
    array.spacing_m = 0.16;  // NeRF2 RFID array pitch
    const Paths ps = paths_of({path_from(35, 65, {}, 1e-3), path_from(75, 255, {}, 5e-4, 31e-9)});
    const auto a = bartlett_spectrum(ps, grid, array, {});
    const auto b = BartlettBeamformer(grid, array, kFrequency).spectrum(ps, {});
    ASSERT_EQ(a.size(), 324u);
    EXPECT_EQ(a, b);
    EXPECT_THROW(BartlettBeamformer(grid, array, 2.4e9).spectrum(ps, {}), Error);
}

TEST(Bartlett, FullGridSpectrumOfManyPathsIsFast) {
#ifndef NDEBUG
    GTEST_SKIP() << "timing is only meaningful in optimised builds";
#endif
    const BartlettBeamformer bf(SpectrumGrid{}, {}, kFrequency);
    Paths ps;
    ps.frequency_hz = kFrequency;
    for (int i = 0; i < 50; ++i)
        ps.paths.push_back(path_from(5 + i, 7 * i, {}, 1e-4, 1e-8 * i));
    const auto t0 = std::chrono::steady_clock::now();
    for (int rep = 0; rep < 20; ++rep)
        (void)bf.spectrum(ps, {});
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        20;
    EXPECT_LT(ms, 50.0) << "one 360x90 spectrum took " << ms << " ms";
}

TEST(Binned, ConservesTotalPowerAndPeaksAtPathCell) {
    const SpectrumGrid grid;
    const std::complex<double> a1(2e-4, 1e-4), a2(-5e-5, 0);
    const Paths ps = paths_of({path_from(45, 100, kTilted, a1), path_from(20, 310, kTilted, a2)});
    const auto s = binned_spectrum(ps, grid, 2.0, kTilted);
    const double total = std::accumulate(s.begin(), s.end(), 0.0);
    const double expected = std::norm(a1) + std::norm(a2);
    EXPECT_NEAR(total, expected, 1e-6 * expected);
    EXPECT_EQ(argmax(s), cell(grid, 45, 100));
    // The weaker path is a local maximum at its own cell.
    const std::size_t c2 = cell(grid, 20, 310);
    EXPECT_GT(s[c2], s[c2 + 1]);
    EXPECT_GT(s[c2], s[c2 - 1]);
    EXPECT_GT(s[c2], s[c2 + grid.n_az]);
    EXPECT_GT(s[c2], s[c2 - grid.n_az]);
}

TEST(Binned, PathBelowArrayPlaneIsMirroredLikeBartlett) {
    const SpectrumGrid grid;
    const auto s = binned_spectrum(paths_of({path_from(-30, 60, {}, 1e-3)}), grid, 1.5, {});
    EXPECT_EQ(argmax(s), cell(grid, 30, 60));
}

TEST(Spectrum, RejectsBadGridAndPorts) {
    SpectrumGrid bad;
    bad.step_deg = 0;
    EXPECT_THROW(BartlettBeamformer(bad, {}, kFrequency), Error);
    const Paths ps = paths_of({path_from(30, 30, {}, 1e-3)});
    EXPECT_THROW(binned_spectrum(ps, {}, 2.0, {}, 1, 0), Error);
    EXPECT_THROW(binned_spectrum(ps, {}, 0.0, {}), Error);
}

}  // namespace
}  // namespace radiofield::rt
