#pragma once
// NeRF2 RFID folders (DESIGN.md §4.4; docs/dataset-format.md):
//   spectrum/00001.png ...   8-bit grayscale, 360 wide (azimuth) x 90 high (elevation),
//                            label = byte / 255. PNG row r ↔ our spectra row r ↔ elevation
//                            (1 + r)°, column c ↔ azimuth (1 + c)° — NeRF2's dataloader
//                            flattens image[r][c] against linspace(1, 90) x linspace(1, 360).
//   tx_pos.csv               header "x,y,z"; row i ↔ file %05d of i + 1
//   gateway_info.yml         gateway1: position [x, y, z], orientation [x, y, z, w]
//   train_index.txt, test_index.txt   file ids, one per line ("00001")
//   radiofield.json          ours, optional (NeRF2's loader ignores it): the spectrum
//                            convention and array of the PNGs, written by export_nerf2
// Import keeps the 8-bit values exactly (float byte/255, power_unit "normalized"), so
// import → export reproduces every PNG byte.
//
// Azimuth origin (docs/conventions.md): NeRF2's generator (dataset_tools/gen_spectrum.py)
// computes PNG column c at azimuth c° (0..359) but its loader reads column c as (c + 1)°
// (1..360). A folder is read the way NeRF2's loader reads it (column c ↔ (c + 1)°, grid
// az0 = 1), and export writes column c from the dataset's direction (c + 1)° whatever its
// grid's first azimuth (az0 = 0, the nerf2 convention's, shifts by one column), so NeRF2's
// loader lands on the same directions as ours.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/data/dataset.hpp"

namespace radiofield::data {

struct Nerf2ImportOptions {
    double frequency_hz = 920e6;   // NeRF2's RFID reader band
    std::uint64_t split_seed = 0;  // only used when the folder has no index files
    // The folder format does not hold the array or the convention: these, else the folder's
    // radiofield.json (written by export_nerf2), else NeRF2's 4 x 4 at 0.16 m and "nerf2".
    std::optional<ArrayConfig> array;
    std::string spectrum_convention;
};

struct Nerf2ExportOptions {
    bool overwrite = false;
    // Empty: the PNGs must hold NeRF2's convention, so only a "nerf2" dataset exports.
    // Otherwise the convention to write, where a conversion exists from the dataset's:
    // the same convention ("nerf2" or "bartlett_power"), or physical → bartlett_power
    // (min–max of the power). No conversion reaches "nerf2" from another convention (the
    // element phases are not in a spectrum), and "physical" does not fit an 8-bit PNG.
    std::string convert;
};

// Reads and checks the whole folder before returning; throws Error naming the file.
Dataset import_nerf2(const std::filesystem::path& dir, const Nerf2ImportOptions& options = {});

// Writes the folder under a temporary name, then renames it into place. Linear-power
// spectra are min–max normalised per sample first; normalized ones are written as
// round(v * 255). val samples go to train_index.txt (NeRF2 has no validation part).
// Throws Error, writing nothing, when the dataset's convention cannot be written as asked.
void export_nerf2(const Dataset& dataset,
                  const std::filesystem::path& dir,
                  const Nerf2ExportOptions& options);
inline void export_nerf2(const Dataset& dataset,
                         const std::filesystem::path& dir,
                         bool overwrite = false) {
    export_nerf2(dataset, dir, Nerf2ExportOptions{overwrite, {}});
}

// The small text formats, exposed for tests. `where` names the file in errors.
std::vector<Vec3> parse_tx_pos_csv(std::string_view text, std::string_view where);
struct GatewayInfo {
    Vec3 position;
    Quat orientation;  // x, y, z, w
};
// Reads exactly NeRF2's structure: `gateway1:` with `position:` and `orientation:` lists,
// flow ("[a, b, c]") or block ("- a" lines) style; comments and blank lines ignored.
GatewayInfo parse_gateway_yaml(std::string_view text, std::string_view where);
// 1-based file ids as written ("00001" → 1), one per line or whitespace-separated.
std::vector<std::int64_t> parse_index_file(std::string_view text, std::string_view where);

}  // namespace radiofield::data
