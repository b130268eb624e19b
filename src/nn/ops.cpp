#include "radiofield/nn/ops.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/nn/device.hpp"

namespace radiofield::nn {

torch::Tensor minmax_normalize(const torch::Tensor& x) {
    if (x.dim() < 1 || x.size(0) == 0) fail("minmax_normalize: expected [N, ...] with N > 0");
    if (x.scalar_type() != torch::kFloat32) fail("minmax_normalize: expected float32");
    const auto flat = x.reshape({x.size(0), -1}).contiguous();
    torch::Tensor y;
    if (flat.is_cuda()) {
        if (!cuda_built()) fail("minmax_normalize: CUDA tensor but radiofield built without CUDA");
        y = detail::minmax_normalize_cuda(flat);
    } else {
        y = detail::minmax_normalize_cpu(flat);
    }
    return y.view(x.sizes());
}

}  // namespace radiofield::nn
