#pragma once
// RUN/checkpoint.pt: one LibTorch archive holding
//   meta       JSON string {"version": "radiofield-ckpt-2", "model", "step", "phase",
//              "elapsed_s", "config"}
//   model      the model's own archive (Model::save; parameters with their current shapes)
//   optimizer  Adam's state, one parameter group per model group (absent for models with
//              nothing to learn)
//   rng        the training generator's state (batches continue exactly on resume)
// Written atomically (temporary name, then rename), so an interruption never leaves half
// a checkpoint.

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "radiofield/train/model.hpp"

namespace radiofield::train {

inline constexpr const char* kCheckpointVersion = "radiofield-ckpt-2";

struct CheckpointState {
    std::string model;      // the registered model name
    nlohmann::json config;  // RunConfig::to_json() of the run
    std::int64_t step = 0;  // optimisation steps done
    std::string phase;      // the phase of the next step ("" when done)
    double elapsed_s = 0;   // training wall time so far
};

void save_checkpoint(const std::filesystem::path& path,
                     const CheckpointState& state,
                     const Model& model,
                     torch::optim::Optimizer* optimizer,
                     const torch::Generator* generator);

// Reads the meta block only. Throws Error naming the file if it is not a radiofield
// checkpoint, has another version, or (expected_model non-empty) belongs to another model.
CheckpointState read_checkpoint_state(const std::filesystem::path& path,
                                      const std::string& expected_model = "");

// Restores the model weights and, where given, the generator state; checks as
// read_checkpoint_state with model.name(). `device` is the model's (set_device before): the
// weights are read onto it, whichever device saved them.
CheckpointState load_checkpoint(const std::filesystem::path& path,
                                Model& model,
                                torch::Device device,
                                torch::Generator* generator = nullptr);
// The weights a new run starts from (a study run's "init", fine-tuning): as load_checkpoint,
// but the checkpoint may be of any model that model.starts_from() accepts, read between
// model.initialising_from(its model) and model.initialised_from(its model).
CheckpointState load_initial_weights(const std::filesystem::path& path,
                                     Model& model,
                                     torch::Device device);
// Restores the optimiser state into `optimizer`, which is built after load_checkpoint from
// the model's parameter groups (so their count and shapes are the checkpoint's), onto
// `device`, the parameters'.
void load_optimizer_state(const std::filesystem::path& path,
                          torch::optim::Optimizer& optimizer,
                          torch::Device device);

}  // namespace radiofield::train
