#pragma once
// Geometry helpers for the built-in scenes (private to src/scene): closed boxes, panels,
// prisms, walls with openings and extruded buildings. Every shape is closed and its
// triangles wind counter-clockwise seen from outside, so Mesh::normal points outwards.

#include <cstdint>
#include <string>
#include <vector>

#include "radiofield/scene/scene.hpp"

namespace radiofield::scene::shapes {

struct Vec2 {
    double x = 0, y = 0;
};

// A placement in the horizontal plane: local (x, y, z) → origin + Rz(yaw)·(x, y, z).
struct Frame {
    Vec3 origin;
    double yaw = 0;  // radians, about +z
    Vec3 to_world(const Vec3& local) const;
};

// Adds a triangle to `mesh` with material `mat`.
void add_triangle(Mesh& mesh, const Vec3& a, const Vec3& b, const Vec3& c, std::uint32_t mat);
// Rectangle `origin`, `origin + u`, `origin + u + v`, `origin + v`: two triangles whose normal
// is cross(u, v).
void add_quad(Mesh& mesh, const Vec3& origin, const Vec3& u, const Vec3& v, std::uint32_t mat);
// Closed axis-aligned box [lo, hi] (12 triangles).
void add_box(Mesh& mesh, const Vec3& lo, const Vec3& hi, std::uint32_t mat);
// Closed box given in the local coordinates of `frame` (rotated by its yaw).
void add_box(Mesh& mesh, const Frame& frame, const Vec3& lo, const Vec3& hi, std::uint32_t mat);
// Closed vertical prism with a regular `sides`-gon footprint (pillars, round tables).
void add_prism(
    Mesh& mesh, Vec2 centre, double radius, int sides, double z0, double z1, std::uint32_t mat);

// A wall along x (axis 0) or y (axis 1): u ∈ [u0, u1] along the axis, w ∈ [w0, w1] across it,
// z ∈ [z0, z1]. Openings are cut out of the slab; each is filled with a panel of its own
// material (glass, a door) `fill_thickness` thick, centred in the wall, or left open when
// `fill_material` is negative.
struct Opening {
    std::string name;  // name of the fill's mesh
    double u0, u1, z0, z1;
    int fill_material = -1;
    double fill_thickness = 0.05;
};
struct WallSpec {
    int axis = 0;
    double u0 = 0, u1 = 0, w0 = 0, w1 = 0, z0 = 0, z1 = 0;
    std::uint32_t material = 0;
    std::vector<Opening> openings;  // must not overlap each other
};
// Adds the wall slab pieces to `wall` and the opening fills to `fills` (one mesh each).
void add_wall(Mesh& wall, std::vector<Mesh>& fills, const WallSpec& spec);

// A building: a simple counter-clockwise footprint polygon extruded from z0 to z1. Facades
// are split into panels about `panel_width` wide and `floor_height` tall; every
// `window_every`-th panel column above the ground floor is `window_material`, the rest
// `wall_material`. Roof and floor are ear-clipped polygons.
struct BuildingSpec {
    std::vector<Vec2> footprint;  // counter-clockwise, no repeated or collinear points
    double z0 = 0, z1 = 10;
    double panel_width = 1e9, floor_height = 1e9;  // huge = one panel per facade
    std::uint32_t wall_material = 0, window_material = 0, roof_material = 0;
    int window_every = 0;  // 0: no windows; n: every n-th column above the ground floor
};
void add_building(Mesh& mesh, const BuildingSpec& spec);

// Triangles (index triples into `polygon`) of a simple counter-clockwise polygon.
std::vector<Triangle> ear_clip(const std::vector<Vec2>& polygon);

}  // namespace radiofield::scene::shapes
