#include "radiofield/data/neighbors.hpp"

#include <cmath>
#include <nanoflann.hpp>

#include "radiofield/core/error.hpp"

namespace radiofield::data {
namespace {

// nanoflann's dataset adaptor over our points.
struct PointCloud {
    std::vector<Vec3> points;
    std::size_t kdtree_get_point_count() const { return points.size(); }
    double kdtree_get_pt(std::size_t i, std::size_t dim) const {
        return points[i][static_cast<int>(dim)];
    }
    template <class Box>
    bool kdtree_get_bbox(Box&) const {
        return false;
    }
};

using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, PointCloud>,
                                                 PointCloud,
                                                 3,
                                                 std::size_t>;

}  // namespace

struct NeighborIndex::Impl {
    PointCloud cloud;
    std::vector<std::size_t> ids;  // tree index → caller's index
    std::unique_ptr<Tree> tree;

    void build() {
        for (std::size_t i = 0; i < cloud.points.size(); ++i) {
            if (!is_finite(cloud.points[i])) {
                fail(
                    "neighbour search: position {} is NaN or infinite; fix the dataset's positions",
                    ids[i]);
            }
        }
        tree = std::make_unique<Tree>(3, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(10));
    }
};

NeighborIndex::NeighborIndex(std::vector<Vec3> points) : m_impl(std::make_unique<Impl>()) {
    m_impl->cloud.points = std::move(points);
    m_impl->ids.resize(m_impl->cloud.points.size());
    for (std::size_t i = 0; i < m_impl->ids.size(); ++i)
        m_impl->ids[i] = i;
    m_impl->build();
}

NeighborIndex::NeighborIndex(const std::vector<Vec3>& points, std::span<const std::int64_t> subset)
    : m_impl(std::make_unique<Impl>()) {
    for (const auto i : subset) {
        if (i < 0 || static_cast<std::size_t>(i) >= points.size()) {
            fail("neighbour search: subset index {} is outside the {} positions", i, points.size());
        }
        m_impl->cloud.points.push_back(points[static_cast<std::size_t>(i)]);
        m_impl->ids.push_back(static_cast<std::size_t>(i));
    }
    m_impl->build();
}

NeighborIndex::~NeighborIndex() = default;
NeighborIndex::NeighborIndex(NeighborIndex&&) noexcept = default;
NeighborIndex& NeighborIndex::operator=(NeighborIndex&&) noexcept = default;

std::size_t NeighborIndex::size() const {
    return m_impl->cloud.points.size();
}

Neighbors NeighborIndex::query(const Vec3& point,
                               std::size_t k,
                               std::optional<std::size_t> exclude) const {
    Neighbors out;
    if (!is_finite(point))
        fail("neighbour search: the query position is NaN or infinite");
    const std::size_t want = std::min(size(), k + (exclude ? 1 : 0));
    if (want == 0)
        return out;
    std::vector<std::size_t> idx(want);
    std::vector<double> d2(want);
    const double q[3] = {point.x, point.y, point.z};
    const std::size_t found = m_impl->tree->knnSearch(q, want, idx.data(), d2.data());
    for (std::size_t j = 0; j < found && out.indices.size() < k; ++j) {
        const std::size_t id = m_impl->ids[idx[j]];
        if (exclude && id == *exclude)
            continue;
        out.indices.push_back(id);
        out.distances.push_back(std::sqrt(d2[j]));
    }
    return out;
}

}  // namespace radiofield::data
