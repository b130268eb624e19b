#pragma once
// The k nearest measured positions as tensors: the neighbour search of the KNN baselines and
// of GRaF's support sets. A KD-tree (data::NeighborIndex, nanoflann) over some of a
// dataset's positions; results are the dataset's sample indices.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/data/neighbors.hpp"

namespace radiofield::nn {

class NeighborPool {
public:
    // Indexes positions[members] (members: sample indices, e.g. a training split).
    NeighborPool(std::vector<Vec3> positions, std::vector<std::int64_t> members);

    struct Nearest {
        torch::Tensor index;     // [B, k] int64 (CPU): sample indices, nearest first
        torch::Tensor position;  // [B, k, 3] float64 (CPU)
        torch::Tensor distance;  // [B, k] float64 (CPU), metres, ascending
    };
    // The k nearest members to each of `queries` [B, 3]; exclude [B] int64 (or undefined):
    // a sample index per query that must not be returned (the query itself), or −1. Throws
    // Error when fewer than k members remain.
    Nearest nearest(const torch::Tensor& queries, int k, const torch::Tensor& exclude = {}) const;
    // Mean distance from a member to its k nearest other members (a length scale), over at
    // most `max_samples` members; 1 when undefined.
    double mean_spacing(int k, int max_samples = 256) const;

    const std::vector<std::int64_t>& members() const { return m_members; }
    std::size_t size() const { return m_members.size(); }
    const Vec3& position(std::int64_t sample) const { return m_positions[sample]; }

private:
    std::vector<Vec3> m_positions;  // every sample of the dataset
    std::vector<std::int64_t> m_members;
    std::unique_ptr<data::NeighborIndex> m_index;
};

}  // namespace radiofield::nn
