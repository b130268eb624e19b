// NeRF2 RFID folders: import into a Dataset, export from one (DESIGN.md §4.4).
#include "radiofield/data/nerf2.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/data/image.hpp"

namespace radiofield::data {
namespace fs = std::filesystem;
namespace {

constexpr int kWidth = 360;  // azimuth 1..360°
constexpr int kHeight = 90;  // elevation 1..90°

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail("cannot read '{}' (check its permissions)", path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out)
        fail("cannot write '{}' (is the disk full?)", path.string());
}

fs::path require_file(const fs::path& dir, const char* name, const char* what) {
    const fs::path p = dir / name;
    if (!fs::exists(p))
        fail("'{}' is missing: a NeRF2 RFID folder holds {}", p.string(), what);
    return p;
}

// 1-based file ids → 0-based sample indices, checked against n.
std::vector<std::int64_t> to_samples(const std::vector<std::int64_t>& ids,
                                     std::size_t n,
                                     const fs::path& file) {
    std::vector<std::int64_t> out;
    for (const auto id : ids) {
        if (static_cast<std::size_t>(id) > n) {
            fail("'{}' names spectrum {:05d} but the folder has {} spectra; fix the index file",
                 file.string(), id, n);
        }
        out.push_back(id - 1);
    }
    std::sort(out.begin(), out.end());
    if (const auto dup = std::adjacent_find(out.begin(), out.end()); dup != out.end()) {
        fail("'{}' lists spectrum {:05d} twice", file.string(), *dup + 1);
    }
    return out;
}

std::vector<std::int64_t> complement(std::size_t n, const std::vector<std::int64_t>& taken) {
    std::vector<char> used(n, 0);
    for (auto i : taken)
        used[static_cast<std::size_t>(i)] = 1;
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < n; ++i) {
        if (!used[i])
            out.push_back(static_cast<std::int64_t>(i));
    }
    return out;
}

Split read_split(const fs::path& dir,
                 std::size_t n,
                 const Nerf2ImportOptions& options,
                 nlohmann::json& attrs) {
    const fs::path train = dir / "train_index.txt", test = dir / "test_index.txt";
    const bool has_train = fs::exists(train), has_test = fs::exists(test);
    Split split;
    if (!has_train && !has_test) {
        split = make_split(n, {0.8, 0.0, 0.2}, options.split_seed);
        attrs["split"] = fmt::format(
            "seeded random 80/20 (seed {}): the folder has no train_index.txt/test_index.txt",
            options.split_seed);
        log::info(
            "{} has no train_index.txt/test_index.txt; split 80/20 at random with seed {} (as "
            "NeRF2 "
            "does, but reproducibly)",
            dir.string(), options.split_seed);
        return split;
    }
    if (has_train)
        split.train = to_samples(parse_index_file(read_text(train), train.string()), n, train);
    if (has_test)
        split.test = to_samples(parse_index_file(read_text(test), test.string()), n, test);
    if (!has_train)
        split.train = complement(n, split.test);
    if (!has_test)
        split.test = complement(n, split.train);
    attrs["split"] = has_train && has_test ? "train_index.txt / test_index.txt"
                                           : "one index file; the other part is its complement";
    std::vector<std::int64_t> both;
    std::set_intersection(split.train.begin(), split.train.end(), split.test.begin(),
                          split.test.end(), std::back_inserter(both));
    if (!both.empty()) {
        fail(
            "spectrum {:05d} is listed in both train_index.txt and test_index.txt in '{}'; a "
            "sample "
            "belongs to one part",
            both.front() + 1, dir.string());
    }
    return split;
}

