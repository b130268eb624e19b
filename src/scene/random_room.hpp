#pragma once
// Seeded random rooms (private to src/scene): the draws, the room's box and walls, and the
// floor plan that keeps furniture, doors and the reader apart. builtin_random_room.cpp draws
// the shell and the reader, builtin_random_furnish.cpp the furniture of each family.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {

// Draws from the raw output of our engine (Rng, mt19937_64), converted here: the standard
// distributions are implementation-defined and differ between standard libraries, the
// engine does not, so a seed gives the same room on every platform.
class Draw {
public:
    Draw(std::uint64_t seed, std::uint64_t stream) : m_rng(seed, stream) {}
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(m_rng.engine()() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [lo, hi].
    int integer(int lo, int hi) {
        return lo + static_cast<int>(m_rng.engine()() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    bool chance(double p) { return uniform() < p; }
    template <class T>
    const T& pick(const std::vector<T>& options) {
        return options[static_cast<std::size_t>(integer(0, static_cast<int>(options.size()) - 1))];
    }

private:
    Rng m_rng;
};

// An axis-aligned rectangle of the floor.
struct Rect {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    Rect grown(double margin) const { return {x0 - margin, y0 - margin, x1 + margin, y1 + margin}; }
    bool overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};
// The world box of `local` (a rectangle in the frame's own x–y) placed by `frame`.
Rect world_box(const shapes::Frame& frame, const Rect& local);

// The four walls; u runs along +x for south / north and along +y for west / east, as in
// RoomSpec.
enum class Wall { South, North, West, East };
constexpr Wall kWalls[] = {Wall::South, Wall::North, Wall::West, Wall::East};
const char* wall_name(Wall w);

// The room's interior [0, width] × [0, depth] × [0, height] and places on its walls.
struct RoomBox {
    double width = 0, depth = 0, height = 0;

    double length(Wall w) const;
    // The floor point `inset` metres into the room from wall `w` at u.
    shapes::Vec2 on_wall(Wall w, double u, double inset) const;
    // The yaw that faces into the room from wall `w`.
    static double inward_yaw(Wall w);
    // The band of floor along wall `w` from u0 to u1, from `inset0` to `inset1` metres in.
    Rect band(Wall w, double u0, double u1, double inset0, double inset1) const;
};

// What is taken on the floor (furniture, the corner block, the space kept clear in front of
// doors, the whiteboard and the reader), so that nothing overlaps.
class FloorPlan {
public:
    explicit FloorPlan(const RoomBox& room) : m_room(room) {}
    const RoomBox& room() const { return m_room; }
    // Inside the room, at least `wall_gap` metres from its walls, and `gap` metres clear of
    // all taken.
    bool fits(const Rect& r, double gap, double wall_gap = 0.03) const;
    void take(const Rect& r) { m_taken.push_back(r); }

private:
    RoomBox m_room;
    std::vector<Rect> m_taken;
};

// Counts of what was placed, for the scene's description ("7 chairs, 2 cabinets").
class Inventory {
public:
    // The next number for a `kind` of piece, used in its object name ("chair_3").
    std::string next(const std::string& kind);
    void note(const std::string& text) { m_notes.push_back(text); }
    // The notes, then "N kind(s)" for each counted kind in `kinds`, comma-separated.
    std::string describe(const std::vector<std::pair<std::string, std::string>>& kinds) const;
    int count(const std::string& kind) const;

private:
    std::map<std::string, int> m_counts;
    std::vector<std::string> m_notes;
};

// Placement of a piece with its back against a wall: the wall, where along it, its frame
// (origin on the piece's back edge centre, yaw facing into the room) and its floor box.
struct WallSpot {
    Wall wall = Wall::South;
    double u = 0;  // centre along the wall
    shapes::Frame frame;
    Rect box;
};
// Tries `tries` random spots for a piece `length` × `depth` metres against a wall, with
// `front` metres kept clear in front of it; takes the piece's box and returns true if one
// fits.
bool place_against_wall(
    Draw& d, FloorPlan& plan, double length, double depth, double front, WallSpot& spot);

// A group of furniture (a table and its chairs, a bench of desks) whose floor box is `local`
// in its own frame: tries random frames whose yaw is one of `yaws`, with the centre uniform
// over the central `spread` fraction of the room at first, widening to all of it; takes the
// box and returns true if one fits with `gap` metres around it and `wall_gap` from the walls.
bool place_group(Draw& d,
                 FloorPlan& plan,
                 const Rect& local,
                 const std::vector<double>& yaws,
                 double spread,
                 double gap,
                 shapes::Frame& frame,
                 double wall_gap = 0.03);

// A lab bench `length` long and `depth` deep (worktop 0.9 m high of `top`, a chipboard
// cabinet and metal legs under it, metal instruments on it drawn from `d`); `frame` is the
// centre of its back edge with local +x pointing away from the back.
void lab_bench(Scene& s,
               Draw& d,
               const std::string& name,
               const shapes::Frame& frame,
               double length,
               double depth,
               std::uint32_t top);

// The furniture of each family, added where the plan has room. A meeting room's table and
// chairs come first, before the reader's place is drawn, so that every room has them.
void meeting_table(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv);
void furnish_meeting_room(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv);
void furnish_office(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv);
void furnish_lab(Scene& s, Draw& d, FloorPlan& plan, Inventory& inv);

}  // namespace radiofield::scene::builtin
