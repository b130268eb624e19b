#pragma once
// Evaluators, one per output kind (DESIGN.md §7). Each declares its metrics, the metric it
// ranks best / median / worst by, and draws the figure of one sample; `eval`, the report
// and the CLI iterate over what it declares and name no metric themselves.
//  - spectra: mse, psnr, ssim (GRaF's convention), ssim_skimage (NeRF2's), lpips (with a
//    user-supplied weights file, else "unavailable");
//  - path sets: overall_db, rcm_db, avg_delay_ns (GeNeRT §IV-B2) after Hungarian matching.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/train/data.hpp"
#include "radiofield/train/prediction.hpp"

namespace radiofield::train {

struct MetricInfo {
    std::string name;  // key in metrics.json
    std::string unit;  // "dB", "ns", "" …
    bool higher_is_better = false;
    std::string description;
};

struct Figure {
    std::string mime;     // "image/png" (bytes) or "image/svg+xml" (text)
    std::string content;  // the PNG bytes or the SVG text
    std::string alt;
    std::string extension() const { return mime == "image/png" ? ".png" : ".svg"; }
};

struct EvaluatorOptions {
    std::string lpips_weights;           // spectra: LPIPS-alex weights file; empty = unavailable
    torch::Device device = torch::kCPU;  // where metrics run
};

class Evaluator {
public:
    virtual ~Evaluator() = default;
    virtual OutputKind kind() const = 0;
    virtual std::vector<MetricInfo> metrics() const = 0;
    virtual std::string ranking_metric() const = 0;
    // A line for the report on conventions and on metrics that are unavailable.
    virtual std::string notes() const { return ""; }
    // One row per predicted sample (`index` into `scene`), one value per metrics() entry;
    // NaN = unavailable for that sample.
    virtual std::vector<std::vector<double>> score(const SceneData& scene,
                                                   const std::vector<std::int64_t>& index,
                                                   const Prediction& prediction) = 0;
    // Truth beside prediction for sample `index` of `scene` (`one`: its prediction).
    virtual Figure figure(const SceneData& scene, std::int64_t index, const Prediction& one) = 0;
    // Dataset-level figures beyond mean / median (e.g. GeNeRT's pooled errors); may be empty.
    virtual nlohmann::json pooled() const { return nlohmann::json::object(); }

    std::size_t metric_index(const std::string& name) const;  // Error for an unknown name
};

std::unique_ptr<Evaluator> make_evaluator(OutputKind kind, const EvaluatorOptions& options = {});

}  // namespace radiofield::train
