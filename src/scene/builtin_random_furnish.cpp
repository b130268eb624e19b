// Furniture of the seeded random rooms (random_room.hpp), one function per family. Each
// piece or group is placed where the floor plan has room, so nothing overlaps the corner
// block, a pillar, another piece, or the space kept clear for doors and the reader. Pieces
// are those of the fixed rooms (builtin_furniture.cpp), at ordinary furniture sizes.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "random_room.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::Frame;

constexpr double kPi = std::numbers::pi;
constexpr double kDeskDepth = 0.75, kChairOffset = 0.375 + 0.55;
// A meeting table's chairs keep this much floor from the walls to walk round them (and
// leave the walls free for the reader, placed after the table); 0.35 m in the smallest rooms.
constexpr double kWalkway = 0.6;

// Frame `local` inside group frame `g`: the origin moved, the yaws added.
Frame inside(const Frame& g, double x, double y, double yaw) {
    const Vec3 p = g.to_world({x, y, 0});
    return {{p.x, p.y, 0}, g.yaw + yaw};
}

// A chair at (x, y) in the group's frame facing local `yaw`, a little out of line.
void chair(Scene& s,
           Draw& d,
           Inventory& inv,
           const Frame& g,
           double x,
           double y,
           double yaw,
           bool office_chair,
           const char* kind = "chair") {
    const Frame f = inside(g, x + d.uniform(-0.06, 0.06), y + d.uniform(-0.06, 0.06),
                           yaw + d.uniform(-0.15, 0.15));
    add_chair(s, inv.next(kind), f, office_chair);
}

// A closed box of one material, its own object.
void block(Scene& s, const std::string& name, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    Mesh m;
    m.name = name;
    shapes::add_box(m, lo, hi, mat);
    s.meshes.push_back(std::move(m));
}

// Yaws that lay a group's local x along the room's longer side (either way round).
std::vector<double> along_long_side(const RoomBox& room) {
    return room.width >= room.depth ? std::vector<double>{0.0, kPi}
                                    : std::vector<double>{kPi / 2, -kPi / 2};
}

// Cabinets and sideboards against the walls, `count` tries.
void wall_cabinets(Scene& s,
                   Draw& d,
                   FloorPlan& plan,
                   Inventory& inv,
                   int count,
                   double tall_chance,
                   const char* low_kind) {
    for (int i = 0; i < count; ++i) {
        const bool tall = d.chance(tall_chance);
        const double length = tall ? d.uniform(0.8, 1.0) : d.uniform(1.2, 2.0);
        const double height = tall ? std::min(2.0, plan.room().height - 0.3) : d.uniform(0.8, 1.1);
        WallSpot spot;
        if (place_against_wall(d, plan, length, 0.45, 0.5, spot)) {
            add_cabinet(s, inv.next(tall ? "cabinet" : low_kind), {spot.box.x0, spot.box.y0, 0},
                        {spot.box.x1, spot.box.y1, height});
        }
    }
}

// --- meeting room

