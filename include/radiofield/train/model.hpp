#pragma once
// The interface every model implements, and the registry that builds them by name
// (`radiofield train --model NAME`). A model sees spectra normalised per sample to [0,1]
// (DESIGN.md §4.3) through SpectrumData, and is trained by the one loop in train/loop.hpp.

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::train {

// Spectrum datasets as tensors, on the CPU (models move what they need to their device).
struct SpectrumData {
    torch::Tensor spectra;    // [N, n_el, n_az] float32 in [0,1] (per-sample min–max)
    torch::Tensor positions;  // [N, 3] float32, metres (the moving end)
    torch::Tensor scene_id;   // [N] int64: which input dataset each sample came from
    data::Split split;        // indices into the N samples
    data::SpectrumGrid grid;
    double frequency_hz = 0;
    Vec3 station_position;
    Quat station_orientation;
    Vec3 scene_lo, scene_hi;  // bounds of the scene(s) (for near/far, normalisation)

    std::int64_t size() const { return spectra.size(0); }
};

// Loads one or more spectrum datasets (same grid and frequency, else a clear Error) into
// SpectrumData; normalises each spectrum to [0,1] unless the data is already normalised.
SpectrumData load_spectrum_data(const std::vector<std::string>& paths);

class Model {
public:
    virtual ~Model() = default;
    virtual std::string name() const = 0;
    virtual nlohmann::json config() const = 0;  // the effective configuration

    // Called once before training / prediction with the training data (KNN keeps it as its
    // neighbour pool; NeRF2 takes near/far from the scene; GRaF its neighbour index).
    virtual void prepare(const SpectrumData& train_data) = 0;
    // False for models with nothing to learn (KNN): the loop skips straight to evaluation.
    virtual bool trainable() const { return true; }
    virtual std::vector<torch::Tensor> parameters() { return {}; }
    // One optimisation step's loss on a batch drawn from `data.split.train` with `gen`;
    // returns a scalar with a graph to backpropagate. `gen` is a CPU generator (its state is
    // checkpointed, so a resumed run draws the same batches): draw indices on the CPU and
    // move them. The loop runs this under bf16 autocast on CUDA when mixed precision is on.
    virtual torch::Tensor training_loss(const SpectrumData& data, torch::Generator& gen) {
        throw std::logic_error("model has no training loss");
    }
    // Spectra at `positions` [B, 3] → [B, n_el, n_az] in [0,1] (no grad), on the model's
    // device. `exclude` [B] int64 (or undefined) lists, per query, a sample index of the data
    // given to prepare() that the model must not look at (the query itself, when it is in the
    // training split), or −1.
    virtual torch::Tensor predict(const torch::Tensor& positions,
                                  const torch::Tensor& exclude = {}) = 0;

    // Training settings this model is meant to be trained with ({"lr", "weight_decay"}, the
    // TrainConfig keys), used where the run's configuration gives none.
    virtual nlohmann::json train_defaults() const { return nlohmann::json::object(); }

    virtual void set_device(torch::Device device) {}
    virtual void save(torch::serialize::OutputArchive& archive) const {}
    virtual void load(torch::serialize::InputArchive& archive) {}
};

using ModelFactory = std::function<std::unique_ptr<Model>(const nlohmann::json& config)>;

// Registry by name; an unknown name throws Error listing the known ones.
void register_model(const std::string& name, const std::string& summary, ModelFactory factory);
std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& config = {});
std::vector<std::pair<std::string, std::string>> model_names();  // (name, summary)

}  // namespace radiofield::train
