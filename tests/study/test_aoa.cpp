// The downstream AoA error: strongest direction of prediction vs truth, great-circle angle.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "radiofield/study/aoa.hpp"

namespace radiofield::study {
namespace {

data::SpectrumGrid grid() {
    data::SpectrumGrid g;
    g.n_el = 90, g.n_az = 360, g.el0_deg = 1, g.az0_deg = 0, g.step_deg = 1;
    return g;
}

std::vector<float> peak_at(int row, int col) {
    const auto g = grid();
    std::vector<float> s(g.size(), 0.1f);
    s[static_cast<std::size_t>(row * g.n_az + col)] = 1.0f;
    return s;
}

TEST(StudyAoa, ErrorIsZeroForAPredictionEqualToTheTruth) {
    const auto t = peak_at(20, 123);
    EXPECT_EQ(aoa_error_deg(t, t, grid()), 0.0);
}

TEST(StudyAoa, ShiftedPeakGivesTheHandComputedGreatCircleAngle) {
    // Truth at el 1°, az 0°; prediction at el 1°, az 90°. Unit vectors (cos1, 0, sin1) and
    // (0, cos1, sin1): cos θ = sin²1°, θ = acos(sin² 1°) = 89.9825...°.
    const double s1 = std::sin(std::numbers::pi / 180);
    const double expected = std::acos(s1 * s1) * 180 / std::numbers::pi;
    EXPECT_NEAR(aoa_error_deg(peak_at(0, 90), peak_at(0, 0), grid()), expected, 1e-9);
    // Along one azimuth, elevations 11° and 41°: exactly 30°.
    EXPECT_NEAR(aoa_error_deg(peak_at(10, 200), peak_at(40, 200), grid()), 30.0, 1e-9);
    // Across the azimuth seam: 359° and 1° at the horizon-ish row 0 are 2·cos(1°)-ish apart.
    const double seam = aoa_error_deg(peak_at(0, 359), peak_at(0, 1), grid());
    EXPECT_NEAR(seam, 2.0, 0.01);
}

TEST(StudyAoa, PeakDirectionReadsTheGrid) {
    const Direction d = peak_direction(peak_at(5, 7), grid());
    EXPECT_EQ(d.elevation_deg, 6.0);
    EXPECT_EQ(d.azimuth_deg, 7.0);
}

}  // namespace
}  // namespace radiofield::study
