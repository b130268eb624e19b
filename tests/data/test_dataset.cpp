#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/data/dataset.hpp"
#include "temp_dir.hpp"

namespace radiofield::data {
namespace {

using test::TempDir;

rt::Path make_path(Rng& rng, int depth) {
    rt::Path p;
    for (auto& a : p.a)
        a = {rng.normal() * 1e-4, rng.normal() * 1e-4};
    p.tau = rng.uniform(1e-9, 1e-7);
    p.length = p.tau * 299792458.0;
    p.theta_t = rng.uniform(0, 3.1), p.phi_t = rng.uniform(-3.1, 3.1);
    p.theta_r = rng.uniform(0, 3.1), p.phi_r = rng.uniform(-3.1, 3.1);
    for (int j = 0; j < depth; ++j) {
        rt::Interaction it;
        it.type = static_cast<rt::InteractionType>(1 + j % 3);
        it.point = {rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(0, 3)};
        it.object = static_cast<std::uint32_t>(rng.index(50));
        it.primitive = static_cast<std::uint32_t>(rng.index(100000));
        it.material = static_cast<std::uint32_t>(rng.index(8));
        it.incidence_angle = rng.uniform(0, 1.5);
        it.c_te = {rng.normal(), rng.normal()};
        it.c_tm = {rng.normal(), rng.normal()};
        p.interactions.push_back(it);
    }
    return p;
}

// Five samples on a 3 x 4 grid; ragged paths: none, LoS only, depths 1+3, 2, 0+1.
Dataset make_dataset(DatasetKind kind = DatasetKind::Both) {
    Rng rng(42);
    Dataset d;
    d.kind = kind;
    d.frequency_hz = 2.412e9;
    d.scene_json = R"({"name": "meeting_room_v1", "materials": []})";
    d.moving = "tx";
    d.station_position = {1.5, -0.25, 2.75};
    d.station_orientation = {0.1, 0.2, 0.3, 0.927};
    d.array = {4, 4, 0.0625};
    d.grid = {3, 4, 1.0, 1.0, 30.0};
    d.power_unit = "linear";
    d.attrs = {{"seed", 7}, {"command", "radiofield simulate --count 5"}};
    const int depths[5][2] = {{-1, -1}, {0, -1}, {1, 3}, {2, -1}, {0, 1}};
    for (int i = 0; i < 5; ++i) {
        d.positions.push_back({rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(0, 2)});
        if (has_spectra(kind)) {
            for (std::size_t k = 0; k < d.grid.size(); ++k)
                d.spectra.push_back(static_cast<float>(rng.uniform() * 1e-6));
        }
        if (has_paths(kind)) {
            rt::Paths paths;
            paths.frequency_hz = d.frequency_hz;
            paths.tx_position = d.positions.back();
            paths.rx_position = d.station_position;
            paths.num_tx_ports = 1 + i % 2;
            paths.num_rx_ports = 2;
            for (int depth : depths[i]) {
                if (depth >= 0)
                    paths.paths.push_back(make_path(rng, depth));
            }
            d.paths.push_back(paths);
        }
    }
    d.split = {{0, 2, 4}, {1}, {3}};
    return d;
}

void expect_paths_equal(const rt::Paths& a, const rt::Paths& b) {
    EXPECT_EQ(a.frequency_hz, b.frequency_hz);
    EXPECT_EQ(a.tx_position, b.tx_position);
    EXPECT_EQ(a.rx_position, b.rx_position);
    EXPECT_EQ(a.num_tx_ports, b.num_tx_ports);
    EXPECT_EQ(a.num_rx_ports, b.num_rx_ports);
    ASSERT_EQ(a.paths.size(), b.paths.size());
    for (std::size_t k = 0; k < a.paths.size(); ++k) {
        const auto &p = a.paths[k], &q = b.paths[k];
        EXPECT_EQ(p.a, q.a);
        EXPECT_EQ(p.tau, q.tau);
        EXPECT_EQ(p.length, q.length);
        EXPECT_EQ(p.theta_t, q.theta_t);
        EXPECT_EQ(p.phi_t, q.phi_t);
        EXPECT_EQ(p.theta_r, q.theta_r);
        EXPECT_EQ(p.phi_r, q.phi_r);
        ASSERT_EQ(p.depth(), q.depth());
        for (int j = 0; j < p.depth(); ++j) {
            const auto &x = p.interactions[j], &y = q.interactions[j];
            EXPECT_EQ(x.type, y.type);
            EXPECT_EQ(x.point, y.point);
            EXPECT_EQ(x.object, y.object);
            EXPECT_EQ(x.primitive, y.primitive);
            EXPECT_EQ(x.material, y.material);
            EXPECT_EQ(x.incidence_angle, y.incidence_angle);
            EXPECT_EQ(x.c_te, y.c_te);
            EXPECT_EQ(x.c_tm, y.c_tm);
        }
    }
}

void expect_datasets_equal(const Dataset& a, const Dataset& b) {
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.frequency_hz, b.frequency_hz);
    EXPECT_EQ(a.scene_json, b.scene_json);
    EXPECT_EQ(a.moving, b.moving);
    EXPECT_EQ(a.station_position, b.station_position);
    EXPECT_EQ(a.station_orientation.x, b.station_orientation.x);
    EXPECT_EQ(a.station_orientation.w, b.station_orientation.w);
    EXPECT_EQ(a.array.rows, b.array.rows);
    EXPECT_EQ(a.array.spacing_m, b.array.spacing_m);
    EXPECT_EQ(a.grid, b.grid);
    EXPECT_EQ(a.power_unit, b.power_unit);
    EXPECT_EQ(a.normalization, b.normalization);
    EXPECT_EQ(a.positions, b.positions);
    EXPECT_EQ(a.spectra, b.spectra);
    EXPECT_EQ(a.split, b.split);
    EXPECT_EQ(a.attrs, b.attrs);
    ASSERT_EQ(a.paths.size(), b.paths.size());
    for (std::size_t i = 0; i < a.paths.size(); ++i)
        expect_paths_equal(a.paths[i], b.paths[i]);
}

// Overwrites one float of /spectra in place, as a foreign tool might.
void poke_spectra(const std::filesystem::path& file, hsize_t sample, float value) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "spectra", H5P_DEFAULT);
    hid_t space = H5Dget_space(ds);
    const hsize_t start[3] = {sample, 1, 2}, count[3] = {1, 1, 1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    hid_t mem = H5Screate_simple(3, count, nullptr);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, &value);
    H5Sclose(mem), H5Sclose(space), H5Dclose(ds), H5Fclose(f);
}

