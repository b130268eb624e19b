#pragma once
// What models predict, by kind. The evaluator, the report and the CLI ask a prediction (or
// a model) for its kind and never for a model's name.

#include <torch/torch.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "radiofield/train/path_set.hpp"

namespace radiofield::train {

enum class OutputKind { Spectrum, PathSet };
std::string_view to_string(OutputKind kind);  // "spectrum", "path set"

struct Prediction {
    OutputKind kind = OutputKind::Spectrum;
    torch::Tensor spectra;       // Spectrum: [B, n_el, n_az] float32 in [0,1]
    std::vector<PathSet> paths;  // PathSet: [B]
    // Spectrum, when the query asks for it and the model keeps the path loss (RF-3DGS+): the
    // mean of the station's linear spectrum, [B] float64 in the dataset's unit (W), calibrated
    // on the training receivers; undefined otherwise.
    torch::Tensor power;

    std::int64_t size() const;
    Prediction sample(std::int64_t i) const;  // the i-th as a prediction of one
    static Prediction of_spectra(torch::Tensor spectra) {
        return {OutputKind::Spectrum, std::move(spectra), {}, {}};
    }
    static Prediction of_paths(std::vector<PathSet> paths) {
        return {OutputKind::PathSet, {}, std::move(paths), {}};
    }
};

}  // namespace radiofield::train
