// Meeting room v1–v3 (GRaF's RFID setting, DESIGN.md §6.3): one 7 m × 5 m × 3 m room shell,
// three furniture layouts.
//
// Frequency: GRaF's RFID band is 915 MHz (frequency adaptation also uses 2.412 and 5.805
// GHz). ITU-R P.2040 gives concrete, plasterboard, ceiling board, chipboard and metal from
// 1 GHz only, so at 915 MHz those materials are evaluated by extrapolation (the ray tracer
// opts in with Extrapolation::Warn); wood and glass are in range at all three bands.
#include <cmath>
#include <numbers>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::Frame;
using shapes::Opening;

constexpr double kPi = std::numbers::pi;
constexpr double kWidth = 7.0, kDepth = 5.0, kHeight = 3.0;

// Shell: concrete exterior walls (north with three windows, west with the reader), a
// plasterboard partition to the corridor (south, with the door) and to the next room (east,
// with the whiteboard); concrete floor, ceiling-board ceiling.
void add_meeting_room_shell(Scene& s) {
    const std::uint32_t concrete = itu(s, "concrete"), plaster = itu(s, "plasterboard");
    const int glass = static_cast<int>(itu(s, "glass")), wood = static_cast<int>(itu(s, "wood"));
    RoomSpec r;
    r.width = kWidth;
    r.depth = kDepth;
    r.height = kHeight;
    r.floor_material = concrete;
    r.ceiling_material = itu(s, "ceiling_board");
    r.north = {concrete, 0.25, {}};
    for (int i = 0; i < 3; ++i) {
        const double u0 = 0.8 + 2.0 * i;
        r.north.openings.push_back(
            {"window_" + std::to_string(i + 1), u0, u0 + 1.4, 0.9, 2.4, glass, 0.08});
    }
    r.west = {concrete, 0.25, {}};
    r.south = {plaster, 0.12, {{"door", 5.6, 6.5, 0.0, 2.1, wood, 0.05}}};
    r.east = {plaster, 0.12, {}};
    add_room(s, r);
    add_whiteboard(s, 0, kWidth, false, 1.5, 3.5);
    add_reader(s, {0.10, 2.5, 2.0}, 0.0);
}

// A chair at (x, y) facing the direction `yaw`, with seeded jitter.
void chair(Scene& s, Jitter& j, int& count, double x, double y, double yaw) {
    const Frame f{{x + j(0.08), y + j(0.08), 0}, yaw + j(0.14)};
    add_chair(s, "chair_" + std::to_string(++count), f, false);
}

// v1: one long rectangular table, eight chairs (three per side, one at each end).
void furnish_v1(Scene& s, Jitter& j) {
    const double cx = 3.3 + j(0.05), cy = 2.5 + j(0.05);
    add_table(s, "table", Frame{{cx, cy, 0}, 0}, 3.6, 1.2, itu(s, "wood"));
    int n = 0;
    for (double dx : {-1.2, 0.0, 1.2}) {
        chair(s, j, n, cx + dx, cy + 0.95, -kPi / 2);
        chair(s, j, n, cx + dx, cy - 0.95, kPi / 2);
    }
    chair(s, j, n, cx - 2.2, cy, 0.0);
    chair(s, j, n, cx + 2.2, cy, kPi);
    add_cabinet(s, "sideboard", {0.05, 1.6, 0.0}, {0.50, 3.4, 0.9});
    add_cabinet(s, "cabinet", {0.05, 0.05, 0.0}, {0.60, 0.55, 2.0});
}

// v2: a round table off-centre, six chairs around it, two cabinets by the corridor wall and
// a low sideboard under the windows.
void furnish_v2(Scene& s, Jitter& j) {
    const double cx = 3.8 + j(0.05), cy = 2.4 + j(0.05);
    add_round_table(s, "table", {cx, cy}, 1.1);
    int n = 0;
    for (int i = 0; i < 6; ++i) {
        const double a = 2 * kPi * i / 6 + kPi / 6;
        chair(s, j, n, cx + 1.5 * std::cos(a), cy + 1.5 * std::sin(a), a + kPi);
    }
    add_cabinet(s, "cabinet_1", {0.3, 0.05, 0.0}, {1.2, 0.50, 2.0});
    add_cabinet(s, "cabinet_2", {1.3, 0.05, 0.0}, {2.2, 0.50, 2.0});
    add_cabinet(s, "sideboard", {1.0, 4.50, 0.0}, {3.0, 4.95, 0.8});
}

// v3: a U of three tables open towards the whiteboard, ten chairs around the outside, a
// plasterboard screen by the door and two cabinets on the west wall.
void furnish_v3(Scene& s, Jitter& j) {
    const std::uint32_t board = itu(s, "wood");
    const double ox = j(0.05), oy = j(0.05);
    add_table(s, "table_north", Frame{{3.3 + ox, 3.45 + oy, 0}, 0}, 3.2, 0.7, board);
    add_table(s, "table_south", Frame{{3.3 + ox, 1.55 + oy, 0}, 0}, 3.2, 0.7, board);
    add_table(s, "table_west", Frame{{1.32 + ox, 2.5 + oy, 0}, kPi / 2}, 2.6, 0.7, board);
    int n = 0;
    for (double x : {2.1, 2.9, 3.7, 4.5}) {
        chair(s, j, n, x + ox, 4.2 + oy, -kPi / 2);
        chair(s, j, n, x + ox, 0.8 + oy, kPi / 2);
    }
    chair(s, j, n, 0.55 + ox, 2.1 + oy, 0.0);
    chair(s, j, n, 0.55 + ox, 2.9 + oy, 0.0);
    Mesh screen;
    screen.name = "partition";
    shapes::add_box(screen, {5.15, 0.05, 0.0}, {5.25, 1.35, 2.0}, itu(s, "plasterboard"));
    s.meshes.push_back(std::move(screen));
    add_cabinet(s, "cabinet_1", {0.05, 3.6, 0.0}, {0.50, 4.9, 1.1});
    add_cabinet(s, "cabinet_2", {0.05, 0.1, 0.0}, {0.50, 1.3, 1.1});
}

}  // namespace

Scene meeting_room(int variant, std::uint64_t seed) {
    Scene s;
    s.name = "meeting_room_v" + std::to_string(variant);
    s.frequency_hz = 915e6;
    static const char* kLayouts[] = {"", "long table, 8 chairs", "round table, 6 chairs, cabinets",
                                     "U of tables, 10 chairs, screen by the door"};
    s.description = std::string("7x5x3 m meeting room, ") + kLayouts[variant] +
                    "; RFID reader (4x4 array) on the west wall; 915 MHz (also 2.412/5.805 GHz)";
    add_meeting_room_shell(s);
    Jitter jitter(seed, 100 + static_cast<std::uint64_t>(variant));
    if (variant == 1)
        furnish_v1(s, jitter);
    if (variant == 2)
        furnish_v2(s, jitter);
    if (variant == 3)
        furnish_v3(s, jitter);
    return s;
}

}  // namespace radiofield::scene::builtin
