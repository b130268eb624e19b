#pragma once
// Internal to src/train: LPIPS-alex v0.1 constants shared by lpips.cpp (the network) and
// lpips_weights.cpp (the weights file). Reference: lpips 0.1.4 (lpips/lpips.py,
// lpips/pretrained_networks.py).

#include <cstdint>
#include <string>

#include "radiofield/train/lpips.hpp"

namespace radiofield::train::detail {

// lpips.ScalingLayer constants (v0.1): x' = (x - shift) / scale on RGB in [-1, 1].
inline constexpr double kLpipsShift[3] = {-0.030, -0.088, -0.188};
inline constexpr double kLpipsScale[3] = {0.458, 0.448, 0.450};

// The five convolutions of torchvision's AlexNet `features`, as lpips slices them.
struct LpipsConv {
    const char* prefix;  // state_dict prefix of the torchvision features layer
    int64_t out, in, kernel, stride, padding;
};
inline constexpr LpipsConv kLpipsConvs[5] = {
    {"net.slice1.0", 64, 3, 11, 4, 2},    {"net.slice2.3", 192, 64, 5, 1, 2},
    {"net.slice3.6", 384, 192, 3, 1, 1},  {"net.slice4.8", 256, 384, 3, 1, 1},
    {"net.slice5.10", 256, 256, 3, 1, 1},
};

inline std::string lpips_lin_name(int k) {
    return "lin" + std::to_string(k) + ".model.1.weight";
}

// Names, shapes and signs of a weights set; `source` names the file (or "weights") in the
// error messages.
void validate_lpips_weights(const NamedTensors& weights, const std::string& source);

}  // namespace radiofield::train::detail
