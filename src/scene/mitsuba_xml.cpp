#include "mitsuba_xml.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "io_common.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::scene::detail {
using pugi::xml_node;

std::size_t line_at(const std::string& text, std::ptrdiff_t offset) {
    const auto end = text.begin() + std::clamp<std::ptrdiff_t>(
                                        offset, 0, static_cast<std::ptrdiff_t>(text.size()));
    return 1 + static_cast<std::size_t>(std::count(text.begin(), end, '\n'));
}

Mesh mitsuba_primitive(const std::string& type) {
    Mesh mesh;
    mesh.name = type;
    if (type == "rectangle") {
        mesh.vertices = {{-1, -1, 0}, {1, -1, 0}, {1, 1, 0}, {-1, 1, 0}};
        mesh.triangles = {{0, 1, 2}, {0, 2, 3}};
    } else {  // cube: one quad per face, wound so that normals point outwards
        for (int axis = 0; axis < 3; ++axis) {
            for (double side : {-1.0, 1.0}) {
                const int b = (axis + 1) % 3, c = (axis + 2) % 3;
                const auto base = static_cast<std::uint32_t>(mesh.vertices.size());
                for (auto [u, v] : {std::pair{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}}) {
                    double p[3];
                    p[axis] = side, p[b] = u, p[c] = v;
                    mesh.vertices.push_back({p[0], p[1], p[2]});
                }
                // (b, c, axis) is right-handed, so this order has normal +axis; flip for −axis.
                if (side > 0)
                    mesh.triangles.insert(mesh.triangles.end(),
                                          {{base, base + 1, base + 2}, {base, base + 2, base + 3}});
                else
                    mesh.triangles.insert(mesh.triangles.end(),
                                          {{base, base + 2, base + 1}, {base, base + 3, base + 2}});
            }
        }
    }
    mesh.material.assign(mesh.triangles.size(), 0);
    return mesh;
}

std::string MitsubaXml::where(xml_node n) const {
    std::string s = fmt::format("line {}: <{}", line_at(m_text, n.offset_debug()), n.name());
    for (const char* a : {"type", "name", "id"}) {
        if (n.attribute(a))
            s += fmt::format(" {}=\"{}\"", a, n.attribute(a).value());
    }
    return s + ">";
}

void MitsubaXml::add_default(xml_node n) {
    const std::string name = attr(n, "name");
    if (name.empty())
        fail("{}: <default> needs a name", where(n));
    m_defaults[name] = attr(n, "value");
}

std::string MitsubaXml::attr(xml_node n, const char* name) const {
    const std::string raw = n.attribute(name).value();
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::size_t j = i + 1;
        while (raw[i] == '$' && j < raw.size() &&
               (std::isalnum(static_cast<unsigned char>(raw[j])) || raw[j] == '_'))
            ++j;
        if (raw[i] != '$' || j == i + 1) {
            out += raw[i];
            continue;
        }
        const std::string key = raw.substr(i + 1, j - i - 1);
        const auto it = m_defaults.find(key);
        if (it == m_defaults.end()) {
            fail(
                "{}: '${}' is used but no <default name=\"{}\" value=\"...\"/> before it defines "
                "it",
                where(n), key, key);
        }
        out += it->second;
        i = j - 1;
    }
    return out;
}

xml_node MitsubaXml::property(xml_node n, const char* name) const {
    for (xml_node c : n.children()) {
        if (c.type() == pugi::node_element && std::string(c.attribute("name").value()) == name)
            return c;
    }
    return {};
}

std::vector<double> MitsubaXml::numbers(xml_node n, const char* attr_name) const {
    std::string s = attr(n, attr_name);
    std::replace(s.begin(), s.end(), ',', ' ');
    std::vector<double> out;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
        if (i >= s.size())
            break;
        std::size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
            ++j;
        double v = 0;
        if (!parse_double(std::string_view(s).substr(i, j - i), v) || !std::isfinite(v)) {
            fail("{}: {}=\"{}\" must hold finite numbers", where(n), attr_name, s);
        }
        out.push_back(v);
        i = j;
    }
    return out;
}

double MitsubaXml::float_prop(xml_node n, const char* name, double fallback) const {
    const xml_node p = property(n, name);
    if (!p)
        return fallback;
    const std::string tag = p.name();
    const auto v = numbers(p, "value");
    if ((tag != "float" && tag != "integer") || v.size() != 1) {
        fail("{}: property '{}' must be <float name=\"{}\" value=\"number\"/>", where(p), name,
             name);
    }
    return v[0];
}

bool MitsubaXml::bool_prop(xml_node n, const char* name, bool fallback) const {
    const xml_node p = property(n, name);
    if (!p)
        return fallback;
    const std::string v = attr(p, "value");
    if (v != "true" && v != "false")
        fail("{}: '{}' must be \"true\" or \"false\", got \"{}\"", where(p), name, v);
    return v == "true";
}

