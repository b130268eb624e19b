#pragma once
// A scene: named objects made of triangles, a material per triangle, and the radio devices.
// Units are metres; z is up (DESIGN.md / docs/conventions.md).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/antenna.hpp"
#include "radiofield/scene/material.hpp"

namespace radiofield::scene {

using Triangle = std::array<std::uint32_t, 3>;

// One object of the scene (a wall, a table, a building). Its triangles index its own
// vertices; `material[i]` indexes Scene::materials for triangle i.
struct Mesh {
    std::string name;
    std::vector<Vec3> vertices;
    std::vector<Triangle> triangles;
    std::vector<std::uint32_t> material;

    std::size_t num_triangles() const { return triangles.size(); }
    // Unit normal of triangle i (right-hand rule); zero vector if degenerate.
    Vec3 normal(std::size_t i) const;
    double area(std::size_t i) const;
    // Appends another mesh's geometry (indices shifted) with one material for all of it.
    void append(const std::vector<Vec3>& verts,
                const std::vector<Triangle>& tris,
                std::uint32_t mat);
};

// A transmitter or receiver: position, orientation (yaw, pitch, roll in radians, Sionna's
// convention, applied as Rz·Ry·Rx) and its antenna array.
struct Device {
    std::string name;
    Vec3 position;
    Vec3 orientation;  // (yaw, pitch, roll), radians
    PlanarArray array;
    Mat3 rotation() const { return rotation_zyx(orientation.x, orientation.y, orientation.z); }
};

struct Bounds {
    Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
    Vec3 size() const { return hi - lo; }
    Vec3 centre() const { return (lo + hi) * 0.5; }
    bool contains(const Vec3& p, double margin = 0) const;
    void expand(const Vec3& p) {
        lo = min(lo, p);
        hi = max(hi, p);
    }
};

struct Scene {
    std::string name;
    std::string description;
    double frequency_hz = 0;  // nominal frequency the scene was made for (0 = unset)
    // Made by make_builtin_scene (not stored in scene files): its materials were chosen for
    // frequency_hz, so a simulation there extrapolates ITU materials outside their ranges
    // without being asked (docs/materials.md).
    bool builtin = false;
    std::vector<Material> materials;
    std::vector<Mesh> meshes;
    std::vector<Device> transmitters;
    std::vector<Device> receivers;

    std::size_t num_triangles() const;
    Bounds bounds() const;
    // Index of a material by name, or nullopt.
    std::optional<std::uint32_t> find_material(std::string_view name) const;
    // Indices of the materials not defined at `frequency_hz` without extrapolation
    // (Material::in_range), in order.
    std::vector<std::uint32_t> materials_out_of_range(double frequency_hz) const;
    // Adds `m` unless a material of that name exists; returns its index.
    std::uint32_t add_material(Material m);
    // Throws Error naming the object and triangle for: an index out of range, a non-finite
    // vertex, a degenerate (zero-area) triangle, a material index out of range, a material
    // failing Material::validate, or duplicate material names.
    void validate() const;
    // Triangles per material index.
    std::vector<std::size_t> triangles_per_material() const;
};

}  // namespace radiofield::scene
