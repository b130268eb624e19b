// NeighborPool: k-nearest search over a dataset's measured positions, as tensors.
#include "radiofield/nn/neighbors.hpp"

#include <torch/torch.h>

#include "radiofield/core/error.hpp"

namespace radiofield::nn {

NeighborPool::NeighborPool(std::vector<Vec3> positions, std::vector<std::int64_t> members)
    : m_positions(std::move(positions)), m_members(std::move(members)) {
    for (auto i : m_members) {
        if (i < 0 || i >= static_cast<std::int64_t>(m_positions.size())) {
            fail("neighbour pool: sample index {} out of range (0..{})", i, m_positions.size());
        }
    }
    if (!m_members.empty())
        m_index = std::make_unique<data::NeighborIndex>(m_positions, m_members);
}

NeighborPool::Nearest NeighborPool::nearest(const torch::Tensor& queries,
                                            int k,
                                            const torch::Tensor& exclude) const {
    if (k < 1)
        fail("the number of neighbours must be at least 1, got {}", k);
    if (queries.dim() != 2 || queries.size(1) != 3) {
        fail("neighbour search: positions must be [B, 3], got {}", c10::str(queries.sizes()));
    }
    const auto pos = queries.to(torch::kCPU, torch::kFloat64).contiguous();  // [B, 3]
    const std::int64_t b = pos.size(0);
    torch::Tensor ex;
    if (exclude.defined())
        ex = exclude.to(torch::kCPU, torch::kInt64).contiguous();  // [B]
    if (ex.defined() && ex.numel() != b)
        fail("neighbour search: {} exclusions for {} positions", ex.numel(), b);
    const std::int64_t* ep = ex.defined() ? ex.data_ptr<std::int64_t>() : nullptr;
    Nearest out{torch::empty({b, k}, torch::kInt64), torch::empty({b, k, 3}, torch::kFloat64),
                torch::empty({b, k}, torch::kFloat64)};
    const auto pa = pos.accessor<double, 2>();
    auto ia = out.index.accessor<std::int64_t, 2>();
    auto wa = out.position.accessor<double, 3>();
    auto da = out.distance.accessor<double, 2>();
    for (std::int64_t q = 0; q < b; ++q) {
        const std::int64_t skip = ep ? ep[q] : -1;
        const Vec3 p{pa[q][0], pa[q][1], pa[q][2]};
        data::Neighbors found;
        if (m_index) {
            found = skip >= 0 ? m_index->query(p, k, static_cast<std::size_t>(skip))
                              : m_index->query(p, k);
        }
        if (static_cast<int>(found.indices.size()) < k) {
            fail(
                "{} neighbours are needed but the support set holds only {} usable samples; lower "
                "k or measure "
                "more positions",
                k, found.indices.size());
        }
        for (int j = 0; j < k; ++j) {
            const auto i = found.indices[j];
            ia[q][j] = static_cast<std::int64_t>(i);
            wa[q][j][0] = m_positions[i].x, wa[q][j][1] = m_positions[i].y,
            wa[q][j][2] = m_positions[i].z;
            da[q][j] = found.distances[j];
        }
    }
    return out;
}

double NeighborPool::mean_spacing(int k, int max_samples) const {
    if (!m_index || m_members.size() < 2)
        return 1.0;
    const int kk = std::min<int>(k, static_cast<int>(m_members.size()) - 1);
    double sum = 0;
    std::int64_t count = 0;
    const std::size_t stride =
        std::max<std::size_t>(1, m_members.size() / std::max(1, max_samples));
    for (std::size_t t = 0; t < m_members.size(); t += stride) {
        const auto i = m_members[t];
        const auto found = m_index->query(m_positions[i], kk, static_cast<std::size_t>(i));
        for (double d : found.distances)
            sum += d, ++count;
    }
    return count > 0 && sum > 0 ? sum / count : 1.0;
}

}  // namespace radiofield::nn