std::optional<std::array<float, 3>> MitsubaXml::find_colour(xml_node n) const {
    for (const char* name : {"color", "reflectance", "base_color"}) {
        const xml_node p = property(n, name);
        if (!p || std::string(p.name()) != "rgb")
            continue;  // textures etc. carry no single colour
        const auto v = numbers(p, "value");
        if (v.size() != 1 && v.size() != 3)
            fail("{}: rgb value must be 1 or 3 numbers", where(p));
        std::array<float, 3> c{};
        for (int k = 0; k < 3; ++k) {
            c[k] = static_cast<float>(v[v.size() == 1 ? 0 : k]);
            if (c[k] < 0 || c[k] > 1)
                fail("{}: colour components must be in [0, 1]", where(p));
        }
        return c;
    }
    for (xml_node c : n.children("bsdf")) {
        if (auto colour = find_colour(c))
            return colour;
    }
    return std::nullopt;
}

Vec3 MitsubaXml::xyz(xml_node n, double fallback) const {
    if (n.attribute("value")) {
        const auto v = numbers(n, "value");
        if (v.size() == 1)
            return {v[0], v[0], v[0]};
        if (v.size() == 3)
            return {v[0], v[1], v[2]};
        fail("{}: value must be 1 or 3 numbers", where(n));
    }
    Vec3 out{fallback, fallback, fallback};
    double* dst[3] = {&out.x, &out.y, &out.z};
    for (int k = 0; k < 3; ++k) {
        const char* a = k == 0 ? "x" : (k == 1 ? "y" : "z");
        if (n.attribute(a)) {
            const auto v = numbers(n, a);
            if (v.size() != 1)
                fail("{}: {} must be one number", where(n), a);
            *dst[k] = v[0];
        }
    }
    return out;
}

Affine MitsubaXml::transform(xml_node n) const {
    Affine total;
    for (xml_node c : n.children()) {
        if (c.type() != pugi::node_element)
            continue;
        const std::string tag = c.name();
        Affine op;
        if (tag == "translate") {
            op.offset = xyz(c, 0.0);
        } else if (tag == "scale") {
            const Vec3 s = xyz(c, 1.0);
            op.linear = Mat3{{s.x, 0, 0, 0, s.y, 0, 0, 0, s.z}};
        } else if (tag == "rotate") {
            Vec3 axis = xyz(c, 0.0);
            if (c.attribute("axis")) {
                const auto v = numbers(c, "axis");
                if (v.size() != 3)
                    fail("{}: axis must be 3 numbers", where(c));
                axis = {v[0], v[1], v[2]};
            }
            const auto angle = numbers(c, "angle");
            if (norm(axis) == 0 || angle.size() != 1)
                fail("{}: rotate needs a non-zero axis and one angle (degrees)", where(c));
            // Rodrigues: R = cos·I + sin·[u]ₓ + (1 − cos)·u·uᵀ
            const Vec3 u = normalize(axis);
            const double th = deg2rad(angle[0]), co = std::cos(th), si = std::sin(th), k = 1 - co;
            op.linear =
                Mat3{{co + k * u.x * u.x, k * u.x * u.y - si * u.z, k * u.x * u.z + si * u.y,
                      k * u.y * u.x + si * u.z, co + k * u.y * u.y, k * u.y * u.z - si * u.x,
                      k * u.z * u.x - si * u.y, k * u.z * u.y + si * u.x, co + k * u.z * u.z}};
        } else if (tag == "matrix") {
            const auto m = numbers(c, "value");
            if (m.size() != 16 && m.size() != 9)
                fail("{}: matrix value must be 16 (4×4) or 9 (3×3) numbers, row-major", where(c));
            const std::size_t w = m.size() == 16 ? 4 : 3;
            for (int r = 0; r < 3; ++r) {
                for (int col = 0; col < 3; ++col)
                    op.linear(r, col) = m[r * w + col];
            }
            if (w == 4) {
                op.offset = {m[3], m[7], m[11]};
                if (m[12] != 0 || m[13] != 0 || m[14] != 0 || m[15] != 1) {
                    fail(
                        "{}: the last matrix row must be 0 0 0 1 (projective transforms are not "
                        "supported)",
                        where(c));
                }
            }
        } else if (tag == "lookat") {
            auto vec = [&](const char* a) {
                const auto v = numbers(c, a);
                if (v.size() != 3)
                    fail("{}: '{}' must be 3 numbers", where(c), a);
                return Vec3{v[0], v[1], v[2]};
            };
            const Vec3 origin = vec("origin"), dir = normalize(vec("target") - origin);
            const Vec3 left = normalize(cross(vec("up"), dir)), up = cross(dir, left);
            op.linear = Mat3{{left.x, up.x, dir.x, left.y, up.y, dir.y, left.z, up.z, dir.z}};
            op.offset = origin;
        } else {
            fail("{}: unknown transform '{}': use translate, scale, rotate, matrix or lookat",
                 where(c), tag);
        }
        total = op.after(total);
    }
    return total;
}

}  // namespace radiofield::scene::detail
