#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/nerf2.hpp"
#include "temp_dir.hpp"

namespace radiofield::data {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_file;

constexpr int kN = 6;

// A folder like NeRF2's RFID release: header line, CRLF line endings, padded ids.
void make_nerf2_folder(const fs::path& dir, bool block_yaml = false, bool with_index = true) {
    fs::create_directories(dir / "spectrum");
    Rng rng(3);
    for (int i = 1; i <= kN; ++i) {
        GrayImage img{360, 90, std::vector<std::uint8_t>(360 * 90), 1};
        for (auto& p : img.pixels)
            p = static_cast<std::uint8_t>(rng.index(256));
        img.pixels[0] = 0, img.pixels[1] = 255;
        write_gray_png(img, dir / "spectrum" / fmt::format("{:05d}.png", i));
    }
    write_file(dir / "tx_pos.csv",
               "x,y,z\r\n"
               "0.1,-1.25,0.333333333333\r\n"
               " 2.5 , 3.75 ,0\r\n"
               "-0.000125,1e-3,1.5\r\n"
               "4,5,6\r\n"
               "-1.0,-2.0,-3.0\r\n"
               "0.7071067811865476,0.1,0.2\r\n"
               "\r\n\r\n");
    write_file(
        dir / "gateway_info.yml",
        block_yaml
            ? "# gateway pose\ngateway1:\n  position:\n  - 1.5\n  - -0.5\n  - 0.25\n"
              "  orientation:\n    - 0.0\n    - 0.0\n    - 0.7071067811865476\n    - "
              "0.7071067811865476\n"
            : "gateway1:\r\n  position: [1.5, -0.5, 0.25]\r\n"
              "  orientation: [0.0, 0.0, 0.7071067811865476, 0.7071067811865476]  # x,y,z,w\r\n");
    if (with_index) {
        write_file(dir / "train_index.txt", "00001\r\n00003\r\n00004\r\n00006\r\n");
        write_file(dir / "test_index.txt", "00002\r\n00005\r\n");
    }
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Nerf2, ImportReadsPositionsGatewayGridAndSplitExactly) {
    TempDir dir;
    make_nerf2_folder(dir / "rfid");
    const Dataset d = import_nerf2(dir / "rfid");
    ASSERT_EQ(d.size(), 6u);
    EXPECT_EQ(d.positions[0], (Vec3{0.1, -1.25, 0.333333333333}));
    EXPECT_EQ(d.positions[1], (Vec3{2.5, 3.75, 0}));
    EXPECT_EQ(d.positions[5].x, 0.7071067811865476);
    EXPECT_EQ(d.station_position, (Vec3{1.5, -0.5, 0.25}));
    EXPECT_EQ(d.station_orientation.z, 0.7071067811865476);
    EXPECT_EQ(d.station_orientation.w, 0.7071067811865476);
    EXPECT_EQ(d.grid, (SpectrumGrid{90, 360, 1, 1, 1}));
    EXPECT_EQ(d.power_unit, "normalized");
    EXPECT_EQ(d.split.train, (std::vector<std::int64_t>{0, 2, 3, 5}));
    EXPECT_EQ(d.split.test, (std::vector<std::int64_t>{1, 4}));
    EXPECT_EQ(d.spectrum(0)[0], 0.0f);
    EXPECT_EQ(d.spectrum(0)[1], 1.0f);
}

TEST(Nerf2, ImportThenExportReproducesEveryPixelPositionsGatewayAndSplit) {
    TempDir dir;
    make_nerf2_folder(dir / "rfid");
    const Dataset d = import_nerf2(dir / "rfid");
    // Through HDF5 too, as `radiofield import` + `radiofield export` do.
    write_dataset(d, dir / "rfid.h5");
    export_nerf2(read_dataset(dir / "rfid.h5"), dir / "out");
    for (int i = 1; i <= kN; ++i) {
        const auto name = fmt::format("{:05d}.png", i);
        const GrayImage a = read_gray_png(dir / "rfid" / "spectrum" / name);
        const GrayImage b = read_gray_png(dir / "out" / "spectrum" / name);
        EXPECT_EQ(b.width, 360);
        EXPECT_EQ(b.source_channels, 1);
        EXPECT_EQ(a.pixels, b.pixels) << name;
    }
    const Dataset again = import_nerf2(dir / "out");
    EXPECT_EQ(again.positions, d.positions);
    EXPECT_EQ(again.station_position, d.station_position);
    EXPECT_EQ(again.station_orientation.x, d.station_orientation.x);
    EXPECT_EQ(again.station_orientation.w, d.station_orientation.w);
    EXPECT_EQ(again.split, d.split);
    EXPECT_EQ(again.spectra, d.spectra);
    EXPECT_EQ(test::read_file(dir / "out" / "test_index.txt"), "00002\n00005\n");
    EXPECT_EQ(test::read_file(dir / "out" / "tx_pos.csv").substr(0, 6), "x,y,z\n");
}

TEST(Nerf2, BlockAndFlowYamlGiveTheSameGateway) {
    TempDir dir;
    make_nerf2_folder(dir / "flow", false);
    make_nerf2_folder(dir / "block", true);
    const Dataset a = import_nerf2(dir / "flow"), b = import_nerf2(dir / "block");
    EXPECT_EQ(a.station_position, b.station_position);
    EXPECT_EQ(a.station_orientation.z, b.station_orientation.z);
    EXPECT_EQ(a.station_orientation.w, b.station_orientation.w);
    const GatewayInfo g = parse_gateway_yaml(
        "gateway1:\n  position:\n  - -1\n  - 2\n  - 3e-1\n  orientation: [0, 0, 0, 1]\n", "g.yml");
    EXPECT_EQ(g.position, (Vec3{-1, 2, 0.3}));
    EXPECT_EQ(g.orientation.w, 1.0);
}

TEST(Nerf2, YamlWithoutGatewayOrWithShortListNamesTheKey) {
    const std::string missing =
        error_of([] { parse_gateway_yaml("gateway2:\n  position: [1, 2, 3]\n", "g.yml"); });
    EXPECT_NE(missing.find("gateway1.position"), std::string::npos) << missing;
    EXPECT_NE(missing.find("gateway2.position"), std::string::npos) << missing;
    const std::string shortlist = error_of([] {
        parse_gateway_yaml("gateway1:\n  position: [1, 2]\n  orientation: [0,0,0,1]\n", "g.yml");
    });
    EXPECT_NE(shortlist.find("expected 3"), std::string::npos) << shortlist;
}

TEST(Nerf2, CsvToleratesCrlfSpacesBlankLinesAndRejectsBadNumbers) {
    const auto p = parse_tx_pos_csv("x,y,z\r\n1, 2 ,3\r\n\r\n4,5,6\n\n", "t.csv");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[1], (Vec3{4, 5, 6}));
    const std::string msg = error_of([] { parse_tx_pos_csv("x,y,z\n1,2,abc\n", "t.csv"); });
    EXPECT_NE(msg.find("t.csv line 2"), std::string::npos) << msg;
    EXPECT_THROW(parse_tx_pos_csv("x,y,z\n1,2\n", "t.csv"), Error);
}

