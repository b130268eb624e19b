#pragma once
// The one training loop every model goes through (`radiofield train`). A run folder holds
//   RUN/config.json     model name + model config + train config + data paths
//   RUN/checkpoint.pt   weights, optimiser state, step, RNG state, config (atomic writes)
//   RUN/log.jsonl       one line per logged step: {"step", "loss", "lr", "time"} (+ "val_*")
//   RUN/metrics.json    the evaluation at the end of training (train/evaluate.hpp)
// A folder with a checkpoint is resumed (same configuration) unless TrainOptions::restart;
// Ctrl-C saves a checkpoint and stops cleanly.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/train/model.hpp"

namespace radiofield::train {

struct TrainConfig {
    std::int64_t steps = 1000;
    // Unset: the model's recommendation (Model::train_defaults; NeRF2: 8e-4 and 5e-5), else
    // 1e-3 and 0. train_run resolves them, and RUN/config.json records the values used.
    std::optional<double> lr;
    std::optional<double> weight_decay;  // Adam's L2 term (as torch.optim.Adam(weight_decay=…))
    std::string schedule = "cosine";  // "cosine" (to 0 at `steps`) | "step" | "constant"
    double gamma = 0.5;               // step: lr × gamma^⌊step / every⌋
    std::int64_t every = 1000;
    double grad_clip = 0;             // max global gradient norm; 0 = no clipping
    std::uint64_t seed = 0;
    std::int64_t eval_every = 0;      // validation metrics every N steps (0 = only at the end)
    std::int64_t checkpoint_every = 500;
    std::int64_t log_every = 1;       // a log.jsonl line every N steps
    std::int64_t batch = 0;           // > 0: passed to the model config as "batch"
    bool mixed_precision = false;     // bf16 autocast on CUDA; ignored on the CPU
    std::string device = "auto";      // auto | cpu | cuda

    static TrainConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
    double lr_at(std::int64_t step) const;  // learning rate for step `step` (0-based)
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
    // Set by train_run from the training data: {"frequency_hz", "grid": {n_el, n_az, el0_deg,
    // az0_deg, step_deg}}; load_run checks new data against it.
    nlohmann::json data_info = nlohmann::json::object();

    static RunConfig from_json(const nlohmann::json& j);
    static RunConfig read(const std::filesystem::path& path);  // a config.json
    nlohmann::json to_json() const;
};

// "key=value" (--set): a TrainConfig key sets it; "model.KEY" or any other key sets the
// model config. The value is parsed as JSON (numbers, true/false, lists), else taken as a
// string: "lr=5e-4", "k=4", "weights=barycentric", "model.channels=16".
void apply_setting(RunConfig& config, const std::string& assignment);

struct TrainOptions {
    bool restart = false;           // ignore (and replace) an existing checkpoint
    std::int64_t stop_after = -1;   // ≥ 0: checkpoint and return after this many steps (tests)
    bool handle_sigint = true;      // Ctrl-C → checkpoint, return with interrupted = true
    bool final_eval = true;         // evaluate (test split, else val) and write metrics.json
};

struct TrainResult {
    std::int64_t step = 0;       // steps done in total (resumed ones included)
    bool resumed = false;
    bool interrupted = false;    // stopped by Ctrl-C or stop_after before `steps`
    std::vector<double> losses;  // this call's loss per step
    nlohmann::json metrics;      // the final evaluation's summary (null if none)
};

// Validates the data and configuration (Error before any training), then trains.
TrainResult train_run(const RunConfig& config, const std::filesystem::path& run_dir,
                      const TrainOptions& options = {});

// A trained run, ready to predict: the model built from RUN/config.json, prepared with
// `pool` (the samples whose training split serves as neighbours / scene context — the
// evaluated dataset), moved to `device`, weights from RUN/checkpoint.pt. Throws Error if
// `pool` has another grid or frequency than the training data (`pool_name` names it).
struct LoadedRun {
    RunConfig config;
    std::unique_ptr<Model> model;
    std::int64_t step = 0;
};
LoadedRun load_run(const std::filesystem::path& run_dir, const SpectrumData& pool, torch::Device device,
                   const std::string& pool_name = "the given data");

}  // namespace radiofield::train
