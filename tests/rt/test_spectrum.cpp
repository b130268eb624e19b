// Spatial spectra: Bartlett beamforming of a virtual planar array and binned ideal power.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <tuple>
#include <vector>

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

// binned_spectrum weighs only the cells near each arrival; a plain scan of every cell of the
// grid with the same Gaussian kernel must give the same spectrum: at the poles, across azimuth
// 0/360, for a grid that spans part of the sphere and for a kernel wider than the grid.
TEST(Binned, EqualsAFullScanOfTheGridEverywhere) {
    const auto reference = [](const std::vector<std::tuple<double, double, double>>& arrivals,
                              const SpectrumGrid& grid, double kernel_deg) {
        std::vector<double> out(grid.size(), 0.0), w(grid.size());
        const double sigma = deg2rad(kernel_deg), cut = std::cos(std::min(4 * sigma, kPi));
        for (const auto& [el_deg, az_deg, power] : arrivals) {
            const double el = deg2rad(el_deg), az = deg2rad(az_deg);
            const Vec3 u{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
            double total = 0;
            for (int r = 0; r < grid.n_el; ++r) {
                for (int c = 0; c < grid.n_az; ++c) {
                    const auto k = static_cast<std::size_t>(r) * grid.n_az + c;
                    const double cos_g = std::clamp(dot(u, grid.local_direction(r, c)), -1.0, 1.0);
                    const double g = std::acos(cos_g);
                    w[k] = cos_g >= cut ? std::exp(-g * g / (2 * sigma * sigma)) : 0.0;
                    total += w[k];
                }
            }
            for (std::size_t k = 0; total > 0 && k < w.size(); ++k)
                out[k] += power * w[k] / total;
        }
        return out;
    };
    SpectrumGrid part;  // 40° × 100° around azimuth 0/360, half-degree cells
    part.n_el = 80, part.n_az = 200, part.el0_deg = 20, part.az0_deg = -50, part.step_deg = 0.5;
    const std::vector<std::tuple<double, double, double>> arrivals = {
        {0.2, 0.4, 1e-6},    {89.7, 123.0, 2e-6}, {90.0, 0.0, 1e-6},    {45.0, 359.6, 3e-6},
        {30.0, 0.3, 5e-7},   {60.0, 180.0, 1e-6}, {12.5, 271.25, 4e-6}, {85.0, 359.9, 1e-6},
        {35.0, -49.8, 2e-6}, {59.9, 49.7, 1e-6},  {5.0, 200.0, 1e-6}};
    Paths ps;
    ps.frequency_hz = kFrequency;
    for (const auto& [el, az, power] : arrivals)
        ps.paths.push_back(path_from(el, az, {}, std::sqrt(power)));
    int compared = 0;
    for (const SpectrumGrid& grid : {SpectrumGrid{}, part}) {
        for (const double kernel : {0.7, 2.1, 14.3, 60.0}) {  // no cell exactly at 4σ
            const auto s = binned_spectrum(ps, grid, kernel, {});
            const auto ref = reference(arrivals, grid, kernel);
            ASSERT_EQ(s.size(), ref.size());
            const double peak = *std::max_element(ref.begin(), ref.end());
            ASSERT_GT(peak, 0.0);
            for (std::size_t k = 0; k < s.size(); ++k) {
                ASSERT_NEAR(s[k], ref[k], 1e-5 * peak)
                    << "cell " << k << " of a " << grid.n_el << "x" << grid.n_az << " grid, kernel "
                    << kernel << "°";
                compared += ref[k] > 0;
            }
        }
    }
    EXPECT_GT(compared, 50000);  // most of it lit by the wide kernels
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
