// Seeded random rooms from the command line: `scene render FAMILY --seed N`, the name form
// FAMILY:SEED wherever a scene is named, `simulate --scene-seed`, and clean errors for a bad
// seed or name.
#include <fstream>
#include <iterator>
#include <string>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

bool is_png(const std::filesystem::path& path) {
    return read_file(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

TEST_F(CliTest, SceneRenderOfAMeetingRoomSeedWritesAPng) {
    expect_success({"scene", "render", "meeting_room", "--seed", "17", "--out", "x.png"},
                   {"x.png"});
    EXPECT_TRUE(is_png(path("x.png")));
}

TEST_F(CliTest, TheSeedOptionAndTheNameFormGiveTheSameRoom) {
    expect_success({"scene", "render", "lab", "--seed", "5", "--out", "a.png"}, {"a.png"});
    expect_success({"scene", "render", "lab:5", "--out", "b.png"}, {"b.png"});
    EXPECT_EQ(read_file(path("a.png")), read_file(path("b.png")));
    const CliResult shown = run({"scene", "show", "office", "--seed", "9"});
    EXPECT_EQ(shown.exit_code, 0) << shown.output();
    expect_mentions(
        shown, {"scene       office:9", "random open-plan office (seed 9)", "receiver    reader"});
}

TEST_F(CliTest, SceneListNamesTheRoomFamiliesAndTheSeedForm) {
    const CliResult r = run({"scene", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    expect_mentions(
        r, {"meeting_room:SEED", "office:SEED", "lab:SEED", "meeting_room_v1", "--seed 17"});
}

TEST_F(CliTest, SimulateTakesARandomRoomByNameOrSceneSeed) {
    const std::vector<std::string> quick = {"--samples", "2000", "--grid", "9x36", "--count", "20"};
    std::vector<std::string> args = {"simulate", "--scene", "meeting_room", "--scene-seed",
                                     "17",       "--out",   "a.h5"};
    args.insert(args.end(), quick.begin(), quick.end());
    expect_success(args, {"a.h5"});
    args = {"simulate", "--scene", "office:2", "--out", "b.h5"};
    args.insert(args.end(), quick.begin(), quick.end());
    expect_success(args, {"b.h5"});
}

TEST_F(CliTest, RenderWithABadSeedNamesTheSeedAndTheForm) {
    expect_clean_failure({"scene", "render", "meeting_room", "--seed", "abc", "--out", "x.png"},
                         {"--seed", "'abc'", "non-negative integer"});
    expect_clean_failure({"scene", "render", "meeting_room", "--seed", "-3", "--out", "x.png"},
                         {"'-3'", "non-negative integer"});
    expect_clean_failure({"scene", "render", "office:1x", "--out", "x.png"},
                         {"'office:1x'", "non-negative integer", "office:17"});
}

TEST_F(CliTest, RenderOfABareFamilyOrAnUnknownOneSaysHowToNameARoom) {
    expect_clean_failure(
        {"scene", "render", "meeting_room", "--out", "x.png"},
        {"'meeting_room' is a family of random rooms", "meeting_room:17", "--seed 17"});
    expect_clean_failure({"scene", "render", "kitchen:3", "--out", "x.png"},
                         {"kitchen:3", "radiofield scene list"});
    expect_clean_failure({"scene", "show", "room.json", "--seed", "3"},
                         {"--seed 3", "built-in scenes only", "room.json"});
    expect_clean_failure({"scene", "show", "lab:3", "--seed", "4"},
                         {"--seed 4", "'lab:3' already holds a seed"});
    expect_clean_failure({"simulate", "--scene", "lab:2@3", "--out", "a.h5"},
                         {"lab:2@3", "no '@' jitter"});
}

}  // namespace
}  // namespace radiofield::test
