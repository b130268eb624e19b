#pragma once
// GeNeRT's metrics for predicted propagation paths (DESIGN.md §6.5 and §7). Predicted paths
// are first matched one-to-one to the true paths of the link by delay and angle of arrival
// (GeNeRT eq. 24–25; Hungarian method, core/assignment.hpp); then three errors (GeNeRT
// §IV-B2):
//   Overall  — per true path, Σ_e |â_e − a_e|² / |a_e|² over its polarisation elements,
//              averaged over the true paths;
//   RCM      — the same NMSE on the reflection-coefficient magnitude in dB,
//              x = 20·log10(|a_e|·4πd/λ) with d = c·τ, over true paths with ≥ 1 interaction;
//   AvgDelay — |τ̄_pred − τ̄_true| with τ̄ = Σ_k P_k τ_k / Σ_k P_k, P_k = Σ_e |a_e|² (eq. 26).
// Definitions for the cases the paper leaves open (unmatched paths, line of sight, empty sets,
// zero coefficients) are given next to each quantity below.

#include <complex>
#include <cstddef>
#include <string>
#include <vector>

#include "radiofield/core/units.hpp"
#include "radiofield/train/path_set.hpp"

namespace radiofield::train {

struct PathMatchOptions {
    double delay_scale_s = 1e-9;            // a delay difference of this much costs 1
    double angle_scale_rad = deg2rad(1.0);  // an arrival-direction difference of this costs 1
    double max_cost = 10;                   // a pair costing more is unmatched; +inf: never
};

// The matching cost of true path i and predicted path j (GeNeRT eq. 25 measures "the
// temporal and spatial discrepancy" by delay and AoA):
//   |τ̂_j − τ_i| / delay_scale + ∠(AoA_i, AoA_j) / angle_scale,
// ∠ the great-circle angle between the two arrival directions.
double match_cost(const PathSet& truth,
                  std::size_t i,
                  const PathSet& pred,
                  std::size_t j,
                  const PathMatchOptions& options = {});

struct PathMatch {
    std::vector<int> pred_of_true;  // [K_true] matched predicted path, or −1
    int spurious = 0;               // predicted paths left unmatched

    int matched() const;
};

// The bijection of minimal total cost (GeNeRT eq. 24). The assignment runs on costs capped at
// max_cost, so a hopeless pair costs what leaving both paths unmatched costs and cannot pull
// other paths off their good matches; pairs whose cost exceeds max_cost are then reported
// unmatched. Validates both sets (finite values, consistent sizes, equal elements()).
PathMatch match_paths(const PathSet& truth,
                      const PathSet& pred,
                      const PathMatchOptions& options = {});

// One link's errors, or (from pool) a dataset's. NMSE values are linear; *_db() convert.
struct PathErrors {
    double overall_nmse = 0;       // mean over `overall_paths` of the per-path NMSE sum
    double rcm_nmse = 0;           // mean over `rcm_paths` of the per-path NMSE sum (dB values)
    double avg_delay_error_s = 0;  // mean over `delay_links` of |τ̄_pred − τ̄_true|, s
    int true_paths = 0;            // paths in the truth
    int matched = 0;               // true paths with a matched prediction
    int spurious = 0;              // predicted paths left unmatched (they enter AvgDelay only)
    int overall_paths = 0;         // true paths with ≥ 1 non-zero element
    int rcm_paths = 0;             // true paths with depth ≥ 1 and ≥ 1 scored element
    int delay_links = 0;           // links whose true power is > 0 (τ̄_true defined)
    int skipped_elements = 0;      // true elements left out: a_e = 0, or a lossless RCM (below)

    // 10·log10 of the NMSE; −inf when it is exactly 0 (a perfect prediction) or when no path
    // was scored. Callers that print should expect "-inf".
    double overall_db() const { return to_db(overall_nmse); }
    double rcm_db() const { return to_db(rcm_nmse); }
    double avg_delay_error_ns() const { return avg_delay_error_s * 1e9; }
};

// The errors of one link at carrier `frequency_hz` (for λ in the RCM).
//   Unmatched true path: predicted as 0, so each of its elements adds 1 to the Overall sum;
//     in the RCM its predicted magnitude is the floor kRcmFloor × the true one (−120 dB).
//   Predicted magnitudes below that floor (a zero coefficient, a delay ≤ 0) are raised to it:
//     each such element then adds 120² / x² to the RCM sum — large but finite.
//   Line of sight (depth 0): no interaction, RCM = 1 → x = 0 and the NMSE is undefined; LoS
//     paths are left out of the RCM (not counted in rcm_paths) but scored in Overall.
//   An element whose true RCM is lossless (|x| < kLosslessDb, e.g. a perfect conductor) is
//     left out of the RCM for the same reason and counted in skipped_elements.
//   A true element with a_e = 0 exactly is left out of both sums and counted in
//     skipped_elements; a path with no non-zero element is not counted in overall_paths.
//   Empty truth: zero errors and zero counts except `spurious` (= predicted paths).
//   AvgDelay: a link whose true power is 0 (empty truth) has none (delay_links = 0); a
//     prediction with zero power (e.g. empty) has τ̄_pred = 0, so its error is τ̄_true.
// Throws Error for a bad frequency or options, sets of different elements(), mismatched
// vector sizes, non-finite values (naming the path), or a true reflected path with τ ≤ 0
// (delays must be absolute, not normalised to the first arrival).
PathErrors path_errors(const PathSet& truth,
                       const PathSet& pred,
                       double frequency_hz,
                       const PathMatchOptions& options = {});
// The same with a match already made (e.g. for a figure of the same link).
PathErrors path_errors(const PathSet& truth,
                       const PathSet& pred,
                       const PathMatch& match,
                       double frequency_hz);

// Dataset-level errors as GeNeRT averages them ("across all paths in all Tx–Rx pairs"):
// Overall and RCM weighted by each link's overall_paths / rcm_paths, AvgDelay averaged over
// the links with delay_links; counts summed. Pooling pooled results is consistent.
PathErrors pool(const std::vector<PathErrors>& per_link);

inline constexpr double kRcmFloor = 1e-6;    // predicted RCM floor, relative to the true one
inline constexpr double kLosslessDb = 1e-6;  // |x| below this: the RCM NMSE is undefined

// Power-weighted mean delay of a link (GeNeRT eq. 26), s; 0 when the total power is 0.
double mean_delay(const PathSet& paths);

// Reflection-coefficient magnitude of a path element: the coefficient with free-space loss
// taken out, |a|·4πd/λ with d = c·τ and λ = c/f, i.e. |a|·4π·f·τ (Friis; rt/paths.hpp has
// a = (λ/4π)(1/L)·…).
double reflection_coefficient_magnitude(std::complex<double> a, double tau_s, double frequency_hz);

// A self-contained inline SVG power–delay profile of one link for the report: true paths as
// stems with circles, predicted ones as stems with crosses, matched pairs joined by thin
// lines, a legend, and the link's three errors in a corner. `title` is escaped for XML.
std::string path_set_svg(const PathSet& truth,
                         const PathSet& pred,
                         const PathMatch& match,
                         const PathErrors& errors,
                         const std::string& title);

}  // namespace radiofield::train
