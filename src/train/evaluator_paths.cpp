// The path-set evaluator: GeNeRT's Overall, RCM and AvgDelay errors (§IV-B2) after matching
// predicted to true paths with the Hungarian algorithm on delay and angle of arrival, per
// link and pooled over every path as the paper averages; the figure is the link's
// power–delay profile, truth beside prediction.
#include <cmath>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/train/evaluator.hpp"
#include "radiofield/train/path_metrics.hpp"

namespace radiofield::train {
namespace {

double db(double linear) {
    return 10.0 * std::log10(linear);
}  // 0 → −∞ (exact)

class PathSetEvaluator final : public Evaluator {
public:
    OutputKind kind() const override { return OutputKind::PathSet; }
    std::vector<MetricInfo> metrics() const override {
        return {{"overall_db", "dB", false,
                 "Overall error: NMSE over every element of every true path (GeNeRT)"},
                {"rcm_db", "dB", false,
                 "RCM error: NMSE of the log reflection-coefficient magnitude of the "
                 "reflected true paths (GeNeRT)"},
                {"avg_delay_ns", "ns", false,
                 "AvgDelay error: |difference| of the power-weighted mean delays"},
                {"found", "", true, "fraction of the true paths matched by a predicted path"}};
    }
    std::string ranking_metric() const override { return "overall_db"; }
    std::string notes() const override {
        return "Predicted paths are matched to true paths by the Hungarian algorithm on delay (1 "
               "ns) and angle of "
               "arrival (1 degree); a true path left unmatched counts as predicted zero. "
               "Line-of-sight paths have no "
               "reflection coefficient and are left out of the RCM error. The pooled row averages "
               "over every path "
               "of every link, as GeNeRT reports.";
    }

    std::vector<std::vector<double>> score(const SceneData& scene,
                                           const std::vector<std::int64_t>& index,
                                           const Prediction& prediction) override {
        if (scene.paths.empty())
            fail("'{}' holds no paths to score a path model against", scene.source());
        std::vector<std::vector<double>> rows;
        for (std::size_t j = 0; j < index.size(); ++j) {
            const PathSet& truth = scene.paths[static_cast<std::size_t>(index[j])];
            const PathErrors e =
                path_errors(truth, prediction.paths[j], scene.context.frequency_hz);
            m_links.push_back(e);
            const double found =
                e.true_paths > 0 ? static_cast<double>(e.matched) / e.true_paths : 1.0;
            rows.push_back(
                {db(e.overall_nmse),
                 e.rcm_paths > 0 ? db(e.rcm_nmse) : std::numeric_limits<double>::quiet_NaN(),
                 e.avg_delay_error_s * 1e9, found});
        }
        return rows;
    }

    Figure figure(const SceneData& scene, std::int64_t index, const Prediction& one) override {
        const PathSet& truth = scene.paths[static_cast<std::size_t>(index)];
        const PathSet& pred = one.paths.front();
        const auto match = match_paths(truth, pred);
        const auto errors = path_errors(truth, pred, match, scene.context.frequency_hz);
        return {"image/svg+xml",
                path_set_svg(truth, pred, match, errors, fmt::format("sample {}", index)),
                "power-delay profile: true and predicted paths"};
    }

    nlohmann::json pooled() const override {
        if (m_links.empty())
            return nlohmann::json::object();
        const PathErrors p = pool(m_links);
        auto number = [](double v) {
            return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(v > 0 ? "inf" : "-inf");
        };
        return {
            {"overall_db", number(db(p.overall_nmse))},
            {"rcm_db", p.rcm_paths > 0 ? number(db(p.rcm_nmse)) : nlohmann::json("unavailable")},
            {"avg_delay_ns", p.avg_delay_error_s * 1e9},
            {"true_paths", p.true_paths},
            {"matched", p.matched},
            {"spurious", p.spurious}};
    }

private:
    std::vector<PathErrors> m_links;
};

}  // namespace

std::unique_ptr<Evaluator> make_path_evaluator(const EvaluatorOptions&) {
    return std::make_unique<PathSetEvaluator>();
}

}  // namespace radiofield::train
