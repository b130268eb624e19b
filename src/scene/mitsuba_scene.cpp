// Mitsuba 3 / Sionna RT XML scenes: reading (docs/scene-format.md, "Mitsuba XML").
// Materials: bsdf type "itu-radio-material" (string "type" = an ITU type or "custom"),
// "radio-material" (relative_permittivity, conductivity), or any bsdf whose id is a legacy
// Sionna id "mat-itu_<type>" / "itu_<type>". Shapes: ply, obj, rectangle, cube, with a
// to_world transform. Emitters, sensors, integrators and the like are ignored.

#include <map>
#include <pugixml.hpp>
#include <set>

#include "io_common.hpp"
#include "mitsuba_xml.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;
using pugi::xml_node;

namespace {

std::string strip_prefix(const std::string& s, std::string_view prefix) {
    return s.rfind(prefix, 0) == 0 ? s.substr(prefix.size()) : s;
}

bool is_itu_type(const std::string& t) {
    for (const auto& v : itu_material_types())
        if (v == t)
            return true;
    return false;
}

// Legacy Sionna ids: "mat-itu_concrete", "itu_marble", also with Blender's ".001" suffix.
// Returns the ITU type, "" if the id is not of that form; throws for an unknown type.
std::string legacy_itu_type(const std::string& id) {
    std::string s = strip_prefix(id, detail::kMitsubaMaterialPrefix);
    if (s.rfind("itu_", 0) != 0)
        return "";
    s = s.substr(4);
    const auto dot = s.rfind('.');
    if (dot != std::string::npos && dot + 1 < s.size() &&
        s.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
        s = s.substr(0, dot);
    }
    if (!is_itu_type(s)) {
        fail("bsdf id '{}' names an unknown ITU material type '{}'; valid types: {}", id, s,
             detail::join(itu_material_types()));
    }
    return s;
}

class MitsubaReader {
public:
    MitsubaReader(const fs::path& path, const std::string& text) : m_xml(path, text) {}

    Scene read(const pugi::xml_document& doc) {
        const xml_node root = doc.document_element();
        if (std::string(root.name()) != "scene") {
            fail("the root element is <{}>; a Mitsuba scene starts with <scene version=\"...\">",
                 root.name());
        }
        m_scene.name = m_xml.path().stem().string();
        for (xml_node n : root.children()) {
            if (n.type() != pugi::node_element)
                continue;
            const std::string tag = n.name();
            if (tag == "default") {
                m_xml.add_default(n);
            } else if (tag == "bsdf") {
                add_top_level_bsdf(n);
            } else if (tag == "shape") {
                add_shape(n);
            } else if (tag == "include") {
                fail("{}: <include> is not supported; paste the included file's content instead",
                     m_xml.where(n));
            } else if (!kIgnored.count(tag)) {
                log::warn("{}: {}: ignoring <{}>", m_xml.path().string(), m_xml.where(n), tag);
            }
        }
        return std::move(m_scene);
    }

private:
    inline static const std::set<std::string> kIgnored = {
        "emitter", "sensor",  "integrator", "film",    "sampler",  "rfilter",
        "medium",  "texture", "phase",      "volume",  "spectrum", "rgb",
        "float",   "integer", "string",     "boolean", "ref"};

    void add_top_level_bsdf(xml_node n) {
        const std::string id = m_xml.attr(n, "id");
        if (id.empty())
            fail("{}: a top-level <bsdf> needs an id so that shapes can refer to it",
                 m_xml.where(n));
        if (m_bsdf_ids.count(id))
            fail("{}: bsdf id '{}' is used twice", m_xml.where(n), id);
        m_bsdf_ids[id] = add_material(n, strip_prefix(id, detail::kMitsubaMaterialPrefix));
    }

