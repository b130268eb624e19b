#pragma once
// Small scenes for the tracer tests, built directly as scene::Scene objects.

#include <string>

#include "radiofield/scene/scene.hpp"

namespace radiofield::rt::testing {

// Adds an axis-aligned box [lo, hi] as one mesh of 12 triangles (two per face).
inline void add_box(scene::Scene& s,
                    const std::string& name,
                    const Vec3& lo,
                    const Vec3& hi,
                    std::uint32_t material) {
    scene::Mesh m;
    m.name = name;
    for (int i = 0; i < 8; ++i)
        m.vertices.push_back({(i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y, (i & 4) ? hi.z : lo.z});
    // Faces as quads (a, b, c, d) in order around the face, split along a–c.
    const int quads[6][4] = {{0, 2, 6, 4}, {1, 5, 7, 3}, {0, 4, 5, 1},
                             {2, 3, 7, 6}, {0, 1, 3, 2}, {4, 6, 7, 5}};
    for (const auto& q : quads) {
        m.triangles.push_back({std::uint32_t(q[0]), std::uint32_t(q[1]), std::uint32_t(q[2])});
        m.triangles.push_back({std::uint32_t(q[0]), std::uint32_t(q[2]), std::uint32_t(q[3])});
        m.material.push_back(material);
        m.material.push_back(material);
    }
    s.meshes.push_back(std::move(m));
}

// Square in the plane z = height, [-half, half]², two triangles split along y = x.
inline void add_ground(scene::Scene& s, double half, double height, std::uint32_t material) {
    scene::Mesh m;
    m.name = "ground";
    m.vertices = {
        {-half, -half, height}, {half, -half, height}, {half, half, height}, {-half, half, height}};
    m.triangles = {{0, 1, 2}, {0, 2, 3}};
    m.material = {material, material};
    s.meshes.push_back(std::move(m));
}

// Rectangle in the plane x = x0 spanning y ∈ [y0, y1], z ∈ [z0, z1], two triangles.
inline void add_wall_x(scene::Scene& s,
                       double x0,
                       double y0,
                       double y1,
                       double z0,
                       double z1,
                       std::uint32_t material) {
    scene::Mesh m;
    m.name = "wall";
    m.vertices = {{x0, y0, z0}, {x0, y1, z0}, {x0, y1, z1}, {x0, y0, z1}};
    m.triangles = {{0, 1, 2}, {0, 2, 3}};
    m.material = {material, material};
    s.meshes.push_back(std::move(m));
}

inline scene::Device device_at(const Vec3& p, scene::Polarization pol = scene::Polarization::V) {
    scene::Device d;
    d.name = "dev";
    d.position = p;
    d.array.antenna = scene::Antenna(scene::PatternKind::Isotropic, pol);
    return d;
}

// A 5 × 4 × 3 m concrete room.
inline scene::Scene box_room() {
    scene::Scene s;
    s.name = "box_room";
    const auto concrete = s.add_material(scene::itu_material("concrete"));
    add_box(s, "room", {0, 0, 0}, {5, 4, 3}, concrete);
    return s;
}

}  // namespace radiofield::rt::testing
