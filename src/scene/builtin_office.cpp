// Office v1–v3: a 10 m × 8 m × 3 m open-plan office (GRaF's "unseen layout" setting: train on
// the meeting room, test here). Same band and extrapolation note as builtin_indoor.cpp.
#include <numbers>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::Frame;

constexpr double kPi = std::numbers::pi;
constexpr double kWidth = 10.0, kDepth = 8.0, kHeight = 3.0;
constexpr double kDeskDepth = 0.75, kChairOffset = 0.375 + 0.55;

// Concrete facade walls with windows (north, east), plasterboard partitions (south with the
// door, west with the whiteboard).
void add_office_shell(Scene& s) {
    const std::uint32_t concrete = itu(s, "concrete"), plaster = itu(s, "plasterboard");
    const int glass = static_cast<int>(itu(s, "glass")), wood = static_cast<int>(itu(s, "wood"));
    RoomSpec r;
    r.width = kWidth;
    r.depth = kDepth;
    r.height = kHeight;
    r.floor_material = concrete;
    r.ceiling_material = itu(s, "ceiling_board");
    r.north = {concrete, 0.25, {}};
    for (int i = 0; i < 4; ++i) {
        const double u0 = 0.8 + 2.4 * i;
        r.north.openings.push_back(
            {"window_n" + std::to_string(i + 1), u0, u0 + 1.6, 0.9, 2.4, glass, 0.08});
    }
    r.east = {concrete, 0.25, {}};
    r.east.openings.push_back({"window_e1", 1.5, 3.3, 0.9, 2.4, glass, 0.08});
    r.east.openings.push_back({"window_e2", 4.5, 6.3, 0.9, 2.4, glass, 0.08});
    r.south = {plaster, 0.12, {{"door", 1.0, 2.0, 0.0, 2.1, wood, 0.05}}};
    r.west = {plaster, 0.12, {}};
    add_room(s, r);
    add_whiteboard(s, 0, 0.0, true, 3.0, 5.5);
    add_reader(s, {6.0, 0.10, 2.2}, kPi / 2);
}

struct Counter {
    int desks = 0, chairs = 0, screens = 0;
};

// A desk whose user sits on the local −x side, and that user's office chair facing it.
void workstation(Scene& s, Jitter& j, Counter& n, double x, double y, double yaw) {
    add_desk(s, "desk_" + std::to_string(++n.desks), Frame{{x, y, 0}, yaw});
    const Frame seat{{x, y, 0}, yaw};
    const Vec3 c = seat.to_world({-kChairOffset, 0, 0});
    add_chair(s, "chair_" + std::to_string(++n.chairs),
              Frame{{c.x + j(0.06), c.y + j(0.06), 0}, yaw + j(0.2)}, true);
}

// Desk screens: a plywood core (its ITU-R P.2040 values) under green fabric (its colour).
void screen(Scene& s, Counter& n, const Vec3& lo, const Vec3& hi) {
    const std::uint32_t plywood = itu(s, "plywood");
    s.materials[plywood].colour = {0.40f, 0.62f, 0.50f};
    Mesh m;
    m.name = "screen_" + std::to_string(++n.screens);
    shapes::add_box(m, lo, hi, plywood);
    s.meshes.push_back(std::move(m));
}

// Two desks facing each other across a screen along x at y = cy, `count` pairs wide.
void bench(Scene& s, Jitter& j, Counter& n, double x0, double cy, int count, double pitch) {
    for (int i = 0; i < count; ++i) {
        const double x = x0 + pitch * i;
        workstation(s, j, n, x, cy - kDeskDepth / 2 - 0.03, kPi / 2);   // user south
        workstation(s, j, n, x, cy + kDeskDepth / 2 + 0.03, -kPi / 2);  // user north
    }
    screen(s, n, {x0 - 0.7, cy - 0.025, 0}, {x0 + pitch * (count - 1) + 0.7, cy + 0.025, 1.25});
}

// v1: two benches of six desks, a small round meeting table, cabinets.
void furnish_v1(Scene& s, Jitter& j, Counter& n) {
    bench(s, j, n, 3.0, 2.45, 3, 1.42);
    bench(s, j, n, 3.0, 5.95, 3, 1.42);
    add_round_table(s, "meeting_table", {8.3, 4.3}, 0.6);
    int c = 0;
    for (double a : {0.0, 2 * kPi / 3, 4 * kPi / 3}) {
        const Vec3 p = Frame{{8.3, 4.3, 0}, a}.to_world({0.95, 0, 0});
        add_chair(s, "stool_" + std::to_string(++c),
                  Frame{{p.x + j(0.08), p.y + j(0.08), 0}, a + kPi}, false);
    }
    add_cabinet(s, "cabinet_1", {6.5, 0.05, 0}, {8.0, 0.50, 1.1});
    add_cabinet(s, "cabinet_2", {8.1, 0.05, 0}, {9.6, 0.50, 1.1});
    add_cabinet(s, "tall_cabinet", {0.05, 6.0, 0}, {0.50, 7.9, 2.0});
}

