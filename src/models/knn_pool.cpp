// NeighborPool: the training spectra of the KNN models and a KD-tree per scene.
#include <algorithm>

#include "radiofield/core/error.hpp"
#include "radiofield/models/knn.hpp"

namespace radiofield::models {

void NeighborPool::build(const train::SpectrumData& data, int k) {
    if (k < 1) fail("k (the number of neighbours) must be at least 1, got {}", k);
    const std::int64_t n = data.size();
    m_spectra = data.spectra;
    const auto pos = data.positions.to(torch::kFloat64).contiguous();
    const auto pa = pos.accessor<double, 2>();
    const auto scene = data.scene_id.to(torch::kInt64).contiguous();
    const std::int64_t* sa = scene.data_ptr<std::int64_t>();
    m_positions.resize(n);
    m_scene.resize(n);
    for (std::int64_t i = 0; i < n; ++i) {
        m_positions[i] = {pa[i][0], pa[i][1], pa[i][2]};
        m_scene[i] = sa[i];
    }
    m_train = data.split.train;
    const std::int64_t n_scenes = n == 0 ? 0 : *std::max_element(m_scene.begin(), m_scene.end()) + 1;
    std::vector<std::vector<std::int64_t>> per_scene(n_scenes);
    for (auto i : m_train) per_scene[m_scene[i]].push_back(i);
    m_index.clear();
    for (std::int64_t s = 0; s < n_scenes; ++s) {
        if (per_scene[s].empty()) {
            m_index.push_back(nullptr);
            continue;
        }
        // k neighbours of a training sample, itself excluded.
        if (static_cast<std::int64_t>(per_scene[s].size()) < k + 1) {
            fail("k = {} neighbours need at least {} training samples per dataset, but dataset {} has {}; "
                 "lower k (--set k=...) or use more training data",
                 k, k + 1, s, per_scene[s].size());
        }
        m_index.push_back(std::make_unique<data::NeighborIndex>(m_positions, per_scene[s]));
    }
}

void NeighborPool::to(torch::Device device) { m_spectra = m_spectra.to(device); }

NeighborPool::Found NeighborPool::query(const torch::Tensor& positions, const torch::Tensor& exclude,
                                        int k) const {
    if (m_index.empty()) fail("the KNN model was used before prepare()");
    const auto pos = positions.to(torch::kCPU, torch::kFloat64).contiguous();  // [B, 3]
    const std::int64_t b = pos.size(0);
    torch::Tensor ex;
    if (exclude.defined()) ex = exclude.to(torch::kCPU, torch::kInt64).contiguous();  // [B]
    if (ex.defined() && ex.numel() != b) fail("exclude has {} entries for {} positions", ex.numel(), b);
    const std::int64_t* ep = ex.defined() ? ex.data_ptr<std::int64_t>() : nullptr;
    auto index = torch::empty({b, k}, torch::kInt64);
    auto where = torch::empty({b, k, 3}, torch::kFloat64);
    const auto pa = pos.accessor<double, 2>();
    auto ia = index.accessor<std::int64_t, 2>();
    auto wa = where.accessor<double, 3>();
    for (std::int64_t q = 0; q < b; ++q) {
        const std::int64_t skip = ep ? ep[q] : -1;
        std::int64_t scene = 0;
        if (skip >= 0) {
            if (skip >= static_cast<std::int64_t>(m_scene.size())) fail("exclude index {} out of range", skip);
            scene = m_scene[skip];
        } else if (m_index.size() > 1) {
            fail("the neighbour pool holds {} datasets; predict one dataset at a time", m_index.size());
        }
        if (!m_index[scene]) fail("dataset {} has no training samples to take neighbours from", scene);
        const Vec3 p{pa[q][0], pa[q][1], pa[q][2]};
        const auto found = skip >= 0 ? m_index[scene]->query(p, k, static_cast<std::size_t>(skip))
                                     : m_index[scene]->query(p, k);
        if (static_cast<int>(found.indices.size()) < k) {
            fail("only {} neighbours found for k = {}", found.indices.size(), k);
        }
        for (int j = 0; j < k; ++j) {
            const auto i = found.indices[j];
            ia[q][j] = static_cast<std::int64_t>(i);
            wa[q][j][0] = m_positions[i].x, wa[q][j][1] = m_positions[i].y, wa[q][j][2] = m_positions[i].z;
        }
    }
    return {index, where};
}

double NeighborPool::mean_neighbor_distance(int k, int max_samples) const {
    double sum = 0;
    std::int64_t count = 0;
    const std::size_t stride = std::max<std::size_t>(1, m_train.size() / std::max(1, max_samples));
    for (std::size_t t = 0; t < m_train.size(); t += stride) {
        const auto i = m_train[t];
        const auto& index = m_index[m_scene[i]];
        const auto found = index->query(m_positions[i], k, static_cast<std::size_t>(i));
        for (double d : found.distances) sum += d, ++count;
    }
    return count > 0 && sum > 0 ? sum / count : 1.0;
}

}  // namespace radiofield::models
