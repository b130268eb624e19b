// radiofield JSON scenes: reading (docs/scene-format.md describes every key).

#include <set>
#include <tuple>

#include "io_common.hpp"
#include "json_fields.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;
using detail::Json;
using detail::JsonFields;

namespace {

// Runs `f`, prefixing any Error it throws with `what` (for errors from material/antenna code).
template <typename F>
auto in_context(const std::string& what, F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        fail("{}: {}", what, e.what());
    }
}

std::string describe(const Json& j, const char* kind, std::size_t index) {
    if (j.is_object() && j.contains("name") && j["name"].is_string()) {
        return fmt::format("{} '{}'", kind, j["name"].get<std::string>());
    }
    return fmt::format("{} #{} (counting from 0)", kind, index);
}

Material parse_material(const Json& j, std::size_t index) {
    const JsonFields f(j, describe(j, "material", index));
    f.allow_only({"name", "itu_type", "eps_r", "sigma", "scattering_coefficient", "xpd_coefficient",
                  "scattering_pattern", "alpha_r", "alpha_i", "lambda", "thickness", "eps_r_scale",
                  "sigma_scale", "colour"});
    const std::string name = f.string("name");
    Material m;
    if (f.has("itu_type")) {
        if (f.has("eps_r") || f.has("sigma")) {
            fail(
                "{} gives both 'itu_type' and 'eps_r'/'sigma': keep one (ITU type or custom ε_r "
                "and σ)",
                f.what());
        }
        const std::string type = f.string("itu_type");
        m = in_context(f.what(), [&] { return itu_material(type); });
    } else if (f.has("eps_r") || f.has("sigma")) {
        const double eps_r = f.number("eps_r"), sigma = f.number("sigma");
        m = in_context(f.what(), [&] { return custom_material(name, eps_r, sigma); });
    } else {
        fail("{} needs 'itu_type' (one of: {}) or 'eps_r' and 'sigma'", f.what(),
             detail::join(itu_material_types()));
    }
    m.name = name;
    m.scattering_coefficient = f.number_or("scattering_coefficient", m.scattering_coefficient);
    m.xpd_coefficient = f.number_or("xpd_coefficient", m.xpd_coefficient);
    if (f.has("scattering_pattern")) {
        const std::string p = f.string("scattering_pattern");
        m.scattering_pattern =
            in_context(f.what(), [&] { return scattering_pattern_from_string(p); });
    }
    m.alpha_r = f.number_or("alpha_r", m.alpha_r);
    m.alpha_i = f.number_or("alpha_i", m.alpha_i);
    m.lambda_ = f.number_or("lambda", m.lambda_);
    m.thickness = f.number_or("thickness", m.thickness);
    m.eps_r_scale = f.number_or("eps_r_scale", m.eps_r_scale);
    m.sigma_scale = f.number_or("sigma_scale", m.sigma_scale);
    if (f.has("colour")) {
        const Vec3 c = f.vec3("colour");
        for (int k = 0; k < 3; ++k) {
            if (c[k] < 0 || c[k] > 1)
                fail("'colour' in {} must have components in [0, 1], got {}", f.what(), c[k]);
        }
        m.colour = {static_cast<float>(c.x), static_cast<float>(c.y), static_cast<float>(c.z)};
    }
    return m;
}

// A material by name: declared ones first, then "itu_<type>" creates the ITU material.
std::uint32_t resolve_material(Scene& scene,
                               const std::string& name,
                               std::size_t num_declared,
                               const std::string& what) {
    if (auto i = scene.find_material(name))
        return *i;
    if (name.rfind("itu_", 0) == 0) {
        const std::string type = name.substr(4);
        for (const auto& t : itu_material_types()) {
            if (t == type)
                return scene.add_material(itu_material(type));
        }
    }
    std::vector<std::string> declared;
    for (std::size_t i = 0; i < num_declared; ++i)
        declared.push_back(scene.materials[i].name);
    std::vector<std::string> candidates = declared;
    for (const auto& t : itu_material_types())
        candidates.push_back("itu_" + t);
    const std::string guess = detail::closest_name(name, candidates);
    fail(
        "{} uses unknown material '{}'{}: declare it under \"materials\" (declared: {}) or use "
        "itu_<type> with a type of: {}",
        what, name, guess.empty() ? "" : " (did you mean '" + guess + "'?)",
        declared.empty() ? "none" : detail::join(declared), detail::join(itu_material_types()));
}

