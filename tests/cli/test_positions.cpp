// `radiofield simulate` and where devices may stand (include/radiofield/sim/free_space.hpp):
// a station inside a solid is a clean failure naming the object, and Sionna's closed `box`
// room, whose inside was refused as "inside an object" before, now simulates.
#include <string>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

const std::string kSionnaBox =
    std::string(RADIOFIELD_SOURCE_DIR) + "/tests/rt/data/sionna/scenes/box/box.xml";

TEST_F(CliTest, SimulateWithTheStationInsideACabinetNamesTheCabinet) {
    // meeting_room_v3's cabinet_1 is the box (0.05, 3.6, 0)..(0.50, 4.9, 1.1).
    expect_clean_failure({"simulate", "--scene", "meeting_room_v3", "--station", "0.275,4.25,0.55",
                          "--samples", "2000", "--grid", "9x36", "--count", "20", "--out", "a.h5"},
                         {"station position (0.275, 4.25, 0.55)", "inside an object",
                          "'cabinet_1' (material itu_chipboard)", "--station"});
}

TEST_F(CliTest, SimulateInsideSionnasClosedBoxRoomSucceeds) {
    expect_success(
        {"simulate", "--scene", kSionnaBox, "--frequency", "3.5GHz", "--station", "-2,-1,1.5",
         "--samples", "2000", "--grid", "9x36", "--count", "20", "--out", "box.h5"},
        {"box.h5"});
}

}  // namespace
}  // namespace radiofield::test
