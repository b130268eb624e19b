// Checkpoints: save atomically, validate version and model before touching any weights.
#include "radiofield/train/checkpoint.hpp"

#include <string_view>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

std::string first_line(const char* text) {
    const std::string s(text);
    return s.substr(0, s.find('\n'));
}

// Tensors come out on `device` whatever device saved them: a run trained on a GPU loads on a
// machine without one.
torch::serialize::InputArchive open_archive(const fs::path& path, torch::Device device) {
    if (!fs::exists(path))
        fail("checkpoint '{}' does not exist (train the run first: radiofield train ... --out RUN)",
             path.string());
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path.string(), device);
    } catch (const c10::Error& e) {
        fail(
            "'{}' is not a radiofield checkpoint (not a LibTorch archive: {}); delete it or train "
            "with --restart",
            path.string(), first_line(e.what_without_backtrace()));
    }
    return archive;
}

CheckpointState parse_meta(torch::serialize::InputArchive& archive,
                           const fs::path& path,
                           const std::string& expected_model) {
    c10::IValue meta;
    if (!archive.try_read("meta", meta) || !meta.isString()) {
        fail(
            "'{}' is not a radiofield checkpoint (no meta block); delete it or train with "
            "--restart",
            path.string());
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(meta.toStringRef());
    } catch (const nlohmann::json::exception&) {
        fail(
            "'{}': the checkpoint's meta block is not valid JSON; delete it or train with "
            "--restart",
            path.string());
    }
    const std::string version = j.value("version", "");
    if (version != kCheckpointVersion) {
        fail(
            "'{}' is a checkpoint of version '{}' but this radiofield reads '{}'; retrain the run "
            "(--restart)",
            path.string(), version, kCheckpointVersion);
    }
    CheckpointState s;
    s.model = j.value("model", "");
    s.step = j.value("step", std::int64_t{0});
    s.phase = j.value("phase", std::string{});
    s.elapsed_s = j.value("elapsed_s", 0.0);
    s.config = j.value("config", nlohmann::json::object());
    if (!expected_model.empty() && s.model != expected_model) {
        fail(
            "'{}' is a checkpoint of model '{}', not '{}'; use a new --out folder, pass --restart "
            "to replace "
            "it, or select --model {}",
            path.string(), s.model, expected_model, s.model);
    }
    return s;
}

}  // namespace

void save_checkpoint(const fs::path& path,
                     const CheckpointState& state,
                     const Model& model,
                     torch::optim::Optimizer* optimizer,
                     const torch::Generator* generator) {
    torch::serialize::OutputArchive root;
    const nlohmann::json meta = {
        {"version", kCheckpointVersion}, {"model", state.model},         {"step", state.step},
        {"phase", state.phase},          {"elapsed_s", state.elapsed_s}, {"config", state.config}};
    root.write("meta", c10::IValue(meta.dump()));
    torch::serialize::OutputArchive weights(root.compilation_unit());
    model.save(weights);
    root.write("model", weights);
    if (optimizer) {
        torch::serialize::OutputArchive opt(root.compilation_unit());
        optimizer->save(opt);
        root.write("optimizer", opt);
    }
    if (generator)
        root.write("rng", generator->get_state());
    AtomicOutput out(path, true);
    try {
        root.save_to(out.temp_path().string());
    } catch (const c10::Error& e) {
        fail("cannot write checkpoint '{}': {}", path.string(), e.what_without_backtrace());
    }
    out.commit();
}

CheckpointState read_checkpoint_state(const fs::path& path, const std::string& expected_model) {
    auto archive = open_archive(path, torch::kCPU);
    return parse_meta(archive, path, expected_model);
}

namespace {

// `advice`: what to do when the weights do not fit the model as configured (LibTorch's
// reading error, or the model's own check in load()).
void read_weights(torch::serialize::InputArchive& archive,
                  const fs::path& path,
                  Model& model,
                  torch::Generator* generator,
                  std::string_view advice) {
    torch::serialize::InputArchive weights;
    try {
        if (!archive.try_read("model", weights))
            fail("'{}' holds no model weights", path.string());
    } catch (const c10::Error& e) {
        fail("'{}' holds no readable model weights ({})", path.string(),
             e.what_without_backtrace());
    }
    const auto misfit = [&](const char* why) {
        fail("'{}' does not fit model '{}' as configured ({}); {}", path.string(), model.name(),
             why, advice);
    };
    try {
        model.load(weights);
        if (generator) {
            torch::Tensor rng;
            if (archive.try_read("rng", rng))
                generator->set_state(rng.cpu());
        }
    } catch (const c10::Error& e) {
        misfit(e.what_without_backtrace());
    } catch (const Error& e) {  // the model's own check in load()
        misfit(e.what());
    }
}

}  // namespace

CheckpointState load_checkpoint(const fs::path& path,
                                Model& model,
                                torch::Device device,
                                torch::Generator* generator) {
    auto archive = open_archive(path, device);
    CheckpointState s = parse_meta(archive, path, model.name());
    read_weights(archive, path, model, generator,
                 "was the model configuration changed? Retrain with --restart");
    return s;
}

CheckpointState load_initial_weights(const fs::path& path, Model& model, torch::Device device) {
    auto archive = open_archive(path, device);
    CheckpointState s = parse_meta(archive, path, "");
    if (!model.starts_from(s.model))
        fail(
            "'{}' holds the weights of model '{}', which a '{}' run cannot start from; start "
            "from a run of '{}' or of a model that shares its weights' layout",
            path.string(), s.model, model.name(), model.name());
    model.initialising_from(s.model);
    read_weights(archive, path, model, nullptr,
                 "give this run the settings that shape the weights as the run it starts from "
                 "has them (its config.json)");
    model.initialised_from(s.model);
    return s;
}

void load_optimizer_state(const fs::path& path,
                          torch::optim::Optimizer& optimizer,
                          torch::Device device) {
    auto archive = open_archive(path, device);
    try {
        torch::serialize::InputArchive opt;
        if (!archive.try_read("optimizer", opt))
            fail("'{}' holds no optimiser state; retrain with --restart", path.string());
        optimizer.load(opt);
    } catch (const c10::Error& e) {
        fail(
            "'{}': the optimiser state does not fit the model's parameters ({}); retrain with "
            "--restart",
            path.string(), e.what_without_backtrace());
    }
}

}  // namespace radiofield::train
