#pragma once
// Reading config structs from JSON (model, network and training settings): every struct
// reads its known keys with defaults and rejects unknown keys (a typo in a config file or
// --set should fail, not be ignored).

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

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

// A JSON number as the integer type T when it is a whole number that fits, else nullopt.
// (nlohmann's get<int>() casts 1e30 or 3.5 without a check: undefined behaviour or a silent
// truncation.)
template <typename T>
std::optional<T> whole_number(const nlohmann::json& v) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        return std::in_range<T>(u) ? std::optional<T>(static_cast<T>(u)) : std::nullopt;
    }
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        return std::in_range<T>(i) ? std::optional<T>(static_cast<T>(i)) : std::nullopt;
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        const double lo = static_cast<double>(std::numeric_limits<T>::min());
        const double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);  // exclusive
        if (d == std::floor(d) && d >= lo && d < hi)
            return static_cast<T>(d);
    }
    return std::nullopt;
}

// config[key] converted to T, or `fallback` when absent; a value of the wrong type → Error,
// and so is a number that is not whole or does not fit an integer T.
template <typename T>
T get_or(const nlohmann::json& config, const char* key, const T& fallback, std::string_view where) {
    if (!config.is_object() || !config.contains(key))
        return fallback;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        const auto& v = config.at(key);
        if (v.is_number()) {
            if (const auto i = whole_number<T>(v))
                return *i;
            fail("{}: setting '{}' must be a whole number from {} to {}, got {}", where, key,
                 std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), v.dump());
        }
    }
    try {
        return config.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        fail("{}: setting '{}' has the wrong type ({})", where, key, config.at(key).dump());
    }
}

}  // namespace radiofield
