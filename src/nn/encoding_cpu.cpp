// Positional encoding, CPU kernel (reference: positional_encoding_reference).
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>

#include "encoding_kernels.hpp"

namespace radiofield::nn::detail {

torch::Tensor positional_encoding_cpu(const torch::Tensor& x, int n_freqs) {  // [N, D]
    const std::int64_t n = x.size(0), d = x.size(1);
    const std::int64_t dims = d * (1 + 2 * static_cast<std::int64_t>(n_freqs));
    auto y = torch::empty({n, dims}, x.options());  // [N, D(1 + 2L)]
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    at::parallel_for(0, n, 1024, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            float* row = out + i * dims;
            for (std::int64_t c = 0; c < d; ++c) {
                const float v = in[i * d + c];
                row[c] = v;
                float f = 1.0f;  // 2^k, exact in float
                for (std::int64_t k = 0; k < n_freqs; ++k, f *= 2.0f) {
                    row[d + 2 * d * k + c] = std::sin(v * f);
                    row[2 * d + 2 * d * k + c] = std::cos(v * f);
                }
            }
        }
    });
    return y;
}

}  // namespace radiofield::nn::detail
