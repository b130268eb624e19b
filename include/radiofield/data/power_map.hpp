#pragma once
// A received-power map: one power per position of a grid of receiver positions, as
// `radiofield predict --power-map MAP.h5` writes it (docs/dataset-format.md, "Power maps").
// The file opens in h5py and MATLAB with no special code.

#include <filesystem>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"

namespace radiofield::data {

struct PowerMap {
    std::vector<double> x, y, z;  // the grid's axes, metres
    std::vector<double> power_w;  // [z][y][x] row-major (x fastest), W; > 0
    double frequency_hz = 0;
    Vec3 station_position;
    std::string quantity;  // what the power is, e.g. "mean of the station's linear spectrum"
    std::string attrs;     // free-form JSON object: the run, the model, the calibration

    std::size_t size() const { return x.size() * y.size() * z.size(); }
    double dbm(std::size_t i) const;  // 10·log10(power_w[i]) + 30
};

// Writes /x, /y, /z, /power_w and /power_dbm ([nz, ny, nx] float64) with root attributes
// format = "radiofield-power-map", version, frequency_hz, station_position, quantity, attrs;
// atomically (a temporary name, renamed when complete). Error for an inconsistent map or an
// existing file without `overwrite`.
void write_power_map(const PowerMap& map, const std::filesystem::path& path, bool overwrite);
PowerMap read_power_map(const std::filesystem::path& path);  // Error naming the file

}  // namespace radiofield::data
