// Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to crash or misbehave in the data
// readers, kept as tests once fixed: each must now be a clear radiofield::Error.

#include <gtest/gtest.h>
#include <hdf5.h>

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

// dataset_h5: a file whose string attributes are variable-length ASCII (as C tools and
// h5py's string_dtype('ascii') write them) was refused ("cannot read attribute 'format'"):
// HDF5 1.10 converts such a string to our UTF-8 only once a UTF-8 one has been read in the
// same process, so the first read failed. Strings are now read in their own character set.
TEST(FuzzRegressions, AsciiVariableLengthStringAttributesAreRead) {
    TempDir dir;
    Dataset d;
    d.kind = DatasetKind::Spectrum;
    d.frequency_hz = 915e6;
    d.grid = {2, 3, 1.0, 1.0, 1.0};
    d.positions = {{0, 0, 1}};
    d.spectra.assign(6, 0.5f);
    d.power_unit = "normalized";
    write_dataset(d, dir / "a.h5");
    hid_t f = H5Fopen((dir / "a.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_ASCII);
    hid_t space = H5Screate(H5S_SCALAR);
    for (const auto& [name, value] : {std::pair{"format", "radiofield"}, {"kind", "spectrum"}}) {
        H5Adelete(f, name);
        hid_t attr = H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attr, type, &value);
        H5Aclose(attr);
    }
    H5Sclose(space), H5Tclose(type), H5Fclose(f);
    H5close();  // a fresh library, as in a new process: no conversion paths cached
    EXPECT_EQ(error_of([&] { read_dataset(dir / "a.h5"); }), "(no error)");
    EXPECT_EQ(read_dataset(dir / "a.h5").spectra, d.spectra);
}

// nerf2_folder: radiofield.json with "rows": 4.2e35 went through nlohmann's get<int>(), an
// out-of-range float-to-int conversion (undefined behaviour).
TEST(FuzzRegressions, Nerf2ArraySizeThatIsNoWholeIntIsAnErrorNamingTheFile) {
    TempDir dir;
    const fs::path rfid = one_spectrum_folder(dir, "00001.png");
    for (const char* rows : {"4.2e35", "2.5", "-1e300"}) {
        write_file(rfid / "radiofield.json", std::string(R"({"array": {"rows": )") + rows +
                                                 R"(, "cols": 4, "spacing_m": 0.16}})");
        const std::string msg = error_of([&] { import_nerf2(rfid); });
        EXPECT_NE(msg.find("radiofield.json"), std::string::npos) << msg;
        EXPECT_NE(msg.find("array.rows must be a whole number"), std::string::npos) << msg;
    }
    write_file(rfid / "radiofield.json",
               R"({"array": {"rows": 4.0, "cols": 2, "spacing_m": 0.1}})");
    EXPECT_EQ(import_nerf2(rfid).array.rows, 4);
}

}  // namespace
}  // namespace radiofield::data
