// NeRF2 positional encoding, CPU kernel (reference: positional_encoding_reference).
#include <ATen/Parallel.h>

#include <cmath>

#include "nerf2_encode.hpp"

namespace radiofield::models::detail {

torch::Tensor positional_encoding_cpu(const torch::Tensor& x, int n_freqs) {  // [N, 3]
    const auto n = x.size(0);
    const int dims = 3 + 6 * n_freqs;
    auto y = torch::empty({n, dims}, x.options());  // [N, 3 + 6L]
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    at::parallel_for(0, n, 1024, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            float* row = out + i * dims;
            for (int c = 0; c < 3; ++c) {
                const float v = in[i * 3 + c];
                row[c] = v;
                float f = 1.0f;  // 2^k, exact in float
                for (int k = 0; k < n_freqs; ++k, f *= 2.0f) {
                    row[3 + 6 * k + c] = std::sin(v * f);
                    row[6 + 6 * k + c] = std::cos(v * f);
                }
            }
        }
    });
    return y;
}

// Without CUDA the dispatcher never calls this; it exists so the CPU build links.
#ifndef RADIOFIELD_WITH_CUDA
torch::Tensor positional_encoding_cuda(const torch::Tensor&, int) {
    TORCH_CHECK(false, "radiofield was built without CUDA");
}
#endif

}  // namespace radiofield::models::detail