// A long table, chairs down both sides and perhaps at the ends; `shrink` < 0.6 gives the
// smallest, 1.8 m × 0.9 m with four chairs.
bool long_table(
    Scene& s, Draw& d, FloorPlan& plan, Inventory& inv, double shrink, double gap, double walkway) {
    const RoomBox& room = plan.room();
    const bool smallest = shrink < 0.6;
    const double drawn = d.uniform(0.45, 0.6) * std::max(room.width, room.depth);
    const double length = smallest ? 1.8 : std::max(1.8, std::min(drawn, 4.8) * shrink);
    const double width = smallest ? 0.9 : d.uniform(1.0, 1.4);
    const bool ends = !smallest && d.chance(0.7);
    const double hl = length / 2, hw = width / 2, end = ends ? 0.8 : 0.15;
    Frame g;
    if (!place_group(d, plan, {-hl - end, -hw - 0.75, hl + end, hw + 0.75}, along_long_side(room),
                     0.5, gap, g, walkway)) {
        return false;
    }
    add_table(s, "table", g, length, width, itu(s, d.chance(0.7) ? "wood" : "chipboard"));
    const int per_side = std::max(1, static_cast<int>((length - 0.3) / 0.75));
    const double pitch = std::min(0.8, (length - 0.3) / per_side);
    for (int i = 0; i < per_side; ++i) {
        const double x = (i - 0.5 * (per_side - 1)) * pitch;
        for (double side : {-1.0, 1.0}) {
            if (per_side < 3 || d.chance(0.9))  // a free place or two at a long table
                chair(s, d, inv, g, x, side * (hw + 0.35), -side * kPi / 2, false);
        }
    }
    if (ends) {
        chair(s, d, inv, g, -hl - 0.4, 0, 0.0, false);
        chair(s, d, inv, g, hl + 0.4, 0, kPi, false);
    }
    inv.note("long table");
    return true;
}

// A round table with chairs all round.
bool round_table(
    Scene& s, Draw& d, FloorPlan& plan, Inventory& inv, double shrink, double gap, double walkway) {
    const double r = std::max(0.5, d.uniform(0.55, 1.0) * shrink);
    const int n = std::clamp(static_cast<int>(2 * kPi * (r + 0.4) / 0.8), 4, 10);
    const double half = r + 0.8;
    Frame g;
    if (!place_group(d, plan, {-half, -half, half, half}, {0.0}, 0.5, gap, g, walkway))
        return false;
    add_round_table(s, "table", {g.origin.x, g.origin.y}, r);
    const double a0 = d.uniform(0, 2 * kPi / n);
    for (int i = 0; i < n; ++i) {
        const double a = a0 + 2 * kPi * i / n;
        chair(s, d, inv, g, (r + 0.4) * std::cos(a), (r + 0.4) * std::sin(a), a + kPi, false);
    }
    inv.note("round table");
    return true;
}

// A U of three tables, open at local +x, chairs round the outside.
bool u_tables(Scene& s,
              Draw& d,
              FloorPlan& plan,
              Inventory& inv,
              double shrink,
              double margin,
              double walkway) {
    const RoomBox& room = plan.room();
    const double len = std::clamp(0.35 * std::max(room.width, room.depth), 2.4, 3.6) * shrink;
    const double gap = d.uniform(1.0, 1.6), w = 0.7;
    const double side_y = gap / 2 + w / 2, head_x = -len / 2 - w / 2;
    const double outer_y = side_y + w / 2 + 0.75, outer_x = head_x - w / 2 - 0.75;
    Frame g;
    std::vector<double> yaws = along_long_side(room);
    if (!place_group(d, plan, {outer_x, -outer_y, len / 2 + 0.15, outer_y}, yaws, 0.5, margin, g,
                     walkway))
        return false;
    const std::uint32_t top = itu(s, "wood");
    add_table(s, "table_1", inside(g, 0, side_y, 0), len, w, top);
    add_table(s, "table_2", inside(g, 0, -side_y, 0), len, w, top);
    add_table(s, "table_3", inside(g, head_x, 0, kPi / 2), gap + 2 * w, w, top);
    const int n = std::max(1, static_cast<int>(len / 0.8));
    for (int i = 0; i < n; ++i) {
        const double x = (i - 0.5 * (n - 1)) * 0.8;
        for (double side : {-1.0, 1.0}) {
            if (n < 3 || d.chance(0.9))
                chair(s, d, inv, g, x, side * (side_y + w / 2 + 0.4), -side * kPi / 2, false);
        }
    }
    for (double y : {-0.4, 0.4})
        chair(s, d, inv, g, head_x - w / 2 - 0.4, y, 0.0, false);
    inv.note("U of 3 tables");
    return true;
}

// --- office

