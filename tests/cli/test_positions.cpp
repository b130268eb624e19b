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

// Open scenes (issue "Nothing lost, nothing silent", 6): a scene that is only a ground plane
// (the two-ray case) and a station on a rooftop, above the top of the scene's mesh, simulate;
// positions are checked against the solids, so a listed position inside the building is an
// error naming it.
const char* kGround = R"({"format": "radiofield-scene", "version": 1, "name": "ground",
  "objects": [{"name": "ground", "material": "itu_concrete",
    "vertices": [[-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0]],
    "triangles": [[0, 1, 2], [0, 2, 3]]}]})";

// The ground and a closed 10 m × 10 m × 20 m block (outward faces) centred on the origin.
const char* kBlock = R"({"format": "radiofield-scene", "version": 1, "name": "block",
  "objects": [{"name": "ground", "material": "itu_concrete",
    "vertices": [[-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0]],
    "triangles": [[0, 1, 2], [0, 2, 3]]},
   {"name": "tower", "material": "itu_brick",
    "vertices": [[-5, -5, 0], [5, -5, 0], [5, 5, 0], [-5, 5, 0],
                 [-5, -5, 20], [5, -5, 20], [5, 5, 20], [-5, 5, 20]],
    "triangles": [[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
                  [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]]}]})";

const std::vector<std::string> kSmall = {"--frequency", "3.5GHz", "--samples", "2000",
                                         "--grid",      "9x36",   "--count",   "10"};

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST_F(CliTest, ASceneThatIsOnlyAGroundPlaneSimulates) {
    write("ground.json", kGround);
    const CliResult r =
        expect_success(std::vector<std::string>{"simulate", "--scene", "ground.json", "--station",
                                                "0,0,10", "--out", "g.h5"} +
                           kSmall,
                       {"g.h5"});
    EXPECT_EQ(r.output().find("are zero"), std::string::npos) << r.output();
}

TEST_F(CliTest, AStationOnARooftopAboveTheMeshSimulates) {
    write("block.json", kBlock);
    // 2 m above the roof, above the mesh's bounding box (its top is z = 20).
    const CliResult r =
        expect_success(std::vector<std::string>{"simulate", "--scene", "block.json", "--station",
                                                "0,0,22", "--out", "roof.h5"} +
                           kSmall,
                       {"roof.h5"});
    EXPECT_EQ(r.output().find("outside"), std::string::npos) << r.output();
}

TEST_F(CliTest, AListedPositionInsideABuildingNamesTheBuilding) {
    write("block.json", kBlock);
    write("at.csv", "x,y,z\n20,0,1.5\n1,2,10\n");
    expect_clean_failure(
        {"simulate", "--scene", "block.json", "--station", "0,0,22", "--positions", "csv", "--csv",
         "at.csv", "--frequency", "3.5GHz", "--samples", "2000", "--grid", "9x36", "--out", "a.h5"},
        {"(1, 2, 10)", "inside an object", "'tower' (material itu_brick)"});
}

}  // namespace
}  // namespace radiofield::test
