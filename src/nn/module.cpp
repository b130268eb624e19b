#include "radiofield/nn/module.hpp"

namespace radiofield::nn {

void cast_floating(torch::nn::Module& module, torch::Dtype dtype) {
    torch::NoGradGuard no_grad;
    auto cast = [dtype](torch::Tensor& t) {
        if (t.defined() && t.is_floating_point() && t.scalar_type() != dtype)
            t.set_data(t.to(dtype));
    };
    for (auto& p : module.parameters(/*recurse=*/true))
        cast(p);
    for (auto& b : module.buffers(/*recurse=*/true))
        cast(b);
}

}  // namespace radiofield::nn
