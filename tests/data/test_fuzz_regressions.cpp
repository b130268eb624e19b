// Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to crash or misbehave in the data
// readers, kept as tests once fixed: each must now be a clear radiofield::Error.

#include <gtest/gtest.h>

#include <functional>

#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/nerf2.hpp"
#include "temp_dir.hpp"

namespace radiofield::data {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_file;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a radiofield::Error: ") + e.what();
    }
    return "(no error)";
}

// One row, one spectrum named `png_name`.
fs::path one_spectrum_folder(const TempDir& dir, const std::string& png_name) {
    const fs::path rfid = dir / "rfid";
    fs::create_directories(rfid / "spectrum");
    write_file(rfid / "tx_pos.csv", "x,y,z\n0,0,1\n");
    write_file(rfid / "gateway_info.yml",
               "gateway1:\n  position: [0, 0, 0]\n  orientation: [0, 0, 0, 1]\n");
    write_gray_png(GrayImage{360, 90, std::vector<std::uint8_t>(360 * 90, 9), 1},
                   rfid / "spectrum" / png_name);
    return rfid;
}

// nerf2_folder: a spectrum file named with 20 digits threw std::out_of_range from stoll.
TEST(FuzzRegressions, Nerf2SpectrumNumberTooLargeForAnIntegerIsAnErrorNamingTheFile) {
    TempDir dir;
    const fs::path rfid = one_spectrum_folder(dir, "99999999999999999999.png");
    const std::string msg = error_of([&] { import_nerf2(rfid); });
    EXPECT_NE(msg.find("99999999999999999999.png"), std::string::npos) << msg;
    EXPECT_NE(msg.find("too large"), std::string::npos) << msg;
    fs::rename(rfid / "spectrum" / "99999999999999999999.png", rfid / "spectrum" / "00001.png");
    EXPECT_EQ(import_nerf2(rfid).size(), 1u);
}

}  // namespace
}  // namespace radiofield::data
