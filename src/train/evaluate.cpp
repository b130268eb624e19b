// Evaluation: predict a split of every dataset in batches, score each sample with the
// evaluator of the model's output kind, summarise (mean / median per declared metric).
#include "radiofield/train/evaluate.hpp"

#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/metrics.hpp"

namespace radiofield::train {
namespace {

// JSON has no infinities: write them as strings.
nlohmann::json number(double v) {
    if (std::isfinite(v))
        return v;
    return std::isnan(v) ? nlohmann::json("unavailable") : nlohmann::json(v > 0 ? "inf" : "-inf");
}

}  // namespace

std::size_t Evaluator::metric_index(const std::string& name) const {
    const auto m = metrics();
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i].name == name)
            return i;
    }
    fail("the {} evaluator has no metric '{}'", to_string(kind()), name);
}

EvalResult evaluate(Model& model, const DataList& data, const EvalOptions& options) {
    auto evaluator = make_evaluator(model.output(), {options.lpips_weights, options.device});
    EvalResult result;
    result.split = options.split;
    result.kind = model.output();
    result.metrics = evaluator->metrics();
    result.ranking = evaluator->ranking_metric();
    const std::int64_t batch = std::max<std::int64_t>(1, options.batch);
    double predict_seconds = 0;
    std::size_t evaluated = 0;
    const auto timed_predict = [](Model& m, const Query& q, double& seconds) {
        const auto t0 = std::chrono::steady_clock::now();
        Prediction pred = m.predict(q);
        if (pred.kind == OutputKind::Spectrum && pred.spectra.is_cuda())
            torch::cuda::synchronize();
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return pred;
    };
    // One untimed batch first, so the time per sample is the steady state a user sees after
    // the model's one-time work (kernels' first load, operators and caches built on demand).
    for (const auto& scene : data) {
        const auto idx = scene->split_indices(options.split);
        if (idx.empty())
            continue;
        const std::vector<std::int64_t> first(
            idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                           idx.size(), static_cast<std::size_t>(batch))));
        timed_predict(model, Query::samples(*scene, first), result.first_call_seconds);
        break;
    }
    for (std::size_t d = 0; d < data.size(); ++d) {
        const SceneData& scene = *data[d];
        result.datasets.push_back(scene.source());
        const auto idx = scene.split_indices(options.split);
        if (idx.empty()) {
            if (options.skip_empty)
                continue;
            fail(
                "the {} split of '{}' is empty; choose another with --split (train, val, test, "
                "all)",
                options.split, scene.source());
        }
        for (std::size_t start = 0; start < idx.size(); start += static_cast<std::size_t>(batch)) {
            const std::size_t end = std::min(idx.size(), start + static_cast<std::size_t>(batch));
            const std::vector<std::int64_t> part(idx.begin() + static_cast<std::ptrdiff_t>(start),
                                                 idx.begin() + static_cast<std::ptrdiff_t>(end));
            const Query query = Query::samples(scene, part);
            const Prediction pred = timed_predict(model, query, predict_seconds);
            if (pred.kind != result.kind || pred.size() != query.size()) {
                fail("model '{}' predicted {} {} for {} queries of kind {}", model.name(),
                     pred.size(), to_string(pred.kind), query.size(), to_string(result.kind));
            }
            const auto rows = evaluator->score(scene, part, pred);
            for (std::size_t j = 0; j < part.size(); ++j)
                result.samples.push_back({d, part[j], rows[j]});
        }
        evaluated += idx.size();
    }
    if (evaluated == 0)
        fail("no dataset has samples in the {} split; choose another with --split", options.split);
    result.seconds_per_sample = predict_seconds / static_cast<double>(evaluated);
    result.pooled = evaluator->pooled();
    result.notes = evaluator->notes();  // after scoring: it may say which metrics were unavailable
    return result;
}

std::size_t EvalResult::metric(const std::string& name) const {
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (metrics[i].name == name)
            return i;
    }
    fail("no metric '{}' in this evaluation", name);
}

nlohmann::json EvalResult::summary() const {
    nlohmann::json mean = nlohmann::json::object(), median = nlohmann::json::object(),
                   infinite = nlohmann::json::object();
    for (std::size_t m = 0; m < metrics.size(); ++m) {
        std::vector<double> v;
        for (const auto& s : samples) {
            if (!std::isnan(s.values[m]))
                v.push_back(s.values[m]);
        }
        const std::string& name = metrics[m].name;
        if (v.empty()) {
            mean[name] = median[name] = "unavailable";
            continue;
        }
        const SummaryStats st = summarize(v);
        mean[name] = number(st.mean), median[name] = number(st.median);
        if (st.n_infinite > 0)
            infinite[name] = st.n_infinite;
    }
    return {{"split", split},
            {"kind", std::string(to_string(kind))},
            {"count", samples.size()},
            {"datasets", datasets},
            {"mean", mean},
            {"median", median},
            {"infinite", infinite},
            {"ranking", ranking},
            {"notes", notes},
            {"pooled", pooled},
            {"seconds_per_sample", seconds_per_sample},
            {"first_call_seconds", first_call_seconds}};
}

std::vector<std::size_t> EvalResult::best_median_worst() const {
    if (samples.empty())
        return {};
    const std::size_t m = metric(ranking);
    const bool higher = metrics[m].higher_is_better;
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (!std::isnan(samples[i].values[m]))
            order.push_back(i);
    }
    if (order.empty())
        return {};
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
        const double x = samples[a].values[m], y = samples[b].values[m];
        return higher ? x > y : x < y;
    });
    return {order.front(), order[order.size() / 2], order.back()};
}

void write_metrics_json(const EvalResult& result,
                        const nlohmann::json& info,
                        const std::filesystem::path& path) {
    nlohmann::ordered_json samples = nlohmann::ordered_json::array();
    for (const auto& s : result.samples) {
        nlohmann::ordered_json j;
        j["dataset"] = s.dataset;
        j["index"] = s.index;
        for (std::size_t m = 0; m < result.metrics.size(); ++m)
            j[result.metrics[m].name] = number(s.values[m]);
        samples.push_back(std::move(j));
    }
    nlohmann::ordered_json doc;  // summary first, for people reading the file
    doc["summary"] = nlohmann::ordered_json::parse(result.summary().dump());
    doc["info"] = nlohmann::ordered_json::parse(info.dump());
    doc["samples"] = std::move(samples);
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path());
        f << doc.dump(2) << "\n";
        if (!f)
            fail("cannot write '{}'", path.string());
    }
    out.commit();
}

}  // namespace radiofield::train