void set_root_int_attr(const std::filesystem::path& file, const char* name, std::int64_t value) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_INT64, &value);
    H5Aclose(attr), H5Fclose(f);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Dataset, HdfRoundTripKeepsSpectraPositionsRaggedPathsSplitAndAttrsExactly) {
    TempDir dir;
    const Dataset d = make_dataset();
    write_dataset(d, dir / "a.h5");
    expect_datasets_equal(d, read_dataset(dir / "a.h5"));
}

TEST(Dataset, LazyReaderReturnsTheSameSamplesAsTheFullRead) {
    TempDir dir;
    const Dataset d = make_dataset();
    write_dataset(d, dir / "a.h5");
    const DatasetReader reader(dir / "a.h5");
    EXPECT_EQ(reader.size(), 5u);
    EXPECT_EQ(reader.positions(), d.positions);
    EXPECT_EQ(reader.split(), d.split);
    EXPECT_TRUE(reader.header().spectra.empty());
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto s = reader.read_spectrum(i);
        EXPECT_TRUE(std::equal(s.begin(), s.end(), d.spectrum(i).begin())) << "sample " << i;
        expect_paths_equal(reader.read_paths(i), d.paths[i]);
    }
    EXPECT_THROW(reader.read_spectrum(5), Error);
}

TEST(Dataset, SpectrumOnlyAndLosOnlyCirDatasetsRoundTrip) {
    TempDir dir;
    const Dataset spectra = make_dataset(DatasetKind::Spectrum);
    write_dataset(spectra, dir / "s.h5");
    expect_datasets_equal(spectra, read_dataset(dir / "s.h5"));

    Dataset los = make_dataset(DatasetKind::Cir);
    for (auto& p : los.paths) {
        for (auto& path : p.paths)
            path.interactions.clear();  // max_depth 0: (K, 0) arrays
    }
    write_dataset(los, dir / "c.h5");
    const Dataset back = read_dataset(dir / "c.h5");
    expect_datasets_equal(los, back);
    EXPECT_FALSE(DatasetReader(dir / "c.h5").has_spectra());
}

TEST(Dataset, MegabyteSceneJsonSurvivesAsAttribute) {
    TempDir dir;
    Dataset d = make_dataset(DatasetKind::Spectrum);
    d.scene_json = std::string(1 << 20, 'x');
    write_dataset(d, dir / "a.h5");
    EXPECT_EQ(read_dataset(dir / "a.h5").scene_json, d.scene_json);
}

TEST(Dataset, NanPositionIsRefusedOnWriteAndNothingIsWritten) {
    TempDir dir;
    Dataset d = make_dataset();
    d.positions[3].y = std::numeric_limits<double>::quiet_NaN();
    const std::string msg = error_of([&] { write_dataset(d, dir / "a.h5"); });
    EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/positions"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sample 3"), std::string::npos) << msg;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Dataset, NanInStoredSpectrumIsRefusedOnReadNamingFileAndDataset) {
    TempDir dir;
    write_dataset(make_dataset(), dir / "a.h5");
    poke_spectra(dir / "a.h5", 2, std::numeric_limits<float>::quiet_NaN());
    const std::string msg = error_of([&] { read_dataset(dir / "a.h5"); });
    EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/spectra"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sample 2"), std::string::npos) << msg;
    const DatasetReader reader(dir / "a.h5");  // lazy: only sample 2 is bad
    EXPECT_NO_THROW(reader.read_spectrum(1));
    EXPECT_THROW(reader.read_spectrum(2), Error);
}

