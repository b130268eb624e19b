// lab_v1: the fixed room of the lab family (the random labs are "lab:SEED",
// builtin_random_room.cpp), an 8 m × 6.5 m × 3.2 m electronics lab: benches along the north
// (windowed, brick) and east walls, an island bench, racks and a fume hood by the corridor
// wall, the reader on the west wall. Same band and extrapolation note as
// builtin_indoor.cpp; a seed jitters the furniture as in the other fixed rooms.
#include <numbers>

#include "random_room.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::Frame;

constexpr double kPi = std::numbers::pi;
constexpr double kWidth = 8.0, kDepth = 6.5, kHeight = 3.2;

// Brick facade with three windows (north), concrete walls west and south (the double metal
// door to the corridor), a plasterboard partition east; concrete floor, ceiling board.
void add_lab_shell(Scene& s) {
    const std::uint32_t concrete = itu(s, "concrete");
    const int glass = static_cast<int>(itu(s, "glass")), metal = static_cast<int>(itu(s, "metal"));
    RoomSpec r;
    r.width = kWidth;
    r.depth = kDepth;
    r.height = kHeight;
    r.floor_material = concrete;
    r.ceiling_material = itu(s, "ceiling_board");
    r.north = {itu(s, "brick"), 0.30, {}};
    for (int i = 0; i < 3; ++i) {
        const double u0 = 1.0 + 2.2 * i;
        r.north.openings.push_back(
            {"window_" + std::to_string(i + 1), u0, u0 + 1.6, 0.9, 2.4, glass, 0.08});
    }
    r.west = {concrete, 0.20, {}};
    r.south = {concrete, 0.20, {{"door", 5.6, 7.3, 0.0, 2.1, metal, 0.05}}};
    r.east = {itu(s, "plasterboard"), 0.12, {}};
    add_room(s, r);
    add_whiteboard(s, 0, 0.0, true, 0.6, 2.0);
    add_reader(s, {0.10, 3.25, 2.0}, 0.0);
}

void block(Scene& s, const std::string& name, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    Mesh m;
    m.name = name;
    shapes::add_box(m, lo, hi, mat);
    s.meshes.push_back(std::move(m));
}

void stool(Scene& s, Jitter& j, int& n, double x, double y, double yaw) {
    add_chair(s, "stool_" + std::to_string(++n), Frame{{x + j(0.08), y + j(0.08), 0}, yaw + j(0.2)},
              false);
}

}  // namespace

Scene lab(std::uint64_t seed) {
    Scene s;
    s.name = "lab_v1";
    s.frequency_hz = 915e6;
    s.description =
        "8x6.5x3.2 m lab, benches on the north and east walls, an island bench, racks, fume "
        "hood; RFID reader (4x4 array) on the west wall; 915 MHz (also 2.412/5.805 GHz)";
    add_lab_shell(s);
    Jitter j(seed, 400);
    Draw instruments(0, 401);  // the same instruments for every seed: a seed only jitters
    const std::uint32_t top = itu(s, "chipboard"), metal = itu(s, "metal");
    lab_bench(s, instruments, "bench_1", Frame{{4.0 + j(0.1), kDepth - 0.05, 0}, -kPi / 2}, 4.0,
              0.75, top);
    lab_bench(s, instruments, "bench_2", Frame{{kWidth - 0.05, 3.5 + j(0.1), 0}, kPi}, 3.0, 0.75,
              top);
    const double ix = 3.6 + j(0.1), iy = 3.0 + j(0.1);
    lab_bench(s, instruments, "island_1_a", Frame{{ix, iy + 0.05, 0}, kPi / 2}, 3.0, 0.7, top);
    lab_bench(s, instruments, "island_1_b", Frame{{ix, iy - 0.05, 0}, -kPi / 2}, 3.0, 0.7, top);
    block(s, "island_1_shelf", {ix - 1.5, iy - 0.04, 0.90}, {ix + 1.5, iy + 0.04, 1.65}, metal);
    int n = 0;
    stool(s, j, n, 3.0, kDepth - 1.15, kPi / 2);
    stool(s, j, n, 5.0, kDepth - 1.15, kPi / 2);
    stool(s, j, n, kWidth - 1.15, 3.5, 0.0);
    stool(s, j, n, ix - 0.6, iy + 1.1, -kPi / 2);
    stool(s, j, n, ix + 0.6, iy - 1.1, kPi / 2);
    block(s, "rack_1", {1.0, 0.05, 0}, {1.59, 0.85, 2.0}, metal);
    block(s, "rack_2", {1.61, 0.05, 0}, {2.2, 0.85, 2.0}, metal);
    Mesh hood;
    hood.name = "fume_hood";
    const Frame f{{4.0, 0.05, 0}, kPi / 2};
    shapes::add_box(hood, f, {0, -0.75, 0}, {0.85, 0.75, 0.9}, metal);
    shapes::add_box(hood, f, {0, -0.75, 0.9}, {0.6, 0.75, 2.3}, metal);
    shapes::add_box(hood, f, {0.6, -0.75, 1.6}, {0.85, 0.75, 2.3}, metal);
    shapes::add_box(hood, f, {0.78, -0.75, 1.0}, {0.80, 0.75, 1.6}, itu(s, "glass"));
    s.meshes.push_back(std::move(hood));
    add_cabinet(s, "cabinet_1", {kWidth - 0.50, 1.1, 0}, {kWidth - 0.05, 1.9, 2.0});
    return s;
}

}  // namespace radiofield::scene::builtin
