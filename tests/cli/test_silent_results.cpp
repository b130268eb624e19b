// Nothing silent (issue "Nothing lost, nothing silent", 3): a run whose spectra are all zero
// says so and why that may be; a quaternion of zero length is refused at import, naming it;
// --diffuse on a scene where nothing scatters warns.
#include <cstdint>
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

// Integrity of what we read (issue 4): a spectrum PNG whose image data is damaged (its chunk
// CRC and its zlib stream's Adler-32 no longer match) was imported with a quarter of its
// pixels wrong; now the import is refused naming the file, and writes nothing.
TEST_F(CliTest, ImportOfADamagedSpectrumPngIsRefusedNamingTheFile) {
    ASSERT_EQ(
        run({"-q", "simulate", "--out", "data.h5", "--count", "10", "--samples", "2000"}).exit_code,
        0);
    ASSERT_EQ(run({"-q", "export", "nerf2", "data.h5", "rfid"}).exit_code, 0);
    std::string png = snapshot(work())["rfid/spectrum/00003.png"];
    ASSERT_GT(png.size(), 64u);
    // One bit flipped in the middle of the first IDAT chunk's data: [length][type][data][CRC].
    const std::size_t idat = png.find("IDAT");
    ASSERT_NE(idat, std::string::npos);
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(png[i]); };
    const std::size_t length = (std::size_t{byte(idat - 4)} << 24) |
                               (std::size_t{byte(idat - 3)} << 16) |
                               (std::size_t{byte(idat - 2)} << 8) | byte(idat - 1);
    png[idat + 4 + length / 2] = static_cast<char>(png[idat + 4 + length / 2] ^ 0x10);
    write("rfid/spectrum/00003.png", png);
    expect_clean_failure({"import", "nerf2", "rfid", "--out", "rfid.h5"},
                         {"00003.png", "is damaged", "re-export or re-download it"});
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
