#pragma once
// One dispatch on a tensor's device for every custom op (DESIGN.md §2): the CPU
// implementation for CPU tensors, the CUDA one for CUDA tensors where this binary was built
// with CUDA, and an Error naming the op and the fix otherwise. Callers hold no #ifdef; in a
// CPU build the CUDA entry points are stubs in src/nn/cuda_stubs.cpp, never reached.
//
//   return dispatch("minmax_normalize", x, detail::minmax_normalize_cpu,
//                   detail::minmax_normalize_cuda, x);

#include <torch/types.h>

#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "radiofield/nn/device.hpp"

namespace radiofield::nn {

namespace detail {
// Throw the Error for `op` on `device`: CUDA without a CUDA build, or another device type.
[[noreturn]] void fail_unsupported_device(std::string_view op, const torch::Device& device);
}  // namespace detail

// Calls cpu(args...) or cuda(args...) by `device`; both must return the same type.
template <typename CpuFn, typename CudaFn, typename... Args>
decltype(auto) dispatch(
    std::string_view op, const torch::Device& device, CpuFn&& cpu, CudaFn&& cuda, Args&&... args) {
    static_assert(
        std::is_same_v<std::invoke_result_t<CpuFn, Args...>, std::invoke_result_t<CudaFn, Args...>>,
        "dispatch: the CPU and CUDA implementations must return the same type");
    if (device.is_cpu()) {
        return std::invoke(std::forward<CpuFn>(cpu), std::forward<Args>(args)...);
    }
    if (device.is_cuda() && cuda_built()) {
        return std::invoke(std::forward<CudaFn>(cuda), std::forward<Args>(args)...);
    }
    detail::fail_unsupported_device(op, device);
}

// The same, on the device of `on` (the op's main input).
template <typename CpuFn, typename CudaFn, typename... Args>
decltype(auto) dispatch(
    std::string_view op, const torch::Tensor& on, CpuFn&& cpu, CudaFn&& cuda, Args&&... args) {
    return dispatch(op, on.device(), std::forward<CpuFn>(cpu), std::forward<CudaFn>(cuda),
                    std::forward<Args>(args)...);
}

}  // namespace radiofield::nn
