// The CUDA entry points of nn's custom ops, for builds without CUDA (the *_cuda.cu files
// are compiled only with RADIOFIELD_CUDA). nn::dispatch never calls them there (it throws
// first); they exist so the CPU build links. One place for all of them.
#ifndef RADIOFIELD_WITH_CUDA

#include "encoding_kernels.hpp"
#include "radiofield/nn/dispatch.hpp"
#include "radiofield/nn/fused.hpp"
#include "radiofield/nn/ops.hpp"
#include "ray_triangle_kernels.hpp"

namespace radiofield::nn::detail {

torch::Tensor minmax_normalize_cuda(const torch::Tensor& x) {
    fail_unsupported_device("minmax_normalize", x.device());
}

std::pair<torch::Tensor, torch::Tensor> relu_bias_backward_cuda(const torch::Tensor& g,
                                                                const torch::Tensor&) {
    fail_unsupported_device("relu_bias_backward", g.device());
}

torch::Tensor fused_mlp_cuda(const torch::Tensor& x,
                             const torch::Tensor&,
                             const torch::Tensor&,
                             const std::vector<std::pair<torch::Tensor, torch::Tensor>>&,
                             const torch::Tensor&,
                             const torch::Tensor&) {
    fail_unsupported_device("fused_mlp", x.device());
}

torch::Tensor positional_encoding_cuda(const torch::Tensor& x, int) {
    fail_unsupported_device("positional_encoding", x.device());
}

std::pair<torch::Tensor, torch::Tensor> nearest_hit_cuda(const torch::Tensor& origins,
                                                         const torch::Tensor&,
                                                         const torch::Tensor&,
                                                         const torch::Tensor&,
                                                         double,
                                                         double) {
    fail_unsupported_device("intersect_nearest", origins.device());
}

}  // namespace radiofield::nn::detail

#endif  // RADIOFIELD_WITH_CUDA
