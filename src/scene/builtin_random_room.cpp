// Seeded random rooms of the indoor families (meeting_room, office, lab): "family:SEED" names
// one room. The seed draws the room's size and shape (a rectangle, or an L with a closed
// corner block; a pillar in larger rooms), the walls' ITU-R P.2040 materials and thicknesses
// (concrete or brick facades with windows; plasterboard, brick, concrete or glass
// partitions with the doors), floor and ceiling materials, the reader's wall, place, height
// and yaw, a whiteboard, and the furniture of the family (builtin_random_furnish.cpp).
//
// Band: as the fixed rooms (builtin_indoor.cpp), 915 MHz with extrapolated materials, also
// used at 2.412 and 5.805 GHz. ITU's floorboard (50–100 GHz) is left out: it would need
// extrapolation over a decade at every indoor band; wooden floors take ITU's wood.
//
// Every room keeps at least 0.55 m × 1.2 m clear in front of the reader (0.9 m × 1.6 m in most)
// and 1 m in front of each door, so the reader is in free space; the room's size and shape are
// never those of a fixed room.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"
#include "random_room.hpp"

namespace radiofield::scene {
namespace builtin {
namespace {

constexpr double kPi = std::numbers::pi;

using Furnish = void (*)(Scene&, Draw&, FloorPlan&, Inventory&);

struct FamilyStyle {
    const char* name;   // "meeting_room"
    const char* label;  // "meeting room"
    const char* about;  // for `scene list`
    std::uint64_t stream;
    double long_lo, long_hi, short_lo, short_hi, height_lo, height_hi;
    double notch_chance, pillar_chance, whiteboard_chance;
    double second_facade_chance, windowless_chance, second_door_chance, double_door_chance;
    std::vector<std::string> facades, partitions, floors, ceilings, door_fills;
    Furnish centrepiece;  // placed before the reader, or nullptr
    Furnish furnish;
    std::vector<std::pair<std::string, std::string>> described;  // kind, plural
};

const std::vector<FamilyStyle>& styles() {
    static const std::vector<FamilyStyle> s = {
        {"meeting_room",
         "meeting room",
         "random meeting room, 5.5-9 x 4-6.5 m: a long, round or U table with chairs, "
         "whiteboard, sideboards",
         300,
         5.5,
         9.0,
         4.0,
         6.5,
         2.7,
         3.3,
         0.25,
         0.0,
         1.0,
         0.35,
         0.1,
         0.25,
         0.1,
         {"concrete", "brick"},
         {"plasterboard", "plasterboard", "brick", "concrete", "glass"},
         {"concrete", "wood", "wood"},
         {"ceiling_board", "ceiling_board", "plasterboard", "concrete"},
         {"wood", "wood", "glass"},
         meeting_table,
         furnish_meeting_room,
         {{"chair", "chairs"}, {"sideboard", "sideboards"}, {"cabinet", "cabinets"}}},
        {"office",
         "open-plan office",
         "random open-plan office, 8-14 x 6-10 m: benches and rows of desks with office "
         "chairs, cabinets, a meeting corner",
         301,
         8.0,
         14.0,
         6.0,
         10.0,
         2.7,
         3.4,
         0.3,
         0.35,
         0.6,
         0.5,
         0.0,
         0.5,
         0.2,
         {"concrete", "brick"},
         {"plasterboard", "plasterboard", "brick", "concrete"},
         {"concrete", "concrete", "wood"},
         {"ceiling_board", "ceiling_board", "plasterboard", "concrete"},
         {"wood", "wood", "glass"},
         nullptr,
         furnish_office,
         {{"desk", "desks"}, {"cabinet", "cabinets"}}},
        {"lab",
         "lab",
         "random laboratory, 6-11 x 5-8 m: wall benches and islands with instruments, "
         "stools, metal racks, a fume hood",
         302,
         6.0,
         11.0,
         5.0,
         8.0,
         2.8,
         3.6,
         0.3,
         0.2,
         0.5,
         0.3,
         0.2,
         0.5,
         0.35,
         {"concrete", "brick"},
         {"concrete", "brick", "plasterboard"},
         {"concrete", "marble"},
         {"ceiling_board", "concrete"},
         {"wood", "metal"},
         nullptr,
         furnish_lab,
         {{"stool", "stools"}, {"rack", "racks"}, {"cabinet", "cabinets"}}},
    };
    return s;
}

const FamilyStyle* find_style(const std::string& name) {
    for (const FamilyStyle& f : styles()) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

double round_to(double x, double step) {
    return std::round(x / step) * step;
}

// Thickness of a wall of ITU `type`: facades are thicker than partitions.
double wall_thickness(Draw& d, const std::string& type, bool facade) {
    if (type == "glass")
        return 0.05;
    if (type == "plasterboard")
        return round_to(d.uniform(0.10, 0.15), 0.01);
    if (facade)
        return round_to(d.uniform(0.25, type == "brick" ? 0.40 : 0.35), 0.01);
    return round_to(d.uniform(0.12, 0.24), 0.01);
}

// Stretches taken on each wall (openings, the corner block, the reader, the whiteboard).
class WallUse {
public:
    explicit WallUse(const RoomBox& room) : m_room(room) {}
    // [u0, u1] inside the wall (0.3 m from its ends) and `margin` clear of all taken.
    bool free(Wall w, double u0, double u1, double margin) const {
        if (u0 < 0.3 || u1 > m_room.length(w) - 0.3)
            return false;
        for (const auto& [a, b] : m_taken[static_cast<int>(w)]) {
            if (u0 < b + margin && a - margin < u1)
                return false;
        }
        return true;
    }
    void take(Wall w, double u0, double u1) { m_taken[static_cast<int>(w)].push_back({u0, u1}); }

private:
    RoomBox m_room;
    std::vector<std::pair<double, double>> m_taken[4];
};

RoomWall& spec_wall(RoomSpec& r, Wall w) {
    switch (w) {
        case Wall::South:
            return r.south;
        case Wall::North:
            return r.north;
        case Wall::West:
            return r.west;
        case Wall::East:
            return r.east;
    }
    return r.south;
}

// A window row along a facade: windows `w` wide with `gap` between them where the wall is
// free; at least one if any stretch is free.
void add_windows(
    Draw& d, Scene& s, RoomWall& wall, WallUse& use, Wall w, const RoomBox& room, Inventory& inv) {
    const int glass = static_cast<int>(itu(s, "glass"));
    const double len = room.length(w);
    const bool ribbon = d.chance(0.25);
    const double width = ribbon ? d.uniform(2.5, 4.0) : d.uniform(1.0, 1.8);
    const double gap = ribbon ? d.uniform(0.4, 0.8) : d.uniform(0.5, 1.2);
    const double sill = round_to(d.uniform(0.75, 1.0), 0.05);
    const double top = std::min(room.height - 0.25, round_to(d.uniform(2.1, 2.6), 0.05));
    const int before = static_cast<int>(wall.openings.size());
    for (double u = 0.4 + d.uniform(0.0, gap); u + width <= len - 0.4; u += width + gap) {
        if (!use.free(w, u, u + width, 0.1))
            continue;
        wall.openings.push_back({inv.next("window"), u, u + width, sill, top, glass, 0.08});
        use.take(w, u, u + width);
    }
    if (static_cast<int>(wall.openings.size()) > before)
        return;
    for (double u = 0.4; u + 1.0 <= len - 0.4; u += 0.1) {
        if (use.free(w, u, u + 1.0, 0.1)) {
            wall.openings.push_back({inv.next("window"), u, u + 1.0, sill, top, glass, 0.08});
            use.take(w, u, u + 1.0);
            return;
        }
    }
}

}  // namespace

Scene random_room(const std::string& family, std::uint64_t seed) {
    const FamilyStyle* style = find_style(family);
    if (style == nullptr)
        fail("unknown room family '{}'", family);
    Draw d(seed, style->stream);
    Scene s;
    s.name = random_room_name(family, seed);
    s.frequency_hz = 915e6;
    Inventory inv;

    // Size: long and short side, either way round; never a fixed room's 7 x 5, 10 x 8, 8 x 6.5.
    RoomBox room;
    const double a = round_to(d.uniform(style->long_lo, style->long_hi), 0.05);
    const double b = round_to(d.uniform(style->short_lo, style->short_hi), 0.05);
    const bool wide = d.chance(0.5);
    room.width = wide ? a : b;
    room.depth = wide ? b : a;
    room.height = round_to(d.uniform(style->height_lo, style->height_hi), 0.05);
    for (const auto& [w, h] : {std::pair{7.0, 5.0}, std::pair{10.0, 8.0}, std::pair{8.0, 6.5}}) {
        const bool same = (std::abs(room.width - w) < 0.01 && std::abs(room.depth - h) < 0.01) ||
                          (std::abs(room.width - h) < 0.01 && std::abs(room.depth - w) < 0.01);
        if (same)
            room.width += 0.25;
    }
    FloorPlan plan(room);
    WallUse use(room);

    // Walls: one facade (two on a corner), partitions elsewhere; one material per role.
    RoomSpec r;
    r.width = room.width;
    r.depth = room.depth;
    r.height = room.height;
    bool facade[4] = {false, false, false, false};
    if (!d.chance(style->windowless_chance)) {
        const int first = d.integer(0, 3);
        facade[first] = true;
        if (d.chance(style->second_facade_chance)) {
            // The adjacent walls of south/north (0, 1) are west/east (2, 3) and vice versa.
            facade[(first < 2 ? 2 : 0) + d.integer(0, 1)] = true;
        }
    }
    const std::string facade_type = d.pick(style->facades);
    const std::string partition_type = d.pick(style->partitions);
    const std::string floor_type = d.pick(style->floors);
    const std::string ceiling_type = d.pick(style->ceilings);
    for (Wall w : kWalls) {
        const bool f = facade[static_cast<int>(w)];
        const std::string& type = f ? facade_type : partition_type;
        spec_wall(r, w) = {itu(s, type), wall_thickness(d, type, f), {}};
    }
    r.floor_material = itu(s, floor_type);
    r.ceiling_material = itu(s, ceiling_type);

    // Shape: an L when a closed block fills one corner (a shaft or a store room).
    std::string shape = "rectangular";
    if (d.chance(style->notch_chance)) {
        const bool east = d.chance(0.5), north = d.chance(0.5);
        const double nx = round_to(d.uniform(1.2, std::min(2.6, 0.3 * room.width)), 0.05);
        const double ny = round_to(d.uniform(1.0, std::min(2.2, 0.3 * room.depth)), 0.05);
        const double x0 = east ? room.width - nx : 0.0, y0 = north ? room.depth - ny : 0.0;
        Mesh block;
        block.name = "corner_block";
        shapes::add_box(block, {x0, y0, 0}, {x0 + nx, y0 + ny, room.height},
                        itu(s, partition_type == "glass" ? "plasterboard" : partition_type));
        s.meshes.push_back(std::move(block));
        plan.take({x0, y0, x0 + nx, y0 + ny});
        use.take(north ? Wall::North : Wall::South, x0 - 0.3, x0 + nx + 0.3);
        use.take(east ? Wall::East : Wall::West, y0 - 0.3, y0 + ny + 0.3);
        shape = "L-shaped";
    }

    // Doors in the partitions (in a facade only when every wall is one).
    std::vector<Wall> door_walls;
    for (Wall w : kWalls) {
        if (!facade[static_cast<int>(w)])
            door_walls.push_back(w);
    }
    const bool large = room.width * room.depth > 25;  // room for a second door
    const int doors = 1 + (d.chance(style->second_door_chance) && large ? 1 : 0);
    const std::string fill_type = d.pick(style->door_fills);
    const int fill = static_cast<int>(itu(s, fill_type));
    for (int i = 0; i < doors; ++i) {
        const double width =
            d.chance(style->double_door_chance) ? d.uniform(1.6, 1.8) : d.uniform(0.9, 1.0);
        const double top = std::min(2.1, room.height - 0.3);
        for (int t = 0; t < 40; ++t) {
            const Wall w = d.pick(door_walls);
            const double u = d.uniform(0.3, room.length(w) - 0.3 - width);
            if (!use.free(w, u, u + width, 0.3) ||
                !plan.fits(room.band(w, u, u + width, 0.05, 1.0), 0))
                continue;
            const std::string name = doors == 1 ? "door" : inv.next("door");
            spec_wall(r, w).openings.push_back({name, u, u + width, 0.0, top, fill, 0.05});
            use.take(w, u, u + width);
            plan.take(room.band(w, u - 0.1, u + width + 0.1, 0.05, 1.0));
            break;
        }
    }
    for (Wall w : kWalls) {
        if (facade[static_cast<int>(w)])
            add_windows(d, s, spec_wall(r, w), use, w, room, inv);
    }
    add_room(s, r);

    // A whiteboard on a partition (any wall when they are full), kept clear in front.
    if (d.chance(style->whiteboard_chance)) {
        const double drawn = d.uniform(1.2, 2.4);
        for (int t = 0; t < 80; ++t) {
            const Wall w = t < 40 ? d.pick(door_walls) : kWalls[d.integer(0, 3)];
            const double len = t < 40 ? drawn : 1.2;
            const double u = d.uniform(0.3, room.length(w) - 0.3 - len);
            const Rect front = room.band(w, u, u + len, 0.05, 0.5);
            if (!use.free(w, u, u + len, 0.2) || !plan.fits(front, 0))
                continue;
            const bool along_y = w == Wall::West || w == Wall::East;
            const double plane = w == Wall::East ? room.width : w == Wall::North ? room.depth : 0.0;
            add_whiteboard(s, along_y ? 0 : 1, plane, w == Wall::West || w == Wall::South, u,
                           u + len);
            use.take(w, u, u + len);
            plan.take(front);
            break;
        }
    }

    if (style->centrepiece != nullptr)
        style->centrepiece(s, d, plan, inv);

    // The reader: on a free stretch of any wall, facing into the room, its yaw within ±25°;
    // 0.9 m × 1.6 m clear in front, or 0.55 m × 1.2 m where no wall has that.
    bool reader = false;
    std::string reader_wall;
    for (int t = 0; t < 400 && !reader; ++t) {
        const Wall w = kWalls[d.integer(0, 3)];
        const double u = d.uniform(0.8, room.length(w) - 0.8);
        const Rect clear = t < 200 ? room.band(w, u - 0.8, u + 0.8, 0.05, 0.9)
                                   : room.band(w, u - 0.6, u + 0.6, 0.05, 0.55);
        if (!use.free(w, u - 0.45, u + 0.45, 0.05) || !plan.fits(clear, 0))
            continue;
        const double z = round_to(d.uniform(1.6, std::min(2.4, room.height - 0.4)), 0.05);
        const double yaw = RoomBox::inward_yaw(w) + d.uniform(-25.0, 25.0) * kPi / 180;
        const shapes::Vec2 p = room.on_wall(w, u, 0.10);
        add_reader(s, {p.x, p.y, z}, yaw);
        use.take(w, u - 0.45, u + 0.45);
        plan.take(clear);
        reader_wall = wall_name(w);
        reader = true;
    }
    if (!reader)
        fail("random {} {}: no free wall for the reader (a bug: please report it)", family, seed);

    // A pillar in larger rooms, with space to walk round it.
    if (d.chance(style->pillar_chance)) {
        const double half = round_to(d.uniform(0.2, 0.3), 0.05);
        shapes::Frame f;
        if (place_group(d, plan, {-half, -half, half, half}, {0.0}, 0.7, 1.2, f)) {
            Mesh pillar;
            pillar.name = "pillar";
            shapes::add_box(pillar, {f.origin.x - half, f.origin.y - half, 0},
                            {f.origin.x + half, f.origin.y + half, room.height},
                            itu(s, "concrete"));
            s.meshes.push_back(std::move(pillar));
            shape += " with a pillar";
        }
    }

    style->furnish(s, d, plan, inv);
    const bool windows = std::count(facade, facade + 4, true) > 0;
    const std::string walls = !windows || facade_type == partition_type
                                  ? partition_type
                                  : facade_type + "/" + partition_type;
    s.description = fmt::format(
        "random {} (seed {}): {:.2f}x{:.2f}x{:.2f} m, {}; {} walls, {} floor, {} ceiling{}; {}; "
        "RFID reader (4x4 array) on the {} wall; 915 MHz (also 2.412/5.805 GHz)",
        style->label, seed, room.width, room.depth, room.height, shape, walls, floor_type,
        ceiling_type, windows ? "" : ", no windows", inv.describe(style->described), reader_wall);
    return s;
}

}  // namespace builtin

const std::vector<RoomFamilyInfo>& room_families() {
    static const std::vector<RoomFamilyInfo> families = [] {
        std::vector<RoomFamilyInfo> v;
        for (const builtin::FamilyStyle& f : builtin::styles())
            v.push_back({f.name, f.about, 915e6});
        return v;
    }();
    return families;
}

}  // namespace radiofield::scene
