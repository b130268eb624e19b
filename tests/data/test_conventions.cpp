// The spectrum convention and array of a dataset: through HDF5, through NeRF2 folders (import,
// export, refused conversions), and NeRF2's azimuth origin.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <functional>

#include "radiofield/core/error.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/nerf2.hpp"
#include "temp_dir.hpp"

namespace radiofield::data {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// Two spectra on the default grid, each with one bright cell (row, col); `az0` first azimuth.
Dataset bright_pixel_dataset(const std::string& convention, double az0, int row, int col) {
    Dataset d;
    d.frequency_hz = 915e6;
    d.spectrum_convention = convention;
    d.array = {3, 5, 0.2};
    d.grid.az0_deg = az0;
    if (convention == "nerf2")
        d.power_unit = "normalized", d.normalization = "minmax";
    d.positions = {{1, 2, 3}, {4, 5, 6}};
    d.spectra.assign(2 * d.grid.size(), 0.0f);
    for (std::size_t i = 0; i < 2; ++i)
        d.spectrum(i)[static_cast<std::size_t>(row * d.grid.n_az + col)] = 1.0f;
    d.split = make_split(2, {0.5, 0.0, 0.5}, 0);
    return d;
}

std::size_t brightest(std::span<const std::uint8_t> v) {
    return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

TEST(SpectrumConvention, ConventionAndArrayRoundTripThroughHdf5) {
    TempDir dir;
    for (const char* name : {"bartlett_power", "nerf2", "physical"}) {
        const Dataset d = bright_pixel_dataset(name, 0.0, 3, 4);
        write_dataset(d, dir / "a.h5", true);
        const Dataset back = read_dataset(dir / "a.h5");
        EXPECT_EQ(back.spectrum_convention, name);
        EXPECT_EQ(back.array.rows, 3);
        EXPECT_EQ(back.array.cols, 5);
        EXPECT_EQ(back.array.spacing_m, 0.2);
        EXPECT_EQ(back.grid, d.grid);
    }
}

TEST(SpectrumConvention, AFileWithoutTheAttributeReadsAsBartlettPower) {
    TempDir dir;
    write_dataset(bright_pixel_dataset("physical", 1.0, 0, 0), dir / "old.h5");
    hid_t f = H5Fopen((dir / "old.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(H5Adelete(f, "spectrum_convention"), 0);
    H5Fclose(f);
    EXPECT_EQ(read_dataset(dir / "old.h5").spectrum_convention, "bartlett_power");
}

TEST(SpectrumConvention, AnUnknownConventionIsRefusedNamingTheValidOnes) {
    Dataset d = bright_pixel_dataset("nerf2", 0.0, 0, 0);
    d.spectrum_convention = "bogus";
    const std::string e = error_of([&] { validate(d, "check"); });
    EXPECT_NE(e.find("bogus"), std::string::npos);
    EXPECT_NE(e.find("bartlett_power, nerf2, physical"), std::string::npos);
}

TEST(SpectrumConvention, Nerf2ExportAndImportKeepConventionAndArray) {
    TempDir dir;
    const Dataset d = bright_pixel_dataset("nerf2", 1.0, 10, 20);
    export_nerf2(d, dir / "out");
    const Dataset back = import_nerf2(dir / "out");
    EXPECT_EQ(back.spectrum_convention, "nerf2");
    EXPECT_EQ(back.array.rows, 3);
    EXPECT_EQ(back.array.cols, 5);
    EXPECT_EQ(back.array.spacing_m, 0.2);
    EXPECT_EQ(back.spectra, d.spectra);
    // Flags win over the folder's radiofield.json.
    Nerf2ImportOptions options;
    options.array = ArrayConfig{4, 4, 0.16};
    EXPECT_EQ(import_nerf2(dir / "out", options).array.cols, 4);
    // A folder of NeRF2's own (no radiofield.json): its convention and 4 x 4 at 0.16 m.
    fs::remove(dir / "out" / "radiofield.json");
    const Dataset plain = import_nerf2(dir / "out");
    EXPECT_EQ(plain.spectrum_convention, "nerf2");
    EXPECT_EQ(plain.array.rows, 4);
    EXPECT_EQ(plain.array.spacing_m, 0.16);
}

TEST(SpectrumConvention, ExportRefusesAnotherConventionAsIfItWereNerf2s) {
    TempDir dir;
    for (const char* name : {"bartlett_power", "physical"}) {
        const Dataset d = bright_pixel_dataset(name, 1.0, 0, 0);
        const std::string e = error_of([&] { export_nerf2(d, dir / "out"); });
        EXPECT_NE(e.find(fmt::format("'{}' convention", name)), std::string::npos) << e;
        EXPECT_NE(e.find("--spectrum nerf2"), std::string::npos) << e;
        EXPECT_NE(e.find("--convert"), std::string::npos) << e;
        EXPECT_FALSE(fs::exists(dir / "out"));
        // No conversion reaches nerf2, and physical does not fit a PNG.
        EXPECT_NE(error_of([&] {
                      export_nerf2(d, dir / "out", {false, "nerf2"});
                  }).find("no conversion"),
                  std::string::npos);
        EXPECT_NE(error_of([&] {
                      export_nerf2(d, dir / "out", {false, "physical"});
                  }).find("no conversion"),
                  std::string::npos);
        EXPECT_FALSE(fs::exists(dir / "out"));
    }
}

TEST(SpectrumConvention, PhysicalConvertsToBartlettPowerMinMaxAndIsRecorded) {
    TempDir dir;
    Dataset d = bright_pixel_dataset("physical", 1.0, 5, 6);
    for (float& v : d.spectra)
        v = v * 3e-9f + 1e-9f;
    export_nerf2(d, dir / "out", {false, "bartlett_power"});
    const GrayImage img = read_gray_png(dir / "out" / "spectrum" / "00001.png");
    EXPECT_EQ(img.pixels[5 * 360 + 6], 255);
    EXPECT_EQ(img.pixels[0], 0);
    EXPECT_EQ(import_nerf2(dir / "out").spectrum_convention, "bartlett_power");
}

// NeRF2's loader reads PNG column c as azimuth (c + 1)° (linspace(1, 360)); its generator
// computed column c at c°. Ours: column j ↔ az0 + j. Export puts our direction (c + 1)° in
// PNG column c, so the loader lands where we do.
TEST(SpectrumConvention, ExportedBrightPixelLandsOnTheColumnNerf2sLoaderMapsToItsDirection) {
    TempDir dir;
    const int row = 29;  // elevation 30°
    struct Case {
        double az0;
        int col;         // our column
        int png_column;  // NeRF2's loader: azimuth = png_column + 1
    };
    // az0 = 0 (the nerf2 convention): column 100 = 100° → PNG column 99; column 0 = 0° = 360°
    // → PNG column 359. az0 = 1 (NeRF2's loader's own origin): no shift.
    for (const Case& c : {Case{0.0, 100, 99}, Case{0.0, 0, 359}, Case{1.0, 99, 99}}) {
        const Dataset d = bright_pixel_dataset("nerf2", c.az0, row, c.col);
        const double direction = d.grid.azimuth_deg(c.col);
        export_nerf2(d, dir / "out", true);
        const GrayImage img = read_gray_png(dir / "out" / "spectrum" / "00001.png");
        const std::size_t at = brightest(img.pixels);
        EXPECT_EQ(at / 360, static_cast<std::size_t>(row));
        EXPECT_EQ(static_cast<int>(at % 360), c.png_column) << "az0 " << c.az0;
        EXPECT_EQ(std::fmod(c.png_column + 1.0, 360.0), std::fmod(direction, 360.0));
        // Imported back: the grid is the loader's (az0 = 1) and the direction is the same.
        const Dataset back = import_nerf2(dir / "out");
        const auto s = back.spectrum(0);
        const auto k = static_cast<std::size_t>(std::max_element(s.begin(), s.end()) - s.begin());
        EXPECT_EQ(std::fmod(back.grid.azimuth_deg(static_cast<int>(k % 360)), 360.0),
                  std::fmod(direction, 360.0));
    }
}

}  // namespace
}  // namespace radiofield::data
