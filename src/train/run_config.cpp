// TrainConfig / RunConfig: JSON in and out, --set overrides, the learning-rate schedule.
#include "radiofield/train/run_config.hpp"

#include <cmath>
#include <fstream>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield::train {
namespace {

const std::initializer_list<std::string_view> kTrainKeys = {"steps",           "lr",
                                                            "weight_decay",    "schedule",
                                                            "gamma",           "every",
                                                            "grad_clip",       "seed",
                                                            "eval_every",      "checkpoint_every",
                                                            "log_every",       "batch",
                                                            "mixed_precision", "mixed_conventions",
                                                            "device"};

constexpr int kRunConfigVersion = 2;  // 2: training contexts, phases and parameter groups

}  // namespace

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "train config";
    check_keys(j, kTrainKeys, where);
    TrainConfig c;
    c.steps = get_or(j, "steps", c.steps, where);
    // Absent or null: the model's default (resolve_defaults).
    auto given = [&](const char* key) { return j.contains(key) && !j.at(key).is_null(); };
    if (given("lr"))
        c.lr = get_or(j, "lr", 0.0, where);
    if (given("weight_decay"))
        c.weight_decay = get_or(j, "weight_decay", 0.0, where);
    c.schedule = get_or(j, "schedule", c.schedule, where);
    c.gamma = get_or(j, "gamma", c.gamma, where);
    c.every = get_or(j, "every", c.every, where);
    c.grad_clip = get_or(j, "grad_clip", c.grad_clip, where);
    c.seed = get_or(j, "seed", c.seed, where);
    c.eval_every = get_or(j, "eval_every", c.eval_every, where);
    c.checkpoint_every = get_or(j, "checkpoint_every", c.checkpoint_every, where);
    c.log_every = get_or(j, "log_every", c.log_every, where);
    c.batch = get_or(j, "batch", c.batch, where);
    c.mixed_precision = get_or(j, "mixed_precision", c.mixed_precision, where);
    c.mixed_conventions = get_or(j, "mixed_conventions", c.mixed_conventions, where);
    c.device = get_or(j, "device", c.device, where);
    if (c.steps < 0)
        fail("train config: steps must be ≥ 0, got {}", c.steps);
    if (c.lr && !(*c.lr > 0))
        fail("train config: lr must be positive, got {}", *c.lr);
    if (c.weight_decay && *c.weight_decay < 0)
        fail("train config: weight_decay must be ≥ 0, got {}", *c.weight_decay);
    if (c.schedule != "cosine" && c.schedule != "step" && c.schedule != "constant") {
        fail("train config: unknown schedule '{}'; valid: cosine, step, constant", c.schedule);
    }
    if (c.schedule == "step" && (c.every < 1 || !(c.gamma > 0))) {
        fail(
            "train config: the step schedule needs every ≥ 1 and gamma > 0 (got every={}, "
            "gamma={})",
            c.every, c.gamma);
    }
    if (c.grad_clip < 0)
        fail("train config: grad_clip must be ≥ 0 (0 = off), got {}", c.grad_clip);
    if (c.log_every < 1)
        fail("train config: log_every must be ≥ 1, got {}", c.log_every);
    if (c.batch < 0)
        fail("train config: batch must be ≥ 0 (0 = the model's default), got {}", c.batch);
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda") {
        fail("train config: device must be auto, cpu or cuda, got '{}'", c.device);
    }
    return c;
}

nlohmann::json TrainConfig::to_json() const {
    auto optional = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    return {{"steps", steps},
            {"lr", optional(lr)},
            {"weight_decay", optional(weight_decay)},
            {"schedule", schedule},
            {"gamma", gamma},
            {"every", every},
            {"grad_clip", grad_clip},
            {"seed", seed},
            {"eval_every", eval_every},
            {"checkpoint_every", checkpoint_every},
            {"log_every", log_every},
            {"batch", batch},
            {"mixed_precision", mixed_precision},
            {"mixed_conventions", mixed_conventions},
            {"device", device}};
}

void TrainConfig::resolve_defaults(const nlohmann::json& defaults) {
    if (!lr)
        lr = defaults.value("lr", kDefaultLr);
    if (!weight_decay)
        weight_decay = defaults.value("weight_decay", 0.0);
}

double TrainConfig::lr_at(std::int64_t step,
                          std::int64_t steps,
                          double base,
                          const std::string& schedule) const {
    if (schedule == "constant" || steps <= 0)
        return base;
    if (schedule == "step")
        return base * std::pow(gamma, static_cast<double>(step / every));
    if (schedule != "cosine")
        fail("unknown schedule '{}'; valid: cosine, step, constant", schedule);
    const double t = std::min(1.0, static_cast<double>(step) / static_cast<double>(steps));
    return base * 0.5 *
           (1.0 + std::cos(std::numbers::pi * t));  // cosine, as torch's CosineAnnealingLR
}

RunConfig RunConfig::from_json(const nlohmann::json& j) {
    if (!j.is_object()) {  // check_keys lets null through (an absent section), a file may not
        fail(
            "run config: expected a JSON object {{\"model\", \"model_config\", \"train\", "
            "\"data\"}}, got {}",
            j.dump());
    }
    check_keys(j, {"model", "model_config", "train", "data", "contexts", "version"}, "run config");
    if (j.contains("version") && j.at("version") != kRunConfigVersion) {
        fail(
            "run config of version {} but this radiofield reads version {}; retrain the run "
            "(--restart)",
            j.at("version").dump(), kRunConfigVersion);
    }
    RunConfig c;
    c.model = get_or(j, "model", std::string{}, "run config");
    c.model_config = get_or(j, "model_config", nlohmann::json::object(), "run config");
    if (!c.model_config.is_object())
        fail("run config: model_config must be a JSON object");
    c.train = TrainConfig::from_json(j.value("train", nlohmann::json::object()));
    c.data = get_or(j, "data", std::vector<std::string>{}, "run config");
    for (const auto& ctx : get_or(j, "contexts", nlohmann::json::array(), "run config")) {
        c.contexts.push_back(SceneContext::from_json(ctx));
    }
    return c;
}

RunConfig RunConfig::read(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        fail("cannot read '{}' (is it a run folder made by radiofield train?)", path.string());
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail("'{}' is not valid JSON: {}", path.string(), e.what());
    }
    try {
        return from_json(j);
    } catch (const Error& e) {
        fail("'{}': {}", path.string(), e.what());
    }
}

nlohmann::json RunConfig::to_json() const {
    nlohmann::json ctx = nlohmann::json::array();
    for (const auto& c : contexts)
        ctx.push_back(c.to_json());
    return {{"version", kRunConfigVersion}, {"model", model}, {"model_config", model_config},
            {"train", train.to_json()},     {"data", data},   {"contexts", ctx}};
}

void apply_setting(RunConfig& config, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
        fail("--set expects key=value (e.g. lr=5e-4, k=4, model.weights=barycentric), got '{}'",
             assignment);
    }
    std::string key = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded())
        value = text;  // a bare word: a string
    bool to_model = false;
    if (key.rfind("model.", 0) == 0) {
        key = key.substr(6), to_model = true;
    } else if (key.rfind("train.", 0) == 0) {
        key = key.substr(6);
    } else {
        to_model = true;
        for (auto k : kTrainKeys)
            to_model = to_model && key != k;
    }
    if (to_model) {
        config.model_config[key] = value;
        return;
    }
    auto j = config.train.to_json();
    j[key] = value;
    config.train = TrainConfig::from_json(j);
}

}  // namespace radiofield::train
