#pragma once
// Reading config structs from JSON (model, network and training settings): every struct
// reads its known keys with defaults and rejects unknown keys (a typo in a config file or
// --set should fail, not be ignored).

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "radiofield/core/error.hpp"

namespace radiofield {

// Throws Error naming `where`, the unknown key and the valid ones.
inline void check_keys(const nlohmann::json& config,
                       std::initializer_list<std::string_view> known,
                       std::string_view where) {
    if (config.is_null())
        return;
    if (!config.is_object())
        fail("{}: expected a JSON object, got {}", where, config.dump());
    for (const auto& [key, value] : config.items()) {
        bool ok = false;
        for (auto k : known)
            ok = ok || key == k;
        if (!ok) {
            std::string list;
            for (auto k : known)
                list += (list.empty() ? "" : ", ") + std::string(k);
            fail("{}: unknown setting '{}'; valid settings: {}", where, key, list);
        }
    }
}

// config[key] converted to T, or `fallback` when absent; a value of the wrong type → Error.
template <typename T>
T get_or(const nlohmann::json& config, const char* key, const T& fallback, std::string_view where) {
    if (!config.is_object() || !config.contains(key))
        return fallback;
    try {
        return config.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        fail("{}: setting '{}' has the wrong type ({})", where, key, config.at(key).dump());
    }
}

}  // namespace radiofield
