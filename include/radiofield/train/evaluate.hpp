#pragma once
// Evaluation of a model on a split of one or more datasets (`radiofield eval`, the end of
// `radiofield train`): every sample is predicted from its own dataset's support set (never
// including itself) and scored by the evaluator of the model's output kind; the summary
// holds each declared metric's mean and median, and the HTML report the best / median /
// worst samples by the evaluator's ranking metric and a histogram of it.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/train/evaluator.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::train {

struct EvalOptions {
    std::string split = "test";          // train | val | test | all
    std::int64_t batch = 16;             // samples predicted at once
    std::string lpips_weights;           // spectra: LPIPS-alex weights; empty = unavailable
    torch::Device device = torch::kCPU;  // where the metrics run (the model's device)
    bool skip_empty = false;             // datasets whose split is empty are skipped (else Error)
};

struct SampleScore {
    std::size_t dataset = 0;     // position in the evaluated DataList
    std::int64_t index = 0;      // sample index in that dataset
    std::vector<double> values;  // one per EvalResult::metrics
};

struct EvalResult {
    std::string split;
    OutputKind kind = OutputKind::Spectrum;
    std::vector<MetricInfo> metrics;
    std::string ranking;                // the metric best / median / worst are picked by
    std::string notes;                  // the evaluator's notes (conventions, unavailable metrics)
    std::vector<std::string> datasets;  // sources, in DataList order
    std::vector<SampleScore> samples;   // in split order, dataset by dataset
    // Prediction time only, after one untimed warm-up batch: steady state. The warm-up's own
    // time (first kernel loads, RF-3DGS's operator extraction, caches) is first_call_seconds.
    double seconds_per_sample = 0;
    double first_call_seconds = 0;
    nlohmann::json pooled = nlohmann::json::object();

    // {"split", "kind", "count", "datasets", "mean": {metric: v}, "median": {...},
    //  "infinite": {metric: n}, "ranking", "notes", "pooled", "seconds_per_sample",
    //  "first_call_seconds"};
    // metrics with no value are "unavailable", ±∞ are strings.
    nlohmann::json summary() const;
    std::size_t metric(const std::string& name) const;  // index into metrics
    // Indices into `samples` of the best, median and worst by the ranking metric.
    std::vector<std::size_t> best_median_worst() const;
};

EvalResult evaluate(Model& model, const DataList& data, const EvalOptions& options);

// Writes {"summary": …, "info": info, "samples": [...]} atomically.
void write_metrics_json(const EvalResult& result,
                        const nlohmann::json& info,
                        const std::filesystem::path& path);

struct ReportInfo {
    std::string title = "radiofield evaluation";
    nlohmann::json details =
        nlohmann::json::object();  // shown as a key/value table (model, data, …)
};

// Self-contained HTML (figures embedded as data URIs or inline SVG), plus copies of the
// figures beside it (<stem>_best, _median, _worst, _histogram.svg). Re-predicts the three
// shown samples.
void write_report(Model& model,
                  const DataList& data,
                  const EvalResult& result,
                  const EvalOptions& options,
                  const ReportInfo& info,
                  const std::filesystem::path& html_path);

// RFC 4648 base64 (for data URIs).
std::string base64_encode(const std::uint8_t* bytes, std::size_t size);

}  // namespace radiofield::train