// v2: three clusters of four desks with crossed screens, cabinets by the east wall.
void furnish_v2(Scene& s, Jitter& j, Counter& n) {
    for (auto [cx, cy] : {std::pair{3.2, 2.6}, std::pair{7.0, 2.6}, std::pair{5.1, 5.9}}) {
        for (double sx : {-1.0, 1.0}) {
            workstation(s, j, n, cx + sx * 0.74, cy - kDeskDepth / 2 - 0.03, kPi / 2);
            workstation(s, j, n, cx + sx * 0.74, cy + kDeskDepth / 2 + 0.03, -kPi / 2);
        }
        screen(s, n, {cx - 1.45, cy - 0.025, 0}, {cx + 1.45, cy + 0.025, 1.25});
        screen(s, n, {cx - 0.025, cy + 0.03, 0}, {cx + 0.025, cy + 0.79, 1.25});
        screen(s, n, {cx - 0.025, cy - 0.79, 0}, {cx + 0.025, cy - 0.03, 1.25});
    }
    add_cabinet(s, "tall_cabinet_1", {9.5, 6.6, 0}, {9.95, 7.9, 2.0});
    add_cabinet(s, "cabinet_1", {3.0, 0.05, 0}, {5.0, 0.50, 1.1});
}

// v3: desks along the north and east facades with short screens between them, a central
// meeting table with six chairs, cabinets along the south wall.
void furnish_v3(Scene& s, Jitter& j, Counter& n) {
    for (int i = 0; i < 5; ++i) {
        const double x = 1.2 + 1.6 * i;
        workstation(s, j, n, x, kDepth - 0.05 - kDeskDepth / 2, kPi / 2);
        if (i < 4)
            screen(s, n, {x + 0.775, 6.9, 0}, {x + 0.825, 7.95, 1.25});
    }
    for (int i = 0; i < 3; ++i) {
        const double y = 1.4 + 1.6 * i;
        workstation(s, j, n, kWidth - 0.05 - kDeskDepth / 2, y, 0.0);
        if (i < 2)
            screen(s, n, {8.9, y + 0.775, 0}, {9.95, y + 0.825, 1.25});
    }
    const double cx = 4.5 + j(0.05), cy = 3.5 + j(0.05);
    add_table(s, "meeting_table", Frame{{cx, cy, 0}, 0}, 2.4, 1.1, itu(s, "wood"));
    int c = 0;
    for (double dx : {-0.8, 0.0, 0.8}) {
        for (double side : {-1.0, 1.0}) {
            const Frame f{{cx + dx + j(0.08), cy + side * 0.95 + j(0.08), 0},
                          -side * kPi / 2 + j(0.14)};
            add_chair(s, "chair_m" + std::to_string(++c), f, false);
        }
    }
    add_cabinet(s, "cabinet_1", {3.0, 0.05, 0}, {4.5, 0.50, 1.1});
    add_cabinet(s, "cabinet_2", {4.6, 0.05, 0}, {6.1, 0.50, 1.1});
    add_cabinet(s, "tall_cabinet", {0.05, 6.2, 0}, {0.50, 7.9, 2.0});
}

}  // namespace

Scene office(int variant, std::uint64_t seed) {
    Scene s;
    s.name = "office_v" + std::to_string(variant);
    s.frequency_hz = 915e6;
    static const char* kLayouts[] = {"", "two benches of 6 desks, round table",
                                     "three clusters of 4 desks", "perimeter desks, meeting table"};
    s.description = std::string("10x8x3 m open-plan office, ") + kLayouts[variant] +
                    "; RFID reader (4x4 array) on the south wall; 915 MHz (also 2.412/5.805 GHz)";
    add_office_shell(s);
    Jitter jitter(seed, 200 + static_cast<std::uint64_t>(variant));
    Counter n;
    if (variant == 1)
        furnish_v1(s, jitter, n);
    if (variant == 2)
        furnish_v2(s, jitter, n);
    if (variant == 3)
        furnish_v3(s, jitter, n);
    return s;
}

}  // namespace radiofield::scene::builtin
