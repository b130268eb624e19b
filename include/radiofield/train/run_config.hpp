#pragma once
// A training run's configuration as JSON (RUN/config.json, `radiofield train --config`,
// a study's "train" settings) and the scene contexts it records: the plain-C++ part of the
// learning core, with no LibTorch, so that its parser is fuzzed like the others
// (fuzz/run_config.cpp, docs/fuzzing.md). train/loop.hpp and train/data.hpp include it.

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::train {

// Facts of a dataset that models may require to agree across datasets. Datasets read for
// their spectra must always agree on the spectrum convention (docs/conventions.md), unless
// a run asks for mixed conventions on purpose.
enum class ContextField { Frequency, Grid, Station, Moving, Convention };
// "frequency", "spectrum grid", "station", "moving end", "spectrum convention"
std::string_view to_string(ContextField field);

// Where and how a dataset was made.
struct SceneContext {
    std::string source;  // the file it came from (for messages)
    double frequency_hz = 0;
    data::SpectrumGrid grid;                    // the spectra's grid (meaningful with spectra)
    Vec3 station_position;                      // the fixed end
    Quat station_orientation;                   // its spectrum frame (x, y, z, w)
    std::string moving = "tx";                  // which end the positions describe
    std::string convention = "bartlett_power";  // how its spectra were formed
    // path_gain_db: the dB range [lo, hi] its spectra map to 0..1 (the dataset's
    // attrs["db_range"]); unset for the other conventions.
    std::optional<std::array<double, 2>> db_range;
    Vec3 lo, hi;  // bounds of the positions and the station, m

    std::string describe(ContextField field) const;  // e.g. "915 MHz", "90x360 (…)"
    bool agrees(const SceneContext& other, ContextField field) const;
    nlohmann::json to_json() const;
    static SceneContext from_json(const nlohmann::json& j);  // Error on a malformed entry
};

// Throws Error if `b` disagrees with `a` on any of `fields`, naming both sources, the field
// and both values; `fix` is appended as the advice.
void check_agreement(const SceneContext& a,
                     const SceneContext& b,
                     const std::vector<ContextField>& fields,
                     std::string_view fix);

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

}  // namespace radiofield::train
