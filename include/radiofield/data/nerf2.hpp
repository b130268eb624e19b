#pragma once
// NeRF2 RFID folders (DESIGN.md §4.4; docs/dataset-format.md):
//   spectrum/00001.png ...   8-bit grayscale, 360 wide (azimuth) x 90 high (elevation),
//                            label = byte / 255. PNG row r ↔ our spectra row r ↔ elevation
//                            (1 + r)°, column c ↔ azimuth (1 + c)° — NeRF2's dataloader
//                            flattens image[r][c] against linspace(1, 90) x linspace(1, 360).
//   tx_pos.csv               header "x,y,z"; row i ↔ file %05d of i + 1
//   gateway_info.yml         gateway1: position [x, y, z], orientation [x, y, z, w]
//   train_index.txt, test_index.txt   file ids, one per line ("00001")
// Import keeps the 8-bit values exactly (float byte/255, power_unit "normalized"), so
// import → export reproduces every PNG byte.

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "radiofield/data/dataset.hpp"

namespace radiofield::data {

struct Nerf2ImportOptions {
    double frequency_hz = 920e6;   // NeRF2's RFID reader band
    std::uint64_t split_seed = 0;  // only used when the folder has no index files
};

// Reads and checks the whole folder before returning; throws Error naming the file.
Dataset import_nerf2(const std::filesystem::path& dir, const Nerf2ImportOptions& options = {});

// Writes the folder under a temporary name, then renames it into place. Linear-power
// spectra are min–max normalised per sample first; normalized ones are written as
// round(v * 255). val samples go to train_index.txt (NeRF2 has no validation part).
void export_nerf2(const Dataset& dataset, const std::filesystem::path& dir, bool overwrite = false);

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
