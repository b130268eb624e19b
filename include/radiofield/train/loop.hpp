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

namespace radiofield::train {

inline constexpr double kDefaultLr = 1e-3;  // Adam's usual rate, for models that recommend none

struct TrainConfig {
    std::int64_t steps = 1000;
    // Unset: the model's recommendation (Model::train_defaults; NeRF2: 8e-4 and 5e-5), else
    // 1e-3 and 0. train_run resolves them, and RUN/config.json records the values used.
    std::optional<double> lr;
    std::optional<double> weight_decay;  // Adam's L2 term (as torch.optim.Adam(weight_decay=…))
    std::string schedule = "cosine";     // "cosine" (to 0 at `steps`) | "step" | "constant"
    double gamma = 0.5;                  // step: lr × gamma^⌊step / every⌋
    std::int64_t every = 1000;
    double grad_clip = 0;  // max global gradient norm; 0 = no clipping
    std::uint64_t seed = 0;
    std::int64_t eval_every = 0;  // validation metrics every N steps (0 = only at the end)
    std::int64_t checkpoint_every = 500;
    std::int64_t log_every = 1;    // a log.jsonl line every N steps
    std::int64_t batch = 0;        // > 0: passed to the model config as "batch"
    bool mixed_precision = false;  // bf16 autocast on CUDA; ignored on the CPU
    // Train on datasets of different spectrum conventions (a study of the effect); else an
    // Error naming both files.
    bool mixed_conventions = false;
    std::string device = "auto";  // auto | cpu | cuda

    static TrainConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
    // Learning rate at step `step` (0-based) of a stretch of `steps` steps, starting at
    // `base`, under `schedule` (cosine to 0 at `steps`, step: × gamma every `every`, constant).
    double lr_at(std::int64_t step,
                 std::int64_t steps,
                 double base,
                 const std::string& schedule) const;
    double lr_at(std::int64_t step) const {
        return lr_at(step, steps, lr.value_or(kDefaultLr), schedule);
    }
    // Fills lr / weight_decay left unset from `defaults` ({"lr", "weight_decay"}), else 1e-3 / 0.
    void resolve_defaults(const nlohmann::json& defaults);
};

// Everything `train` needs; RUN/config.json, and the shape of a --config file:
// {"model": "knn_dl", "model_config": {...}, "train": {...}, "data": ["a.h5"]}.
struct RunConfig {
    std::string model;
    nlohmann::json model_config = nlohmann::json::object();
    TrainConfig train;
    std::vector<std::string> data;
    // Set by train_run: the training datasets' contexts (SceneContext::to_json); a loaded
    // run prepares its model with them and checks new data against them.
    std::vector<SceneContext> contexts;

    static RunConfig from_json(const nlohmann::json& j);
    static RunConfig read(const std::filesystem::path& path);  // a config.json
    nlohmann::json to_json() const;
};

// "key=value" (--set): a TrainConfig key sets it; "model.KEY" or any other key sets the
// model config. The value is parsed as JSON (numbers, true/false, lists), else taken as a
// string: "lr=5e-4", "k=4", "weights=barycentric", "model.channels=16".
void apply_setting(RunConfig& config, const std::string& assignment);

struct TrainOptions {
    bool restart = false;          // ignore (and replace) an existing checkpoint
    std::int64_t stop_after = -1;  // ≥ 0: checkpoint and return after this many steps (tests)
    bool handle_sigint = true;     // Ctrl-C, SIGTERM → checkpoint, return with interrupted = true
    bool final_eval = true;        // evaluate (test split, else val) and write metrics.json
    // A new run (nothing to resume) starts from these weights (a checkpoint of the same model
    // and shapes) instead of fresh ones, with a fresh optimiser: fine-tuning.
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
