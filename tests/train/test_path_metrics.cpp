// GeNeRT's path-set metrics on hand-made path sets whose errors can be worked out by hand:
// matching by delay and AoA, Overall / RCM / AvgDelay errors, pooling, degenerate inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/train/path_metrics.hpp"

namespace {

using radiofield::deg2rad;
using radiofield::kPi;
using radiofield::kSpeedOfLight;
using namespace radiofield::train;
using cd = std::complex<double>;

constexpr double kFreq = 3.5e9;  // GeNeRT's carrier

struct Spec {
    cd a;  // element 0 (and 1 when `a1` is given)
    double tau_ns;
    double theta_deg = 90, phi_deg = 0;  // arrival
    int depth = 1;
    cd a1 = 0;
};

PathSet set_of(const std::vector<Spec>& specs, int rx_ports = 1) {
    PathSet s;
    s.rx_ports = rx_ports;
    for (const auto& p : specs) {
        std::array<cd, 4> a{};
        a.fill(cd(99, 99));  // unused slots hold junk the metrics must ignore
        a[s.slot(0)] = p.a;
        if (s.elements() > 1)
            a[s.slot(1)] = p.a1;
        s.a.push_back(a);
        s.tau.push_back(p.tau_ns * 1e-9);
        s.theta_t.push_back(0), s.phi_t.push_back(0);
        s.theta_r.push_back(deg2rad(p.theta_deg)), s.phi_r.push_back(deg2rad(p.phi_deg));
        s.depth.push_back(p.depth);
    }
    return s;
}

// Coefficient of a path of delay `tau_ns` whose interactions multiply the amplitude by
// `rcm`: the free-space factor λ/(4πd) times rcm (rt/paths.hpp).
cd with_rcm(double rcm, double tau_ns, double phase = 0) {
    const double d = kSpeedOfLight * tau_ns * 1e-9;
    return std::polar(radiofield::wavelength(kFreq) / (4 * kPi * d) * rcm, phase);
}

// LoS at 100 ns, reflections at 130 ns (RCM 0.5) and 170 ns (0.3, depth 2),
// arriving from different azimuths.
PathSet three_paths() {
    return set_of({{with_rcm(1.0, 100), 100, 90, 0, 0},
                   {with_rcm(0.5, 130, 1.0), 130, 95, 40, 1},
                   {with_rcm(0.3, 170, -2.0), 170, 80, -60, 2}});
}

double rcm_nmse_of(double true_rcm, double pred_rcm) {
    const double x = 20 * std::log10(true_rcm), x_hat = 20 * std::log10(pred_rcm);
    return (x_hat - x) * (x_hat - x) / (x * x);
}

}  // namespace