Mesh parse_object(const Json& j,
                  std::size_t index,
                  Scene& scene,
                  std::size_t num_declared,
                  const fs::path& path) {
    const JsonFields f(j, describe(j, "object", index));
    f.allow_only({"name", "material", "triangle_materials", "vertices", "triangles", "file"});
    Mesh mesh;
    const bool inline_mesh = f.has("vertices") || f.has("triangles");
    if (f.has("file") && inline_mesh) {
        fail("{} gives both 'file' and 'vertices'/'triangles': keep one", f.what());
    } else if (f.has("file")) {
        const fs::path file = detail::relative_to(path, f.string("file"));
        mesh = in_context(f.what(), [&] { return detail::read_mesh_file(file); });
    } else if (inline_mesh) {
        const Json& verts = f.array("vertices");
        for (std::size_t i = 0; i < verts.size(); ++i) {
            mesh.vertices.push_back(
                JsonFields::as_vec3(verts[i], fmt::format("vertex {} of {}", i, f.what())));
        }
        const Json& tris = f.array("triangles");
        for (std::size_t i = 0; i < tris.size(); ++i) {
            const Json& t = tris[i];
            const std::string where = fmt::format("triangle {} of {}", i, f.what());
            if (!t.is_array() || t.size() != 3)
                fail("{} must be 3 vertex indices [i, j, k], got {}", where, t.dump());
            Triangle tri{};
            for (int k = 0; k < 3; ++k) {
                if (!t[k].is_number_unsigned())
                    fail("{} must hold non-negative integers, got {}", where, t.dump());
                const auto v = t[k].get<std::uint64_t>();
                if (v >= mesh.vertices.size()) {
                    fail("{} refers to vertex {}, but the object has {} vertices", where, v,
                         mesh.vertices.size());
                }
                tri[k] = static_cast<std::uint32_t>(v);
            }
            mesh.triangles.push_back(tri);
        }
    } else {
        fail("{} has no geometry: give 'vertices' and 'triangles', or 'file' (an .obj or .ply)",
             f.what());
    }
    mesh.name = f.string("name");

    if (f.has("material") == f.has("triangle_materials")) {
        fail("{} needs exactly one of 'material' (one for all triangles) or 'triangle_materials'",
             f.what());
    }
    if (f.has("material")) {
        const auto m = resolve_material(scene, f.string("material"), num_declared, f.what());
        mesh.material.assign(mesh.triangles.size(), m);
    } else {
        const Json& list = f.array("triangle_materials");
        if (list.size() != mesh.triangles.size()) {
            fail("'triangle_materials' in {} has {} entries but the object has {} triangles",
                 f.what(), list.size(), mesh.triangles.size());
        }
        mesh.material.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].is_string()) {
                mesh.material.push_back(
                    resolve_material(scene, list[i].get<std::string>(), num_declared, f.what()));
            } else if (list[i].is_number_unsigned() &&
                       list[i].get<std::uint64_t>() < num_declared) {
                mesh.material.push_back(static_cast<std::uint32_t>(list[i].get<std::uint64_t>()));
            } else {
                fail(
                    "'triangle_materials' entry {} in {} must be a material name or an index below "
                    "{} (the "
                    "number of declared materials), got {}",
                    i, f.what(), num_declared, list[i].dump());
            }
        }
    }
    return mesh;
}

