#pragma once
// k-nearest positions (GRaF's neighbour spectra, the KNN baselines): a KD-tree (nanoflann)
// over a set of positions, Euclidean distance.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "radiofield/core/vec.hpp"

namespace radiofield::data {

struct Neighbors {
    std::vector<std::size_t> indices;  // nearest first
    std::vector<double> distances;     // Euclidean, metres, ascending
};

class NeighborIndex {
public:
    // Index over all `points`; query results are indices into `points`.
    explicit NeighborIndex(std::vector<Vec3> points);
    // Index over points[subset[j]] only (e.g. the training split); results are indices
    // into `points` (the dataset's sample indices), not positions within `subset`.
    NeighborIndex(const std::vector<Vec3>& points, std::span<const std::int64_t> subset);
    ~NeighborIndex();
    NeighborIndex(NeighborIndex&&) noexcept;
    NeighborIndex& operator=(NeighborIndex&&) noexcept;

    std::size_t size() const;
    // The k nearest indexed points to `point` (fewer if the index holds fewer), skipping
    // `exclude` (e.g. the query sample itself when it is in the index).
    Neighbors query(const Vec3& point,
                    std::size_t k,
                    std::optional<std::size_t> exclude = std::nullopt) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace radiofield::data
