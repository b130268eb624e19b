// Scene model: mesh geometry, bounds, materials and validation.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/scene.hpp"

using namespace radiofield;
using namespace radiofield::scene;

namespace {

// A unit square on z = 0 (two triangles, normals +z) in material 0, plus a wall.
Scene two_object_scene() {
    Scene s;
    s.name = "test";
    s.add_material(itu_material("concrete"));
    s.add_material(custom_material("paint", 3.0, 0.01));
    Mesh floor;
    floor.name = "floor";
    floor.append({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}}, {{0, 1, 2}, {0, 2, 3}}, 0);
    Mesh wall;
    wall.name = "wall";
    wall.append({{0, 0, 0}, {0, 1, 0}, {0, 1, 2.5}}, {{0, 1, 2}}, 1);
    s.meshes = {floor, wall};
    return s;
}

void expect_invalid(const std::function<void(Scene&)>& defect,
                    std::initializer_list<const char*> parts) {
    Scene s = two_object_scene();
    defect(s);
    try {
        s.validate();
        ADD_FAILURE() << "validate() accepted the defect";
    } catch (const Error& e) {
        for (const char* p : parts)
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
                << "message lacks '" << p << "': " << e.what();
    }
}

}  // namespace

TEST(Mesh, NormalFollowsRightHandRuleAndAreaIsHalfCrossProduct) {
    Mesh m;
    m.append({{0, 0, 0}, {3, 0, 0}, {0, 4, 0}}, {{0, 1, 2}, {0, 2, 1}}, 0);
    EXPECT_EQ(m.normal(0), (Vec3{0, 0, 1}));
    EXPECT_EQ(m.normal(1), (Vec3{0, 0, -1}));
    EXPECT_DOUBLE_EQ(m.area(0), 6.0);  // 3-4-5 right triangle
    Mesh degenerate;
    degenerate.append({{0, 0, 0}, {1, 1, 1}, {2, 2, 2}}, {{0, 1, 2}}, 0);
    EXPECT_EQ(degenerate.normal(0), Vec3{});
    EXPECT_DOUBLE_EQ(degenerate.area(0), 0.0);
}

TEST(Mesh, AppendShiftsIndicesAndTagsMaterial) {
    Mesh m;
    m.append({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, {{0, 1, 2}}, 3);
    m.append({{5, 0, 0}, {6, 0, 0}, {5, 1, 0}}, {{0, 1, 2}}, 7);
    ASSERT_EQ(m.num_triangles(), 2u);
    EXPECT_EQ(m.triangles[1], (Triangle{3, 4, 5}));
    EXPECT_EQ(m.material, (std::vector<std::uint32_t>{3, 7}));
    EXPECT_EQ(m.vertices.size(), 6u);
}

TEST(Bounds, ContainsHonoursMargin) {
    Bounds b;
    b.expand({0, 0, 0});
    b.expand({2, 4, 3});
    EXPECT_TRUE(b.contains({1, 2, 1.5}));
    EXPECT_TRUE(b.contains({2, 4, 3}));
    EXPECT_FALSE(b.contains({2.1, 2, 1}));
    EXPECT_TRUE(b.contains({2.1, 2, 1}, 0.2));
    EXPECT_FALSE(b.contains({1, 2, -0.5}, 0.2));
    EXPECT_EQ(b.centre(), (Vec3{1, 2, 1.5}));
    EXPECT_FALSE(Bounds{}.contains({0, 0, 0}));  // empty bounds contain nothing
}

TEST(Scene, CountsBoundsAndMaterialLookup) {
    Scene s = two_object_scene();
    EXPECT_EQ(s.num_triangles(), 3u);
    const Bounds b = s.bounds();
    EXPECT_EQ(b.lo, (Vec3{0, 0, 0}));
    EXPECT_EQ(b.hi, (Vec3{1, 1, 2.5}));
    EXPECT_EQ(s.find_material("paint"), 1u);
    EXPECT_EQ(s.find_material("itu_concrete"), 0u);
    EXPECT_FALSE(s.find_material("glass").has_value());
    // Adding an existing name returns its index and adds nothing.
    EXPECT_EQ(s.add_material(itu_material("concrete")), 0u);
    EXPECT_EQ(s.materials.size(), 2u);
    EXPECT_EQ(s.add_material(itu_material("glass")), 2u);
    EXPECT_EQ(s.triangles_per_material(), (std::vector<std::size_t>{2, 1, 0}));
}

TEST(SceneValidate, AcceptsAWellFormedScene) {
    EXPECT_NO_THROW(two_object_scene().validate());
}

TEST(SceneValidate, CatchesVertexIndexOutOfRange) {
    expect_invalid([](Scene& s) { s.meshes[0].triangles[1][2] = 9; },
                   {"'floor'", "triangle 1", "9"});
}

TEST(SceneValidate, CatchesNonFiniteVertex) {
    expect_invalid(
        [](Scene& s) { s.meshes[1].vertices[2].z = std::numeric_limits<double>::quiet_NaN(); },
        {"'wall'", "vertex 2"});
    expect_invalid([](Scene& s) { s.meshes[0].vertices[0].x = INFINITY; }, {"'floor'", "vertex 0"});
}

TEST(SceneValidate, CatchesDegenerateTriangle) {
    expect_invalid(
        [](Scene& s) {
            s.meshes[0].triangles[1] = {0, 2, 2};
        },
        {"'floor'", "triangle 1", "degenerate"});
    // Area 5e-13 m²: below the 1e-12 m² threshold.
    expect_invalid(
        [](Scene& s) {
            s.meshes[1].vertices = {{0, 0, 0}, {1e-6, 0, 0}, {0, 1e-6, 0}};
        },
        {"'wall'", "triangle 0"});
}

TEST(SceneValidate, CatchesMaterialIndexOutOfRange) {
    expect_invalid([](Scene& s) { s.meshes[1].material[0] = 2; },
                   {"'wall'", "triangle 0", "material index 2"});
}

TEST(SceneValidate, CatchesInvalidMaterial) {
    expect_invalid([](Scene& s) { s.materials[1].scattering_coefficient = 2; },
                   {"'paint'", "scattering_coefficient"});
}

TEST(SceneValidate, CatchesDuplicateMaterialNames) {
    expect_invalid([](Scene& s) { s.materials.push_back(custom_material("paint", 2.0, 0)); },
                   {"'paint'", "unique"});
}

TEST(SceneValidate, CatchesTriangleMaterialCountMismatch) {
    expect_invalid([](Scene& s) { s.meshes[0].material.pop_back(); },
                   {"'floor'", "2 triangles", "1 material"});
}

TEST(SceneValidate, CatchesNonFiniteDevicePosition) {
    expect_invalid(
        [](Scene& s) {
            Device tx;
            tx.name = "ap";
            tx.position = {0, 0, std::numeric_limits<double>::quiet_NaN()};
            s.transmitters.push_back(tx);
        },
        {"transmitter 'ap'"});
}
