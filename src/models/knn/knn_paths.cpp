// "knn_paths": the paths of the nearest measured link, moved to the query, with a learnt
// gain per interaction depth.
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/knn.hpp"
#include "radiofield/train/path_metrics.hpp"

namespace radiofield::models {
namespace {

constexpr double kSpeedOfLight = 299792458.0;

// The neighbour's paths moved from its position to the query's: delays shifted by the change
// of the direct distance to the station, coefficients scaled by the free-space length ratio.
train::PathSet moved(const train::PathSet& nb, double shift_m) {
    train::PathSet p = nb;
    for (std::size_t k = 0; k < p.size(); ++k) {
        const double length = p.tau[k] * kSpeedOfLight;
        const double moved_length = std::max(1e-3, length + shift_m);
        p.tau[k] = moved_length / kSpeedOfLight;
        for (auto& a : p.a[k])
            a *= length / moved_length;
    }
    return p;
}

double station_distance(const train::SceneData& scene,
                        const torch::Tensor& position) {  // position [3]
    const auto p = position.to(torch::kFloat64);
    const Vec3 v{p[0].item<double>(), p[1].item<double>(), p[2].item<double>()};
    return norm(v - scene.context.station_position);
}

}  // namespace

KnnPathsConfig KnnPathsConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "knn_paths config";
    check_keys(j, {"max_depth", "batch"}, where);
    KnnPathsConfig c;
    c.max_depth = get_or(j, "max_depth", c.max_depth, where);
    c.batch = get_or(j, "batch", c.batch, where);
    if (c.max_depth < 0 || c.max_depth > 16)
        fail("knn_paths: max_depth must be in 0..16, got {}", c.max_depth);
    if (c.batch < 1)
        fail("knn_paths: batch must be at least 1, got {}", c.batch);
    return c;
}

nlohmann::json KnnPathsConfig::to_json() const {
    return {{"max_depth", max_depth}, {"batch", batch}};
}

KnnPathsModel::KnnPathsModel(KnnPathsConfig config)
    : m_config(config),
      m_log_gain(torch::zeros({config.max_depth + 1}, torch::kFloat64).requires_grad_()) {}

torch::Tensor KnnPathsModel::training_loss(const train::DataList& data,
                                           const train::Phase&,
                                           torch::Generator& gen) {
    const auto batch = train::draw_training_batch(data, m_config.batch, gen);
    // Matched (predicted, true) coefficients per element, with the predicted path's depth.
    std::vector<double> pred_re, pred_im, true_re, true_im;
    std::vector<std::int64_t> depth;
    for (std::size_t d = 0; d < data.size(); ++d) {
        for (const auto i : batch[d]) {
            const auto& scene = *data[d];
            const auto query = train::Query::samples(scene, {i});
            const auto nb = query.support->nearest(query.positions, 1, query.exclude);
            const auto n = nb.index[0][0].item<std::int64_t>();
            const double shift = station_distance(scene, scene.positions[i]) -
                                 station_distance(scene, scene.positions[n]);
            const auto pred = moved(scene.paths[static_cast<std::size_t>(n)], shift);
            const auto& truth = scene.paths[static_cast<std::size_t>(i)];
            const auto match = train::match_paths(truth, pred);
            for (std::size_t k = 0; k < truth.size(); ++k) {
                const int m = match.pred_of_true[k];
                if (m < 0)
                    continue;
                for (int e = 0; e < truth.elements(); ++e) {
                    const auto t = truth.a[k][truth.slot(e)],
                               p = pred.a[static_cast<std::size_t>(m)][pred.slot(e)];
                    if (std::norm(t) == 0)
                        continue;
                    pred_re.push_back(p.real()), pred_im.push_back(p.imag());
                    true_re.push_back(t.real()), true_im.push_back(t.imag());
                    depth.push_back(
                        std::min(pred.depth[static_cast<std::size_t>(m)], m_config.max_depth));
                }
            }
        }
    }
    if (depth.empty())
        return (m_log_gain * 0).sum();  // nothing matched in this batch
    auto f64 = [](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); };
    const auto gain = m_log_gain.index_select(0, torch::tensor(depth, torch::kInt64)).exp();  // [M]
    const auto dre = gain * f64(pred_re) - f64(true_re), dim = gain * f64(pred_im) - f64(true_im);
    const auto power = f64(true_re).pow(2) + f64(true_im).pow(2);
    return ((dre.pow(2) + dim.pow(2)) / power).mean();  // NMSE over matched elements
}

train::Prediction KnnPathsModel::predict(const train::Query& query) {
    torch::NoGradGuard no_grad;
    const auto& scene = *query.scene;
    if (scene.paths.empty())
        fail("knn_paths: '{}' holds no measured paths to take neighbours from", scene.source());
    const auto nb = query.support->nearest(query.positions, 1, query.exclude);
    const auto gain = m_log_gain.exp();
    std::vector<train::PathSet> out;
    for (std::int64_t q = 0; q < query.size(); ++q) {
        const auto n = nb.index[q][0].item<std::int64_t>();
        const double shift = station_distance(scene, query.positions[q]) -
                             station_distance(scene, scene.positions[n]);
        auto p = moved(scene.paths[static_cast<std::size_t>(n)], shift);
        for (std::size_t k = 0; k < p.size(); ++k) {
            const double g = gain[std::min(p.depth[k], m_config.max_depth)].item<double>();
            for (auto& a : p.a[k])
                a *= g;
        }
        out.push_back(std::move(p));
    }
    return train::Prediction::of_paths(std::move(out));
}

void KnnPathsModel::save(torch::serialize::OutputArchive& archive) const {
    archive.write("log_gain", m_log_gain);
}

void KnnPathsModel::load(torch::serialize::InputArchive& archive) {
    torch::Tensor g;
    archive.read("log_gain", g);
    if (!g.sizes().equals(m_log_gain.sizes())) {
        fail(
            "knn_paths: the checkpoint holds {} gains but this model has {}; use the run's "
            "max_depth",
            g.size(0), m_log_gain.size(0));
    }
    torch::NoGradGuard no_grad;
    m_log_gain.copy_(g);
}

}  // namespace radiofield::models