TEST(PathMetrics, IdenticalSetsHaveZeroErrors) {
    const auto truth = three_paths();
    const auto e = path_errors(truth, truth, kFreq);
    EXPECT_EQ(e.overall_nmse, 0.0);
    EXPECT_EQ(e.rcm_nmse, 0.0);
    EXPECT_EQ(e.avg_delay_error_s, 0.0);
    EXPECT_EQ(e.overall_db(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(e.true_paths, 3);
    EXPECT_EQ(e.matched, 3);
    EXPECT_EQ(e.spurious, 0);
    EXPECT_EQ(e.overall_paths, 3);
    EXPECT_EQ(e.rcm_paths, 2);  // the LoS path has no RCM
    EXPECT_EQ(e.delay_links, 1);
}

TEST(PathMetrics, MatchingUndoesAPermutation) {
    const auto truth = three_paths();
    PathSet pred = truth;
    const std::vector<int> order = {2, 0, 1};  // pred path k is true path order[k]
    for (std::size_t k = 0; k < 3; ++k) {
        pred.a[k] = truth.a[order[k]], pred.tau[k] = truth.tau[order[k]];
        pred.theta_r[k] = truth.theta_r[order[k]], pred.phi_r[k] = truth.phi_r[order[k]];
    }
    EXPECT_EQ(match_paths(truth, pred).pred_of_true, (std::vector<int>{1, 2, 0}));
    EXPECT_EQ(path_errors(truth, pred, kFreq).overall_nmse, 0.0);
}

TEST(PathMetrics, SameDelayPathsAreToldApartByArrivalDirection) {
    const auto truth = set_of({{1e-4, 100, 90, 0}, {1e-4, 100, 90, 90}});
    const auto pred = set_of({{1e-4, 100, 90, 91}, {1e-4, 100, 90, 1}});
    EXPECT_EQ(match_paths(truth, pred).pred_of_true, (std::vector<int>{1, 0}));
}

TEST(PathMetrics, MatchCostIsDelayPlusGreatCircleAngle) {
    const auto truth = set_of({{1e-4, 100, 90, 359}});
    const auto pred = set_of({{1e-4, 102, 90, 1}, {1e-4, 100, 87, 359}});
    // 2 ns + 2° across the azimuth wrap; 3° in zenith only.
    EXPECT_NEAR(match_cost(truth, 0, pred, 0), 4.0, 1e-9);
    EXPECT_NEAR(match_cost(truth, 0, pred, 1), 3.0, 1e-9);
    EXPECT_NEAR(
        match_cost(truth, 0, pred, 0, {.delay_scale_s = 2e-9, .angle_scale_rad = deg2rad(4)}), 1.5,
        1e-9);
}

TEST(PathMetrics, OneCoefficientScaledBy1p1GivesOverallNmseOneHundredthOverK) {
    const auto truth = three_paths();
    PathSet pred = truth;
    pred.a[1][0] *= 1.1;  // |0.1 a|² / |a|² = 0.01 on one of K = 3 paths
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_NEAR(e.overall_nmse, 0.01 / 3, 1e-15);
    // RCM: x̂ − x = 20·log10(1.1) on that path; averaged over the 2 reflected paths.
    EXPECT_NEAR(e.rcm_nmse, rcm_nmse_of(0.5, 0.55) / 2, 1e-12);
}

TEST(PathMetrics, MissingPathContributesOne) {
    const auto truth = three_paths();
    const auto pred = set_of({{truth.a[0][0], 100, 90, 0, 0}, {truth.a[2][0], 170, 80, -60, 2}});
    const auto m = match_paths(truth, pred);
    EXPECT_EQ(m.pred_of_true, (std::vector<int>{0, -1, 1}));
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_NEAR(e.overall_nmse, 1.0 / 3, 1e-15);
    EXPECT_EQ(e.matched, 2);
    // The unmatched reflected path is scored at the RCM floor, 120 dB below the truth.
    const double x = 20 * std::log10(0.5);
    EXPECT_NEAR(e.rcm_nmse, 120.0 * 120.0 / (x * x) / 2, 1e-9);
}

TEST(PathMetrics, SpuriousFarPathIsLeftUnmatchedAndCounted) {
    const auto truth = three_paths();
    PathSet pred = truth;
    const cd extra = with_rcm(0.5, 600);
    pred.a.push_back({extra});
    pred.tau.push_back(600e-9);
    pred.theta_r.push_back(deg2rad(90)), pred.phi_r.push_back(0);
    pred.theta_t.push_back(0), pred.phi_t.push_back(0), pred.depth.push_back(1);
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_EQ(e.spurious, 1);
    EXPECT_EQ(e.matched, 3);
    EXPECT_EQ(e.overall_nmse, 0.0);
    EXPECT_EQ(e.rcm_nmse, 0.0);
    // But its power moves the predicted mean delay (eq. 26).
    double pw = 0, ptw = 0;
    for (std::size_t k = 0; k < 3; ++k)
        pw += truth.power(k), ptw += truth.power(k) * truth.tau[k];
    const double p_extra = std::norm(extra);
    const double expected = (ptw + p_extra * 600e-9) / (pw + p_extra) - ptw / pw;
    EXPECT_NEAR(e.avg_delay_error_s, expected, 1e-20);
}

TEST(PathMetrics, MaxCostGatesFarPairs) {
    const auto truth = set_of({{1e-4, 100}});
    const auto pred = set_of({{1e-4, 105, 90, 3}});  // cost 5 + 3 = 8
    EXPECT_EQ(match_paths(truth, pred).pred_of_true[0], 0);
    const auto gated = match_paths(truth, pred, {.max_cost = 7.5});
    EXPECT_EQ(gated.pred_of_true[0], -1);
    EXPECT_EQ(gated.spurious, 1);
    const auto far = set_of({{1e-4, 1e5}});  // 100 µs away
    EXPECT_EQ(match_paths(truth, far).pred_of_true[0], -1);
    EXPECT_EQ(match_paths(truth, far, {.max_cost = std::numeric_limits<double>::infinity()})
                  .pred_of_true[0],
              0);
}

TEST(PathMetrics, FarSpuriousPathDoesNotPullANearOneOffItsMatch) {
    // Uncapped, t0–p0 (4) + t1–p1 (195) = 199 beats t0–p1 (200) + t1–p0 (1) = 201 and p0 would
    // go to the wrong path. Capped at 10 the totals are 14 and 11: p0 goes to t1, its true
    // partner, and t0 stays unmatched.
    const auto truth = set_of({{1e-4, 100}, {1e-4, 105}});
    const auto pred = set_of({{1e-4, 104}, {1e-4, 300}});
    const auto m = match_paths(truth, pred);
    EXPECT_EQ(m.pred_of_true, (std::vector<int>{-1, 0}));
    EXPECT_EQ(m.spurious, 1);
}

TEST(PathMetrics, RcmOfHalfReflectionIsMinus6dB) {
    const double d = 30.0, tau = d / kSpeedOfLight;
    const double lambda = radiofield::wavelength(kFreq);
    const cd a = lambda / (4 * kPi * d) * 0.5;
    const double rcm = reflection_coefficient_magnitude(a, tau, kFreq);
    EXPECT_NEAR(rcm, 0.5, 1e-12);
    EXPECT_NEAR(20 * std::log10(rcm), -6.0206, 1e-4);

    const auto truth = set_of({{a, tau * 1e9}});
    // Predicted 0.25: x̂ = −12.04 dB, (−12.04 + 6.02)² / 6.02² = 1 exactly (a square);
    // Overall: |0.25 − 0.5|² / 0.5² = 0.25.
    const auto e = path_errors(truth, set_of({{a * 0.5, tau * 1e9}}), kFreq);
    EXPECT_NEAR(e.rcm_nmse, 1.0, 1e-12);
    EXPECT_NEAR(e.rcm_db(), 0.0, 1e-10);
    EXPECT_NEAR(e.overall_nmse, 0.25, 1e-15);
    // Predicted 0.4: (log10 0.8 / log10 0.5)² = (log2 1.25)² = 0.3219281² = 0.1036377.
    const auto e04 = path_errors(truth, set_of({{a * 0.8, tau * 1e9}}), kFreq);
    EXPECT_NEAR(e04.rcm_nmse, 0.1036377, 1e-7);
}

TEST(PathMetrics, PredictedRcmUsesThePredictedPathLength) {
    // Same coefficient, but predicted twice as long: the model claims a reflection loss half
    // as strong (RCM 1.0 instead of 0.5) → x̂ = 0, NMSE (0 − x)² / x² = 1.
    const auto truth = set_of({{with_rcm(0.5, 100), 100}});
    const auto pred = set_of({{with_rcm(0.5, 100), 100.0000001}});
    EXPECT_NEAR(path_errors(truth, pred, kFreq).rcm_nmse, 0.0, 1e-12);
    auto far = pred;
    far.tau[0] = 200e-9;
    EXPECT_NEAR(path_errors(truth, far, kFreq, {.max_cost = 1e9}).rcm_nmse, 1.0, 1e-12);
}

TEST(PathMetrics, AvgDelayOnATwoPathLinkByHand) {
    // Powers 1e-8 and 0.25e-8 at 100 and 200 ns: τ̄ = (100 + 50) / 1.25 = 120 ns.
    const auto truth = set_of({{1e-4, 100, 90, 0, 0}, {0.5e-4, 200, 90, 30, 1}});
    EXPECT_NEAR(mean_delay(truth), 120e-9, 1e-21);
    // Equal predicted powers: τ̄ = 150 ns → error 30 ns.
    const auto pred = set_of({{1e-4, 100, 90, 0, 0}, {cd(0, 1e-4), 200, 90, 30, 1}});
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_NEAR(e.avg_delay_error_s, 30e-9, 1e-21);
    EXPECT_NEAR(e.avg_delay_error_ns(), 30.0, 1e-9);
}

TEST(PathMetrics, EmptyPredictionMissesEveryPath) {
    const auto truth = set_of({{1e-4, 100, 90, 0, 0}, {0.5e-4, 200, 90, 30, 1}});
    const auto e = path_errors(truth, PathSet{}, kFreq);
    EXPECT_EQ(e.overall_nmse, 1.0);
    EXPECT_EQ(e.matched, 0);
    EXPECT_NEAR(e.avg_delay_error_s, 120e-9, 1e-21);  // τ̄_pred is taken as 0
    EXPECT_EQ(e.rcm_paths, 1);
    EXPECT_GT(e.rcm_nmse, 1.0);
    EXPECT_TRUE(std::isfinite(e.rcm_nmse));
}

TEST(PathMetrics, EmptyTruthScoresNothing) {
    const auto e0 = path_errors(PathSet{}, PathSet{}, kFreq);
    EXPECT_EQ(e0.overall_nmse, 0.0);
    EXPECT_EQ(
        e0.true_paths + e0.matched + e0.spurious + e0.overall_paths + e0.rcm_paths + e0.delay_links,
        0);
    const auto e = path_errors(PathSet{}, set_of({{1e-4, 100}, {1e-4, 200}}), kFreq);
    EXPECT_EQ(e.spurious, 2);
    EXPECT_EQ(e.delay_links, 0);
    EXPECT_EQ(e.avg_delay_error_s, 0.0);
}

TEST(PathMetrics, TwoPolarisationElementsSumTheirNmse) {
    // rx_ports = 2: elements 0 and 1 sit in slots 0 and 2; slots 1 and 3 hold junk.
    const cd a0 = with_rcm(0.5, 130), a1 = with_rcm(0.2, 130, 0.7);
    const auto truth = set_of({{a0, 130, 90, 0, 1, a1}}, 2);
    const auto pred = set_of({{a0 * 1.1, 130, 90, 0, 1, a1 * cd(1, 0.2)}}, 2);
    ASSERT_EQ(truth.elements(), 2);
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_NEAR(e.overall_nmse, 0.01 + 0.04, 1e-14);
    EXPECT_NEAR(e.rcm_nmse, rcm_nmse_of(0.5, 0.55) + rcm_nmse_of(0.2, 0.2 * std::abs(cd(1, 0.2))),
                1e-12);
}

TEST(PathMetrics, ZeroTrueElementIsSkippedAndCounted) {
    // A co-polarised LoS path has no cross-polar term: element 1 is exactly 0.
    const auto truth = set_of({{1e-4, 100, 90, 0, 0, 0.0}}, 2);
    const auto pred = set_of({{1.1e-4, 100, 90, 0, 0, 1e-6}}, 2);
    const auto e = path_errors(truth, pred, kFreq);
    EXPECT_NEAR(e.overall_nmse, 0.01, 1e-14);
    EXPECT_EQ(e.skipped_elements, 1);
    EXPECT_EQ(e.overall_paths, 1);
    EXPECT_EQ(e.rcm_paths, 0);
}

TEST(PathMetrics, PoolWeightsPathsByCountAndDelayByLink) {
    const auto truth3 = three_paths();
    auto pred3 = truth3;
    pred3.a[0][0] *= 1.1;  // overall 0.01 / 3 on 3 paths
    const auto big = path_errors(truth3, pred3, kFreq);
    const auto truth1 = set_of({{1e-4, 100, 90, 0, 0}});
    const auto small = path_errors(truth1, PathSet{}, kFreq);  // overall 1 on 1 path, 100 ns
    const auto empty = path_errors(PathSet{}, PathSet{}, kFreq);
    const auto p = pool({big, small, empty});
    EXPECT_NEAR(p.overall_nmse, (0.01 + 1.0) / 4, 1e-15);  // not the mean of link means
    EXPECT_EQ(p.true_paths, 4);
    EXPECT_EQ(p.overall_paths, 4);
    EXPECT_EQ(p.rcm_paths, 2);
    EXPECT_EQ(p.delay_links, 2);  // the empty link has no AvgDelay
    EXPECT_NEAR(p.avg_delay_error_s, (big.avg_delay_error_s + 100e-9) / 2, 1e-21);
    // Pooling pooled results agrees with pooling everything at once.
    const auto twice = pool({pool({big, small}), pool({empty})});
    EXPECT_NEAR(twice.overall_nmse, p.overall_nmse, 1e-15);
    EXPECT_NEAR(twice.avg_delay_error_s, p.avg_delay_error_s, 1e-21);
    EXPECT_EQ(pool({}).overall_nmse, 0.0);
}

TEST(PathMetrics, RejectsInvalidInputNamingTheProblem) {
    const auto truth = three_paths();
    auto expect_error = [](auto&& f, const std::string& part) {
        try {
            f();
            ADD_FAILURE() << "expected an Error mentioning " << part;
        } catch (const radiofield::Error& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    auto bad_tau = truth;
    bad_tau.tau[1] = std::numeric_limits<double>::quiet_NaN();
    expect_error([&] { path_errors(truth, bad_tau, kFreq); }, "prediction path 1");
    auto bad_a = truth;
    bad_a.a[2][0] = cd(std::numeric_limits<double>::infinity(), 0);
    expect_error([&] { match_paths(bad_a, truth); }, "truth path 2");
    auto dual = set_of({{1e-4, 100, 90, 0, 0, 1e-5}}, 2);
    expect_error([&] { path_errors(truth, dual, kFreq); }, "ports");
    auto short_angles = truth;
    short_angles.phi_r.pop_back();
    expect_error([&] { path_errors(truth, short_angles, kFreq); }, "phi_r");
    auto normalised = truth;  // delays relative to the first arrival of a link without LoS
    normalised.tau[1] = 0;
    expect_error([&] { path_errors(normalised, normalised, kFreq); }, "absolute");
    expect_error([&] { path_errors(truth, truth, 0.0); }, "frequency_hz");
    expect_error([&] { match_paths(truth, truth, {.delay_scale_s = 0}); }, "delay_scale_s");
    expect_error([&] { path_errors(truth, truth, PathMatch{}, kFreq); }, "match");
    expect_error([&] { path_errors(truth, truth, PathMatch{{0, 0, 1}, 1}, kFreq); }, "two true");
}
