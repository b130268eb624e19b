// linear_relu as a LibTorch autograd function, and the dispatch of relu_bias_backward.
#include "radiofield/nn/fused.hpp"

#include <torch/torch.h>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/dispatch.hpp"

namespace radiofield::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct LinearRelu : torch::autograd::Function<LinearRelu> {
    static torch::Tensor forward(AutogradContext* ctx,
                                 const torch::Tensor& x,
                                 const torch::Tensor& w,
                                 const torch::Tensor& b) {
        // On CUDA, _addmm_activation takes cuBLASLt's bias + ReLU epilogue (one pass, no
        // separate ReLU kernel); it is not differentiable itself, hence this function.
        auto y =
            x.is_cuda() ? at::_addmm_activation(b, x, w.t()) : torch::addmm(b, x, w.t()).relu_();
        ctx->save_for_backward({x, w, y});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1], &y = saved[2];
        const auto [gz, gb] = relu_bias_backward(grads[0], y);  // ∂L/∂(xwᵀ + b), Σ rows
        return {ctx->needs_input_grad(0) ? gz.mm(w) : torch::Tensor(),
                ctx->needs_input_grad(1) ? gz.t().mm(x) : torch::Tensor(),
                ctx->needs_input_grad(2) ? gb : torch::Tensor()};
    }
};

}  // namespace

torch::Tensor linear_relu(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    if (x.dim() != 2 || w.dim() != 2 || b.dim() != 1 || x.size(1) != w.size(1) ||
        b.size(0) != w.size(0)) {
        fail("linear_relu: expected x [M, K], w [N, K], b [N]; got {}, {}, {}", c10::str(x.sizes()),
             c10::str(w.sizes()), c10::str(b.sizes()));
    }
    return LinearRelu::apply(x, w, b);
}

std::pair<torch::Tensor, torch::Tensor> relu_bias_backward(const torch::Tensor& g,
                                                           const torch::Tensor& y) {
    if (g.dim() != 2 || !g.sizes().equals(y.sizes())) {
        fail("relu_bias_backward: expected g and y of one shape [M, N]; got {} and {}",
             c10::str(g.sizes()), c10::str(y.sizes()));
    }
    if (g.device() != y.device()) {
        fail("relu_bias_backward: g and y are on different devices");
    }
    // The CUDA kernel takes float32; other types go to ATen on either device.
    const bool f32 = g.scalar_type() == torch::kFloat32 && y.scalar_type() == torch::kFloat32;
    return dispatch(
        "relu_bias_backward", g, detail::relu_bias_backward_reference,
        [f32](const torch::Tensor& gc, const torch::Tensor& yc) {
            return f32 ? detail::relu_bias_backward_cuda(gc.contiguous(), yc.contiguous())
                       : detail::relu_bias_backward_reference(gc, yc);
        },
        g, y);
}

namespace detail {

std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_reference(const torch::Tensor& g,
                                                                     const torch::Tensor& y) {
    auto gz = torch::threshold_backward(g, y, 0);
    auto gb = gz.sum(0);
    return {gz, gb};
}

}  // namespace detail
}  // namespace radiofield::nn
