// Candidate chains of whole surfaces (every triangle of one plane): which triangles share a
// surface, and that a chain named by one triangle of a surface yields the exact path on
// another — so that one ray through any patch of a plane stands for all of its patches.

#include <gtest/gtest.h>

#include <set>

#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/rt/image_method.hpp"
#include "radiofield/rt/tracer.hpp"
#include "rt_test_scenes.hpp"

namespace radiofield::rt {
namespace {

using testing::box_room;
using testing::device_at;

// Square [x0, x0 + size] × [-size/2, size/2] in the plane z = height, two triangles,
// facing +z (or −z when `down`).
void add_plate(scene::Scene& s,
               const std::string& name,
               double x0,
               double size,
               double height,
               bool down,
               std::uint32_t material) {
    scene::Mesh m;
    m.name = name;
    const double h = size / 2;
    m.vertices = {
        {x0, -h, height}, {x0 + size, -h, height}, {x0 + size, h, height}, {x0, h, height}};
    if (down)
        m.triangles = {{0, 2, 1}, {0, 3, 2}};
    else
        m.triangles = {{0, 1, 2}, {0, 2, 3}};
    m.material = {material, material};
    s.meshes.push_back(std::move(m));
}

// A 4 m metal plate at the origin, a 0.2 m one 20 m away on the same plane (facing down),
// and a third 1 cm above the plane.
scene::Scene two_plates() {
    scene::Scene s;
    s.name = "two_plates";
    const auto metal = s.add_material(scene::itu_material("metal"));
    add_plate(s, "near", -2, 4, 0, false, metal);
    add_plate(s, "far", 19.9, 0.2, 0, true, metal);
    add_plate(s, "raised", 30, 1, 0.01, false, metal);
    return s;
}

TEST(Surfaces, CoplanarTrianglesShareASurfaceWhereverTheyLieAndWhicheverWayTheyFace) {
    const scene::Scene s = two_plates();
    const EmbreeScene geo(s);
    const auto id = geo.triangle(0, 0).surface_id;
    for (std::uint32_t o = 0; o < 2; ++o)
        for (std::uint32_t t = 0; t < 2; ++t)
            EXPECT_EQ(geo.triangle(o, t).surface_id, id) << "object " << o << " triangle " << t;
    EXPECT_NE(geo.triangle(2, 0).surface_id, id);
    EXPECT_EQ(geo.triangle(2, 0).surface_id, geo.triangle(2, 1).surface_id);
    EXPECT_EQ(geo.num_surfaces(), 2u);
    // Members in (object, primitive) order; the first names the surface.
    const auto members = geo.surface(id);
    ASSERT_EQ(members.size(), 4u);
    EXPECT_EQ(members[0].object, 0u);
    EXPECT_EQ(members[0].primitive, 0u);
    EXPECT_EQ(members[3].object, 1u);
    EXPECT_EQ(members[3].primitive, 1u);
    // Connected patches (plane ids) stay apart: the two plates are two reflecting faces.
    EXPECT_NE(geo.triangle(0, 0).plane_id, geo.triangle(1, 0).plane_id);

    // A closed box: six walls, six surfaces.
    const scene::Scene room = box_room();
    const EmbreeScene box(room);
    std::set<std::uint32_t> ids;
    for (std::uint32_t t = 0; t < 12; ++t)
        ids.insert(box.triangle(0, t).surface_id);
    EXPECT_EQ(ids.size(), 6u);
    EXPECT_EQ(box.num_surfaces(), 6u);
}

TEST(Surfaces, AChainNamedByOneTriangleGivesTheExactPathOnAnotherOfItsSurface) {
    const scene::Scene s = two_plates();
    const EmbreeScene geo(s);
    const Vec3 tx{0, 0, 1}, rx{40, 0, 1};  // specular point (20, 0, 0): on the far plate
    const FaceSequence near{{0, 0}};
    EXPECT_FALSE(image_points(geo, tx, near, rx).has_value());
    const auto path = surface_points(geo, tx, near, rx);
    ASSERT_TRUE(path.has_value());
    ASSERT_EQ(path->faces.size(), 1u);
    EXPECT_EQ(path->faces[0].object, 1u);
    EXPECT_NEAR(norm(path->points[0] - Vec3{20, 0, 0}), 0.0, 1e-12);
    // Off every triangle of the surface: no path.
    EXPECT_FALSE(surface_points(geo, tx, near, {60, 0, 1}).has_value());
}

TEST(Surfaces, ARayOnTheNearPlateFindsTheReflectionOnTheFarOne) {
    // 100 rays: none meets the far plate (it subtends ~5e-6 sr, a ray 0.13 sr), many meet
    // the near one. Chains of triangles find LoS only; chains of surfaces also the
    // reflection on the far plate, exactly.
    const scene::Scene s = two_plates();
    const Tracer tracer(s, 3.5e9);
    TraceOptions o;
    o.max_depth = 1;
    o.samples_per_source = 100;
    const auto tx = device_at({0, 0, 1}), rx = device_at({40, 0, 1});
    o.surface_candidates = false;
    const Paths triangles = tracer.compute(tx, rx, o);
    o.surface_candidates = true;
    const Paths surfaces = tracer.compute(tx, rx, o);
    ASSERT_EQ(triangles.paths.size(), 1u);
    EXPECT_TRUE(triangles.paths[0].is_los());
    ASSERT_EQ(surfaces.paths.size(), 2u);
    const Path& r = surfaces.paths[1];
    ASSERT_EQ(r.depth(), 1);
    EXPECT_EQ(r.interactions[0].object, 1u);
    EXPECT_NEAR(norm(r.interactions[0].point - Vec3{20, 0, 0}), 0.0, 1e-9);
    EXPECT_NEAR(r.length, 2 * std::sqrt(20.0 * 20.0 + 1.0), 1e-9);
}

}  // namespace
}  // namespace radiofield::rt
