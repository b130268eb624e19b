#include <embree3/rtcore_config.h>
#include <fmt/format.h>

#include "commands.hpp"
#include "radiofield/nn/device.hpp"

namespace radiofield::cli {

void print_version() {
    fmt::print("radiofield {}\n", RADIOFIELD_VERSION);
    fmt::print("LibTorch {}\n", nn::torch_version());
    if (!nn::cuda_built()) {
        fmt::print("CUDA: not built in (build with `make cuda` for GPU support)\n");
    } else if (nn::cuda_available()) {
        fmt::print("CUDA: built in, available ({})\n", nn::cuda_device_name());
    } else {
        fmt::print("CUDA: built in, no device visible\n");
    }
    fmt::print("Embree {}.{}.{}\n", RTC_VERSION_MAJOR, RTC_VERSION_MINOR, RTC_VERSION_PATCH);
}

}  // namespace radiofield::cli
