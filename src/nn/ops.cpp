#include "radiofield/nn/ops.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/nn/dispatch.hpp"

namespace radiofield::nn {

torch::Tensor minmax_normalize(const torch::Tensor& x) {
    if (x.dim() < 1 || x.size(0) == 0) {
        fail("minmax_normalize: expected [N, ...] with N > 0");
    }
    if (x.scalar_type() != torch::kFloat32) {
        fail("minmax_normalize: expected float32");
    }
    const auto flat = x.reshape({x.size(0), -1}).contiguous();  // [N, M]
    const auto y = dispatch("minmax_normalize", flat, detail::minmax_normalize_cpu,
                            detail::minmax_normalize_cuda, flat);  // [N, M]
    return y.view(x.sizes());                                      // [N, ...]
}

}  // namespace radiofield::nn
