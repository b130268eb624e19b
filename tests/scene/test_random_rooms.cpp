// Seeded random rooms of the indoor families (builtin.hpp: "FAMILY:SEED").
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace {

const char* const kFamilies[] = {"meeting_room", "office", "lab"};

Scene room(const std::string& family, std::uint64_t seed) {
    return make_builtin_scene(random_room_name(family, seed));
}

bool same_geometry(const Scene& a, const Scene& b) {
    if (a.meshes.size() != b.meshes.size())
        return false;
    for (std::size_t i = 0; i < a.meshes.size(); ++i) {
        if (a.meshes[i].name != b.meshes[i].name || a.meshes[i].vertices != b.meshes[i].vertices ||
            a.meshes[i].triangles != b.meshes[i].triangles ||
            a.meshes[i].material != b.meshes[i].material) {
            return false;
        }
    }
    return true;
}

Bounds mesh_bounds(const Mesh& m) {
    Bounds b;
    for (const Vec3& v : m.vertices)
        b.expand(v);
    return b;
}

const Mesh& mesh_named(const Scene& s, const std::string& name) {
    for (const Mesh& m : s.meshes) {
        if (m.name == name)
            return m;
    }
    throw Error("no mesh " + name);
}

// The interior between the walls' inner faces, the floor and the ceiling.
Bounds interior(const Scene& s) {
    Bounds b;
    b.lo = {mesh_bounds(mesh_named(s, "wall_west")).hi.x,
            mesh_bounds(mesh_named(s, "wall_south")).hi.y, 0.0};
    b.hi = {mesh_bounds(mesh_named(s, "wall_east")).lo.x,
            mesh_bounds(mesh_named(s, "wall_north")).lo.y,
            mesh_bounds(mesh_named(s, "ceiling")).lo.z};
    return b;
}

std::size_t count_meshes(const Scene& s, const std::string& prefix) {
    return static_cast<std::size_t>(
        std::count_if(s.meshes.begin(), s.meshes.end(),
                      [&](const Mesh& m) { return m.name.rfind(prefix, 0) == 0; }));
}

double signed_volume(const Mesh& m) {
    double v = 0;
    for (const Triangle& t : m.triangles)
        v += dot(m.vertices[t[0]], cross(m.vertices[t[1]], m.vertices[t[2]])) / 6.0;
    return v;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(RandomRooms, SameSeedGivesTheSameRoom) {
    for (const char* family : kFamilies) {
        for (std::uint64_t seed : {0ull, 17ull, 18446744073709551615ull}) {
            SCOPED_TRACE(random_room_name(family, seed));
            const Scene a = room(family, seed), b = room(family, seed);
            EXPECT_TRUE(same_geometry(a, b));
            EXPECT_EQ(a.description, b.description);
            ASSERT_EQ(a.receivers.size(), 1u);
            EXPECT_EQ(a.receivers[0].position, b.receivers[0].position);
            EXPECT_EQ(a.receivers[0].orientation, b.receivers[0].orientation);
        }
    }
}

TEST(RandomRooms, OtherSeedsGiveOtherRoomsOfOtherSizes) {
    for (const char* family : kFamilies) {
        SCOPED_TRACE(family);
        std::vector<Scene> rooms;
        std::set<std::pair<double, double>> sizes;
        for (std::uint64_t seed = 1; seed <= 12; ++seed) {
            rooms.push_back(room(family, seed));
            const Vec3 size = interior(rooms.back()).size();
            sizes.insert({size.x, size.y});
        }
        for (std::size_t i = 0; i < rooms.size(); ++i) {
            for (std::size_t j = i + 1; j < rooms.size(); ++j)
                EXPECT_FALSE(same_geometry(rooms[i], rooms[j])) << rooms[i].name << rooms[j].name;
        }
        EXPECT_GE(sizes.size(), 10u);
    }
}

TEST(RandomRooms, NoRandomRoomEqualsAFixedOne) {
    std::vector<Scene> fixed;
    for (const char* name : {"meeting_room_v1", "meeting_room_v2", "meeting_room_v3", "office_v1",
                             "office_v2", "office_v3", "lab_v1"}) {
        fixed.push_back(make_builtin_scene(name));
    }
    for (const char* family : kFamilies) {
        for (std::uint64_t seed = 0; seed < 40; ++seed) {
            const Scene r = room(family, seed);
            const Vec3 size = interior(r).size();
            for (const Scene& f : fixed) {
                EXPECT_FALSE(same_geometry(r, f)) << r.name << " " << f.name;
                const Vec3 fixed_size = interior(f).size();
                EXPECT_FALSE(std::abs(size.x - fixed_size.x) < 0.01 &&
                             std::abs(size.y - fixed_size.y) < 0.01)
                    << r.name << " has the floor of " << f.name;
            }
        }
    }
}

TEST(RandomRooms, EveryRoomIsAValidSceneWithTheReaderInsideAndClearOfFurniture) {
    const char* const kShell[] = {"floor", "ceiling", "wall_", "window", "door"};
    for (const char* family : kFamilies) {
        for (std::uint64_t seed = 0; seed < 30; ++seed) {
            const Scene s = room(family, seed);
            SCOPED_TRACE(s.name);
            EXPECT_NO_THROW(s.validate());
            EXPECT_TRUE(s.builtin);
            EXPECT_EQ(s.frequency_hz, 915e6);
            EXPECT_NE(s.description.find("random"), std::string::npos);
            for (const Mesh& m : s.meshes) {
                ASSERT_EQ(m.material.size(), m.triangles.size()) << m.name;
                for (std::size_t t = 0; t < m.num_triangles(); ++t) {
                    ASSERT_NEAR(norm(m.normal(t)), 1.0, 1e-9) << m.name << " triangle " << t;
                    ASSERT_LT(m.material[t], s.materials.size()) << m.name;
                }
                EXPECT_GT(signed_volume(m), 0.0) << m.name << " is inside out";
            }
            for (const Material& m : s.materials) {
                for (double f : {2.412e9, 5.805e9})
                    EXPECT_NO_THROW(m.properties(f)) << m.name;
                EXPECT_NO_THROW(m.properties(915e6, Extrapolation::Warn)) << m.name;
            }
            ASSERT_EQ(s.receivers.size(), 1u);
            EXPECT_EQ(s.receivers[0].array.num_elements(), 16);
            const Vec3 p = s.receivers[0].position;
            const Bounds inside = interior(s);
            EXPECT_TRUE(inside.contains(p)) << p.x << " " << p.y << " " << p.z;
            // Nothing but the shell within 0.4 m of the reader (0.10 m off its wall, which
            // keeps at least 0.55 m of floor clear in front of it).
            for (const Mesh& m : s.meshes) {
                const bool shell =
                    std::any_of(std::begin(kShell), std::end(kShell),
                                [&](const char* k) { return m.name.rfind(k, 0) == 0; });
                if (shell)
                    continue;
                const Bounds b = mesh_bounds(m);
                const Vec3 q = max(b.lo, min(p, b.hi));  // nearest point of the box
                EXPECT_GT(norm(p - q), 0.4) << m.name << " is next to the reader";
            }
        }
    }
}

TEST(RandomRooms, EachFamilyIsRecognisable) {
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
        const Scene meeting = room("meeting_room", seed);
        SCOPED_TRACE(meeting.name);
        EXPECT_GE(count_meshes(meeting, "table"), 1u);
        EXPECT_GE(count_meshes(meeting, "chair_"), 4u);
        EXPECT_EQ(count_meshes(meeting, "whiteboard"), 1u);
        EXPECT_GE(count_meshes(meeting, "door"), 1u);
        const Scene office = room("office", seed);
        EXPECT_GE(count_meshes(office, "desk_"), 4u) << office.name;
        EXPECT_EQ(count_meshes(office, "desk_"), count_meshes(office, "chair_")) << office.name;
        EXPECT_GE(count_meshes(office, "door"), 1u) << office.name;
        EXPECT_GE(count_meshes(office, "window_"), 1u) << office.name;
        const Scene lab = room("lab", seed);
        EXPECT_GE(count_meshes(lab, "bench_") + count_meshes(lab, "island_"), 1u) << lab.name;
        EXPECT_GE(count_meshes(lab, "door"), 1u) << lab.name;
        for (const Scene* s : {&meeting, &office, &lab}) {
            const bool windowless = s->description.find("no windows") != std::string::npos;
            EXPECT_EQ(count_meshes(*s, "window_") == 0, windowless) << s->name;
        }
    }
}

TEST(RandomRooms, NamesResolveWhereBuiltinScenesDo) {
    EXPECT_TRUE(is_room_family("lab"));
    EXPECT_FALSE(is_room_family("meeting_room_v1"));
    EXPECT_EQ(random_room_name("meeting_room", 17), "meeting_room:17");
    EXPECT_TRUE(is_builtin_scene("meeting_room:17"));
    EXPECT_TRUE(is_builtin_scene("office:0"));
    EXPECT_FALSE(is_builtin_scene("meeting_room"));
    EXPECT_FALSE(is_builtin_scene("meeting_room:x"));
    EXPECT_FALSE(is_builtin_scene("kitchen:3"));
    const Scene s = resolve_scene("lab:3");
    EXPECT_EQ(s.name, "lab:3");
    EXPECT_TRUE(same_geometry(s, room("lab", 3)));
    EXPECT_TRUE(is_rfid_room_name("office:4"));
    EXPECT_TRUE(is_rfid_room_name("meeting_room_v2"));
    EXPECT_TRUE(is_rfid_room_name("lab_v1"));
    EXPECT_FALSE(is_rfid_room_name("lobby"));
    EXPECT_EQ(scene_name_with_seed("lab", 3), "lab:3");
    EXPECT_EQ(scene_name_with_seed("meeting_room_v1", 3), "meeting_room_v1@3");
    // The fixed rooms keep their meaning: a seed still only jitters them.
    EXPECT_EQ(resolve_scene("meeting_room_v1").name, "meeting_room_v1");
}

TEST(RandomRooms, BadNamesAndSeedsSayHowToNameARoom) {
    std::string e = error_of([] { resolve_scene("meeting_room"); });
    EXPECT_NE(e.find("'meeting_room' is a family of random rooms"), std::string::npos) << e;
    EXPECT_NE(e.find("meeting_room:17"), std::string::npos) << e;
    EXPECT_NE(e.find("meeting_room_v1..v3"), std::string::npos) << e;
    e = error_of([] { resolve_scene("office:-3"); });
    EXPECT_NE(e.find("'office:-3'"), std::string::npos) << e;
    EXPECT_NE(e.find("non-negative integer"), std::string::npos) << e;
    e = error_of([] { resolve_scene("lab:99999999999999999999"); });
    EXPECT_NE(e.find("non-negative integer below 2^64"), std::string::npos) << e;
    e = error_of([] { resolve_scene("meeting_room:17@3"); });
    EXPECT_NE(e.find("no '@' jitter"), std::string::npos) << e;
    e = error_of([] { make_builtin_scene("kitchen:3"); });
    EXPECT_NE(e.find("meeting_room:SEED"), std::string::npos) << e;
    e = error_of([] { scene_name_with_seed("room.json", 3); });
    EXPECT_NE(e.find("built-in scenes only, not to 'room.json'"), std::string::npos) << e;
    e = error_of([] { scene_name_with_seed("lab:3", 4); });
    EXPECT_NE(e.find("'lab:3' already holds a seed"), std::string::npos) << e;
    e = error_of([] { scene_name_with_seed("office_v1@2", 4); });
    EXPECT_NE(e.find("already holds a seed"), std::string::npos) << e;
    e = error_of([] { random_room_name("kitchen", 1); });
    EXPECT_NE(e.find("valid families: meeting_room, office, lab"), std::string::npos) << e;
}

}  // namespace
}  // namespace radiofield::scene
