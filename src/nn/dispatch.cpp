// The errors of nn::dispatch: one wording for every custom op.
#include "radiofield/nn/dispatch.hpp"

#include "radiofield/core/error.hpp"

namespace radiofield::nn::detail {

void fail_unsupported_device(std::string_view op, const torch::Device& device) {
    if (device.is_cuda()) {
        fail(
            "{}: got a CUDA tensor, but this radiofield was built without CUDA; rebuild with the "
            "CMake preset 'cuda' (`make cuda`) or keep the inputs on the CPU (--device cpu)",
            op);
    }
    fail(
        "{}: tensors on device '{}' are not supported (only cpu and cuda); move the inputs to "
        "the CPU or a CUDA device first",
        op, device.str());
}

}  // namespace radiofield::nn::detail
