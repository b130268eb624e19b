// CIR, taps and CFR (Sionna conventions) against single- and two-path closed forms.

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/channel.hpp"

namespace radiofield::rt {
namespace {

const std::complex<double> kJ(0.0, 1.0);

Paths make_paths(double frequency_hz, std::initializer_list<std::pair<cdouble, double>> a_tau) {
    Paths ps;
    ps.frequency_hz = frequency_hz;
    for (const auto& [a, tau] : a_tau) {
        Path p;
        p.a[0] = a;
        p.tau = tau;
        p.length = tau * kSpeedOfLight;
        ps.paths.push_back(p);
    }
    return ps;
}

TEST(Cir, BasebandCoefficientCarriesCarrierPhaseOfDelay) {
    const double fc = 3.5e9, tau = 37.3e-9;
    const cdouble a(0.3, -0.1);
    const Paths ps = make_paths(fc, {{a, tau}});
    const Cir bb = cir(ps);
    ASSERT_EQ(bb.a.size(), 1u);
    EXPECT_LT(std::abs(bb.a[0] - a * std::exp(-kJ * (2 * kPi * fc * tau))), 1e-15);
    EXPECT_EQ(bb.tau[0], tau);
    ChannelOptions raw;
    raw.baseband = false;
    EXPECT_EQ(cir(ps, raw).a[0], a);
}

TEST(Cir, NormalizedDelaysStartAtZeroButKeepTruePhases) {
    const double fc = 2.4e9;
    const Paths ps = make_paths(fc, {{1.0, 50e-9}, {0.5, 80e-9}});
    ChannelOptions o;
    o.normalize_delays = true;
    const Cir c = cir(ps, o);
    EXPECT_DOUBLE_EQ(c.tau[0], 0.0);
    EXPECT_NEAR(c.tau[1], 30e-9, 1e-20);
    EXPECT_LT(std::abs(c.a[1] - 0.5 * std::exp(-kJ * (2 * kPi * fc * 80e-9))), 1e-15);
}

TEST(Cfr, SinglePathIsPhaseRampOfItsDelay) {
    const double fc = 3.5e9, tau = 12.5e-9;
    const cdouble a(0.02, 0.01);
    const Paths ps = make_paths(fc, {{a, tau}});
    const std::vector<double> df = {-10e6, 0.0, 2.5e6, 40e6};
    const auto h = cfr(ps, df);
    for (std::size_t k = 0; k < df.size(); ++k) {
        EXPECT_LT(std::abs(h[k] - a * std::exp(-kJ * (2 * kPi * (fc + df[k]) * tau))),
                  1e-13 * std::abs(a));
    }
    ChannelOptions absolute;
    absolute.baseband = false;
    const auto h_abs = cfr(ps, {fc + 2.5e6}, absolute);
    EXPECT_LT(std::abs(h_abs[0] - h[2]), 1e-13 * std::abs(a));
}

TEST(Cfr, TwoPathsFadeWithDelaySpreadPeriod) {
    // |H(f)|² = |a1|² + |a2|² + 2|a1||a2|cos(2πfΔτ + ∠a2 − ∠a1 ...): notch depth |a1| − |a2|.
    const double fc = 1e9, dtau = 100e-9;
    const Paths ps = make_paths(fc, {{1.0, 0.0}, {0.6, dtau}});
    ChannelOptions absolute;
    absolute.baseband = false;
    const double f_peak = 10 / dtau, f_notch = 10.5 / dtau;
    EXPECT_NEAR(std::abs(cfr(ps, {f_peak}, absolute)[0]), 1.6, 1e-12);
    EXPECT_NEAR(std::abs(cfr(ps, {f_notch}, absolute)[0]), 0.4, 1e-12);
}

TEST(Taps, PathAtIntegerDelayFillsExactlyOneTap) {
    const double fc = 3.5e9, w = 20e6;
    const int n = 7;
    const cdouble a(0.1, 0.2);
    const Paths ps = make_paths(fc, {{a, n / w}});
    const auto h = taps(ps, w, -5, 20);
    ASSERT_EQ(h.size(), 26u);
    const cdouble a_b = a * std::exp(-kJ * (2 * kPi * fc * n / w));
    for (int l = -5; l <= 20; ++l) {
        const cdouble expected = l == n ? a_b : cdouble(0.0);
        EXPECT_LT(std::abs(h[static_cast<std::size_t>(l + 5)] - expected), 1e-12 * std::abs(a))
            << l;
    }
}

TEST(Taps, FractionalDelayKeepsPowerLikeParseval) {
    // Σ_ℓ sinc²(ℓ − x) = 1 for every x, so Σ|h_ℓ|² → |a|² as the tap window widens
    // (the tail beyond ±N holds about 2/(π²N) of the power).
    const double w = 10e6;
    const cdouble a(0.3, -0.4);
    const Paths ps = make_paths(2.4e9, {{a, 3.37 / w}});
    const auto h = taps(ps, w, -2000, 2000);
    double energy = 0;
    for (const auto& v : h)
        energy += std::norm(v);
    EXPECT_NEAR(energy, std::norm(a), 2e-4 * std::norm(a));
    // And the strongest tap is the nearest integer delay.
    std::size_t best = 0;
    for (std::size_t i = 0; i < h.size(); ++i)
        if (std::abs(h[i]) > std::abs(h[best]))
            best = i;
    EXPECT_EQ(static_cast<int>(best) - 2000, 3);
}

TEST(Taps, SincIsNormalised) {
    EXPECT_DOUBLE_EQ(sinc(0.0), 1.0);
    EXPECT_NEAR(sinc(0.5), 2 / kPi, 1e-15);
    EXPECT_NEAR(sinc(3.0), 0.0, 1e-15);
}

TEST(Channel, RejectsMissingPortsAndBadBandwidth) {
    const Paths ps = make_paths(1e9, {{1.0, 1e-8}});
    ChannelOptions o;
    o.tx_port = 1;
    EXPECT_THROW(cir(ps, o), Error);
    EXPECT_THROW(taps(ps, 0.0, 0, 4), Error);
    EXPECT_THROW(taps(ps, 1e6, 4, 0), Error);
}

}  // namespace
}  // namespace radiofield::rt