TEST(Nerf2, MissingIndexFilesGiveASeededEightyTwentySplit) {
    TempDir dir;
    make_nerf2_folder(dir / "rfid", false, false);
    const Dataset a = import_nerf2(dir / "rfid");
    EXPECT_EQ(a.split.train.size(), 4u);  // floor(0.8 * 6), as NeRF2's split_dataset
    EXPECT_EQ(a.split.test.size(), 2u);
    EXPECT_EQ(a.split, import_nerf2(dir / "rfid").split);
    EXPECT_NE(a.attrs.at("split").get<std::string>().find("seed"), std::string::npos);
}

TEST(Nerf2, BadFoldersFailBeforeAnyOutputNamingTheFile) {
    TempDir dir;
    EXPECT_NE(error_of([&] { import_nerf2(dir / "nope"); }).find("does not exist"),
              std::string::npos);

    make_nerf2_folder(dir / "a");
    fs::remove(dir / "a" / "tx_pos.csv");
    EXPECT_NE(error_of([&] { import_nerf2(dir / "a"); }).find("tx_pos.csv"), std::string::npos);

    make_nerf2_folder(dir / "b");
    write_gray_png({180, 90, std::vector<std::uint8_t>(180 * 90, 7), 1},
                   dir / "b" / "spectrum" / "00004.png");
    const std::string size = error_of([&] { import_nerf2(dir / "b"); });
    EXPECT_NE(size.find("00004.png"), std::string::npos) << size;
    EXPECT_NE(size.find("180 x 90"), std::string::npos) << size;

    make_nerf2_folder(dir / "c");
    fs::remove(dir / "c" / "spectrum" / "00006.png");
    const std::string count = error_of([&] { import_nerf2(dir / "c"); });
    EXPECT_NE(count.find("5 PNG files but tx_pos.csv has 6 rows"), std::string::npos) << count;

    make_nerf2_folder(dir / "d");
    write_file(dir / "d" / "test_index.txt", "00002\n00009\n");
    EXPECT_NE(error_of([&] { import_nerf2(dir / "d"); }).find("00009"), std::string::npos);
}

