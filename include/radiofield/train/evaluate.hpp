#pragma once
// Evaluation of a model on a split (`radiofield eval`): per-sample MSE, PSNR, SSIM (GRaF's
// convention, "ssim"), SSIM (scikit-image's, "ssim_skimage") and LPIPS (only with a weights
// file; otherwise reported as "unavailable"), their mean and median (DESIGN.md §7), and an
// HTML report with the best / median / worst spectra and a PSNR histogram.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/train/model.hpp"

namespace radiofield::train {

struct EvalOptions {
    std::string split = "test";    // train | val | test | all
    std::int64_t batch = 16;       // spectra predicted at once
    std::string lpips_weights;     // LPIPS-alex weights file (train/lpips.hpp); empty = unavailable
    torch::Device device = torch::kCPU;  // where the metrics run (the model's device)
};

struct SampleScore {
    std::int64_t index = 0;        // sample index in the SpectrumData
    double mse = 0, psnr = 0, ssim = 0, ssim_skimage = 0;
    std::optional<double> lpips;
};

struct EvalResult {
    std::string split;
    std::vector<SampleScore> samples;   // in split order
    std::string lpips_status;           // how LPIPS was computed, or why it is unavailable
    double seconds_per_spectrum = 0;    // prediction time only (no metrics)

    // {"split", "count", "mean": {metric: v}, "median": {...}, "lpips": status,
    //  "seconds_per_spectrum", "psnr_infinite": n}; LPIPS mean/median are "unavailable"
    // strings when no weights were given.
    nlohmann::json summary() const;
    // Indices into `samples` of the best, median and worst PSNR.
    std::vector<std::size_t> best_median_worst() const;
};

// The sample indices of a split by name; throws Error for an unknown name or an empty split.
std::vector<std::int64_t> split_indices(const SpectrumData& data, const std::string& split);

// Predicts the split in batches (a sample that is also in the model's neighbour pool is
// excluded from its own prediction) and scores every spectrum.
EvalResult evaluate(Model& model, const SpectrumData& data, const EvalOptions& options);

// Writes {"summary": …, "samples": [...], "info": info} atomically.
void write_metrics_json(const EvalResult& result, const nlohmann::json& info, const std::filesystem::path& path);

struct ReportInfo {
    std::string title = "radiofield evaluation";
    nlohmann::json details = nlohmann::json::object();  // shown as a key/value table (model, data, …)
};

// Self-contained HTML (figures embedded as PNG data URIs, histogram as inline SVG), plus
// PNG copies of the figures beside it (<stem>_best.png, _median.png, _worst.png,
// _histogram.svg). Re-predicts the three shown samples.
void write_report(Model& model, const SpectrumData& data, const EvalResult& result, const ReportInfo& info,
                  const std::filesystem::path& html_path);

// RFC 4648 base64 (for data URIs).
std::string base64_encode(const std::uint8_t* bytes, std::size_t size);

}  // namespace radiofield::train
