// NeRF2 RFID folders: import into a Dataset, export from one (DESIGN.md §4.4).
#include "radiofield/data/nerf2.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/json_config.hpp"
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
        std::int64_t id = 0;  // from_chars: a 20-digit name must not throw out_of_range
        const auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), id);
        if (ec != std::errc() || end != stem.data() + stem.size()) {
            fail("'{}': the file number is too large; spectrum files are 00001.png, ...",
                 entry.path().string());
        }
        files[id] = entry.path();
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

// The convention and array of the PNGs (our own file in the folder).
struct FolderMeta {
    std::string spectrum_convention;
    std::optional<ArrayConfig> array;
};

FolderMeta read_folder_meta(const fs::path& dir) {
    const fs::path file = dir / "radiofield.json";
    FolderMeta meta;
    if (!fs::exists(file))
        return meta;
    try {
        const auto j = nlohmann::json::parse(read_text(file));
        meta.spectrum_convention = j.value("spectrum_convention", std::string());
        if (j.contains("array")) {
            const auto& a = j.at("array");
            const auto whole = [&](const char* key) {
                const auto v = whole_number<int>(a.at(key));
                if (!v) {
                    fail("'{}': array.{} must be a whole number, got {}; fix or delete it",
                         file.string(), key, a.at(key).dump());
                }
                return *v;
            };
            meta.array = ArrayConfig{whole("rows"), whole("cols"), a.at("spacing_m").get<double>()};
        }
    } catch (const nlohmann::json::exception& e) {
        fail("'{}' is not valid ({}); fix or delete it", file.string(), e.what());
    }
    return meta;
}

// Export target: NeRF2's convention unless `convert` names a conversion that exists.
std::string export_convention(const Dataset& d,
                              const std::string& convert,
                              std::string_view where) {
    const std::string& from = d.spectrum_convention;
    if (convert.empty()) {
        if (from == "nerf2")
            return from;
        fail(
            "{}: the dataset's spectra follow the '{}' convention, but NeRF2's PNGs hold 'nerf2' "
            "(Bartlett amplitude of phase-only element signals, min-max; docs/conventions.md). "
            "No conversion to 'nerf2' exists from a stored spectrum (it needs the element "
            "phases): re-simulate with `--spectrum nerf2`, or write this convention's PNGs with "
            "`--convert {}` (recorded in the folder's radiofield.json)",
            where, from, from == "physical" ? "bartlett_power" : from);
    }
    check_spectrum_convention(convert, "--convert convention");
    const bool same = convert == from && convert != "physical";
    const bool minmax_of_power = from == "physical" && convert == "bartlett_power";
    if (!same && !minmax_of_power) {
        fail(
            "{}: no conversion from '{}' to '{}': conversions that exist are the identity for "
            "nerf2 and bartlett_power, and physical -> bartlett_power (min-max of the power); "
            "none reaches nerf2 from another convention, and physical does not fit an 8-bit PNG",
            where, from, convert);
    }
    return convert;
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
    const FolderMeta meta = read_folder_meta(dir);
    d.array = options.array ? *options.array : meta.array ? *meta.array : ArrayConfig{4, 4, 0.16};
    d.spectrum_convention = !options.spectrum_convention.empty() ? options.spectrum_convention
                            : !meta.spectrum_convention.empty()  ? meta.spectrum_convention
                                                                 : "nerf2";
    check_spectrum_convention(d.spectrum_convention);
    if (d.spectrum_convention == "physical") {
        fail(
            "NeRF2 folder '{}': its PNGs are min-max normalised, so they cannot hold the "
            "'physical' convention; give nerf2 or bartlett_power",
            dir.string());
    }
    if (d.array.rows < 1 || d.array.cols < 1 || !(d.array.spacing_m > 0)) {
        fail("NeRF2 folder '{}': array {} x {} at {} m; give positive rows, columns and spacing",
             dir.string(), d.array.rows, d.array.cols, d.array.spacing_m);
    }
    // Read as NeRF2's loader reads it: column c ↔ azimuth (c + 1)° (see nerf2.hpp).
    d.grid = {kHeight, kWidth, 1.0, 1.0, 1.0};
    d.power_unit = "normalized";
    // byte / 255 of per-spectrum min–max PNGs (NeRF2's own, or another convention's).
    d.normalization = d.spectrum_convention == "nerf2" ? "nerf2-png-8bit" : "minmax-8bit";
    d.spectra = read_spectra(dir, d.positions.size());
    d.attrs["source"] = "nerf2";
    d.attrs["source_folder"] = fs::absolute(dir).lexically_normal().string();
    d.split = read_split(dir, d.size(), options, d.attrs);
    validate(d, fmt::format("NeRF2 folder '{}'", dir.string()));
    return d;
}

void export_nerf2(const Dataset& d, const fs::path& dir, const Nerf2ExportOptions& options) {
    const bool overwrite = options.overwrite;
    const std::string where = fmt::format("cannot export NeRF2 folder '{}'", dir.string());
    validate(d, where);
    if (!has_spectra(d.kind))
        fail("{}: the dataset holds CIRs only (kind 'cir'); NeRF2 folders hold spectra", where);
    const std::string convention = export_convention(d, options.convert, where);
    // Any whole-degree first azimuth: the columns are rotated onto NeRF2's loader's 1..360°.
    const bool whole_az0 =
        std::isfinite(d.grid.az0_deg) && d.grid.az0_deg == std::round(d.grid.az0_deg);
    if (d.grid.n_el != kHeight || d.grid.n_az != kWidth || d.grid.el0_deg != 1.0 ||
        d.grid.step_deg != 1.0 || !whole_az0) {
        fail(
            "{}: NeRF2 reads spectra on its fixed 90 x 360 grid (elevation 1..90 deg, azimuth "
            "1..360 deg, or any whole-degree azimuth origin); this "
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
    check_output_folder(dir, overwrite);

    // Everything goes into a sibling temporary folder first, removed on any error or
    // interruption (one left by a killed run is removed here, by the next export to `dir`).
    remove_stale_temps(dir);
    const fs::path temp = temp_path_for(dir);
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
    // PNG column c ↔ NeRF2's loader's azimuth (c + 1)° ↔ our column (c + 1 − az0) mod 360.
    const long shift = (((1 - std::lround(d.grid.az0_deg)) % kWidth) + kWidth) % kWidth;
    std::vector<float> rolled(d.grid.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
        throw_if_interrupted(
            fmt::format("stopped exporting to '{}'; nothing written", dir.string()));
        const std::span<const float> s = d.spectrum(i);
        for (int r = 0; r < kHeight; ++r) {
            for (int c = 0; c < kWidth; ++c)
                rolled[r * kWidth + c] = s[r * kWidth + (c + shift) % kWidth];
        }
        write_gray_png({kWidth, kHeight, to_bytes(rolled, minmax), 1},
                       temp / "spectrum" / fmt::format("{:05d}.png", i + 1));
    }
    nlohmann::json meta;
    meta["spectrum_convention"] = convention;
    meta["array"] = {
        {"rows", d.array.rows}, {"cols", d.array.cols}, {"spacing_m", d.array.spacing_m}};
    meta["frequency_hz"] = d.frequency_hz;
    meta["azimuth"] = "PNG column c holds azimuth (c + 1) deg, as NeRF2's loader reads it";
    if (shift != 0)
        meta["azimuth_shift_columns"] = shift;
    write_text(temp / "radiofield.json", meta.dump(2) + "\n");
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
