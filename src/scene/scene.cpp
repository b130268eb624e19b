#include "radiofield/scene/scene.hpp"

#include <unordered_map>

#include "radiofield/core/error.hpp"

namespace radiofield::scene {
namespace {

// Smallest triangle area the tracer accepts (m²); below it normals are meaningless.
constexpr double kMinTriangleArea = 1e-12;

Vec3 triangle_cross(const Mesh& mesh, std::size_t i) {
    const Triangle& t = mesh.triangles[i];
    const Vec3& a = mesh.vertices[t[0]];
    const Vec3& b = mesh.vertices[t[1]];
    const Vec3& c = mesh.vertices[t[2]];
    return cross(b - a, c - a);
}

void validate_device(const Device& d, const char* role) {
    if (!is_finite(d.position) || !is_finite(d.orientation)) {
        fail(
            "{} '{}' has a non-finite position or orientation; give finite coordinates in metres "
            "and angles in radians",
            role, d.name);
    }
    if (d.array.num_rows < 1 || d.array.num_cols < 1) {
        fail("{} '{}': array of {}x{} elements; rows and columns must be at least 1", role, d.name,
             d.array.num_rows, d.array.num_cols);
    }
}

}  // namespace

Vec3 Mesh::normal(std::size_t i) const {
    const Vec3 n = triangle_cross(*this, i);
    const double len = norm(n);
    if (!(len > 0) || !std::isfinite(len))
        return {};
    return n / len;
}

double Mesh::area(std::size_t i) const {
    return 0.5 * norm(triangle_cross(*this, i));
}

void Mesh::append(const std::vector<Vec3>& verts,
                  const std::vector<Triangle>& tris,
                  std::uint32_t mat) {
    const auto base = static_cast<std::uint32_t>(vertices.size());
    vertices.insert(vertices.end(), verts.begin(), verts.end());
    for (const Triangle& t : tris)
        triangles.push_back({t[0] + base, t[1] + base, t[2] + base});
    material.insert(material.end(), tris.size(), mat);
}

bool Bounds::contains(const Vec3& p, double margin) const {
    return p.x >= lo.x - margin && p.x <= hi.x + margin && p.y >= lo.y - margin &&
           p.y <= hi.y + margin && p.z >= lo.z - margin && p.z <= hi.z + margin;
}

std::size_t Scene::num_triangles() const {
    std::size_t n = 0;
    for (const Mesh& m : meshes)
        n += m.num_triangles();
    return n;
}

Bounds Scene::bounds() const {
    // Geometry only (devices are not part of the bounds).
    Bounds b;
    for (const Mesh& m : meshes)
        for (const Vec3& v : m.vertices)
            b.expand(v);
    return b;
}

std::optional<std::uint32_t> Scene::find_material(std::string_view name) const {
    for (std::size_t i = 0; i < materials.size(); ++i) {
        if (materials[i].name == name)
            return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
}

std::vector<std::uint32_t> Scene::materials_out_of_range(double frequency_hz) const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < materials.size(); ++i) {
        if (!materials[i].in_range(frequency_hz))
            out.push_back(i);
    }
    return out;
}

std::uint32_t Scene::add_material(Material m) {
    if (auto i = find_material(m.name))
        return *i;
    materials.push_back(std::move(m));
    return static_cast<std::uint32_t>(materials.size() - 1);
}

void Scene::validate() const {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < materials.size(); ++i) {
        const Material& mat = materials[i];
        auto [it, inserted] = seen.emplace(mat.name, i);
        if (!inserted) {
            fail(
                "scene '{}': materials {} and {} are both named '{}'; material names must be "
                "unique",
                name, it->second, i, mat.name);
        }
        try {
            mat.validate();
        } catch (const Error& e) {
            fail("scene '{}', material {}: {}", name, i, e.what());
        }
    }
    for (const Mesh& mesh : meshes) {
        if (mesh.material.size() != mesh.triangles.size()) {
            fail(
                "object '{}' has {} triangles but {} material indices; give one material per "
                "triangle",
                mesh.name, mesh.triangles.size(), mesh.material.size());
        }
        for (std::size_t v = 0; v < mesh.vertices.size(); ++v) {
            if (!is_finite(mesh.vertices[v])) {
                fail("object '{}': vertex {} is not finite ({}, {}, {})", mesh.name, v,
                     mesh.vertices[v].x, mesh.vertices[v].y, mesh.vertices[v].z);
            }
        }
        for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
            for (std::uint32_t idx : mesh.triangles[t]) {
                if (idx >= mesh.vertices.size()) {
                    fail(
                        "object '{}', triangle {}: vertex index {} is out of range (the object has "
                        "{} vertices)",
                        mesh.name, t, idx, mesh.vertices.size());
                }
            }
            const double a = mesh.area(t);
            if (!(a >= kMinTriangleArea)) {
                fail(
                    "object '{}', triangle {} is degenerate (area {:g} m² < {:g} m²); remove it or "
                    "fix its vertices",
                    mesh.name, t, a, kMinTriangleArea);
            }
            if (mesh.material[t] >= materials.size()) {
                fail(
                    "object '{}', triangle {}: material index {} is out of range (the scene has {} "
                    "materials)",
                    mesh.name, t, mesh.material[t], materials.size());
            }
        }
    }
    for (const Device& d : transmitters)
        validate_device(d, "transmitter");
    for (const Device& d : receivers)
        validate_device(d, "receiver");
}

std::vector<std::size_t> Scene::triangles_per_material() const {
    std::vector<std::size_t> counts(materials.size(), 0);
    for (const Mesh& mesh : meshes) {
        for (std::uint32_t m : mesh.material) {
            if (m >= counts.size())
                counts.resize(m + 1, 0);  // invalid index: validate() reports it
            ++counts[m];
        }
    }
    return counts;
}

}  // namespace radiofield::scene
