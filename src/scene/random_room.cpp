// Floor-plan bookkeeping of the seeded random rooms (random_room.hpp).
#include "random_room.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <numbers>

namespace radiofield::scene::builtin {

Rect world_box(const shapes::Frame& frame, const Rect& local) {
    Rect r{1e300, 1e300, -1e300, -1e300};
    for (double x : {local.x0, local.x1}) {
        for (double y : {local.y0, local.y1}) {
            const Vec3 p = frame.to_world({x, y, 0});
            r = {std::min(r.x0, p.x), std::min(r.y0, p.y), std::max(r.x1, p.x),
                 std::max(r.y1, p.y)};
        }
    }
    return r;
}

const char* wall_name(Wall w) {
    switch (w) {
        case Wall::South:
            return "south";
        case Wall::North:
            return "north";
        case Wall::West:
            return "west";
        case Wall::East:
            return "east";
    }
    return "?";
}

double RoomBox::length(Wall w) const {
    return w == Wall::South || w == Wall::North ? width : depth;
}

shapes::Vec2 RoomBox::on_wall(Wall w, double u, double inset) const {
    switch (w) {
        case Wall::South:
            return {u, inset};
        case Wall::North:
            return {u, depth - inset};
        case Wall::West:
            return {inset, u};
        case Wall::East:
            return {width - inset, u};
    }
    return {};
}

double RoomBox::inward_yaw(Wall w) {
    constexpr double kPi = std::numbers::pi;
    switch (w) {
        case Wall::South:
            return kPi / 2;
        case Wall::North:
            return -kPi / 2;
        case Wall::West:
            return 0.0;
        case Wall::East:
            return kPi;
    }
    return 0.0;
}

Rect RoomBox::band(Wall w, double u0, double u1, double inset0, double inset1) const {
    const shapes::Vec2 a = on_wall(w, u0, inset0), b = on_wall(w, u1, inset1);
    return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
}

bool FloorPlan::fits(const Rect& r, double gap, double wall_gap) const {
    if (r.x0 < wall_gap || r.y0 < wall_gap || r.x1 > m_room.width - wall_gap ||
        r.y1 > m_room.depth - wall_gap) {
        return false;
    }
    const Rect grown = r.grown(gap);
    return std::none_of(m_taken.begin(), m_taken.end(),
                        [&](const Rect& t) { return grown.overlaps(t); });
}

std::string Inventory::next(const std::string& kind) {
    return kind + "_" + std::to_string(++m_counts[kind]);
}

int Inventory::count(const std::string& kind) const {
    const auto it = m_counts.find(kind);
    return it == m_counts.end() ? 0 : it->second;
}

std::string Inventory::describe(
    const std::vector<std::pair<std::string, std::string>>& kinds) const {
    std::vector<std::string> parts = m_notes;
    for (const auto& [kind, plural] : kinds) {
        const int n = count(kind);
        if (n > 0)
            parts.push_back(fmt::format("{} {}", n, n == 1 ? kind : plural));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

bool place_against_wall(
    Draw& d, FloorPlan& plan, double length, double depth, double front, WallSpot& spot) {
    const RoomBox& room = plan.room();
    for (int t = 0; t < 40; ++t) {
        const Wall w = kWalls[d.integer(0, 3)];
        const double len = room.length(w);
        if (len < length + 0.2)
            continue;
        const double u = d.uniform(0.05 + length / 2, len - 0.05 - length / 2);
        const Rect piece = room.band(w, u - length / 2, u + length / 2, 0.05, 0.05 + depth);
        const Rect reach = room.band(w, u - length / 2, u + length / 2, 0.05, 0.05 + depth + front);
        if (!plan.fits(reach, 0.05))
            continue;
        const shapes::Vec2 back = room.on_wall(w, u, 0.05);
        spot = {w, u, shapes::Frame{{back.x, back.y, 0}, RoomBox::inward_yaw(w)}, piece};
        plan.take(piece);
        return true;
    }
    return false;
}

bool place_group(Draw& d,
                 FloorPlan& plan,
                 const Rect& local,
                 const std::vector<double>& yaws,
                 double spread,
                 double gap,
                 shapes::Frame& frame,
                 double wall_gap) {
    const RoomBox& room = plan.room();
    for (int t = 0; t < 60; ++t) {
        const double yaw = d.pick(yaws);
        // Where the centre may go so that the box stays inside, narrowed to `spread`.
        const Rect at_origin = world_box(shapes::Frame{{0, 0, 0}, yaw}, local);
        const double x0 = -at_origin.x0, x1 = room.width + -at_origin.x1;
        const double y0 = -at_origin.y0, y1 = room.depth + -at_origin.y1;
        if (x1 < x0 || y1 < y0)
            continue;
        // Central first, then anywhere: the spread widens over the tries.
        const double wide = spread + (1 - spread) * t / 40.0, narrow = 1 - std::min(1.0, wide);
        const double mx = 0.5 * (x1 - x0) * narrow, my = 0.5 * (y1 - y0) * narrow;
        const shapes::Frame f{{d.uniform(x0 + mx, x1 - mx), d.uniform(y0 + my, y1 - my), 0}, yaw};
        const Rect box = world_box(f, local);
        if (!plan.fits(box, gap, wall_gap))
            continue;
        plan.take(box);
        frame = f;
        return true;
    }
    return false;
}

}  // namespace radiofield::scene::builtin
