#pragma once
// The one training loop every model goes through (`radiofield train`). A run folder holds
//   RUN/config.json     model name + model config + train config + data paths + the
//                       training datasets' contexts
//   RUN/checkpoint.pt   weights, phase, every group's optimiser state, step, RNG state
//                       (atomic writes)
//   RUN/log.jsonl       one line per logged step: {"step", "phase", "loss", "lr", "time"}
//                       (+ "val_*" lines)
//   RUN/metrics.json    the evaluation at the end of training (train/evaluate.hpp)
// A folder with a checkpoint is resumed (same configuration) unless TrainOptions::restart;
// Ctrl-C saves a checkpoint and stops cleanly; an error in the middle of a step saves the
// last completed step and says how to resume.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/train/model.hpp"
#include "radiofield/train/run_config.hpp"

namespace radiofield::train {

struct TrainOptions {
    bool restart = false;          // ignore (and replace) an existing checkpoint
    std::int64_t stop_after = -1;  // ≥ 0: checkpoint and return after this many steps (tests)
    bool handle_sigint = true;     // Ctrl-C, SIGTERM → checkpoint, return with interrupted = true
    bool final_eval = true;        // evaluate (test split, else val) and write metrics.json
    bool final_val_only = false;  // … the validation split only (choosing settings unseen by test)
    // A new run (nothing to resume) starts from these weights instead of fresh ones, with a
    // fresh optimiser: a checkpoint of a model this one starts_from(), with its shapes
    // (load_initial_weights).
    std::filesystem::path init_from;
};

struct TrainResult {
    std::int64_t step = 0;  // steps done in total (resumed ones included)
    bool resumed = false;
    bool interrupted = false;    // stopped by Ctrl-C or stop_after before `steps`
    std::vector<double> losses;  // this call's loss per step
    nlohmann::json metrics;      // the final evaluation's summary (null if none)
};

// The checks train_run makes before any work, for a run folder: a folder (or nothing yet),
// creatable; Error naming the path and the fix otherwise.
void check_run_folder(const std::filesystem::path& run_dir);

// The steps a run of `model` trains over all its phases; a phase without a count of its own
// takes `run_steps` (train.steps). Error if the model's phases are malformed.
std::int64_t total_steps(const Model& model, std::int64_t run_steps);

// Validates the data and configuration (Error before any training), then trains.
TrainResult train_run(const RunConfig& config,
                      const std::filesystem::path& run_dir,
                      const TrainOptions& options = {});

// A trained run, ready to predict: the model built from RUN/config.json, prepared with the
// training contexts, moved to `device`, weights from RUN/checkpoint.pt.
struct LoadedRun {
    RunConfig config;
    std::unique_ptr<Model> model;
    std::int64_t step = 0;

    // The model's data needs; Error if a dataset of `data` disagrees with the training data
    // on a field the model requires to match, or on the spectrum convention unless
    // `mixed_conventions` (both files and the field named).
    void check_data(const DataList& data, bool mixed_conventions = false) const;
    // Reads datasets for this run's model (its views) and checks them (check_data).
    DataList load_data(const std::vector<std::string>& paths, bool mixed_conventions = false) const;
};
LoadedRun load_run(const std::filesystem::path& run_dir, torch::Device device);

}  // namespace radiofield::train
