#include "json_fields.hpp"

#include <cmath>

#include "io_common.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::scene::detail {

namespace {

std::string type_name(const Json& j) {
    return j.type_name();
}

}  // namespace

JsonFields::JsonFields(const Json& j, std::string what) : m_json(j), m_what(std::move(what)) {
    if (!j.is_object())
        fail("{} must be a JSON object {{...}}, got {}", m_what, type_name(j));
}

void JsonFields::allow_only(std::initializer_list<const char*> allowed) const {
    std::vector<std::string> valid(allowed.begin(), allowed.end());
    for (const auto& item : m_json.items()) {
        bool ok = false;
        for (const auto& v : valid)
            ok = ok || item.key() == v;
        if (ok)
            continue;
        const std::string guess = closest_name(item.key(), valid);
        fail("unknown key '{}' in {}{}; valid keys: {}", item.key(), m_what,
             guess.empty() ? "" : " (did you mean '" + guess + "'?)", join(valid));
    }
}

const Json& JsonFields::required(const char* key) const {
    if (!m_json.contains(key))
        fail("missing required key '{}' in {}", key, m_what);
    return m_json.at(key);
}

double JsonFields::as_number(const Json& j, const std::string& where) {
    if (!j.is_number())
        fail("{} must be a number, got {} {}", where, type_name(j), j.dump());
    const double v = j.get<double>();
    if (!std::isfinite(v))
        fail("{} must be finite, got {}", where, v);
    return v;
}

Vec3 JsonFields::as_vec3(const Json& j, const std::string& where) {
    if (!j.is_array() || j.size() != 3)
        fail("{} must be an array of 3 numbers [x, y, z], got {}", where, j.dump());
    return {as_number(j[0], where), as_number(j[1], where), as_number(j[2], where)};
}

double JsonFields::number(const char* key) const {
    return as_number(required(key), fmt::format("'{}' in {}", key, m_what));
}

double JsonFields::number_or(const char* key, double fallback) const {
    return has(key) ? number(key) : fallback;
}

long long JsonFields::integer(const char* key) const {
    const Json& j = required(key);
    if (!j.is_number_integer())
        fail("'{}' in {} must be an integer, got {}", key, m_what, j.dump());
    return j.get<long long>();
}

long long JsonFields::integer_or(const char* key, long long fallback) const {
    return has(key) ? integer(key) : fallback;
}

std::string JsonFields::string(const char* key) const {
    const Json& j = required(key);
    if (!j.is_string())
        fail("'{}' in {} must be a string, got {} {}", key, m_what, type_name(j), j.dump());
    return j.get<std::string>();
}

std::string JsonFields::string_or(const char* key, const std::string& fallback) const {
    return has(key) ? string(key) : fallback;
}

Vec3 JsonFields::vec3(const char* key) const {
    return as_vec3(required(key), fmt::format("'{}' in {}", key, m_what));
}

Vec3 JsonFields::vec3_or(const char* key, const Vec3& fallback) const {
    return has(key) ? vec3(key) : fallback;
}

const Json& JsonFields::array(const char* key) const {
    const Json& j = required(key);
    if (!j.is_array())
        fail("'{}' in {} must be an array [...], got {}", key, m_what, type_name(j));
    return j;
}

}  // namespace radiofield::scene::detail