TEST(Dataset, CorruptedOrForeignFilesAreRefusedWithTheReason) {
    TempDir dir;
    test::write_file(dir / "text.h5", "not hdf5 at all");
    EXPECT_NE(error_of([&] { read_dataset(dir / "text.h5"); }).find("not an HDF5 file"),
              std::string::npos);
    EXPECT_NE(error_of([&] { read_dataset(dir / "missing.h5"); }).find("does not exist"),
              std::string::npos);

    write_dataset(make_dataset(), dir / "a.h5");
    set_root_int_attr(dir / "a.h5", "version", kFormatVersion + 1);
    EXPECT_NE(error_of([&] { read_dataset(dir / "a.h5"); }).find("version"), std::string::npos);

    write_dataset(make_dataset(), dir / "b.h5");
    set_root_int_attr(dir / "b.h5", "num_samples", 6);
    const std::string msg = error_of([&] { read_dataset(dir / "b.h5"); });
    EXPECT_NE(msg.find("/positions"), std::string::npos) << msg;

    hid_t f = H5Fcreate((dir / "plain.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    EXPECT_NE(error_of([&] { read_dataset(dir / "plain.h5"); }).find("not a radiofield dataset"),
              std::string::npos);
}

// Flips one byte in the middle of the first stored chunk of dataset `name`, as a bad disk
// or an interrupted copy might; the file stays a readable HDF5 file otherwise.
void damage_first_chunk(const std::filesystem::path& file, const char* name) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    unsigned flags = 0;
    std::size_t n = 0;
    EXPECT_GE(
        H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, &flags, &n, nullptr, 0, nullptr, nullptr),
        0)
        << name << " is written without a Fletcher-32 checksum";
    haddr_t addr = 0;
    hsize_t size = 0;
    hid_t space = H5Dget_space(ds);
    ASSERT_GE(H5Dget_chunk_info(ds, space, 0, nullptr, nullptr, &addr, &size), 0);
    H5Sclose(space), H5Pclose(dcpl), H5Dclose(ds), H5Fclose(f);
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(addr + size / 2));
    char byte = 0;
    io.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x20);
    io.seekp(static_cast<std::streamoff>(addr + size / 2));
    io.write(&byte, 1);
}

TEST(Dataset, FlippedByteInAChunkFailsItsChecksumWithAnErrorNamingTheFile) {
    TempDir dir;
    for (const char* name : {"spectra", "paths/a_re", "paths/vertices"}) {
        write_dataset(make_dataset(), dir / "a.h5", true);
        damage_first_chunk(dir / "a.h5", name);
        const std::string msg = error_of([&] { read_dataset(dir / "a.h5"); });
        EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find(std::string("/") + name), std::string::npos) << msg;
        EXPECT_NE(msg.find("damaged"), std::string::npos) << msg;
    }
}

TEST(Dataset, ExistingFileIsKeptUnlessOverwriteIsGiven) {
    TempDir dir;
    test::write_file(dir / "a.h5", "precious");
    const std::string msg = error_of([&] { write_dataset(make_dataset(), dir / "a.h5"); });
    EXPECT_NE(msg.find("--overwrite"), std::string::npos) << msg;
    EXPECT_EQ(test::read_file(dir / "a.h5"), "precious");
    write_dataset(make_dataset(), dir / "a.h5", true);
    EXPECT_EQ(read_dataset(dir / "a.h5").size(), 5u);
}

TEST(Dataset, SplitWithRepeatedOrOutOfRangeIndexIsRefused) {
    Dataset d = make_dataset();
    d.split.test.push_back(0);  // also in train
    EXPECT_THROW(validate(d, "t"), Error);
    d.split.test = {5};
    EXPECT_THROW(validate(d, "t"), Error);
}

TEST(Split, MakeSplitIsDeterministicDisjointCompleteAndSizedByFractions) {
    const Split a = make_split(1000, {0.8, 0.1, 0.1}, 7);
    EXPECT_EQ(a, make_split(1000, {0.8, 0.1, 0.1}, 7));
    EXPECT_NE(a, make_split(1000, {0.8, 0.1, 0.1}, 8));
    EXPECT_EQ(a.train.size(), 800u);
    EXPECT_EQ(a.val.size(), 100u);
    EXPECT_EQ(a.test.size(), 100u);
    std::vector<int> seen(1000, 0);
    for (const auto* part : {&a.train, &a.val, &a.test}) {
        EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
        for (auto i : *part)
            ++seen[static_cast<std::size_t>(i)];
    }
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
    // Pinned: a change here silently reshuffles every stored experiment's split.
    const Split small = make_split(10, {0.5, 0.0, 0.5}, 0);
    EXPECT_EQ(small.train, (std::vector<std::int64_t>{0, 2, 3, 7, 8}));
    EXPECT_EQ(small.test, (std::vector<std::int64_t>{1, 4, 5, 6, 9}));
}

TEST(Split, FractionsThatDoNotSumToOneAreRefused) {
    EXPECT_THROW(make_split(10, {0.8, 0.1, 0.2}, 0), Error);
    EXPECT_THROW(make_split(10, {1.2, -0.1, -0.1}, 0), Error);
}

}  // namespace
}  // namespace radiofield::data
