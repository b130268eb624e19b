#pragma once
// Datasets built in memory for the learning-core and model tests: a SceneData from tensors,
// without a file.

#include <torch/torch.h>

#include <memory>
#include <string>

#include "radiofield/data/dataset.hpp"
#include "radiofield/train/data.hpp"

namespace radiofield::test {

struct SceneSpec {
    std::string source = "memory.h5";
    Vec3 station{0, 0, 0};
    Quat orientation{};
    double frequency_hz = 1e9;
    data::SpectrumGrid grid{};  // n_el/n_az are taken from the spectra
    // "normalized": the spectra are kept as they are; "linear": powers in W, min–max
    // normalised on load with SceneData::power kept (as a simulated dataset).
    std::string power_unit = "normalized";
    std::string convention = "bartlett_power";
    nlohmann::json db_range;  // path_gain_db: [lo, hi] dB, as attrs["db_range"]
};

// spectra [N, H, W] (in [0, 1] unless spec.power_unit is "linear"), positions [N, 3].
inline std::shared_ptr<const train::SceneData> scene_from(const torch::Tensor& spectra,
                                                          const torch::Tensor& positions,
                                                          data::Split split,
                                                          SceneSpec spec = {}) {
    data::Dataset d;
    d.frequency_hz = spec.frequency_hz;
    d.station_position = spec.station;
    d.station_orientation = spec.orientation;
    d.grid = spec.grid;
    d.grid.n_el = static_cast<int>(spectra.size(1));
    d.grid.n_az = static_cast<int>(spectra.size(2));
    d.power_unit = spec.power_unit;
    d.spectrum_convention = spec.convention;
    if (!spec.db_range.is_null())
        d.attrs["db_range"] = spec.db_range;
    const auto s = spectra.to(torch::kFloat32).contiguous();
    d.spectra.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
    const auto p = positions.to(torch::kFloat64).contiguous();
    const auto pa = p.accessor<double, 2>();
    for (std::int64_t i = 0; i < p.size(0); ++i)
        d.positions.push_back({pa[i][0], pa[i][1], pa[i][2]});
    d.split = std::move(split);
    return train::SceneData::from(std::move(d), spec.source, {train::DataView::Spectra});
}

}  // namespace radiofield::test