    std::uint32_t add_material(xml_node n, const std::string& name) {
        Material m = to_material(n, name);
        if (m_scene.find_material(m.name)) {
            fail(
                "{}: material name '{}' is already taken by an earlier bsdf (the 'mat-' prefix of "
                "ids is "
                "dropped); rename one of them",
                m_xml.where(n), m.name);
        }
        m_scene.materials.push_back(std::move(m));
        return static_cast<std::uint32_t>(m_scene.materials.size() - 1);
    }

    Material to_material(xml_node n, const std::string& name) {
        const std::string type = m_xml.attr(n, "type"), where = m_xml.where(n);
        Material m;
        bool radio = true;
        try {
            if (type == "itu-radio-material") {
                const xml_node t = m_xml.property(n, "type");
                if (!t)
                    fail(
                        "missing <string name=\"type\" value=\"...\"/> (an ITU type or "
                        "\"custom\")");
                const std::string itype = m_xml.attr(t, "value");
                if (itype == "custom") {
                    m = custom_material(name, m_xml.float_prop(n, "relative_permittivity", 1.0),
                                        m_xml.float_prop(n, "conductivity", 0.0));
                } else {
                    m = itu_material(itype);
                }
            } else if (type == "radio-material") {
                m = custom_material(name, m_xml.float_prop(n, "relative_permittivity", 1.0),
                                    m_xml.float_prop(n, "conductivity", 0.0));
            } else {
                radio = false;
                const std::string itype = legacy_itu_type(m_xml.attr(n, "id"));
                if (itype.empty()) {
                    fail(
                        "bsdf of type '{}' is not a radio material: use type "
                        "\"itu-radio-material\" with "
                        "<string name=\"type\" value=\"concrete\"/>, type \"radio-material\", or a "
                        "legacy id "
                        "\"mat-itu_<type>\"; ITU types: {}",
                        type, detail::join(itu_material_types()));
                }
                m = itu_material(itype);
            }
            m.name = name;
            if (radio) {
                apply_radio_properties(n, m);
            } else if (auto c = m_xml.find_colour(n)) {
                m.colour = *c;
            }
        } catch (const Error& e) {
            fail("{}: {}", where, e.what());
        }
        return m;
    }

    void apply_radio_properties(xml_node n, Material& m) {
        static const std::set<std::string> known = {"type",
                                                    "relative_permittivity",
                                                    "conductivity",
                                                    "thickness",
                                                    "scattering_coefficient",
                                                    "xpd_coefficient",
                                                    "scattering_pattern",
                                                    "alpha_r",
                                                    "alpha_i",
                                                    "lambda_",
                                                    "lambda",
                                                    "eps_r_scale",
                                                    "sigma_scale",
                                                    "color",
                                                    "reflectance",
                                                    "base_color"};
        m.thickness = m_xml.float_prop(n, "thickness", m.thickness);
        m.scattering_coefficient =
            m_xml.float_prop(n, "scattering_coefficient", m.scattering_coefficient);
        m.xpd_coefficient = m_xml.float_prop(n, "xpd_coefficient", m.xpd_coefficient);
        m.alpha_r = m_xml.float_prop(n, "alpha_r", m.alpha_r);
        m.alpha_i = m_xml.float_prop(n, "alpha_i", m.alpha_i);
        m.lambda_ = m_xml.float_prop(n, "lambda_", m_xml.float_prop(n, "lambda", m.lambda_));
        m.eps_r_scale = m_xml.float_prop(n, "eps_r_scale", m.eps_r_scale);
        m.sigma_scale = m_xml.float_prop(n, "sigma_scale", m.sigma_scale);
        if (const xml_node p = m_xml.property(n, "scattering_pattern")) {
            m.scattering_pattern = scattering_pattern_from_string(m_xml.attr(p, "value"));
        }
        if (auto c = m_xml.find_colour(n))
            m.colour = *c;
        for (xml_node c : n.children()) {
            const std::string pname = m_xml.attr(c, "name");
            if (c.type() == pugi::node_element && !pname.empty() && !known.count(pname)) {
                log::warn("{}: {}: ignoring property '{}' of radio material '{}'",
                          m_xml.path().string(), m_xml.where(c), pname, m.name);
            }
        }
    }

