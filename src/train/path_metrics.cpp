// GeNeRT's path-set metrics: matching by delay and AoA, Overall / RCM / AvgDelay errors.
#include "radiofield/train/path_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "radiofield/core/assignment.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/vec.hpp"

namespace radiofield::train {
namespace {

// Checks what the metrics read from a path set: port counts, vector sizes, finite values.
// `which` names the set in messages ("truth" / "prediction").
void validate(const PathSet& s, const char* which, bool needs_depth) {
    if (s.tx_ports < 1 || s.tx_ports > 2 || s.rx_ports < 1 || s.rx_ports > 2) {
        fail("path metrics: the {} has {} tx and {} rx ports; each must be 1 or 2", which,
             s.tx_ports, s.rx_ports);
    }
    const std::size_t k = s.size();
    auto check_size = [&](std::size_t n, const char* field) {
        if (n != k) {
            fail(
                "path metrics: the {} has {} delays but {} entries in `{}`; fill every field "
                "once per path",
                which, k, n, field);
        }
    };
    check_size(s.a.size(), "a");
    check_size(s.theta_r.size(), "theta_r");
    check_size(s.phi_r.size(), "phi_r");
    if (needs_depth)
        check_size(s.depth.size(), "depth");
    for (std::size_t i = 0; i < k; ++i) {
        for (int e = 0; e < s.elements(); ++e) {
            const auto a = s.a[i][s.slot(e)];
            if (!std::isfinite(a.real()) || !std::isfinite(a.imag()))
                fail(
                    "path metrics: {} path {}: coefficient of element {} is ({}, {}); coefficients "
                    "must be finite",
                    which, i, e, a.real(), a.imag());
        }
        if (!std::isfinite(s.tau[i]))
            fail("path metrics: {} path {}: tau = {}; delays must be finite", which, i, s.tau[i]);
        if (!std::isfinite(s.theta_r[i]) || !std::isfinite(s.phi_r[i])) {
            fail(
                "path metrics: {} path {}: arrival angles (theta_r, phi_r) = ({}, {}); angles must "
                "be finite",
                which, i, s.theta_r[i], s.phi_r[i]);
        }
        if (needs_depth && s.depth[i] < 0)
            fail(
                "path metrics: {} path {}: depth = {}; interactions are counted from 0 (line of "
                "sight)",
                which, i, s.depth[i]);
    }
}

void validate_pair(const PathSet& truth, const PathSet& pred) {
    validate(truth, "truth", true);
    validate(pred, "prediction", false);
    if (truth.elements() != pred.elements()) {
        fail(
            "path metrics: the truth has {} x {} (rx x tx) ports but the prediction {} x {}; "
            "predict the same antenna ports as the data",
            truth.rx_ports, truth.tx_ports, pred.rx_ports, pred.tx_ports);
    }
}

void validate_options(const PathMatchOptions& o) {
    if (!(o.delay_scale_s > 0) || !std::isfinite(o.delay_scale_s))
        fail("path matching: delay_scale_s = {}; use a positive delay such as 1e-9 s",
             o.delay_scale_s);
    if (!(o.angle_scale_rad > 0) || !std::isfinite(o.angle_scale_rad))
        fail("path matching: angle_scale_rad = {}; use a positive angle such as 0.01745 (1°)",
             o.angle_scale_rad);
    if (!(o.max_cost > 0))
        fail("path matching: max_cost = {}; use a positive cost, or +inf to match every pair",
             o.max_cost);
}

// Great-circle angle between two directions given by (zenith, azimuth); atan2 keeps it
// accurate for nearly equal directions, where acos of the dot product loses digits.
double angle_between(double theta1, double phi1, double theta2, double phi2) {
    const Vec3 u = direction_from_angles(theta1, phi1), v = direction_from_angles(theta2, phi2);
    return std::atan2(norm(cross(u, v)), dot(u, v));
}

double match_cost_unchecked(const PathSet& truth,
                            std::size_t i,
                            const PathSet& pred,
                            std::size_t j,
                            const PathMatchOptions& o) {
    return std::abs(pred.tau[j] - truth.tau[i]) / o.delay_scale_s +
           angle_between(truth.theta_r[i], truth.phi_r[i], pred.theta_r[j], pred.phi_r[j]) /
               o.angle_scale_rad;
}

}  // namespace

double match_cost(const PathSet& truth,
                  std::size_t i,
                  const PathSet& pred,
                  std::size_t j,
                  const PathMatchOptions& options) {
    if (i >= truth.size() || j >= pred.size())
        fail("match_cost: path ({}, {}) out of range for {} true and {} predicted paths", i, j,
             truth.size(), pred.size());
    return match_cost_unchecked(truth, i, pred, j, options);
}

int PathMatch::matched() const {
    return static_cast<int>(
        std::count_if(pred_of_true.begin(), pred_of_true.end(), [](int j) { return j >= 0; }));
}

PathMatch match_paths(const PathSet& truth, const PathSet& pred, const PathMatchOptions& options) {
    validate_pair(truth, pred);
    validate_options(options);
    const int rows = static_cast<int>(truth.size()), cols = static_cast<int>(pred.size());
    std::vector<double> cost(static_cast<std::size_t>(rows) * cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            cost[static_cast<std::size_t>(i) * cols + j] =
                match_cost_unchecked(truth, i, pred, j, options);
    // Capped: any pair beyond the gate costs the same as leaving both unmatched.
    std::vector<double> capped(cost.size());
    std::transform(cost.begin(), cost.end(), capped.begin(),
                   [&](double c) { return std::min(c, options.max_cost); });

    PathMatch match;
    match.pred_of_true = min_cost_assignment(capped, rows, cols);
    for (int i = 0; i < rows; ++i) {
        int& j = match.pred_of_true[i];
        if (j >= 0 && cost[static_cast<std::size_t>(i) * cols + j] > options.max_cost)
            j = -1;
    }
    match.spurious = cols - match.matched();
    return match;
}

double mean_delay(const PathSet& paths) {
    // GeNeRT eq. 26: τ̄ = Σ_k P_k τ_k / Σ_k P_k, linear powers.
    double weighted = 0, total = 0;
    for (std::size_t k = 0; k < paths.size(); ++k) {
        const double p = paths.power(k);
        weighted += p * paths.tau[k];
        total += p;
    }
    return total > 0 ? weighted / total : 0.0;
}

double reflection_coefficient_magnitude(std::complex<double> a, double tau_s, double frequency_hz) {
    // |a|·4πd/λ, d = c·τ, λ = c/f (free-space loss λ/(4πd), Friis) → |a|·4π·f·τ.
    return std::abs(a) * 4.0 * kPi * frequency_hz * tau_s;
}

PathErrors path_errors(const PathSet& truth,
                       const PathSet& pred,
                       double frequency_hz,
                       const PathMatchOptions& options) {
    return path_errors(truth, pred, match_paths(truth, pred, options), frequency_hz);
}

PathErrors path_errors(const PathSet& truth,
                       const PathSet& pred,
                       const PathMatch& match,
                       double frequency_hz) {
    validate_pair(truth, pred);
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz))
        fail("path_errors: frequency_hz = {}; pass the carrier frequency in Hz (e.g. 3.5e9)",
             frequency_hz);
    if (match.pred_of_true.size() != truth.size()) {
        fail(
            "path_errors: the match has {} entries for {} true paths; match this truth with "
            "match_paths",
            match.pred_of_true.size(), truth.size());
    }
    std::vector<char> taken(pred.size(), 0);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const int j = match.pred_of_true[i];
        if (j < -1 || j >= static_cast<int>(pred.size()))
            fail("path_errors: true path {} is matched to predicted path {} of {}", i, j,
                 pred.size());
        if (j >= 0 && taken[j]++) {
            fail(
                "path_errors: predicted path {} is matched to two true paths; a match is "
                "one-to-one (match_paths)",
                j);
        }
        if (truth.depth[i] >= 1 && !(truth.tau[i] > 0)) {
            fail(
                "path_errors: true path {} (depth {}) has tau = {} s; delays must be absolute "
                "(c·τ = path length), not normalised to the first arrival",
                i, truth.depth[i], truth.tau[i]);
        }
    }

    PathErrors r;
    r.true_paths = static_cast<int>(truth.size());
    r.matched = match.matched();
    r.spurious = static_cast<int>(pred.size()) - r.matched;
    double overall_sum = 0, rcm_sum = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const int j = match.pred_of_true[i];
        double overall_path = 0, rcm_path = 0;
        int overall_elements = 0, rcm_elements = 0;
        for (int e = 0; e < truth.elements(); ++e) {
            const auto a = truth.a[i][truth.slot(e)];
            if (a == 0.0) {
                ++r.skipped_elements;
                continue;
            }
            const auto a_hat = j >= 0 ? pred.a[j][pred.slot(e)] : std::complex<double>{};
            // Element-wise NMSE (GeNeRT §IV-B2); an unmatched path is predicted as 0 → 1.
            overall_path += std::norm(a_hat - a) / std::norm(a);
            ++overall_elements;
            if (truth.depth[i] == 0)
                continue;  // LoS: RCM = 1, x = 0, NMSE undefined
            const double rcm = reflection_coefficient_magnitude(a, truth.tau[i], frequency_hz);
            const double x = 20.0 * std::log10(rcm);
            if (std::abs(x) < kLosslessDb) {
                ++r.skipped_elements;
                continue;
            }
            const double rcm_hat = j >= 0 ? reflection_coefficient_magnitude(
                                                a_hat, std::max(pred.tau[j], 0.0), frequency_hz)
                                          : 0.0;
            const double x_hat = 20.0 * std::log10(std::max(rcm_hat, kRcmFloor * rcm));
            rcm_path += (x_hat - x) * (x_hat - x) / (x * x);
            ++rcm_elements;
        }
        if (overall_elements > 0)
            overall_sum += overall_path, ++r.overall_paths;
        if (rcm_elements > 0)
            rcm_sum += rcm_path, ++r.rcm_paths;
    }
    r.overall_nmse = r.overall_paths > 0 ? overall_sum / r.overall_paths : 0.0;
    r.rcm_nmse = r.rcm_paths > 0 ? rcm_sum / r.rcm_paths : 0.0;

    double true_power = 0;
    for (std::size_t k = 0; k < truth.size(); ++k)
        true_power += truth.power(k);
    if (true_power > 0) {
        r.delay_links = 1;
        r.avg_delay_error_s = std::abs(mean_delay(pred) - mean_delay(truth));
    }
    return r;
}

PathErrors pool(const std::vector<PathErrors>& per_link) {
    PathErrors r;
    double overall = 0, rcm = 0, delay = 0;
    for (const auto& l : per_link) {
        overall += l.overall_nmse * l.overall_paths;
        rcm += l.rcm_nmse * l.rcm_paths;
        delay += l.avg_delay_error_s * l.delay_links;
        r.true_paths += l.true_paths;
        r.matched += l.matched;
        r.spurious += l.spurious;
        r.overall_paths += l.overall_paths;
        r.rcm_paths += l.rcm_paths;
        r.delay_links += l.delay_links;
        r.skipped_elements += l.skipped_elements;
    }
    r.overall_nmse = r.overall_paths > 0 ? overall / r.overall_paths : 0.0;
    r.rcm_nmse = r.rcm_paths > 0 ? rcm / r.rcm_paths : 0.0;
    r.avg_delay_error_s = r.delay_links > 0 ? delay / r.delay_links : 0.0;
    return r;
}

}  // namespace radiofield::train
