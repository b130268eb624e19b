// Mitsuba 3 / Sionna RT XML scenes: writing. One binary PLY per (object, material) in
// <dir>/meshes/, bsdfs as Sionna RT 1.x radio materials. Numbers use the shortest text that
// reads back to the same double, so loading the result reproduces geometry and materials.

#include <algorithm>
#include <map>
#include <pugixml.hpp>
#include <set>

#include "io_common.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;
using pugi::xml_node;

namespace {

void add_property(xml_node parent,
                  const char* tag,
                  const std::string& name,
                  const std::string& value) {
    xml_node p = parent.append_child(tag);
    p.append_attribute("name") = name.c_str();
    p.append_attribute("value") = value.c_str();
}

void add_float(xml_node parent, const std::string& name, double v) {
    add_property(parent, "float", name, fmt::format("{}", v));
}

void add_bsdf(xml_node root, const Material& m) {
    const Material defaults;
    xml_node b = root.append_child("bsdf");
    b.append_attribute("type") = m.is_itu() ? "itu-radio-material" : "radio-material";
    b.append_attribute("id") = (std::string(detail::kMitsubaMaterialPrefix) + m.name).c_str();
    if (m.is_itu()) {
        add_property(b, "string", "type", m.itu_type);
    } else {
        add_float(b, "relative_permittivity", m.eps_r);
        add_float(b, "conductivity", m.sigma);
    }
    add_float(b, "thickness", m.thickness);
    add_float(b, "scattering_coefficient", m.scattering_coefficient);
    add_float(b, "xpd_coefficient", m.xpd_coefficient);
    // radiofield extensions, written only when they differ from the defaults so that
    // ordinary materials stay readable by Sionna RT.
    if (m.scattering_pattern != defaults.scattering_pattern) {
        add_property(b, "string", "scattering_pattern",
                     std::string(to_string(m.scattering_pattern)));
    }
    if (m.alpha_r != defaults.alpha_r)
        add_float(b, "alpha_r", m.alpha_r);
    if (m.alpha_i != defaults.alpha_i)
        add_float(b, "alpha_i", m.alpha_i);
    if (m.lambda_ != defaults.lambda_)
        add_float(b, "lambda_", m.lambda_);
    if (m.eps_r_scale != 1.0)
        add_float(b, "eps_r_scale", m.eps_r_scale);
    if (m.sigma_scale != 1.0)
        add_float(b, "sigma_scale", m.sigma_scale);
    add_property(b, "rgb", "color", fmt::format("{} {} {}", m.colour[0], m.colour[1], m.colour[2]));
}

// The triangles of `mesh` with material `mat`, vertices compacted.
Mesh part_of(const Mesh& mesh, std::uint32_t mat) {
    Mesh part;
    std::map<std::uint32_t, std::uint32_t> remap;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        if (mesh.material[i] != mat)
            continue;
        Triangle t{};
        for (int k = 0; k < 3; ++k) {
            const auto [it, added] = remap.try_emplace(
                mesh.triangles[i][k], static_cast<std::uint32_t>(part.vertices.size()));
            if (added)
                part.vertices.push_back(mesh.vertices[mesh.triangles[i][k]]);
            t[k] = it->second;
        }
        part.triangles.push_back(t);
        part.material.push_back(mat);
    }
    return part;
}

}  // namespace

void save_mitsuba_scene(const Scene& scene, const fs::path& xml_path) {
    try {
        scene.validate();
    } catch (const Error& e) {
        fail("cannot save '{}': the scene is invalid: {}", xml_path.string(), e.what());
    }
    check_output_path(xml_path, true);
    const fs::path dir = xml_path.has_parent_path() ? xml_path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir / "meshes", ec);
    if (ec)
        fail("cannot create '{}': {}", (dir / "meshes").string(), ec.message());

    pugi::xml_document doc;
    xml_node root = doc.append_child("scene");
    root.append_attribute("version") = "2.1.0";
    root.append_child(pugi::node_comment)
        .set_value(
            fmt::format(
                " radiofield scene '{}'; transmitters, receivers and frequency are not part of "
                "Mitsuba scenes ",
                scene.name)
                .c_str());
    for (const Material& m : scene.materials)
        add_bsdf(root, m);

    std::set<std::string> used_files;
    for (const Mesh& mesh : scene.meshes) {
        std::vector<std::uint32_t> mats;  // in order of first use
        for (std::uint32_t m : mesh.material) {
            if (std::find(mats.begin(), mats.end(), m) == mats.end())
                mats.push_back(m);
        }
        for (std::uint32_t mat : mats) {
            // Mitsuba gives a shape one bsdf: objects with several materials become one
            // shape per material, named "<object>__<material>".
            const std::string& mat_name = scene.materials[mat].name;
            const std::string name = mats.size() == 1 ? mesh.name : mesh.name + "__" + mat_name;
            std::string file = detail::file_safe(name);
            for (int k = 2; !used_files.insert(file).second; ++k)
                file = detail::file_safe(name) + "_" + std::to_string(k);
            const std::string rel = "meshes/" + file + ".ply";
            write_ply(part_of(mesh, mat), dir / rel);

            xml_node s = root.append_child("shape");
            s.append_attribute("type") = "ply";
            s.append_attribute("id") = (std::string(detail::kMitsubaShapePrefix) + name).c_str();
            add_property(s, "string", "filename", rel);
            add_property(s, "boolean", "face_normals", "true");
            xml_node ref = s.append_child("ref");
            ref.append_attribute("id") =
                (std::string(detail::kMitsubaMaterialPrefix) + mat_name).c_str();
            ref.append_attribute("name") = "bsdf";
        }
    }

    AtomicOutput out(xml_path);
    if (!doc.save_file(out.temp_path().c_str(), "    ")) {
        fail("cannot write '{}': check the folder is writable", xml_path.string());
    }
    out.commit();
}

}  // namespace radiofield::scene