// A desk whose user sits on its local −x side, and that user's office chair.
void workstation(Scene& s, Draw& d, Inventory& inv, const Frame& desk) {
    add_desk(s, inv.next("desk"), desk);
    chair(s, d, inv, desk, -kChairOffset, 0, 0.0, true);
}

// Plywood-cored desk screen (green fabric), as in the fixed offices.
void desk_screen(Scene& s, Inventory& inv, const Vec3& lo, const Vec3& hi) {
    const std::uint32_t plywood = itu(s, "plywood");
    s.materials[plywood].colour = {0.40f, 0.62f, 0.50f};
    block(s, inv.next("screen"), lo, hi, plywood);
}

// Pairs of desks facing each other across a screen along local x.
bool desk_bench(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv, int pairs) {
    const double pitch = 1.42, half = pairs * pitch / 2;
    Frame g;
    const std::vector<double> yaws = along_long_side(plan.room());
    if (!place_group(d, plan, {-half - 0.05, -1.75, half + 0.05, 1.75}, yaws, 0.9, 0.3, g))
        return false;
    for (int i = 0; i < pairs; ++i) {
        const double x = (i - 0.5 * (pairs - 1)) * pitch;
        workstation(s, d, inv, inside(g, x, -kDeskDepth / 2 - 0.03, kPi / 2));
        workstation(s, d, inv, inside(g, x, kDeskDepth / 2 + 0.03, -kPi / 2));
    }
    const Rect screen = world_box(g, {-half + 0.01, -0.025, half - 0.01, 0.025});
    desk_screen(s, inv, {screen.x0, screen.y0, 0}, {screen.x1, screen.y1, 1.25});
    return true;
}

// Desks in a row along a wall, their users facing it.
bool desk_row(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv, int count) {
    const double pitch = 1.45;
    WallSpot spot;
    if (!place_against_wall(d, plan, count * pitch, 1.7, 0.4, spot))
        return false;
    const bool screens = d.chance(0.5);
    for (int i = 0; i < count; ++i) {
        const double y = (i - 0.5 * (count - 1)) * pitch;
        // The spot's frame faces into the room; the desk's local +x faces the wall.
        workstation(s, d, inv, inside(spot.frame, 0.375, y, kPi));
        if (screens && i + 1 < count) {
            const Rect r =
                world_box(spot.frame, {0, y + pitch / 2 - 0.025, 0.9, y + pitch / 2 + 0.025});
            desk_screen(s, inv, {r.x0, r.y0, 0}, {r.x1, r.y1, 1.25});
        }
    }
    return true;
}

// --- lab

}  // namespace

// A lab bench: worktop at 0.9 m on a cabinet and metal legs, instruments on top. `frame`
// is the bench's back edge centre, local +x into the room; `depth` × `length`.
void lab_bench(Scene& s,
               Draw& d,
               const std::string& name,
               const Frame& f,
               double length,
               double depth,
               std::uint32_t top) {
    const std::uint32_t metal = itu(s, "metal"), board = itu(s, "chipboard");
    Mesh m;
    m.name = name;
    const double hl = length / 2;
    shapes::add_box(m, f, {0, -hl, 0.87}, {depth, hl, 0.90}, top);
    const double cab = std::min(1.2, length / 2);
    shapes::add_box(m, f, {0.03, -hl + 0.03, 0}, {depth - 0.05, -hl + cab, 0.87}, board);
    for (double x : {0.05, depth - 0.10})
        shapes::add_box(m, f, {x, hl - 0.10, 0}, {x + 0.05, hl - 0.05, 0.87}, metal);
    // Instruments (oscilloscopes, supplies): metal boxes in slots along the bench.
    const int slots = std::max(1, static_cast<int>(length / 0.6));
    for (int i = 0; i < slots; ++i) {
        if (!d.chance(0.55))
            continue;
        const double y0 = -hl + 0.05 + i * (length - 0.1) / slots;
        const double w = d.uniform(0.3, 0.5), dep = d.uniform(0.25, std::min(0.45, depth - 0.15));
        shapes::add_box(m, f, {0.05, y0, 0.90}, {0.05 + dep, y0 + w, 0.90 + d.uniform(0.12, 0.35)},
                        metal);
    }
    s.meshes.push_back(std::move(m));
}

