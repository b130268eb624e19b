#pragma once
// Compute device selection: --device auto|cpu|cuda. auto = CUDA when built in and present.

#include <torch/types.h>

#include <string>
#include <string_view>

namespace radiofield::nn {

enum class DeviceChoice { Auto, Cpu, Cuda };

DeviceChoice parse_device(std::string_view name);  // throws Error for other names
bool cuda_built();                                 // this binary was built with RADIOFIELD_CUDA
bool cuda_available();                             // built in, and a CUDA device is present
// The device to run on; throws Error (saying how to fix it) when CUDA is asked for but not
// built in or not present.
torch::Device resolve_device(DeviceChoice choice);
std::string torch_version();
std::string cuda_device_name();  // "" when none

}  // namespace radiofield::nn
