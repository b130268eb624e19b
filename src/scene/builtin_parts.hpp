#pragma once
// Pieces of the built-in scenes (private to src/scene): the scene builders, room shells,
// furniture and the seeded jitter that varies furniture placement.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "radiofield/core/rng.hpp"
#include "radiofield/scene/scene.hpp"
#include "shapes.hpp"

namespace radiofield::scene::builtin {

// Builders, one per family (builtin_indoor.cpp, builtin_office.cpp, builtin_outdoor.cpp).
Scene meeting_room(int variant, std::uint64_t seed);
Scene office(int variant, std::uint64_t seed);
Scene lobby(std::uint64_t seed);
Scene lab(std::uint64_t seed);  // lab_v1 (builtin_lab.cpp)
// A seeded random room of a family in room_families() (builtin_random_room.cpp).
Scene random_room(const std::string& family, std::uint64_t seed);

// Outdoor humidity (DESIGN.md §4.1): the ground's ITU type, and the factor applied to the
// other materials' ε_r and σ.
struct Climate {
    std::string ground_type;  // very_dry_ground, medium_dry_ground, wet_ground
    double scale = 1.0;       // 1.0, 1.3, 1.6
};
enum class City { RosslynLike, CampusA, CampusB };
Scene city(City which, const Climate& climate, std::uint64_t seed);

// Small random offsets for furniture: all zero for seed 0 (the canonical layout), otherwise
// uniform in ±amplitude from a stream of (seed, scene-specific stream).
class Jitter {
public:
    Jitter(std::uint64_t seed, std::uint64_t stream) : m_rng(seed, stream), m_on(seed != 0) {}
    double operator()(double amplitude) {
        return m_on ? m_rng.uniform(-amplitude, amplitude) : 0.0;
    }

private:
    Rng m_rng;
    bool m_on;
};

// ITU material `type` with an sRGB colour, added to the scene (once); returns its index.
std::uint32_t itu(Scene& scene, const std::string& type);
// Custom material added once; returns its index.
std::uint32_t custom(
    Scene& scene, const std::string& name, double eps_r, double sigma, std::array<float, 3> colour);

// A room whose interior is [0, width] × [0, depth] × [0, height]. Each wall is a slab
// outside the interior with its own material, thickness and openings (u runs along +x for
// the south/north walls, +y for the west/east walls); floor and ceiling slabs cover all.
struct RoomWall {
    std::uint32_t material = 0;
    double thickness = 0.2;
    std::vector<shapes::Opening> openings;
};
struct RoomSpec {
    double width = 7, depth = 5, height = 3;
    RoomWall south, north, west, east;
    std::uint32_t floor_material = 0, ceiling_material = 0;
    double slab = 0.15;  // floor / ceiling thickness
};
void add_room(Scene& scene, const RoomSpec& spec);

// Furniture. Frames place the piece on the floor; a chair's local +x is the way it faces.
void add_chair(Scene& scene,
               const std::string& name,
               const shapes::Frame& frame,
               bool office_chair);
void add_table(Scene& scene,
               const std::string& name,
               const shapes::Frame& frame,
               double length,
               double width,
               std::uint32_t top_material);
void add_round_table(Scene& scene, const std::string& name, shapes::Vec2 centre, double radius);
// A desk (top on two side panels) with a monitor facing local −x, where its user sits.
void add_desk(Scene& scene, const std::string& name, const shapes::Frame& frame);
void add_cabinet(Scene& scene, const std::string& name, const Vec3& lo, const Vec3& hi);
// Whiteboard on the wall plane x = `x` (facing +x if `facing_positive`) or, for axis 1,
// y = `x` — a thin metal-backed board 0.9–2.1 m high spanning [u0, u1].
void add_whiteboard(
    Scene& scene, int axis, double wall_plane, bool facing_positive, double u0, double u1);
// The RFID-like reader of GRaF's setting: a 4×4 λ/2 array on a wall, as the receiver.
void add_reader(Scene& scene, const Vec3& position, double yaw);

}  // namespace radiofield::scene::builtin