    void add_shape(xml_node n) {
        const std::string type = m_xml.attr(n, "type"), id = m_xml.attr(n, "id"),
                          where = m_xml.where(n);
        Mesh mesh;
        try {
            if (type == "ply" || type == "obj") {
                const xml_node f = m_xml.property(n, "filename");
                if (!f)
                    fail("missing <string name=\"filename\" value=\"meshes/....{}\"/>", type);
                const fs::path file = detail::relative_to(m_xml.path(), m_xml.attr(f, "value"));
                mesh = type == "ply" ? read_ply(file) : read_obj(file);
            } else if (type == "rectangle" || type == "cube") {
                mesh = detail::mitsuba_primitive(type);
            } else {
                fail("shape type '{}' is not supported: use ply, obj, rectangle or cube", type);
            }
            if (!id.empty())
                mesh.name = strip_prefix(id, detail::kMitsubaShapePrefix);
            for (xml_node t : n.children("transform")) {
                if (m_xml.attr(t, "name") != "to_world")
                    continue;
                const detail::Affine a = m_xml.transform(t);
                for (Vec3& v : mesh.vertices)
                    v = a.apply(v);
            }
            if (m_xml.bool_prop(n, "flip_normals", false)) {
                for (Triangle& t : mesh.triangles)
                    std::swap(t[1], t[2]);
            }
            mesh.material.assign(mesh.triangles.size(), shape_material(n, mesh.name));
        } catch (const Error& e) {
            fail("{}: {}", where, e.what());
        }
        m_scene.meshes.push_back(std::move(mesh));
    }

    std::uint32_t shape_material(xml_node n, const std::string& object_name) {
        for (xml_node c : n.children()) {
            const std::string tag = c.name();
            if (tag == "ref") {
                const std::string slot = m_xml.attr(c, "name");
                if (!slot.empty() && slot != "bsdf")
                    continue;  // e.g. interior/exterior media
                const std::string ref = m_xml.attr(c, "id");
                const auto it = m_bsdf_ids.find(ref);
                if (it == m_bsdf_ids.end()) {
                    fail("<ref id=\"{}\"> names no bsdf defined before it (defined: {})", ref,
                         m_bsdf_ids.empty() ? std::string("none") : detail::join(bsdf_ids()));
                }
                return it->second;
            }
            if (tag == "bsdf") {
                const std::string bid = m_xml.attr(c, "id");
                std::string name =
                    bid.empty() ? object_name : strip_prefix(bid, detail::kMitsubaMaterialPrefix);
                for (int k = 2; bid.empty() && m_scene.find_material(name); ++k)
                    name = fmt::format("{}_{}", object_name, k);
                const std::uint32_t index = add_material(c, name);
                if (!bid.empty())
                    m_bsdf_ids[bid] = index;
                return index;
            }
        }
        fail(
            "the shape has no material: add <ref id=\"mat-...\" name=\"bsdf\"/> or a nested "
            "<bsdf>");
    }

    std::vector<std::string> bsdf_ids() const {
        std::vector<std::string> ids;
        for (const auto& [k, v] : m_bsdf_ids)
            ids.push_back(k);
        return ids;
    }

    detail::MitsubaXml m_xml;
    Scene m_scene;
    std::map<std::string, std::uint32_t> m_bsdf_ids;
};

}  // namespace

Scene load_mitsuba_scene(const fs::path& path) {
    const std::string text = detail::read_file_bytes(path, "scene file");
    return detail::load_with_file_context(path, [&] {
        pugi::xml_document doc;
        const pugi::xml_parse_result r = doc.load_buffer(text.data(), text.size());
        if (!r) {
            fail("not valid XML: {} at line {}", r.description(), detail::line_at(text, r.offset));
        }
        return MitsubaReader(path, text).read(doc);
    });
}

}  // namespace radiofield::scene
