// radiofield JSON scenes: writing. Meshes are written inline; numbers are printed with the
// shortest representation that reads back to the same double, so a round trip is exact.

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "io_common.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;

namespace {

using OJson = nlohmann::ordered_json;

bool is_scalar_array(const OJson& j) {
    if (!j.is_array())
        return false;
    for (const auto& e : j) {
        if (e.is_structured())
            return false;
    }
    return true;
}

// Pretty printer that keeps arrays of numbers on one line ([x, y, z]), so vertex and
// triangle lists stay one line per entry.
void write_json(std::ostream& out, const OJson& j, int indent) {
    const std::string pad(indent, ' '), inner(indent + 2, ' ');
    if (is_scalar_array(j)) {
        out << '[';
        for (std::size_t i = 0; i < j.size(); ++i)
            out << (i ? ", " : "") << j[i].dump();
        out << ']';
    } else if (j.is_array()) {
        if (j.empty()) {
            out << "[]";
            return;
        }
        out << "[\n";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out << inner;
            write_json(out, j[i], indent + 2);
            out << (i + 1 < j.size() ? ",\n" : "\n");
        }
        out << pad << ']';
    } else if (j.is_object()) {
        if (j.empty()) {
            out << "{}";
            return;
        }
        out << "{\n";
        std::size_t i = 0;
        for (const auto& item : j.items()) {
            out << inner << OJson(item.key()).dump() << ": ";
            write_json(out, item.value(), indent + 2);
            out << (++i < j.size() ? ",\n" : "\n");
        }
        out << pad << '}';
    } else {
        out << j.dump();
    }
}

OJson material_json(const Material& m) {
    OJson j;
    j["name"] = m.name;
    if (m.is_itu()) {
        j["itu_type"] = m.itu_type;
    } else {
        j["eps_r"] = m.eps_r;
        j["sigma"] = m.sigma;
    }
    j["eps_r_scale"] = m.eps_r_scale;
    j["sigma_scale"] = m.sigma_scale;
    j["thickness"] = m.thickness;
    j["scattering_coefficient"] = m.scattering_coefficient;
    j["xpd_coefficient"] = m.xpd_coefficient;
    j["scattering_pattern"] = std::string(to_string(m.scattering_pattern));
    j["alpha_r"] = m.alpha_r;
    j["alpha_i"] = m.alpha_i;
    j["lambda"] = m.lambda_;
    // Shortest decimal that reads back to the same float (0.6, not 0.6000000238418579).
    OJson colour = OJson::array();
    for (float c : m.colour)
        colour.push_back(std::stod(fmt::format("{}", c)));
    j["colour"] = std::move(colour);
    return j;
}

OJson object_json(const Scene& scene, const Mesh& mesh) {
    OJson j;
    j["name"] = mesh.name;
    bool uniform = !mesh.material.empty();
    for (std::uint32_t m : mesh.material)
        uniform = uniform && m == mesh.material.front();
    if (uniform) {
        j["material"] = scene.materials.at(mesh.material.front()).name;
    } else {
        OJson list = OJson::array();
        for (std::uint32_t m : mesh.material)
            list.push_back(scene.materials.at(m).name);
        j["triangle_materials"] = std::move(list);
    }
    OJson verts = OJson::array(), tris = OJson::array();
    for (const Vec3& v : mesh.vertices)
        verts.push_back({v.x, v.y, v.z});
    for (const Triangle& t : mesh.triangles)
        tris.push_back({t[0], t[1], t[2]});
    j["vertices"] = std::move(verts);
    j["triangles"] = std::move(tris);
    return j;
}

OJson device_json(const Device& d) {
    OJson j;
    j["name"] = d.name;
    j["position"] = {d.position.x, d.position.y, d.position.z};
    j["orientation"] = {d.orientation.x, d.orientation.y, d.orientation.z};
    OJson a;
    a["rows"] = d.array.num_rows;
    a["cols"] = d.array.num_cols;
    a["vertical_spacing"] = d.array.vertical_spacing;
    a["horizontal_spacing"] = d.array.horizontal_spacing;
    a["pattern"] = std::string(to_string(d.array.antenna.kind()));
    a["polarization"] = std::string(to_string(d.array.antenna.polarization()));
    j["array"] = std::move(a);
    return j;
}

OJson scene_json(const Scene& scene) {
    OJson root;
    root["format"] = "radiofield-scene";
    root["version"] = 1;
    root["name"] = scene.name;
    root["description"] = scene.description;
    root["frequency_hz"] = scene.frequency_hz;
    root["materials"] = OJson::array();
    for (const Material& m : scene.materials)
        root["materials"].push_back(material_json(m));
    root["objects"] = OJson::array();
    for (const Mesh& mesh : scene.meshes)
        root["objects"].push_back(object_json(scene, mesh));
    root["transmitters"] = OJson::array();
    for (const Device& d : scene.transmitters)
        root["transmitters"].push_back(device_json(d));
    root["receivers"] = OJson::array();
    for (const Device& d : scene.receivers)
        root["receivers"].push_back(device_json(d));
    return root;
}

}  // namespace

std::string to_json_string(const Scene& scene) {
    std::ostringstream out;
    write_json(out, scene_json(scene), 0);
    return out.str();
}

void save_json_scene(const Scene& scene, const fs::path& path) {
    try {
        scene.validate();
    } catch (const Error& e) {
        fail("cannot save '{}': the scene is invalid: {}", path.string(), e.what());
    }
    const OJson root = scene_json(scene);
    AtomicOutput out(path);
    {
        std::ofstream f(out.temp_path());
        if (!f)
            fail("cannot create '{}': check the folder is writable", out.temp_path().string());
        write_json(f, root, 0);
        f << '\n';
        f.close();
        if (!f)
            fail("cannot write '{}': disk full or not writable", path.string());
    }
    out.commit();
}

}  // namespace radiofield::scene
