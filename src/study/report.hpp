#pragma once
// The study's report: one self-contained HTML page (inline SVG plots, PNG data URIs) and a
// markdown copy of its tables.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "radiofield/study/study.hpp"

namespace radiofield::study {

struct RunRecord {
    nlohmann::json config;     // RUN/config.json (model, effective model config, train, data)
    double train_seconds = 0;  // wall time of its training, resumed parts included
    int side_by_side = 1;      // training runs that shared the device with it (study --jobs)
    bool trainable = true;
    std::int64_t steps = 0;  // the steps it trains over all its phases (train::total_steps)
    std::string pretrained;  // a shipped model's name, when the run is one
    nlohmann::json produced_by = nlohmann::json::object();  // its manifest's "produced_by"
};

struct ReportInputs {
    const Study* study = nullptr;
    std::filesystem::path out;                          // the study's output folder
    std::map<std::string, RunRecord> runs;              // by run name
    std::map<std::string, nlohmann::json> evals;        // evals/LABEL.json documents, by label
    std::map<std::string, std::filesystem::path> data;  // dataset files, by dataset name
    // A partial report (study --partial): what is not there yet. Datasets, runs and
    // evaluations missing from the maps above are shown as such.
    bool partial = false;
    std::vector<std::string> missing_runs, missing_evaluations;
    // Runs left out by `study --runs` and their evaluations: shown as not selected.
    std::vector<std::string> unselected_runs, unselected_evaluations;
    std::vector<std::string> selection;  // the --runs patterns, as given
};

// Writes OUT/report.html, OUT/report.md and OUT/figures/* atomically.
void write_study_report(const ReportInputs& inputs);

// "a, b, c and 12 more": the first eight names and how many others.
std::string some_of(const std::vector<std::string>& names);

// Evenly spaced picks of `n` out of `size` (0-based positions, ascending, distinct).
std::vector<std::size_t> even_picks(std::size_t size, std::size_t n);

inline constexpr std::size_t kFigureSamples = 8;  // predictions kept per evaluation for figures

}  // namespace radiofield::study
