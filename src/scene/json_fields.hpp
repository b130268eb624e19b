#pragma once
// Checked access to one JSON object of a scene file: unknown keys, missing keys and wrong
// types all throw Error naming the key and the object ("material 'paint'"), so a typo never
// passes silently (private to src/scene).

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "radiofield/core/vec.hpp"

namespace radiofield::scene::detail {

using Json = nlohmann::json;

class JsonFields {
public:
    // Throws unless `j` is an object. `what` names it in messages, e.g. "object 'wall'".
    JsonFields(const Json& j, std::string what);

    // Throws on a key not in `allowed`, suggesting the closest valid one.
    void allow_only(std::initializer_list<const char*> allowed) const;

    bool has(const char* key) const { return m_json.contains(key); }
    const Json& required(const char* key) const;
    const std::string& what() const { return m_what; }

    double number(const char* key) const;
    double number_or(const char* key, double fallback) const;
    long long integer(const char* key) const;
    long long integer_or(const char* key, long long fallback) const;
    std::string string(const char* key) const;
    std::string string_or(const char* key, const std::string& fallback) const;
    Vec3 vec3(const char* key) const;
    Vec3 vec3_or(const char* key, const Vec3& fallback) const;
    const Json& array(const char* key) const;

    // Element checks usable on array items: `where` names the item ("vertex 3 of object 'wall'").
    static double as_number(const Json& j, const std::string& where);
    static Vec3 as_vec3(const Json& j, const std::string& where);

private:
    const Json& m_json;
    std::string m_what;
};

}  // namespace radiofield::scene::detail