void meeting_table(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv) {
    // The drawn table, smaller on each try; then a small one of another kind; then the
    // smallest table, 1.8 m with four chairs, which fits in every room of the family.
    // 0: long table, 1: round table, 2: U of tables (only where the room is wide enough).
    const RoomBox& room = plan.room();
    const bool wide = std::min(room.width, room.depth) >= 5.2;
    const int style = d.pick(wide ? std::vector<int>{0, 1, 2} : std::vector<int>{0, 0, 1});
    bool placed = false;
    for (int attempt = 0; attempt < 12 && !placed; ++attempt) {
        const double shrink = attempt < 4 ? 1.0 - 0.08 * attempt : 0.6;
        const int kind = attempt < 4 ? style : attempt < 7 ? (style == 1 ? 0 : 1) : 0;
        const double gap = attempt < 4 ? 0.25 : attempt < 10 ? 0.1 : 0.05;
        const double walkway = attempt < 7 ? kWalkway : attempt < 10 ? 0.35 : 0.1;
        placed = kind == 0   ? long_table(s, d, plan, inv, attempt < 7 ? shrink : 0.5, gap, walkway)
                 : kind == 1 ? round_table(s, d, plan, inv, shrink, gap, walkway)
                             : u_tables(s, d, plan, inv, shrink, gap, walkway);
    }
}

void furnish_meeting_room(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv) {
    wall_cabinets(s, d, plan, inv, d.integer(0, 3), 0.4, "sideboard");
}

void furnish_office(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv) {
    const RoomBox& room = plan.room();
    const int benches = std::clamp(static_cast<int>(room.width * room.depth / 22), 1, 4);
    int placed = 0;
    for (int i = 0; i < benches; ++i) {
        for (int pairs = d.integer(2, 4); pairs >= 1; --pairs) {
            if (desk_bench(s, d, plan, inv, pairs)) {
                ++placed;
                break;
            }
        }
    }
    if (placed > 0)
        inv.note(placed == 1 ? "1 bench of desks" : std::to_string(placed) + " benches of desks");
    for (int rows = d.integer(inv.count("desk") < 4 ? 1 : 0, 2); rows > 0; --rows) {
        for (int n = d.integer(2, 5); n >= 2; --n) {
            if (desk_row(s, d, plan, inv, n))
                break;
        }
    }
    if (d.chance(0.5)) {
        Frame g;
        if (place_group(d, plan, {-1.35, -1.35, 1.35, 1.35}, {0.0}, 0.9, 0.3, g)) {
            add_round_table(s, "meeting_table", {g.origin.x, g.origin.y}, 0.6);
            for (double a : {0.0, 2 * kPi / 3, 4 * kPi / 3})
                chair(s, d, inv, g, 0.95 * std::cos(a), 0.95 * std::sin(a), a + kPi, false,
                      "stool");
            inv.note("round meeting table");
        }
    }
    wall_cabinets(s, d, plan, inv, d.integer(1, 3), 0.4, "cabinet");
}

