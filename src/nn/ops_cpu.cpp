#include <ATen/Parallel.h>

#include <algorithm>

#include "radiofield/nn/ops.hpp"

namespace radiofield::nn::detail {

torch::Tensor minmax_normalize_cpu(const torch::Tensor& x) {  // [N, M]
    auto y = torch::empty_like(x);
    const auto n = x.size(0), m = x.size(1);
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const float* row = in + i * m;
            const auto [lo, hi] = std::minmax_element(row, row + m);
            const float range = *hi - *lo;
            const float scale = range > 0 ? 1.0f / range : 0.0f;
            for (int64_t j = 0; j < m; ++j) {
                out[i * m + j] = (row[j] - *lo) * scale;
            }
        }
    });
    return y;
}

}  // namespace radiofield::nn::detail
