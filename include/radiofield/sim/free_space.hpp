#pragma once
// Where a device may stand: free space, as opposed to the inside of a solid object, within a
// region of interest (docs/scene-format.md, "Where devices may stand").
//
// The rule, per object (scene::Mesh):
// - A point is inside an object when rays cast from it cross that object's triangles an odd
//   number of times (ray parity, independent of which way the normals point). Seven rays in
//   fixed, generic directions vote: a watertight object (every edge shared by an even number
//   of its triangles, vertices matched by position) needs a majority, any other object needs
//   all seven, so an open surface (a ground plane, a single wall quad) never encloses a point
//   and a facade with T-junctions still does.
// - The *room shell* is the object whose bounding box contains every other object's bounding
//   box (the largest one if several do; the only object of a one-object scene). Its inside is
//   the room, so it counts as free space whichever way its normals point, like Sionna's `box`.
// - Every other object that encloses the point is a solid (furniture, a wall slab, a
//   building): the point is not free.
// Regions: positions are drawn (random, grid) in drawing_region() and accepted (CSV, the
// station) in acceptance_region(), unless the user gives a region.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::sim {

class FreeSpace {
public:
    // Precomputes per object its bounding box and whether it is watertight. `geometry` must
    // outlive this object.
    explicit FreeSpace(const rt::EmbreeScene& geometry);

    // The solid object that encloses `p` (never the room shell), or nullopt.
    std::optional<std::uint32_t> solid_at(const Vec3& p) const;
    // Not inside a solid and at least `clearance` metres from every surface (probed along a
    // few directions).
    bool is_free(const Vec3& p, double clearance) const;
    // "'table' (material wood)": the object's name and its materials, for messages.
    std::string describe(std::uint32_t object) const;

    std::optional<std::uint32_t> room_shell() const { return m_shell; }
    bool is_watertight(std::uint32_t object) const { return m_watertight[object] != 0; }

private:
    int odd_crossings(std::uint32_t object, const Vec3& p) const;

    const rt::EmbreeScene& m_geometry;
    std::vector<scene::Bounds> m_bounds;  // per object
    std::vector<char> m_watertight;       // per object
    std::optional<std::uint32_t> m_shell;
};

// Where random and grid positions are drawn by default: the scene's box; a flat scene (all
// geometry in one horizontal plane, e.g. a ground plane alone) gets a height of a tenth of
// its largest horizontal extent, at least 3 m, above that plane.
scene::Bounds drawing_region(const scene::Scene& scene);
// Where listed positions and the station are accepted by default: the drawing region grown
// by its largest extent (at least 10 m) sideways and upwards, not below the scene's lowest
// point. A rooftop transmitter or a receiver beyond the last building is inside it.
scene::Bounds acceptance_region(const scene::Scene& scene);

// Throws Error unless `p` is inside `region` and not inside a solid object. `what` names the
// position in the message ("station position", "pos.csv: position 3"), `fix` says how to
// change it ("give --station a point in free space").
void require_free_position(const FreeSpace& space,
                           const Vec3& p,
                           const scene::Bounds& region,
                           const std::string& what,
                           const std::string& fix);

}  // namespace radiofield::sim