void furnish_lab(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv) {
    const std::uint32_t top = itu(s, d.chance(0.5) ? "chipboard" : "wood");
    const std::uint32_t metal = itu(s, "metal");
    // Benches along the walls, stools in front.
    int benches = 0;
    for (int i = d.integer(1, 3); i > 0; --i) {
        const double length = d.uniform(2.0, 4.0);
        WallSpot spot;
        if (!place_against_wall(d, plan, length, 1.45, 0.3, spot))
            continue;
        lab_bench(s, d, inv.next("bench"), spot.frame, length, 0.75, top);
        ++benches;
        for (int k = d.integer(0, 2), j = 0; j < k; ++j) {
            const double y = (j - 0.5 * (k - 1)) * std::min(1.2, length / 2);
            chair(s, d, inv, spot.frame, 1.1, y, kPi, false, "stool");
        }
    }
    for (int t = 0; t < 3 && benches == 0; ++t) {  // every lab has a bench
        WallSpot spot;
        if (place_against_wall(d, plan, 1.6, 1.2, 0.2, spot)) {
            lab_bench(s, d, inv.next("bench"), spot.frame, 1.6, 0.75, top);
            ++benches;
        }
    }
    // Island benches: two worktops back to back with a metal shelf spine between.
    int islands = 0;
    for (int i = d.integer(0, 2); i > 0; --i) {
        const double length = d.uniform(2.4, 3.6), hl = length / 2;
        Frame g;
        if (!place_group(d, plan, {-hl - 0.1, -1.5, hl + 0.1, 1.5}, along_long_side(plan.room()),
                         0.8, 0.45, g)) {
            continue;
        }
        const std::string name = inv.next("island");
        lab_bench(s, d, name + "_a", inside(g, 0, 0.05, kPi / 2), length, 0.7, top);
        lab_bench(s, d, name + "_b", inside(g, 0, -0.05, -kPi / 2), length, 0.7, top);
        const Rect spine = world_box(g, {-hl, -0.04, hl, 0.04});
        block(s, name + "_shelf", {spine.x0, spine.y0, 0.90}, {spine.x1, spine.y1, 1.65}, metal);
        ++islands;
        for (double side : {-1.0, 1.0}) {
            if (d.chance(0.7))
                chair(s, d, inv, g, d.uniform(-hl + 0.4, hl - 0.4), side * 1.1, -side * kPi / 2,
                      false, "stool");
        }
    }
    if (benches > 0)
        inv.note(benches == 1 ? "1 wall bench" : std::to_string(benches) + " wall benches");
    if (islands > 0)
        inv.note(islands == 1 ? "1 island bench" : std::to_string(islands) + " island benches");
    // Equipment racks side by side against a wall, and perhaps a fume hood.
    const int racks = d.integer(1, 3);
    WallSpot spot;
    if (place_against_wall(d, plan, 0.6 * racks, 0.8, 0.8, spot)) {
        for (int k = 0; k < racks; ++k) {
            const Rect r = world_box(spot.frame, {0, -0.3 * racks + 0.6 * k + 0.01, 0.8,
                                                  -0.3 * racks + 0.6 * (k + 1) - 0.01});
            block(s, inv.next("rack"), {r.x0, r.y0, 0},
                  {r.x1, r.y1, std::min(2.0, plan.room().height - 0.3)}, metal);
        }
    }
    const double hood = d.uniform(1.2, 1.8), hl = hood / 2;
    if (d.chance(0.5) && place_against_wall(d, plan, hood, 0.85, 0.9, spot)) {
        const std::uint32_t glass = itu(s, "glass");
        Mesh m;
        m.name = "fume_hood";
        const double top_z = std::min(2.3, plan.room().height - 0.2);
        shapes::add_box(m, spot.frame, {0, -hl, 0}, {0.85, hl, 0.9}, metal);
        shapes::add_box(m, spot.frame, {0, -hl, 0.9}, {0.6, hl, top_z}, metal);
        shapes::add_box(m, spot.frame, {0.6, -hl, 1.6}, {0.85, hl, top_z}, metal);
        shapes::add_box(m, spot.frame, {0.78, -hl, 1.0}, {0.80, hl, 1.6}, glass);
        s.meshes.push_back(std::move(m));
        inv.note("fume hood");
    }
    wall_cabinets(s, d, plan, inv, d.integer(0, 2), 1.0, "cabinet");
}

}  // namespace radiofield::scene::builtin
