// Model registry by name. This layer knows no model: the program registers the built-in
// ones (models::register_builtin_models(), include/radiofield/models/registry.hpp), and a
// test or a user's program may register its own.
#include <map>
#include <mutex>

#include "radiofield/core/error.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::train {
namespace {

struct Entry {
    std::string summary;
    ModelFactory factory;
};

std::map<std::string, Entry>& registry() {
    static std::map<std::string, Entry> r;
    return r;
}

std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

void Model::cast_weights_for_storage(torch::Dtype dtype) {
    if (dtype != torch::kFloat32)
        fail("model '{}' stores its weights in float32 only; pack it with --weights-dtype float32",
             name());
}

void register_model(const std::string& name, const std::string& summary, ModelFactory factory) {
    if (name.empty() || !factory)
        fail("register_model: a model needs a name and a factory");
    std::lock_guard lock(registry_mutex());
    auto [it, inserted] = registry().emplace(name, Entry{summary, std::move(factory)});
    if (!inserted)
        fail("model '{}' is registered twice", name);
}

bool model_registered(const std::string& name) {
    std::lock_guard lock(registry_mutex());
    return registry().count(name) > 0;
}

std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& config) {
    ModelFactory factory;
    {
        std::lock_guard lock(registry_mutex());
        auto it = registry().find(name);
        if (it == registry().end()) {
            std::string known;
            for (const auto& [n, e] : registry())
                known += (known.empty() ? "" : ", ") + n;
            fail("unknown model '{}'; known models: {} (radiofield models lists them)", name,
                 known.empty() ? "none (the program registers the built-in models at start)"
                               : known);
        }
        factory = it->second.factory;
    }
    const nlohmann::json cfg = config.is_null() ? nlohmann::json::object() : config;
    if (!cfg.is_object())
        fail("model '{}': its configuration must be a JSON object, got {}", name, cfg.dump());
    return factory(cfg);
}

std::vector<std::pair<std::string, std::string>> model_names() {
    std::lock_guard lock(registry_mutex());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [n, e] : registry())
        out.emplace_back(n, e.summary);
    return out;
}

}  // namespace radiofield::train
