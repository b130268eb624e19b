// Where devices may stand (free_space.hpp): inside a room shell whichever way its normals
// point, never inside solid furniture, and above open scenes (a ground plane, rooftops).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/sim/free_space.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::sim {
namespace {

// Sionna's `box` (a closed 10 × 10 × 5 m metal box, x, y ∈ [−5, 5], z ∈ [0, 5]), its
// normals outward as shipped, or flipped inward.
scene::Scene sionna_box(bool inward) {
    scene::Scene s = scene::load_mitsuba_scene(std::filesystem::path(RADIOFIELD_SOURCE_DIR) /
                                               "tests/rt/data/sionna/scenes/box/box.xml");
    if (inward) {
        for (scene::Mesh& m : s.meshes)
            for (scene::Triangle& t : m.triangles)
                std::swap(t[1], t[2]);
    }
    return s;
}

// A closed box object, triangles wound counter-clockwise seen from outside.
scene::Mesh box_mesh(const std::string& name, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    scene::Mesh m;
    m.name = name;
    for (int i = 0; i < 8; ++i)
        m.vertices.push_back({(i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y, (i & 4) ? hi.z : lo.z});
    const int faces[6][4] = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4},
                             {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
    for (const auto& f : faces) {
        const auto a = static_cast<std::uint32_t>(f[0]), b = static_cast<std::uint32_t>(f[1]),
                   c = static_cast<std::uint32_t>(f[2]), d = static_cast<std::uint32_t>(f[3]);
        m.triangles.push_back({a, b, c});
        m.triangles.push_back({a, c, d});
        m.material.push_back(mat);
        m.material.push_back(mat);
    }
    return m;
}

// The box room with a wooden table (1..2 × 1..2 × 0..0.75 m) in it.
scene::Scene room_with_table(bool inward) {
    scene::Scene s = sionna_box(inward);
    const std::uint32_t wood = s.add_material(scene::itu_material("wood"));
    s.meshes.push_back(box_mesh("table", {1, 1, 0}, {2, 2, 0.75}, wood));
    return s;
}

scene::Scene ground_plane_only() {
    scene::Scene s;
    s.name = "two_ray";
    const std::uint32_t ground = s.add_material(scene::itu_material("medium_dry_ground"));
    scene::Mesh m;
    m.name = "ground";
    m.vertices = {{-50, -50, 0}, {50, -50, 0}, {50, 50, 0}, {-50, 50, 0}};
    m.triangles = {{0, 1, 2}, {0, 2, 3}};
    m.material = {ground, ground};
    s.meshes.push_back(std::move(m));
    return s;
}

std::filesystem::path write_csv(const test::TempDir& dir, const std::vector<Vec3>& points) {
    const auto csv = dir.path() / "pos.csv";
    std::ofstream f(csv);
    f << "x,y,z\n";
    for (const Vec3& p : points)
        f << p.x << "," << p.y << "," << p.z << "\n";
    return csv;
}

std::vector<Vec3> csv_positions(const scene::Scene& scene, const std::vector<Vec3>& points) {
    test::TempDir dir;
    PositionSpec spec;
    spec.mode = PositionSpec::Mode::Csv;
    spec.csv = write_csv(dir, points);
    return make_positions(scene, spec, 0);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

SimulationConfig quick_config() {
    SimulationConfig c;
    c.grid.n_el = 9;
    c.grid.n_az = 36;
    c.grid.step_deg = 10;
    c.trace.samples_per_source = 2000;
    c.trace.max_depth = 1;
    c.extrapolate = true;
    c.frequency_hz = 3.5e9;
    return c;
}

class SionnaBox : public ::testing::TestWithParam<bool> {};

TEST_P(SionnaBox, PositionsInsideTheRoomShellAreAcceptedWithEitherNormalOrientation) {
    const scene::Scene scene = sionna_box(GetParam());
    const rt::EmbreeScene geometry(scene);
    const FreeSpace space(geometry);
    ASSERT_TRUE(space.room_shell().has_value());
    EXPECT_TRUE(space.is_watertight(*space.room_shell()));
    EXPECT_FALSE(space.solid_at({0.3, -0.2, 2.5}));
    EXPECT_NO_THROW(csv_positions(scene, {{-2, -1, 1.5}, {2.5, 1.5, 2}}));
    PositionSpec spec;
    spec.count = 30;
    const auto random = make_positions(scene, spec, 7);
    ASSERT_EQ(random.size(), 30u);
    for (const Vec3& p : random) {
        EXPECT_TRUE(p.x > -5 && p.x < 5 && p.y > -5 && p.y < 5 && p.z > 0 && p.z < 5)
            << p.x << " " << p.y << " " << p.z;
    }
}

TEST_P(SionnaBox, PositionInsideASolidTableIsRefusedNamingItWithEitherRoomOrientation) {
    const scene::Scene scene = room_with_table(GetParam());
    const rt::EmbreeScene geometry(scene);
    const FreeSpace space(geometry);
    ASSERT_TRUE(space.room_shell().has_value());
    EXPECT_EQ(scene.meshes[*space.room_shell()].name, "box");
    EXPECT_EQ(space.solid_at({1.4, 1.6, 0.4}), std::optional<std::uint32_t>(1));
    EXPECT_FALSE(space.solid_at({1.5, 1.5, 1.2}));  // above the table
    const std::string e = error_of([&] { csv_positions(scene, {{0, 0, 1}, {1.4, 1.6, 0.4}}); });
    EXPECT_NE(e.find("position 2 (1.4, 1.6, 0.4)"), std::string::npos) << e;
    EXPECT_NE(e.find("inside an object, 'table' (material itu_wood)"), std::string::npos) << e;
    EXPECT_NE(e.find("move it into free space"), std::string::npos) << e;
    // Random positions are never drawn inside the table.
    PositionSpec spec;
    spec.count = 200;
    spec.clearance = 0;
    for (const Vec3& p : make_positions(scene, spec, 3))
        EXPECT_FALSE(p.x > 1 && p.x < 2 && p.y > 1 && p.y < 2 && p.z < 0.75);
}

INSTANTIATE_TEST_SUITE_P(Normals, SionnaBox, ::testing::Values(false, true), [](const auto& info) {
    return info.param ? "Inward" : "Outward";
});

TEST(Positions, GroundPlaneOnlySceneAcceptsDevicesAboveThePlaneAndRefusesOneBelow) {
    const scene::Scene scene = ground_plane_only();
    EXPECT_NO_THROW(csv_positions(scene, {{0, 0, 10}, {30, 0, 1.5}, {-40, 20, 2}}));
    const std::string e = error_of([&] { csv_positions(scene, {{0, 0, 10}, {5, 5, -1}}); });
    EXPECT_NE(e.find("position 2 (5, 5, -1) is outside the region"), std::string::npos) << e;
    EXPECT_NE(e.find("--region"), std::string::npos) << e;
    // Random positions have a vertical extent above a flat scene.
    PositionSpec spec;
    spec.count = 20;
    for (const Vec3& p : make_positions(scene, spec, 1))
        EXPECT_GT(p.z, 0.0);
    // The station (a transmitter 10 m up) is accepted by simulate.
    SimulationConfig c = quick_config();
    c.station_position = Vec3{0, 0, 10};
    EXPECT_NO_THROW(simulate(scene, c, {{20, 0, 1.5}}));
}

TEST(Positions, RooftopTransmitterAboveTheTallestBuildingIsAccepted) {
    const scene::Scene scene = scene::make_builtin_scene("rosslyn_like");
    std::size_t tallest = 0;
    for (std::size_t i = 0; i < scene.meshes.size(); ++i) {
        scene::Bounds b;
        for (const Vec3& v : scene.meshes[i].vertices)
            b.expand(v);
        scene::Bounds t;
        for (const Vec3& v : scene.meshes[tallest].vertices)
            t.expand(v);
        if (b.hi.z > t.hi.z)
            tallest = i;
    }
    scene::Bounds roof;
    for (const Vec3& v : scene.meshes[tallest].vertices)
        roof.expand(v);
    const Vec3 rooftop{roof.centre().x, roof.centre().y, roof.hi.z + 3};
    EXPECT_NO_THROW(csv_positions(scene, {rooftop}));
    const rt::EmbreeScene geometry(scene);
    EXPECT_TRUE(is_free_position(geometry, rooftop, 0.5));
    // The same point inside the building is refused, naming it.
    const Vec3 inside{roof.centre().x, roof.centre().y, roof.hi.z - 3};
    const std::string e = error_of([&] { csv_positions(scene, {inside}); });
    EXPECT_NE(e.find("inside an object, '" + scene.meshes[tallest].name + "'"), std::string::npos)
        << e;
}

// Regression: the old rule (inside = every probe hits a back face) let about a sixth of the
// random candidates in rosslyn_like lie inside buildings.
TEST(Positions, RandomPositionsOfAnOutdoorSceneAreNeverInsideABuilding) {
    const scene::Scene scene = scene::make_builtin_scene("rosslyn_like");
    PositionSpec spec;
    spec.count = 300;
    for (const Vec3& p : make_positions(scene, spec, 0)) {
        for (const scene::Mesh& m : scene.meshes) {
            if (m.name.rfind("building_", 0) != 0)
                continue;
            scene::Bounds b;
            for (const Vec3& v : m.vertices)
                b.expand(v);
            EXPECT_FALSE(b.contains(p)) << m.name << " holds " << p.x << " " << p.y << " " << p.z;
        }
    }
}

TEST(Positions, StationInsideASolidIsAnErrorNamingTheObject) {
    const scene::Scene scene = room_with_table(false);
    SimulationConfig c = quick_config();
    c.station_position = Vec3{1.5, 1.5, 0.3};
    const std::string e = error_of([&] { simulate(scene, c, {{-2, -1, 1.5}}); });
    EXPECT_NE(e.find("station position (1.5, 1.5, 0.3) is inside an object, 'table'"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("--station"), std::string::npos) << e;
    c.station_position = Vec3{-2, -1, 1.5};
    EXPECT_NO_THROW(simulate(scene, c, {{2.5, 1.5, 2}}));
}

TEST(Positions, BuiltinRoomsRefuseFurnitureAndWallsAndAcceptTheRoom) {
    for (const char* name : {"meeting_room_v1", "office_v2", "lobby"}) {
        const scene::Scene scene = scene::make_builtin_scene(name);
        const rt::EmbreeScene geometry(scene);
        const FreeSpace space(geometry);
        EXPECT_FALSE(space.room_shell()) << name;  // slabs and walls are separate solids
        std::size_t solids = 0;
        for (std::uint32_t o = 0; o < scene.meshes.size(); ++o) {
            scene::Bounds b;
            for (const Vec3& v : scene.meshes[o].vertices)
                b.expand(v);
            // The centre of the first triangle's box: inside whenever the object is a box.
            const auto& m = scene.meshes[o];
            if (m.triangles.size() != 12)
                continue;
            ++solids;
            EXPECT_EQ(space.solid_at(b.centre()), std::optional<std::uint32_t>(o))
                << name << " " << m.name;
        }
        EXPECT_GT(solids, 0u) << name;
        PositionSpec spec;
        spec.count = 20;
        EXPECT_EQ(make_positions(scene, spec, 2).size(), 20u) << name;
    }
}

TEST(Positions, EveryTxAndRxOfTheSionnaReferencePairsIsAcceptedAboveTheScenesLowestPoint) {
    const auto dir = std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "tests/rt/data/sionna";
    for (const char* name :
         {"simple_reflector", "floor_wall", "box", "double_reflector", "simple_street_canyon"}) {
        const auto ref = nlohmann::json::parse(std::ifstream(dir / (std::string(name) + ".json")));
        const scene::Scene scene =
            scene::load_mitsuba_scene(dir / ref.at("scene").get<std::string>());
        const rt::EmbreeScene geometry(scene);
        const FreeSpace space(geometry);
        const scene::Bounds region = acceptance_region(scene);
        for (const auto& pair : ref.at("pairs")) {
            for (const char* end : {"tx", "rx"}) {
                const auto v = pair.at(end).get<std::vector<double>>();
                const Vec3 p{v[0], v[1], v[2]};
                EXPECT_FALSE(space.solid_at(p)) << name << " " << end;
                // simple_reflector also traces a pair under its plate, below the scene's
                // lowest point: that one needs --region.
                EXPECT_EQ(region.contains(p), p.z >= scene.bounds().lo.z) << name << " " << end;
            }
        }
    }
}

}  // namespace
}  // namespace radiofield::sim
