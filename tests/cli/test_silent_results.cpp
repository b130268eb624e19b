// Nothing silent (issue "Nothing lost, nothing silent", 3): a run whose spectra are all zero
// says so and why that may be; a quaternion of zero length is refused at import, naming it;
// --diffuse on a scene where nothing scatters warns.
#include <fstream>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

const std::vector<std::string> kQuick = {"--samples", "2000", "--grid", "9x36"};

std::vector<std::string> operator+(std::vector<std::string> args,
                                   const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

TEST_F(CliTest, AllZeroSpectraAreAnnouncedWithTheLikelyCauses) {
    // At 1e30 Hz every path's amplitude underflows: the issue's own example.
    const auto r =
        expect_success(std::vector<std::string>{"simulate", "--frequency", "1e30", "--extrapolate",
                                                "--count", "5", "--out", "zero.h5"} +
                           kQuick,
                       {"zero.h5"});
    expect_mentions(r, {"ALL 5 spectra are zero", "inside a solid", "frequency", "--extrapolate",
                        "--max-depth"});
}

TEST_F(CliTest, AnOrdinaryRunSaysNothingAboutZeroSpectra) {
    const auto r = expect_success(
        std::vector<std::string>{"simulate", "--count", "5", "--out", "data.h5"} + kQuick,
        {"data.h5"});
    EXPECT_EQ(r.output().find("are zero"), std::string::npos) << r.output();
}

TEST_F(CliTest, AllZeroChannelResponsesAreAnnouncedToo) {
    // No line of sight and no interactions: no path at all.
    const auto r = expect_success(
        std::vector<std::string>{"simulate", "--kind", "cir", "--no-los", "--max-depth", "0",
                                 "--count", "5", "--out", "zero.h5"} +
            kQuick,
        {"zero.h5"});
    expect_mentions(r, {"ALL 5 channel responses", "are zero"});
}

TEST_F(CliTest, ImportOfAGatewayWithAZeroQuaternionIsRefusedNamingIt) {
    ASSERT_EQ(
        run({"-q", "simulate", "--out", "data.h5", "--count", "10", "--samples", "2000"}).exit_code,
        0);
    ASSERT_EQ(run({"-q", "export", "nerf2", "data.h5", "rfid"}).exit_code, 0);
    write("rfid/gateway_info.yml",
          "gateway1:\n  position: [1, 2, 1.5]\n  orientation: [0, 0, 0, 0]\n");
    expect_clean_failure({"import", "nerf2", "rfid", "--out", "rfid.h5"},
                         {"gateway_info.yml", "gateway1.orientation [0, 0, 0, 0]", "length 0",
                          "unit quaternion", "[0, 0, 0, 1]"});
}

TEST_F(CliTest, DiffuseOnASceneWhereNothingScattersWarns) {
    const auto r = expect_success(
        std::vector<std::string>{"simulate", "--diffuse", "--count", "5", "--out", "d.h5"} + kQuick,
        {"d.h5"});
    expect_mentions(r, {"--diffuse", "no material of scene 'meeting_room_v1' scatters",
                        "scattering_coefficient > 0", "leave out --diffuse"});
}

}  // namespace
}  // namespace radiofield::test
