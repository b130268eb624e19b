#pragma once
// `radiofield predict --grid … --power-map MAP.png|MAP.h5`: a received-power map over a grid
// of positions, as a picture over the scene's top view or as HDF5 (data/power_map.hpp).

#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

#include "radiofield/train/data.hpp"

namespace radiofield::cli {

struct PowerMapOutput {
    std::vector<std::string> paths;           // each .png or .h5
    std::array<std::vector<double>, 3> axes;  // the grid's x, y, z values
    std::string model, source;                // the model's name; the run or shipped model
    bool overwrite = false;
};

// Error before any work for a path that is neither .png nor .h5, or a .png asked for a grid
// of more than one height.
void check_power_map_paths(const PowerMapOutput& out);
// Writes every path of `out` from `power` ([N] float64, W, x fastest as the grid's positions).
void write_power_maps(const PowerMapOutput& out,
                      const torch::Tensor& power,
                      const train::SceneData& scene);

}  // namespace radiofield::cli
