// Positional encoding: validation, the reference, and the dispatch to the kernels.
#include "radiofield/nn/encoding.hpp"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "encoding_kernels.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/nn/dispatch.hpp"

namespace radiofield::nn {
namespace {

constexpr int kMaxFreqs = 64;

void check_input(const torch::Tensor& x, int n_freqs) {
    if (x.dim() != 2 || x.size(1) < 1) {
        fail(
            "positional_encoding: expected x [N, D] with D ≥ 1, got {}; flatten leading "
            "dimensions first (x.reshape({{-1, D}}))",
            c10::str(x.sizes()));
    }
    if (!x.is_floating_point()) {
        fail("positional_encoding: expected a floating-point x (float32 for the kernels), got {}",
             c10::toString(x.scalar_type()));
    }
    if (n_freqs < 0 || n_freqs > kMaxFreqs) {
        fail("positional_encoding: n_freqs must be in 0..{}, got {}", kMaxFreqs, n_freqs);
    }
}

}  // namespace

torch::Tensor positional_encoding_reference(const torch::Tensor& x, int n_freqs) {  // [N, D]
    check_input(x, n_freqs);
    std::vector<torch::Tensor> parts{x};
    for (int k = 0; k < n_freqs; ++k) {
        const auto xf = x * std::ldexp(1.0, k);  // 2^k, exact; keeps x's dtype
        parts.push_back(torch::sin(xf));
        parts.push_back(torch::cos(xf));
    }
    return torch::cat(parts, -1);  // [N, D(1 + 2L)]
}

torch::Tensor positional_encoding(const torch::Tensor& x, int n_freqs) {  // [N, D]
    check_input(x, n_freqs);
    if (x.requires_grad() || x.scalar_type() != torch::kFloat32) {
        return positional_encoding_reference(x, n_freqs);
    }
    const auto xc = x.contiguous();
    return dispatch("positional_encoding", xc, detail::positional_encoding_cpu,
                    detail::positional_encoding_cuda, xc, n_freqs);  // [N, D(1 + 2L)]
}

}  // namespace radiofield::nn
