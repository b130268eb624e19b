#pragma once
// The interface every model implements, and the registry that builds them by name
// (`radiofield train --model NAME`). The core names what differs between model families
// once (DESIGN.md §2.1), so each family is a peer module:
//  - what it reads: DataNeeds (views, context fields that must agree across datasets);
//  - what it predicts: OutputKind, from a Query (dataset, positions, support set);
//  - how it trains: named parameter groups (own lr / schedule), phases (steps, groups that
//    train, the data view that feeds them) and hooks around the backward pass that may add,
//    prune or replace parameters through a ParameterEditor, with Adam's moments following.
// The built-in models are registered by the program (models::register_builtin_models()),
// so this layer knows no model.

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/train/data.hpp"
#include "radiofield/train/optimizer.hpp"
#include "radiofield/train/prediction.hpp"
#include "radiofield/train/query.hpp"

namespace radiofield::train {

// Parameters that share optimiser settings. Unset values take the run's (TrainConfig).
struct ParamGroup {
    ParamGroup(std::string name,
               std::vector<torch::Tensor> params,
               std::optional<double> lr = std::nullopt,
               std::optional<double> weight_decay = std::nullopt,
               std::string schedule = {})
        : name(std::move(name)),
          params(std::move(params)),
          lr(lr),
          weight_decay(weight_decay),
          schedule(std::move(schedule)) {}

    std::string name;
    std::vector<torch::Tensor> params;
    std::optional<double> lr;
    std::optional<double> weight_decay;
    std::string schedule;  // "cosine" | "step" | "constant" over each phase; empty: the run's
};

// A stretch of training: which groups learn, from which data view.
struct Phase {
    Phase() = default;
    Phase(std::string name,
          std::int64_t steps,
          std::vector<std::string> groups = {},
          DataView view = DataView::Spectra)
        : name(std::move(name)), steps(steps), groups(std::move(groups)), view(view) {}

    std::string name = "train";
    std::int64_t steps = -1;          // < 0: the run's --steps
    std::vector<std::string> groups;  // groups that train; empty = all (others are frozen)
    DataView view = DataView::Spectra;
};

// What the hooks see. `editor` changes parameters (and their Adam moments).
struct StepContext {
    std::int64_t step = 0;        // steps completed before this one (whole run)
    std::int64_t phase_step = 0;  // steps completed in this phase before this one
    const Phase& phase;
    const DataList& data;
    ParameterEditor& editor;
};

class Model {
public:
    virtual ~Model() = default;
    virtual std::string name() const = 0;
    virtual nlohmann::json config() const = 0;  // the effective configuration
    virtual OutputKind output() const { return OutputKind::Spectrum; }
    virtual DataNeeds needs() const { return {}; }

    // Called once before training or prediction: `contexts` are the training datasets'
    // (always); `data` is the training data itself at training time, null when a trained
    // run is loaded to predict (what was learnt from the data is in the checkpoint).
    virtual void prepare(const std::vector<SceneContext>& contexts, const DataList* data) {}
    // False for models with nothing to learn (KNN): the loop skips straight to evaluation.
    virtual bool trainable() const { return true; }
    // The parameters by group, in a fixed order (the optimiser is built from them after a
    // checkpoint is loaded, so they must have the checkpoint's shapes by then).
    virtual std::vector<ParamGroup> parameter_groups() { return {}; }
    virtual std::vector<Phase> phases() const { return {Phase{}}; }
    // One step's loss in `phase` on a batch drawn with `gen` (a CPU generator whose state is
    // checkpointed, so a resumed run draws the same batches): a scalar with a graph. The loop
    // runs it under bf16 autocast on CUDA when mixed precision is on.
    virtual torch::Tensor training_loss(const DataList& data,
                                        const Phase& phase,
                                        torch::Generator& gen) {
        throw std::logic_error("model has no training loss");
    }
    // Once when a phase begins, before its first step's loss (phase_step 0): a start for the
    // phase's parameters drawn from the data. Not called when a run resumes inside a phase.
    virtual void begin_phase(StepContext& step) {}
    virtual void before_backward(StepContext& step) {}
    virtual void after_backward(StepContext& step) {
    }                                              // gradients are there; before the optimiser step
    virtual void after_step(StepContext& step) {}  // after the optimiser step (densify, prune)

    // Predictions for `query` (no grad), on the model's device; kind output().
    virtual Prediction predict(const Query& query) = 0;

    // Training settings this model is meant to be trained with ({"lr", "weight_decay"}, the
    // TrainConfig keys), used where the run's configuration gives none.
    virtual nlohmann::json train_defaults() const { return nlohmann::json::object(); }

    // Whether a run of this model can start from the weights of a run of `model` (a study
    // run's "init", fine-tuning a shipped model): its own, unless models share their weights'
    // layout. Before such weights are loaded, initialising_from(model) tells the model where
    // they come from (so that load() may take a layout its own settings change on purpose);
    // after, initialised_from(model) lets it reset what means something else in its own (the
    // defaults keep everything).
    virtual bool starts_from(const std::string& model) const { return model == name(); }
    virtual void initialising_from(const std::string& model) {}
    virtual void initialised_from(const std::string& model) {}

    virtual void set_device(torch::Device device) {}
    virtual void save(torch::serialize::OutputArchive& archive) const {}
    virtual void load(torch::serialize::InputArchive& archive) {}
    // Casts the floating-point weights to `dtype` before save() writes them (pack-model
    // --weights-dtype float16 halves a shipped model); load() must bring weights stored in
    // any floating type back to the model's own. Models that cannot throw Error (the default).
    virtual void cast_weights_for_storage(torch::Dtype dtype);
};

using ModelFactory = std::function<std::unique_ptr<Model>(const nlohmann::json& config)>;

// Registry by name; an unknown name throws Error listing the known ones.
void register_model(const std::string& name, const std::string& summary, ModelFactory factory);
bool model_registered(const std::string& name);
std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& config = {});
std::vector<std::pair<std::string, std::string>> model_names();  // (name, summary)

}  // namespace radiofield::train
