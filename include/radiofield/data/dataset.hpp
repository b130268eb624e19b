#pragma once
// Datasets: samples of one scene and one station (the fixed end of the link), each a
// position of the moving end with its spatial spectrum and/or its propagation paths.
// One HDF5 file per dataset; the layout (docs/dataset-format.md) opens in h5py and
// MATLAB with no special code. Everything that reads a file validates it and throws
// Error naming the file, the dataset and the fix.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/paths.hpp"
#include "radiofield/rt/spectrum.hpp"

namespace radiofield::data {

// Version of the HDF5 layout written by write_dataset; readers accept 1..kFormatVersion.
inline constexpr int kFormatVersion = 1;

enum class DatasetKind { Spectrum, Cir, Both };
std::string_view to_string(DatasetKind kind);           // "spectrum", "cir", "both"
DatasetKind parse_dataset_kind(std::string_view name);  // throws Error listing the valid names
constexpr bool has_spectra(DatasetKind k) {
    return k != DatasetKind::Cir;
}
constexpr bool has_paths(DatasetKind k) {
    return k != DatasetKind::Spectrum;
}

// The station's virtual planar array (Bartlett beamforming), as NeRF2's RFID gateway.
struct ArrayConfig {
    int rows = 4, cols = 4;
    double spacing_m = 0.16;
};

// Spectrum conventions (docs/conventions.md, "Spectrum conventions"): how the element signals
// of the station's virtual array became the stored spectra.
//   "bartlett_power"  Bartlett power of the complex element signals, stored as linear power;
//                     models and PNGs use it min–max normalised per sample
//   "nerf2"           NeRF2's: Bartlett amplitude of phase-only element signals / K, min–max
//                     per sample, stored normalised (power_unit "normalized")
//   "physical"        Bartlett power of the complex element signals, linear, meant unnormalised
//   "path_gain_db"    the cell's power (Bartlett or binned per path) in dB, mapped to [0, 1] by
//                     one range for every sample, attrs["db_range"] = [lo, hi] dB (RF-3DGS+'s
//                     path-loss spectra); stored normalised (normalization "db_range")
inline constexpr std::array<std::string_view, 4> kSpectrumConventions = {
    "bartlett_power", "nerf2", "physical", "path_gain_db"};
// Throws Error naming `name` and the valid names unless it is one of kSpectrumConventions.
void check_spectrum_convention(std::string_view name,
                               std::string_view what = "spectrum convention");

using SpectrumGrid = rt::SpectrumGrid;  // the ray tracer's spectrum grid, stored as is

// Sample indices (0-based) of each part; each sample is in at most one part.
struct Split {
    std::vector<std::int64_t> train, val, test;
    std::size_t size() const { return train.size() + val.size() + test.size(); }
    bool operator==(const Split&) const = default;
};

struct Dataset {
    DatasetKind kind = DatasetKind::Spectrum;
    double frequency_hz = 0;
    std::string scene_json;     // the scene as radiofield JSON; empty = unknown
    std::string moving = "tx";  // which end the positions describe: "tx" | "rx"
    Vec3 station_position;      // the fixed end
    Quat station_orientation;   // (x, y, z, w), NeRF2's gateway quaternion
    ArrayConfig array;
    SpectrumGrid grid;
    std::string power_unit = "linear";   // "linear" (physical power, W) | "normalized" ([0,1])
    std::string normalization = "none";  // how "normalized" values were made, e.g. "minmax-8bit"
    // One of kSpectrumConventions; a file written before it existed reads as "bartlett_power".
    std::string spectrum_convention = "bartlett_power";
    std::vector<Vec3> positions;   // [N] moving end, metres
    std::vector<float> spectra;    // [N, n_el, n_az] row-major; empty when kind == Cir
    std::vector<rt::Paths> paths;  // [N] ragged; empty when kind == Spectrum
    Split split;
    nlohmann::json attrs = nlohmann::json::object();  // free-form: seed, command line, source...

    std::size_t size() const { return positions.size(); }
    std::span<const float> spectrum(std::size_t i) const {
        return {spectra.data() + i * grid.size(), grid.size()};
    }
    std::span<float> spectrum(std::size_t i) {
        return {spectra.data() + i * grid.size(), grid.size()};
    }
};

// Throws Error (prefixed with `where`) if sizes disagree, values are not finite, the
// moving end / power unit is unknown, or split indices are out of range or repeated.
void validate(const Dataset& dataset, std::string_view where);
// The same checks except those of the per-sample spectra and paths (for lazy readers).
void validate_header(const Dataset& dataset, std::string_view where);

// Deterministic random split: shuffle 0..n-1 with `seed` (Fisher–Yates on mt19937_64, the
// same on every platform), then train = ⌊f_train·n⌋, val = ⌊f_val·n⌋, test = the rest;
// each part sorted ascending. Fractions must be ≥ 0 and sum to 1.
Split make_split(std::size_t n,
                 std::array<double, 3> fractions = {0.8, 0.1, 0.1},
                 std::uint64_t seed = 0);

// Writes the dataset atomically (temporary file, then rename). Validates first, so a bad
// dataset leaves nothing behind. Throws Error if `path` exists and !overwrite.
void write_dataset(const Dataset& dataset,
                   const std::filesystem::path& path,
                   bool overwrite = false);

// Reads and validates a whole dataset into memory.
Dataset read_dataset(const std::filesystem::path& path);

// Lazy reader for large files: opens once, reads the metadata, positions and split, and
// reads one sample's spectrum or paths on request.
class DatasetReader {
public:
    explicit DatasetReader(const std::filesystem::path& path);
    ~DatasetReader();
    DatasetReader(DatasetReader&&) noexcept;
    DatasetReader& operator=(DatasetReader&&) noexcept;

    const std::filesystem::path& path() const;
    // Everything but the per-sample spectra and paths (positions and split included).
    const Dataset& header() const;
    std::size_t size() const { return header().size(); }
    const std::vector<Vec3>& positions() const { return header().positions; }
    const Split& split() const { return header().split; }
    bool has_spectra() const { return data::has_spectra(header().kind); }
    bool has_paths() const { return data::has_paths(header().kind); }

    std::vector<float> read_spectrum(std::size_t i) const;          // [n_el * n_az]
    void read_spectrum(std::size_t i, std::span<float> out) const;  // out.size() == grid.size()
    rt::Paths read_paths(std::size_t i) const;
    Dataset read_all() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace radiofield::data
