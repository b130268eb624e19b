// Built-in procedural scenes (DESIGN.md §4.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"

namespace radiofield::scene {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

// GeNeRT counts polygons: a facade panel or box side is one rectangle of two triangles.
std::size_t building_faces(const Scene& s) {
    std::size_t tris = 0;
    for (const Mesh& m : s.meshes) {
        if (starts_with(m.name, "building"))
            tris += m.num_triangles();
    }
    return tris / 2;
}

std::size_t count_meshes(const Scene& s, const std::string& prefix) {
    return static_cast<std::size_t>(
        std::count_if(s.meshes.begin(), s.meshes.end(),
                      [&](const Mesh& m) { return starts_with(m.name, prefix); }));
}

// Signed volume by the divergence theorem: positive when the triangles wind outwards.
double signed_volume(const Mesh& m) {
    double v = 0;
    for (const Triangle& t : m.triangles) {
        v += dot(m.vertices[t[0]], cross(m.vertices[t[1]], m.vertices[t[2]])) / 6.0;
    }
    return v;
}

bool same_geometry(const Scene& a, const Scene& b) {
    if (a.meshes.size() != b.meshes.size())
        return false;
    for (std::size_t i = 0; i < a.meshes.size(); ++i) {
        if (a.meshes[i].vertices != b.meshes[i].vertices ||
            a.meshes[i].triangles != b.meshes[i].triangles ||
            a.meshes[i].material != b.meshes[i].material) {
            return false;
        }
    }
    return true;
}

const Mesh& mesh_named(const Scene& s, const std::string& name) {
    for (const Mesh& m : s.meshes) {
        if (m.name == name)
            return m;
    }
    throw Error("no mesh " + name);
}

TEST(Builtin, EverySceneBuildsAndPassesValidate) {
    ASSERT_GE(builtin_scenes().size(), 19u);
    for (const BuiltinInfo& info : builtin_scenes()) {
        SCOPED_TRACE(info.name);
        EXPECT_TRUE(is_builtin_scene(info.name));
        const Scene s = make_builtin_scene(info.name);
        EXPECT_NO_THROW(s.validate());
        EXPECT_EQ(s.name, info.name);
        EXPECT_EQ(s.frequency_hz, info.frequency_hz);
        EXPECT_FALSE(s.description.empty());
        EXPECT_GT(s.num_triangles(), 0u);
    }
}

TEST(Builtin, EveryTriangleHasUnitNormalValidMaterialAndSolidsWindOutwards) {
    for (const BuiltinInfo& info : builtin_scenes()) {
        SCOPED_TRACE(info.name);
        const Scene s = make_builtin_scene(info.name);
        for (const Mesh& m : s.meshes) {
            ASSERT_EQ(m.material.size(), m.triangles.size()) << m.name;
            for (std::size_t t = 0; t < m.num_triangles(); ++t) {
                ASSERT_NEAR(norm(m.normal(t)), 1.0, 1e-9) << m.name << " triangle " << t;
                ASSERT_LT(m.material[t], s.materials.size()) << m.name;
            }
            if (m.name != "ground")
                EXPECT_GT(signed_volume(m), 0.0) << m.name << " is inside out";
        }
    }
}

TEST(Builtin, SameSeedGivesIdenticalScenes) {
    for (const char* name : {"meeting_room_v1", "office_v2", "lobby", "campus_a"}) {
        SCOPED_TRACE(name);
        EXPECT_TRUE(same_geometry(make_builtin_scene(name, 7), make_builtin_scene(name, 7)));
    }
}

TEST(Builtin, OtherSeedJittersFurnitureButKeepsTheRoom) {
    for (const char* name :
         {"meeting_room_v1", "meeting_room_v3", "office_v1", "lab_v1", "lobby"}) {
        SCOPED_TRACE(name);
        const Scene a = make_builtin_scene(name, 0), b = make_builtin_scene(name, 1);
        EXPECT_FALSE(same_geometry(a, b));
        EXPECT_EQ(a.num_triangles(), b.num_triangles());
        EXPECT_EQ(a.bounds().lo, b.bounds().lo);
        EXPECT_EQ(a.bounds().hi, b.bounds().hi);
        EXPECT_EQ(mesh_named(a, "wall_north").vertices, mesh_named(b, "wall_north").vertices);
        EXPECT_EQ(mesh_named(a, "floor").vertices, mesh_named(b, "floor").vertices);
    }
}

TEST(Builtin, FurnitureVariantsDifferInsideTheSameShell) {
    for (const char* family : {"meeting_room_v", "office_v"}) {
        std::vector<Scene> v;
        for (int i = 1; i <= 3; ++i)
            v.push_back(make_builtin_scene(family + std::to_string(i)));
        for (int i = 0; i < 3; ++i) {
            for (int j = i + 1; j < 3; ++j) {
                SCOPED_TRACE(v[i].name + " vs " + v[j].name);
                EXPECT_FALSE(same_geometry(v[i], v[j]));
                EXPECT_NE(v[i].meshes.size(), v[j].meshes.size());
                EXPECT_EQ(v[i].bounds().lo, v[j].bounds().lo);
                EXPECT_EQ(v[i].bounds().hi, v[j].bounds().hi);
            }
        }
    }
}

TEST(Builtin, RoomsHaveRealisticSizesAndFurniture) {
    const Scene meeting = make_builtin_scene("meeting_room_v1");
    const Vec3 m = meeting.bounds().size();
    EXPECT_GT(m.x, 7.0);
    EXPECT_LT(m.x, 7.6);
    EXPECT_GT(m.y, 5.0);
    EXPECT_LT(m.y, 5.6);
    EXPECT_NEAR(m.z, 3.3, 0.1);
    EXPECT_EQ(count_meshes(meeting, "chair_"), 8u);
    EXPECT_EQ(count_meshes(meeting, "window_"), 3u);
    EXPECT_EQ(count_meshes(meeting, "whiteboard"), 1u);
    EXPECT_EQ(count_meshes(meeting, "door"), 1u);
    EXPECT_EQ(count_meshes(make_builtin_scene("meeting_room_v3"), "chair_"), 10u);
    const Vec3 o = make_builtin_scene("office_v1").bounds().size();
    EXPECT_GT(o.x, 10.0);
    EXPECT_LT(o.x, 10.6);
    EXPECT_GT(o.y, 8.0);
    EXPECT_LT(o.y, 8.6);
    const Scene lab = make_builtin_scene("lab_v1");
    EXPECT_EQ(count_meshes(lab, "bench_"), 2u);
    EXPECT_EQ(count_meshes(lab, "island_1"), 3u);  // two worktops and the shelf spine
    EXPECT_EQ(count_meshes(lab, "rack_"), 2u);
    EXPECT_EQ(count_meshes(lab, "fume_hood"), 1u);
    EXPECT_EQ(count_meshes(lab, "window_"), 3u);
    const Scene lobby = make_builtin_scene("lobby");
    EXPECT_GT(lobby.bounds().size().x, 20.0);
    EXPECT_GT(lobby.bounds().size().z, 5.0);
    EXPECT_EQ(count_meshes(lobby, "pillar_"), 6u);
}

TEST(Builtin, DevicesAreInsideTheirScenes) {
    for (const char* name : {"meeting_room_v2", "office_v3", "lab_v1"}) {
        const Scene s = make_builtin_scene(name);
        ASSERT_EQ(s.receivers.size(), 1u) << name;
        EXPECT_EQ(s.receivers[0].array.num_elements(), 16);
        EXPECT_TRUE(s.bounds().contains(s.receivers[0].position)) << name;
    }
    const Scene lobby = make_builtin_scene("lobby");
    ASSERT_EQ(lobby.transmitters.size(), 1u);
    EXPECT_TRUE(lobby.bounds().contains(lobby.transmitters[0].position));
}

TEST(Builtin, OutdoorFaceCountsMatchTheDesign) {
    const Scene rosslyn = make_builtin_scene("rosslyn_like");
    EXPECT_EQ(count_meshes(rosslyn, "building_"), 10u);
    EXPECT_EQ(building_faces(rosslyn), 60u);
    const std::size_t a = building_faces(make_builtin_scene("campus_a"));
    EXPECT_GE(a, 1200u);
    EXPECT_LE(a, 1800u);
    const Scene campus_b = make_builtin_scene("campus_b");
    EXPECT_EQ(count_meshes(campus_b, "building_"), 6u);
    EXPECT_GE(building_faces(campus_b), 400u);
    EXPECT_LE(building_faces(campus_b), 600u);
}

TEST(Builtin, HumidityVariantsSetGroundTypeAndScaleOtherMaterials) {
    struct Case {
        const char* suffix;
        const char* ground;
        double scale;
    };
    for (const char* city : {"rosslyn_like", "campus_a", "campus_b"}) {
        for (const Case& c :
             {Case{"_dry", "very_dry_ground", 1.0}, Case{"_medium", "medium_dry_ground", 1.3},
              Case{"_wet", "wet_ground", 1.6}, Case{"", "medium_dry_ground", 1.3}}) {
            const Scene s = make_builtin_scene(std::string(city) + c.suffix);
            SCOPED_TRACE(s.name);
            const Material& ground = s.materials[mesh_named(s, "ground").material[0]];
            EXPECT_EQ(ground.itu_type, c.ground);
            EXPECT_EQ(ground.eps_r_scale, 1.0);
            for (const Material& m : s.materials) {
                if (&m == &ground)
                    continue;
                EXPECT_DOUBLE_EQ(m.eps_r_scale, c.scale) << m.name;
                EXPECT_DOUBLE_EQ(m.sigma_scale, c.scale) << m.name;
            }
        }
    }
    const auto concrete = [](const Scene& s) {
        return s.materials[*s.find_material("itu_concrete")];
    };
    const double dry = concrete(make_builtin_scene("campus_b_dry")).properties(3.5e9).eps_r;
    const double wet = concrete(make_builtin_scene("campus_b_wet")).properties(3.5e9).eps_r;
    EXPECT_NEAR(wet / dry, 1.6, 1e-9);
}

TEST(Builtin, MaterialsAreInRangeAtEachSceneBand) {
    for (const BuiltinInfo& info : builtin_scenes()) {
        const Scene s = make_builtin_scene(info.name);
        const bool indoor = starts_with(info.name, "meeting_room") ||
                            starts_with(info.name, "office") || starts_with(info.name, "lab");
        // Indoor scenes are also used at 2.412 and 5.805 GHz; at their 915 MHz band ITU's
        // 1 GHz lower limit for concrete etc. needs extrapolation (documented choice).
        const std::vector<double> bands =
            indoor ? std::vector<double>{2.412e9, 5.805e9} : std::vector<double>{info.frequency_hz};
        for (const Material& m : s.materials) {
            for (double f : bands)
                EXPECT_NO_THROW(m.properties(f)) << info.name << " " << m.name << " " << f;
            EXPECT_NO_THROW(m.properties(info.frequency_hz, Extrapolation::Warn))
                << info.name << " " << m.name;
        }
    }
}

TEST(Builtin, UnknownNameErrorListsTheValidNames) {
    EXPECT_FALSE(is_builtin_scene("meeting_room_v9"));
    try {
        make_builtin_scene("meeting_room_v9");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("meeting_room_v9"), std::string::npos);
        for (const BuiltinInfo& info : builtin_scenes())
            EXPECT_NE(what.find(info.name), std::string::npos) << info.name;
    }
}

}  // namespace
}  // namespace radiofield::scene
