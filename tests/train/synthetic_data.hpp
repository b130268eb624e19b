#pragma once
// Small synthetic spectrum datasets for the training and model tests: positions in a 2-D
// box at one height, spectra a smooth function of position (a blob in the direction of the
// position seen from the station, brighter when closer), written with data::write_dataset.

#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>

#include "radiofield/data/dataset.hpp"

namespace radiofield::test {

struct SyntheticOptions {
    int count = 200;
    int n_el = 8, n_az = 16;
    double frequency_hz = 920e6;
    std::uint64_t seed = 1;
    data::DatasetKind kind = data::DatasetKind::Spectrum;
    Vec3 station{2.0, -1.0, 1.0};
    std::string convention = "bartlett_power";
};

inline data::Dataset synthetic_dataset(const SyntheticOptions& o = {}) {
    data::Dataset d;
    d.kind = o.kind;
    d.frequency_hz = o.frequency_hz;
    d.station_position = o.station;
    d.spectrum_convention = o.convention;
    d.grid = {o.n_el, o.n_az, 5.0, 0.0, 360.0 / o.n_az};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> u(0.0, 4.0);
    for (int i = 0; i < o.count; ++i)
        d.positions.push_back({u(rng), u(rng), 1.0});
    if (data::has_spectra(o.kind)) {
        for (const auto& p : d.positions) {
            const double az = std::atan2(p.y - d.station_position.y, p.x - d.station_position.x) *
                              180 / std::numbers::pi;
            const double dist = std::hypot(p.x - d.station_position.x, p.y - d.station_position.y);
            for (int r = 0; r < o.n_el; ++r) {
                for (int c = 0; c < o.n_az; ++c) {
                    double da = std::remainder(c * d.grid.step_deg - az, 360.0);
                    const double el = d.grid.el0_deg + r * d.grid.step_deg;
                    const double v = std::exp(-da * da / (2 * 30.0 * 30.0)) *
                                         std::exp(-el / (20.0 * dist)) / (dist * dist) +
                                     0.05 * std::cos(2.0 * p.x + c * 0.4);
                    d.spectra.push_back(static_cast<float>(1.0 + v));  // positive "power"
                }
            }
        }
    }
    if (data::has_paths(o.kind)) {
        d.paths.resize(d.positions.size());
        for (std::size_t i = 0; i < d.positions.size(); ++i) {
            d.paths[i].frequency_hz = o.frequency_hz;
            d.paths[i].tx_position = d.positions[i];
            d.paths[i].rx_position = d.station_position;
        }
    }
    d.split = data::make_split(d.positions.size(), {0.8, 0.1, 0.1}, o.seed);
    return d;
}

inline std::filesystem::path write_synthetic(const std::filesystem::path& path,
                                             const SyntheticOptions& o = {}) {
    data::write_dataset(synthetic_dataset(o), path, true);
    return path;
}

}  // namespace radiofield::test
