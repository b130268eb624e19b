#pragma once
// One evaluation of a study: the run predicts the split of its datasets, the evaluator of its
// output kind scores it, and OUT/evals/LABEL.json gets metrics.json's layout plus what the
// study adds (spec, declared metrics, sweep variables, per-sample AoA error); a few
// predictions go to OUT/evals/LABEL.spectra.h5 for the report's figures.

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/study/study.hpp"

namespace radiofield::study {

struct EvalJob {
    const EvalSpec* eval = nullptr;
    std::filesystem::path run_dir;
    std::vector<std::string> files;  // the evaluated datasets
    nlohmann::json spec;             // recorded in the document
    torch::Device device = torch::kCPU;
    std::string lpips_weights;
    std::filesystem::path out;  // OUT/evals/LABEL.json
};

// Runs the evaluation, writes its files atomically and returns the document.
nlohmann::json run_evaluation(const EvalJob& job);

// Writes j (indented) to path atomically; Error naming the path if it cannot.
void write_json(const std::filesystem::path& path, const nlohmann::json& j);

}  // namespace radiofield::study
