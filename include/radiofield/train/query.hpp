#pragma once
// Prediction requests. A query names the dataset it belongs to (its scene context), the
// positions, and the support set to condition on: the measured samples a neighbour model
// (KNN, KNN-DL, GRaF) may look at — by default the dataset's training split. A query is
// never in its own support set: a query made from samples excludes each sample from its
// own neighbours.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "radiofield/nn/neighbors.hpp"
#include "radiofield/train/data.hpp"

namespace radiofield::train {

class SupportSet {
public:
    // The samples `indices` of `scene` (e.g. its training split).
    SupportSet(const SceneData& scene, std::vector<std::int64_t> indices);

    const SceneData& scene() const { return *m_scene; }
    const std::vector<std::int64_t>& indices() const { return m_pool.members(); }
    std::size_t size() const { return m_pool.size(); }
    // The k nearest support samples to positions [B, 3], never exclude[b] (−1: none).
    nn::NeighborPool::Nearest nearest(const torch::Tensor& positions,
                                      int k,
                                      const torch::Tensor& exclude = {}) const {
        return m_pool.nearest(positions, k, exclude);
    }
    // The typical distance from a support sample to its k nearest others, metres.
    double mean_spacing(int k) const { return m_pool.mean_spacing(k); }

private:
    const SceneData* m_scene;
    nn::NeighborPool m_pool;
};

struct Query {
    const SceneData* scene = nullptr;     // the dataset the positions belong to
    torch::Tensor positions;              // [B, 3] float32, metres
    const SupportSet* support = nullptr;  // what the prediction may condition on
    torch::Tensor exclude;                // [B] int64: the query's own sample in `scene`, or −1
    // Ask for Prediction::power too (models that keep the path loss fill it; others ignore it).
    bool power = false;

    std::int64_t size() const { return positions.size(0); }
    // Free positions in `scene`, conditioned on its training split.
    static Query at(const SceneData& scene, torch::Tensor positions);
    // The samples `index` of `scene` (their positions), each excluded from its own support.
    static Query samples(const SceneData& scene, const std::vector<std::int64_t>& index);
};

}  // namespace radiofield::train