TEST(Nerf2, ExportRefusesAnExistingFolderUnlessOverwriteAndLeavesNoTemporaryFolder) {
    TempDir dir;
    make_nerf2_folder(dir / "rfid");
    const Dataset d = import_nerf2(dir / "rfid");
    fs::create_directories(dir / "out");
    write_file(dir / "out" / "keep.txt", "x");
    EXPECT_NE(error_of([&] { export_nerf2(d, dir / "out"); }).find("--overwrite"),
              std::string::npos);
    EXPECT_TRUE(fs::exists(dir / "out" / "keep.txt"));
    export_nerf2(d, dir / "out", true);
    EXPECT_FALSE(fs::exists(dir / "out" / "keep.txt"));
    EXPECT_EQ(import_nerf2(dir / "out").positions, d.positions);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 2);  // rfid and out, no *.tmp-* left behind
}

TEST(Nerf2, LinearPowerSpectraAreMinMaxNormalisedPerSampleOnExport) {
    TempDir dir;
    Dataset d;
    d.frequency_hz = 920e6;
    d.positions = {{0, 0, 0}, {1, 0, 0}};
    d.spectra.resize(2 * d.grid.size());
    for (std::size_t k = 0; k < d.grid.size(); ++k) {
        d.spectra[k] =
            2e-9f + 8e-9f * static_cast<float>(k) / static_cast<float>(d.grid.size() - 1);
        d.spectra[d.grid.size() + k] = 5.0f;  // flat: all zeros
    }
    // Linear power in bartlett_power's convention: written as is when asked for by name.
    export_nerf2(d, dir / "out", {false, "bartlett_power"});
    const GrayImage a = read_gray_png(dir / "out" / "spectrum" / "00001.png");
    EXPECT_EQ(a.pixels.front(), 0);
    EXPECT_EQ(a.pixels.back(), 255);
    const GrayImage b = read_gray_png(dir / "out" / "spectrum" / "00002.png");
    EXPECT_EQ(*std::max_element(b.pixels.begin(), b.pixels.end()), 0);
}

TEST(Nerf2, ExportRefusesAGridNerf2CannotRead) {
    TempDir dir;
    Dataset d;
    d.frequency_hz = 920e6;
    d.spectrum_convention = "nerf2";
    d.grid = {45, 180, 1, 1, 2};
    d.positions = {{0, 0, 0}};
    d.spectra.assign(d.grid.size(), 0.5f);
    EXPECT_NE(error_of([&] { export_nerf2(d, dir / "out"); }).find("90 x 360"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace radiofield::data
