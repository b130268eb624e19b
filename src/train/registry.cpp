// Model registry by name. The built-in models register themselves through
// register_builtin_models() (src/models/registry_builtin.cpp), called once on first use:
// self-registration from static initialisers would be dropped by the linker.
#include <map>
#include <mutex>

#include "radiofield/core/error.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {
void register_builtin_models();  // src/models/registry_builtin.cpp
}

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

void ensure_builtins() {
    static std::once_flag once;
    std::call_once(once, [] { models::register_builtin_models(); });
}

}  // namespace

void register_model(const std::string& name, const std::string& summary, ModelFactory factory) {
    if (name.empty() || !factory) fail("register_model: a model needs a name and a factory");
    std::lock_guard lock(registry_mutex());
    auto [it, inserted] = registry().emplace(name, Entry{summary, std::move(factory)});
    if (!inserted) fail("model '{}' is registered twice", name);
}

std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& config) {
    ensure_builtins();
    ModelFactory factory;
    {
        std::lock_guard lock(registry_mutex());
        auto it = registry().find(name);
        if (it == registry().end()) {
            std::string known;
            for (const auto& [n, e] : registry()) known += (known.empty() ? "" : ", ") + n;
            fail("unknown model '{}'; known models: {} (radiofield models lists them)", name,
                 known.empty() ? "none" : known);
        }
        factory = it->second.factory;
    }
    const nlohmann::json cfg = config.is_null() ? nlohmann::json::object() : config;
    if (!cfg.is_object()) fail("model '{}': its configuration must be a JSON object, got {}", name, cfg.dump());
    return factory(cfg);
}

std::vector<std::pair<std::string, std::string>> model_names() {
    ensure_builtins();
    std::lock_guard lock(registry_mutex());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [n, e] : registry()) out.emplace_back(n, e.summary);
    return out;
}

}  // namespace radiofield::train
