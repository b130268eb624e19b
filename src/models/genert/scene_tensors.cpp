// A scene as tensors for the GeNeRT engine (include/radiofield/models/genert.hpp).
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "radiofield/core/error.hpp"
#include "radiofield/models/genert.hpp"

namespace radiofield::models::genert {
namespace {

struct UnionFind {
    std::vector<std::int64_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) {
        std::iota(parent.begin(), parent.end(), std::int64_t{0});
    }
    std::int64_t find(std::int64_t i) {
        while (parent[i] != i)
            i = parent[i] = parent[parent[i]];
        return i;
    }
    void join(std::int64_t a, std::int64_t b) { parent[find(a)] = find(b); }
};

using EdgeKey = std::array<double, 6>;

EdgeKey edge_key(const Vec3& a, const Vec3& b) {
    const bool swap = std::make_tuple(a.x, a.y, a.z) > std::make_tuple(b.x, b.y, b.z);
    const Vec3& p = swap ? b : a;
    const Vec3& q = swap ? a : b;
    return {p.x, p.y, p.z, q.x, q.y, q.z};
}

}  // namespace

SceneTensors SceneTensors::from(const scene::Scene& scene,
                                torch::ScalarType dtype,
                                torch::Device device) {
    SceneTensors s;
    std::vector<double> verts, normals;
    std::vector<std::int64_t> classes;
    std::vector<double> offsets;
    std::vector<Vec3> unit_normals;
    std::map<EdgeKey, std::vector<std::int64_t>> edges;  // shared edges, by vertex positions
    for (std::size_t o = 0; o < scene.meshes.size(); ++o) {
        const auto& mesh = scene.meshes[o];
        for (std::size_t i = 0; i < mesh.num_triangles(); ++i) {
            const auto face = static_cast<std::int64_t>(s.object.size());
            const auto& tri = mesh.triangles[i];
            for (auto v : tri) {
                const auto& p = mesh.vertices.at(v);
                verts.insert(verts.end(), {p.x, p.y, p.z});
            }
            const Vec3 n = mesh.normal(i);
            normals.insert(normals.end(), {n.x, n.y, n.z});
            unit_normals.push_back(n);
            offsets.push_back(dot(n, mesh.vertices[tri[0]]));
            classes.push_back(mesh.material.at(i));
            s.object.push_back(static_cast<std::uint32_t>(o));
            s.primitive.push_back(static_cast<std::uint32_t>(i));
            s.material.push_back(mesh.material[i]);
            for (int k = 0; k < 3; ++k)
                edges[edge_key(mesh.vertices[tri[k]], mesh.vertices[tri[(k + 1) % 3]])].push_back(
                    face);
        }
    }
    const auto f = static_cast<std::int64_t>(s.object.size());
    const auto bounds = scene.bounds();
    s.extent = f > 0 ? std::max(norm(bounds.size()), 1e-3) : 1.0;

    // Connected coplanar patches: neighbours across an edge whose planes agree.
    UnionFind patches(static_cast<std::size_t>(f));
    const double tol = 1e-9 * s.extent;
    for (const auto& [key, faces] : edges)
        for (std::size_t a = 0; a < faces.size(); ++a)
            for (std::size_t b = a + 1; b < faces.size(); ++b) {
                const auto i = faces[a], j = faces[b];
                const double c = dot(unit_normals[i], unit_normals[j]);
                const double sign = c < 0 ? -1.0 : 1.0;
                if (std::abs(c) > 1 - 1e-9 && std::abs(offsets[i] - sign * offsets[j]) < tol)
                    patches.join(i, j);
            }
    s.plane.resize(static_cast<std::size_t>(f));
    for (std::int64_t i = 0; i < f; ++i)
        s.plane[i] = patches.find(i);

    const auto host = torch::TensorOptions().dtype(torch::kFloat64);
    s.vertices = torch::tensor(verts, host).reshape({f, 3, 3}).to(device, dtype);
    s.normals = torch::tensor(normals, host).reshape({f, 3}).to(device, dtype);
    s.classes = torch::tensor(classes, torch::kInt64).to(device);
    s.tris = nn::TriangleTensors::from_vertices(s.vertices);
    return s;
}

}  // namespace radiofield::models::genert
