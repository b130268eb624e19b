// Spectrum conventions (docs/conventions.md): the phase-only Bartlett amplitude of NeRF2's
// generator against values computed by hand, the power of the complex element signals, and
// the measurement noise on the element signals.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/spectrum.hpp"

namespace radiofield::rt {
namespace {

constexpr double kFrequency = 915e6;
using cd = std::complex<double>;

// A 2 x 2 array at λ/2; one-cell grids so each spectrum is the value at one direction.
const VirtualArray kArray{2, 2, 0.0};
const SpectrumGrid kZenith{1, 1, 90.0, 0.0, 1.0};  // el 90°: u·d_k = 0 for every element

std::vector<cd> signals(const std::vector<double>& magnitude, const std::vector<double>& phase) {
    std::vector<cd> x;
    for (std::size_t k = 0; k < phase.size(); ++k)
        x.push_back(std::polar(magnitude[k], phase[k]));
    return x;
}

TEST(SpectrumConventions, Nerf2AmplitudeAtZenithEqualsTheHandValue) {
    const BartlettBeamformer bf(kZenith, kArray, kFrequency);
    // Phases 0, π/2, π, π/2: Σ e^{jφ_k} = 1 + j − 1 + j = 2j, so A = |2j| / 4 = 0.5, whatever
    // the magnitudes (phase-only); the power of the complex signals does see them.
    const std::vector<double> phase{0, kPi / 2, kPi, kPi / 2};
    const auto unit = signals({1, 1, 1, 1}, phase);
    const auto uneven = signals({2, 1, 1, 1}, phase);
    EXPECT_NEAR(bf.phase_only_amplitude(unit)[0], 0.5, 1e-6);
    EXPECT_NEAR(bf.phase_only_amplitude(uneven)[0], 0.5, 1e-6);
    // Unit magnitudes: P = |Σ x_k|² / K² = |2j|² / 16 = 0.25 = A².
    EXPECT_NEAR(bf.power(unit)[0], 0.25, 1e-6);
    // Magnitudes 2, 1, 1, 1: |2 + j − 1 + j|² / 16 = |1 + 2j|² / 16 = 5/16, while A stays 0.5.
    EXPECT_NEAR(bf.power(uneven)[0], 5.0 / 16.0, 1e-6);
}

TEST(SpectrumConventions, Nerf2AmplitudeOffZenithFollowsGenSpectrumFormula) {
    // el 30°, az 100°: A = |Σ_k e^{j(φ_k − k0·uᵀd_k)}| / K (NeRF2's |Σ e^{j(θ_k − φ'_k)}|/K
    // with θ_k = −k0·uᵀd_k and φ'_k = −φ_k), d_k = ((c − ½)·λ/2, (r − ½)·λ/2, 0).
    const SpectrumGrid grid{1, 1, 30.0, 100.0, 1.0};
    const BartlettBeamformer bf(grid, kArray, kFrequency);
    const std::vector<double> phase{0.3, -1.2, 2.5, 0.9};
    const double lambda = wavelength(kFrequency), s = lambda / 2, k0 = 2 * kPi / lambda;
    const double el = deg2rad(30.0), az = deg2rad(100.0);
    cd sum = 0;
    for (int r = 0; r < 2; ++r) {
        for (int c = 0; c < 2; ++c) {
            const double ud = std::cos(el) * std::cos(az) * (c - 0.5) * s +
                              std::cos(el) * std::sin(az) * (r - 0.5) * s;
            sum += std::polar(1.0, phase[r * 2 + c] - k0 * ud);
        }
    }
    const auto x = signals({0.5, 3, 1, 2}, phase);
    EXPECT_NEAR(bf.phase_only_amplitude(x)[0], std::abs(sum) / 4, 1e-6);
    // With unit magnitudes the power is the square of that amplitude (both over K, K²).
    EXPECT_NEAR(bf.power(signals({1, 1, 1, 1}, phase))[0], std::norm(sum) / 16, 1e-6);
}

TEST(SpectrumConventions, ASinglePathPeaksAtItsDirectionInBothConventions) {
    const SpectrumGrid grid;
    const BartlettBeamformer bf(grid, VirtualArray{4, 4, 0.16}, kFrequency);
    const double el = deg2rad(40.0), az = deg2rad(123.0);
    Path p;
    angles_from_direction({std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)},
                          p.theta_r, p.phi_r);
    p.a[0] = {1e-3, 2e-4};
    Paths paths;
    paths.frequency_hz = kFrequency;
    paths.paths = {p};
    const auto x = bf.element_signals(paths, Mat3{});
    const auto amp = bf.phase_only_amplitude(x), pow = bf.power(x);
    const std::size_t expected = static_cast<std::size_t>(39 * 360 + 122);
    EXPECT_EQ(std::max_element(amp.begin(), amp.end()) - amp.begin(), expected);
    EXPECT_EQ(std::max_element(pow.begin(), pow.end()) - pow.begin(), expected);
    EXPECT_NEAR(amp[expected], 1.0, 1e-5);  // all phases aligned: |Σ 1| / K
    EXPECT_EQ(bf.spectrum(paths, Mat3{}), pow);
}

TEST(ElementNoise, OffReproducesTheCleanSignalsExactly) {
    const auto clean = signals({1, 2, 3, 4}, {0.1, 0.2, 0.3, 0.4});
    auto x = clean;
    add_element_noise(x, ElementNoise{0.0, std::numeric_limits<double>::infinity(), 7}, 3);
    EXPECT_EQ(x, clean);
    const BartlettBeamformer bf(SpectrumGrid{}, kArray, kFrequency);
    EXPECT_EQ(bf.power(x), bf.power(clean));
    EXPECT_EQ(bf.phase_only_amplitude(x), bf.phase_only_amplitude(clean));
}

TEST(ElementNoise, IsDeterministicForASeedAndDiffersAcrossSeedsAndStreams) {
    const auto clean = signals({1, 2, 3, 4}, {0.1, 0.2, 0.3, 0.4});
    for (const ElementNoise noise : {ElementNoise{0.2, std::numeric_limits<double>::infinity(), 1},
                                     ElementNoise{0.0, 10.0, 1}, ElementNoise{0.1, 20.0, 1}}) {
        auto a = clean, b = clean, c = clean, d = clean;
        add_element_noise(a, noise, 5);
        add_element_noise(b, noise, 5);
        ElementNoise other = noise;
        other.seed = 2;
        add_element_noise(c, other, 5);
        add_element_noise(d, noise, 6);
        EXPECT_EQ(a, b);
        EXPECT_NE(a, clean);
        EXPECT_NE(a, c);
        EXPECT_NE(a, d);
    }
}

TEST(ElementNoise, PhaseNoiseKeepsMagnitudesAndSnrSetsTheNoisePower) {
    const auto clean = signals({1, 2, 3, 4}, {0.1, 0.2, 0.3, 0.4});
    auto x = clean;
    add_element_noise(x, ElementNoise{0.5, std::numeric_limits<double>::infinity(), 3}, 0);
    for (std::size_t k = 0; k < x.size(); ++k)
        EXPECT_NEAR(std::abs(x[k]), std::abs(clean[k]), 1e-12);
    // Receiver noise at 0 dB over many elements: noise power ≈ mean element power.
    std::vector<cd> ones(20000, cd(1, 0));
    auto noisy = ones;
    add_element_noise(noisy, ElementNoise{0.0, 0.0, 9}, 0);
    double p = 0;
    for (std::size_t k = 0; k < ones.size(); ++k)
        p += std::norm(noisy[k] - ones[k]);
    EXPECT_NEAR(p / static_cast<double>(ones.size()), 1.0, 0.05);
    EXPECT_THROW((ElementNoise{-0.1, 10.0, 0}.validate()), Error);
}

}  // namespace
}  // namespace radiofield::rt
