// Seeded random rooms (scene/builtin.hpp, "FAMILY:SEED") as the simulator sees them: the
// reader stands in free space, there is room for hundreds of tag positions, and the spectra
// follow GRaF's RFID convention as in the fixed rooms.
#include <gtest/gtest.h>

#include "radiofield/scene/builtin.hpp"
#include "radiofield/sim/free_space.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::sim {
namespace {

TEST(RandomRooms, ReaderStandsInFreeSpaceWithRoomForHundredsOfPositions) {
    for (const char* family : {"meeting_room", "office", "lab"}) {
        for (std::uint64_t seed = 0; seed < 6; ++seed) {
            const scene::Scene s = scene::make_builtin_scene(scene::random_room_name(family, seed));
            SCOPED_TRACE(s.name);
            const rt::EmbreeScene geometry(s);
            const FreeSpace space(geometry);
            ASSERT_EQ(s.receivers.size(), 1u);
            const Vec3 reader = s.receivers[0].position;
            EXPECT_FALSE(space.solid_at(reader).has_value());
            EXPECT_TRUE(space.is_free(reader, 0.05));
            EXPECT_NO_THROW(require_free_position(space, reader, acceptance_region(s),
                                                  "station position", "move it"));
            PositionSpec spec;
            spec.count = 300;
            const auto positions = make_positions(s, spec, seed);
            EXPECT_EQ(positions.size(), 300u);
        }
    }
}

TEST(RandomRooms, DefaultSpectrumConventionIsTheRfidOneAsInTheFixedRooms) {
    SimulationConfig c;
    for (const char* name : {"meeting_room:3", "office:3", "lab:3", "meeting_room_v1", "lab_v1"}) {
        const scene::Scene s = scene::make_builtin_scene(name);
        EXPECT_EQ(default_spectrum_convention(s, c, 915e6), "nerf2") << name;
        EXPECT_EQ(default_spectrum_convention(s, c, 5.805e9), "bartlett_power") << name;
    }
}

}  // namespace
}  // namespace radiofield::sim
