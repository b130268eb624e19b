#pragma once
// Reading Mitsuba XML elements: `$name` substitution from <default>, typed properties
// (<float name=... value=...>), colours and to_world transforms (private to src/scene).

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene::detail {

// x ↦ linear·x + offset.
struct Affine {
    Mat3 linear;
    Vec3 offset;
    Vec3 apply(const Vec3& v) const { return linear * v + offset; }
    // (this ∘ inner)(x) = this(inner(x))
    Affine after(const Affine& inner) const {
        return {linear * inner.linear, linear * inner.offset + offset};
    }
};

// 1-based line of a byte offset in `text`.
std::size_t line_at(const std::string& text, std::ptrdiff_t offset);

// Mitsuba's built-in shapes: rectangle [-1,1]² at z = 0 (normal +z) and cube [-1,1]³.
Mesh mitsuba_primitive(const std::string& type);

class MitsubaXml {
public:
    MitsubaXml(std::filesystem::path path, const std::string& text)
        : m_path(std::move(path)), m_text(text) {}

    const std::filesystem::path& path() const { return m_path; }
    // "line 12: <shape type="ply" id="mesh-wall">" for messages.
    std::string where(pugi::xml_node n) const;

    void add_default(pugi::xml_node n);
    // Attribute value with `$name` replaced by <default> values; "" if absent.
    std::string attr(pugi::xml_node n, const char* name) const;

    // The child property element with name="..." (any tag), or an empty node.
    pugi::xml_node property(pugi::xml_node n, const char* name) const;
    double float_prop(pugi::xml_node n, const char* name, double fallback) const;
    bool bool_prop(pugi::xml_node n, const char* name, bool fallback) const;
    // rgb "color", "reflectance" or "base_color" of `n` or of a bsdf nested in it.
    std::optional<std::array<float, 3>> find_colour(pugi::xml_node n) const;

    // A <transform name="to_world"> element: translate, scale, rotate, matrix and lookat
    // children composed in order (each applied after the previous ones, as in Mitsuba).
    Affine transform(pugi::xml_node n) const;

private:
    std::vector<double> numbers(pugi::xml_node n, const char* attr_name) const;
    Vec3 xyz(pugi::xml_node n, double fallback) const;

    std::filesystem::path m_path;
    const std::string& m_text;
    std::map<std::string, std::string> m_defaults;
};

}  // namespace radiofield::scene::detail