// Spectra of the folder, checked: one PNG per tx_pos.csv row, each 360 x 90 pixels.
std::vector<float> read_spectra(const fs::path& dir, std::size_t n) {
    const fs::path spectrum_dir = dir / "spectrum";
    if (!fs::is_directory(spectrum_dir)) {
        fail("'{}' is missing: a NeRF2 RFID folder holds spectrum/00001.png, ...",
             spectrum_dir.string());
    }
    std::map<std::int64_t, fs::path> files;
    for (const auto& entry : fs::directory_iterator(spectrum_dir)) {
        if (entry.path().extension() != ".png")
            continue;
        const auto stem = entry.path().stem().string();
        if (stem.empty() ||
            !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            fail("'{}': spectrum files must be named by number (00001.png, ...)",
                 entry.path().string());
        }
        files[std::stoll(stem)] = entry.path();
    }
    if (files.size() != n) {
        fail(
            "'{}' holds {} PNG files but tx_pos.csv has {} rows; row i needs spectrum/%05d.png of "
            "i + 1",
            spectrum_dir.string(), files.size(), n);
    }
    std::vector<float> spectra(n * kWidth * kHeight);
    bool warned = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto it = files.find(static_cast<std::int64_t>(i + 1));
        if (it == files.end()) {
            fail(
                "'{}' is missing (tx_pos.csv has {} rows, so spectrum/00001.png .. {:05d}.png are "
                "needed)",
                (spectrum_dir / fmt::format("{:05d}.png", i + 1)).string(), n, n);
        }
        const GrayImage img = read_gray_png(it->second);
        if (img.width != kWidth || img.height != kHeight) {
            fail(
                "'{}' is {} x {} pixels; NeRF2 spectra are {} wide (azimuth) x {} high (elevation)",
                it->second.string(), img.width, img.height, kWidth, kHeight);
        }
        if (img.source_channels != 1 && !warned) {
            log::warn("'{}' has {} channels, not 1 (grayscale); converted to gray",
                      it->second.string(), img.source_channels);
            warned = true;
        }
        for (std::size_t k = 0; k < img.pixels.size(); ++k) {
            spectra[i * img.pixels.size() + k] = static_cast<float>(img.pixels[k]) / 255.0f;
        }
    }
    return spectra;
}

// One spectrum as NeRF2 bytes.
std::vector<std::uint8_t> to_bytes(std::span<const float> v, bool minmax) {
    float lo = 0, scale = 1;
    if (minmax) {
        const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
        lo = *mn;
        scale = *mx > *mn ? 1.0f / (*mx - *mn) : 0.0f;
    }
    std::vector<std::uint8_t> out(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) {
        const double t = std::clamp(static_cast<double>((v[k] - lo) * scale), 0.0, 1.0);
        out[k] = static_cast<std::uint8_t>(std::lround(t * 255.0));
    }
    return out;
}

std::string index_text(const std::vector<std::int64_t>& samples) {
    std::string out;
    for (auto i : samples)
        out += fmt::format("{:05d}\n", i + 1);
    return out;
}

}  // namespace

Dataset import_nerf2(const fs::path& dir, const Nerf2ImportOptions& options) {
    if (!fs::is_directory(dir))
        fail("NeRF2 folder '{}' does not exist or is not a folder; check the path", dir.string());
    const fs::path csv =
        require_file(dir, "tx_pos.csv", "tx_pos.csv (header x,y,z, one row per spectrum)");
    const fs::path yml =
        require_file(dir, "gateway_info.yml", "gateway_info.yml (gateway1: position, orientation)");
    Dataset d;
    d.kind = DatasetKind::Spectrum;
    d.frequency_hz = options.frequency_hz;
    d.moving = "tx";
    d.positions = parse_tx_pos_csv(read_text(csv), csv.string());
    const GatewayInfo gateway = parse_gateway_yaml(read_text(yml), yml.string());
    d.station_position = gateway.position;
    d.station_orientation = gateway.orientation;
    d.array = {4, 4, 0.16};
    d.grid = {kHeight, kWidth, 1.0, 1.0, 1.0};
    d.power_unit = "normalized";
    d.normalization = "nerf2-png-8bit";  // byte / 255 of NeRF2's per-spectrum min–max PNGs
    d.spectra = read_spectra(dir, d.positions.size());
    d.attrs["source"] = "nerf2";
    d.attrs["source_folder"] = fs::absolute(dir).lexically_normal().string();
    d.split = read_split(dir, d.size(), options, d.attrs);
    validate(d, fmt::format("NeRF2 folder '{}'", dir.string()));
    return d;
}

