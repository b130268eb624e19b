// linear_relu as a LibTorch autograd function, and the dispatch of relu_bias_backward.
#include "radiofield/nn/fused.hpp"

#include <fmt/format.h>
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

bool fused_mlp_fits(std::int64_t k, std::int64_t n, std::int64_t o, std::size_t hidden) {
    return n == 128 && k >= 1 && k <= 128 && o >= 1 && o <= 16 && hidden <= 3;
}

torch::Tensor fused_mlp(const torch::Tensor& x,
                        const torch::Tensor& w1,
                        const torch::Tensor& b1,
                        const std::vector<std::pair<torch::Tensor, torch::Tensor>>& hidden,
                        const torch::Tensor& w_out,
                        const torch::Tensor& b_out) {
    const auto shapes = [&] {
        std::string s = fmt::format("x {}, w1 {}, b1 {}", c10::str(x.sizes()), c10::str(w1.sizes()),
                                    c10::str(b1.sizes()));
        for (const auto& [w, b] : hidden)
            s += fmt::format(", hidden {} {}", c10::str(w.sizes()), c10::str(b.sizes()));
        return s + fmt::format(", w_out {}, b_out {}", c10::str(w_out.sizes()),
                               c10::str(b_out.sizes()));
    };
    if (x.dim() != 2 || w1.dim() != 3 || b1.dim() != 2 || w1.size(2) != x.size(1) ||
        b1.size(0) != w1.size(0) || b1.size(1) != w1.size(1) || w_out.dim() != 2 ||
        b_out.dim() != 1 || w_out.size(1) != w1.size(1) || b_out.size(0) != w_out.size(0))
        fail(
            "fused_mlp: expected x [M, K], w1 [T, N, K], b1 [T, N], w_out [O, N], b_out [O]; got "
            "{}",
            shapes());
    for (const auto& [w, b] : hidden)
        if (w.dim() != 2 || w.size(0) != w1.size(1) || w.size(1) != w1.size(1) || b.dim() != 1 ||
            b.size(0) != w1.size(1))
            fail("fused_mlp: hidden layers must be w [N, N], b [N] with N = {}; got {}", w1.size(1),
                 shapes());
    auto same_device = [&](const torch::Tensor& t) { return t.device() == x.device(); };
    bool one_device =
        same_device(w1) && same_device(b1) && same_device(w_out) && same_device(b_out);
    for (const auto& [w, b] : hidden)
        one_device = one_device && same_device(w) && same_device(b);
    if (!one_device)
        fail("fused_mlp: every tensor must be on x's device ({}); move the weights there first",
             x.device().str());
    const bool fits = fused_mlp_fits(x.size(1), w1.size(1), w_out.size(0), hidden.size());
    return dispatch(
        "fused_mlp", x, detail::fused_mlp_reference,
        [fits](const torch::Tensor& x_, const torch::Tensor& w1_, const torch::Tensor& b1_,
               const std::vector<std::pair<torch::Tensor, torch::Tensor>>& h_,
               const torch::Tensor& wo_, const torch::Tensor& bo_) {
            return fits ? detail::fused_mlp_cuda(x_, w1_, b1_, h_, wo_, bo_)
                        : detail::fused_mlp_reference(x_, w1_, b1_, h_, wo_, bo_)
                              .to(torch::kFloat32);
        },
        x, w1, b1, hidden, w_out, b_out);
}

namespace detail {

torch::Tensor fused_mlp_reference(
    const torch::Tensor& x,
    const torch::Tensor& w1,
    const torch::Tensor& b1,
    const std::vector<std::pair<torch::Tensor, torch::Tensor>>& hidden,
    const torch::Tensor& w_out,
    const torch::Tensor& b_out) {
    const auto dt = x.scalar_type();
    auto h = torch::relu(torch::matmul(x.unsqueeze(0), w1.to(dt).transpose(1, 2)) +
                         b1.to(dt).unsqueeze(1));  // [T, M, N]
    for (const auto& [w, b] : hidden)
        h = torch::relu(torch::matmul(h, w.to(dt).t()) + b.to(dt));
    return torch::matmul(h, w_out.to(dt).t()) + b_out.to(dt);  // [T, M, O]
}

std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_reference(const torch::Tensor& g,
                                                                     const torch::Tensor& y) {
    auto gz = torch::threshold_backward(g, y, 0);
    auto gb = gz.sum(0);
    return {gz, gb};
}

}  // namespace detail
}  // namespace radiofield::nn