Device parse_device(const Json& j, std::size_t index, const char* kind, double frequency_hz) {
    const JsonFields f(j, describe(j, kind, index));
    f.allow_only({"name", "position", "orientation", "array"});
    Device d;
    d.name = f.string("name");
    d.position = f.vec3("position");
    d.orientation = f.vec3_or("orientation", {0, 0, 0});
    if (!f.has("array"))
        return d;
    const JsonFields a(f.required("array"), "'array' of " + f.what());
    a.allow_only(
        {"rows", "cols", "vertical_spacing", "horizontal_spacing", "pattern", "polarization"});
    const long long rows = a.integer_or("rows", 1), cols = a.integer_or("cols", 1);
    if (rows < 1 || cols < 1 || rows * cols > 65536) {
        fail("{} has {}x{} elements: rows and cols must be ≥ 1 (at most 65536 elements)", a.what(),
             rows, cols);
    }
    const double half_lambda = frequency_hz > 0 ? 0.5 * wavelength(frequency_hz) : 0.0;
    auto spacing = [&](const char* key, long long n) {
        if (a.has(key) || n == 1 || half_lambda > 0)
            return a.number_or(key, half_lambda);
        fail("{} needs '{}' (metres), or a scene 'frequency_hz' so that it defaults to λ/2",
             a.what(), key);
    };
    d.array.num_rows = static_cast<int>(rows);
    d.array.num_cols = static_cast<int>(cols);
    d.array.vertical_spacing = spacing("vertical_spacing", rows);
    d.array.horizontal_spacing = spacing("horizontal_spacing", cols);
    const std::string pattern = a.string_or("pattern", "iso"),
                      pol = a.string_or("polarization", "V");
    d.array.antenna = in_context(a.what(), [&] {
        return Antenna(pattern_from_string(pattern), polarization_from_string(pol));
    });
    return d;
}

Scene parse_scene(const Json& root, const fs::path& path) {
    const JsonFields top(root, "the scene (top level)");
    top.allow_only({"format", "version", "name", "description", "frequency_hz", "materials",
                    "objects", "transmitters", "receivers"});
    const std::string format = top.string("format");
    if (format != "radiofield-scene")
        fail("'format' is \"{}\"; a radiofield scene has \"radiofield-scene\"", format);
    const long long version = top.integer("version");
    if (version != 1)
        fail("scene format version {} is not supported: this radiofield reads version 1", version);

    Scene scene;
    scene.name = top.string_or("name", path.stem().string());
    scene.description = top.string_or("description", "");
    scene.frequency_hz = top.number_or("frequency_hz", 0.0);
    if (scene.frequency_hz < 0)
        fail("'frequency_hz' must be ≥ 0 (0 = unset), got {}", scene.frequency_hz);

    if (top.has("materials")) {
        const Json& list = top.array("materials");
        for (std::size_t i = 0; i < list.size(); ++i) {
            Material m = parse_material(list[i], i);
            if (scene.find_material(m.name))
                fail("material '{}' is declared twice; rename one", m.name);
            scene.materials.push_back(std::move(m));
        }
    }
    const std::size_t num_declared = scene.materials.size();
    const Json& objects = top.array("objects");
    for (std::size_t i = 0; i < objects.size(); ++i) {
        scene.meshes.push_back(parse_object(objects[i], i, scene, num_declared, path));
    }
    for (auto [key, kind, out] : {std::tuple{"transmitters", "transmitter", &scene.transmitters},
                                  std::tuple{"receivers", "receiver", &scene.receivers}}) {
        if (!top.has(key))
            continue;
        const Json& list = top.array(key);
        std::set<std::string> names;
        for (std::size_t i = 0; i < list.size(); ++i) {
            out->push_back(parse_device(list[i], i, kind, scene.frequency_hz));
            if (!names.insert(out->back().name).second)
                fail("{} name '{}' is used twice", kind, out->back().name);
        }
    }
    return scene;
}

}  // namespace

Scene scene_from_json_string(const std::string& text, const fs::path& where) {
    return detail::load_with_file_context(where, [&] {
        Json root;
        try {
            root = Json::parse(text);
        } catch (const Json::exception& e) {  // parse errors, and numbers too large
            fail("not valid JSON: {}", e.what());
        }
        return parse_scene(root, where);
    });
}

Scene load_json_scene(const fs::path& path) {
    const std::string text = detail::read_file_bytes(path, "scene file");
    return detail::load_with_file_context(path, [&] {
        Json root;
        try {
            root = Json::parse(text);
        } catch (const Json::exception& e) {  // parse errors, and numbers too large
            fail("not valid JSON: {}", e.what());
        }
        return parse_scene(root, path);
    });
}

}  // namespace radiofield::scene
