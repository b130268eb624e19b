#include "radiofield/nn/device.hpp"

#include <torch/cuda.h>
#include <torch/version.h>

#include "radiofield/core/error.hpp"

#ifdef RADIOFIELD_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace radiofield::nn {

DeviceChoice parse_device(std::string_view name) {
    if (name == "auto")
        return DeviceChoice::Auto;
    if (name == "cpu")
        return DeviceChoice::Cpu;
    if (name == "cuda")
        return DeviceChoice::Cuda;
    fail("unknown device '{}': use --device auto, cpu or cuda", name);
}

bool cuda_built() {
#ifdef RADIOFIELD_WITH_CUDA
    return true;
#else
    return false;
#endif
}

bool cuda_available() {
    return cuda_built() && torch::cuda::is_available();
}

torch::Device resolve_device(DeviceChoice choice) {
    switch (choice) {
        case DeviceChoice::Cpu:
            return torch::kCPU;
        case DeviceChoice::Auto:
            // Indexed, so that it compares equal to the device of the tensors placed on it.
            return cuda_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
        case DeviceChoice::Cuda:
            if (!cuda_built()) {
                fail(
                    "--device cuda: this radiofield was built without CUDA; rebuild with "
                    "`make cuda` (CMake preset 'cuda') or use --device cpu");
            }
            if (!torch::cuda::is_available()) {
                fail(
                    "--device cuda: no CUDA device is visible (check the driver and "
                    "CUDA_VISIBLE_DEVICES) ; use --device cpu or auto");
            }
            return {torch::kCUDA, 0};
    }
    fail("unreachable device choice");
}

std::string torch_version() {
    return TORCH_VERSION;
}

std::string cuda_device_name() {
#ifdef RADIOFIELD_WITH_CUDA
    if (cuda_available())
        return at::cuda::getCurrentDeviceProperties()->name;
#endif
    return "";
}

}  // namespace radiofield::nn