void export_nerf2(const Dataset& d, const fs::path& dir, bool overwrite) {
    const std::string where = fmt::format("cannot export NeRF2 folder '{}'", dir.string());
    validate(d, where);
    if (!has_spectra(d.kind))
        fail("{}: the dataset holds CIRs only (kind 'cir'); NeRF2 folders hold spectra", where);
    if (d.grid != SpectrumGrid{kHeight, kWidth, 1.0, 1.0, 1.0}) {
        fail(
            "{}: NeRF2 reads spectra on its fixed 90 x 360 grid (elevation 1..90 deg, azimuth "
            "1..360 deg); this "
            "dataset's grid is {} x {} from ({}, {}) deg in {} deg steps; simulate with the "
            "default grid",
            where, d.grid.n_el, d.grid.n_az, d.grid.el0_deg, d.grid.az0_deg, d.grid.step_deg);
    }
    if (d.moving != "tx") {
        fail(
            "{}: NeRF2 folders have a fixed receiving gateway and moving transmitters; this "
            "dataset moves the rx",
            where);
    }
    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    if (!fs::is_directory(parent))
        fail("{}: folder '{}' does not exist; create it first", where, parent.string());
    if (fs::exists(dir) && !overwrite)
        fail("'{}' already exists; pass --overwrite to replace it or choose another name",
             dir.string());
    if (fs::exists(dir) && !fs::is_directory(dir))
        fail("{}: it is a file; give a folder name", where);

    // Everything goes into a sibling temporary folder first, removed on any error.
    const fs::path temp =
        fs::path(dir.string() + fmt::format(".tmp-{:08x}", std::random_device{}()));
    struct TempDir {
        fs::path path;
        bool keep = false;
        ~TempDir() {
            if (!keep)
                remove_tree(path);
        }
    } guard{temp};
    fs::create_directories(temp / "spectrum");
    const bool minmax = d.power_unit == "linear";
    for (std::size_t i = 0; i < d.size(); ++i) {
        write_gray_png({kWidth, kHeight, to_bytes(d.spectrum(i), minmax), 1},
                       temp / "spectrum" / fmt::format("{:05d}.png", i + 1));
    }
    std::string csv = "x,y,z\n";
    for (const auto& p : d.positions)
        csv += fmt::format("{},{},{}\n", p.x, p.y, p.z);
    write_text(temp / "tx_pos.csv", csv);
    const Vec3& g = d.station_position;
    const Quat& q = d.station_orientation;
    write_text(temp / "gateway_info.yml",
               fmt::format("gateway1:\n  position: [{}, {}, {}]\n  orientation: [{}, {}, {}, {}]\n",
                           g.x, g.y, g.z, q.x, q.y, q.z, q.w));
    Split split = d.split;
    if (split.size() == 0) {
        split = make_split(d.size(), {0.8, 0.0, 0.2}, 0);
        log::info(
            "the dataset has no split; wrote a seeded random 80/20 split (seed 0) to the index "
            "files");
    }
    if (!split.val.empty()) {
        log::info("NeRF2 has no validation part: the {} val samples go to train_index.txt",
                  split.val.size());
        split.train.insert(split.train.end(), split.val.begin(), split.val.end());
        std::sort(split.train.begin(), split.train.end());
    }
    write_text(temp / "train_index.txt", index_text(split.train));
    write_text(temp / "test_index.txt", index_text(split.test));

    std::error_code ec;
    if (fs::exists(dir)) {
        const fs::path old = fs::path(temp.string() + ".old");
        fs::rename(dir, old, ec);
        if (ec)
            fail("{}: cannot move the existing folder aside: {}", where, ec.message());
        fs::rename(temp, dir, ec);
        if (ec) {
            fs::rename(old, dir);
            fail("{}: cannot move the new folder into place: {}", where, ec.message());
        }
        remove_tree(old);
    } else {
        fs::rename(temp, dir, ec);
        if (ec)
            fail("{}: cannot move '{}' into place: {}", where, temp.string(), ec.message());
    }
    guard.keep = true;
}

}  // namespace radiofield::data
