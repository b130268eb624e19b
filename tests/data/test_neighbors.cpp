#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/data/neighbors.hpp"

namespace radiofield::data {
namespace {

std::vector<Vec3> random_points(std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Vec3> p(n);
    for (auto& v : p)
        v = {rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(0, 3)};
    return p;
}

Neighbors brute_force(const std::vector<Vec3>& points,
                      const std::vector<std::size_t>& candidates,
                      const Vec3& q,
                      std::size_t k,
                      std::optional<std::size_t> exclude = std::nullopt) {
    std::vector<std::pair<double, std::size_t>> all;
    for (auto i : candidates) {
        if (exclude && i == *exclude)
            continue;
        all.emplace_back(norm(points[i] - q), i);
    }
    std::sort(all.begin(), all.end());
    Neighbors out;
    for (std::size_t j = 0; j < std::min(k, all.size()); ++j) {
        out.indices.push_back(all[j].second);
        out.distances.push_back(all[j].first);
    }
    return out;
}

void expect_same(const Neighbors& a, const Neighbors& b) {
    ASSERT_EQ(a.indices, b.indices);
    ASSERT_EQ(a.distances.size(), b.distances.size());
    for (std::size_t j = 0; j < a.distances.size(); ++j)
        EXPECT_NEAR(a.distances[j], b.distances[j], 1e-12);
}

TEST(Neighbors, KdTreeEqualsBruteForceOnRandomPoints) {
    const auto points = random_points(2000, 1);
    const NeighborIndex index(points);
    std::vector<std::size_t> all(points.size());
    std::iota(all.begin(), all.end(), 0);
    for (const auto& q : random_points(100, 2)) {
        expect_same(index.query(q, 8), brute_force(points, all, q, 8));
    }
}

TEST(Neighbors, ExcludingTheQuerySampleSkipsItself) {
    const auto points = random_points(300, 3);
    const NeighborIndex index(points);
    std::vector<std::size_t> all(points.size());
    std::iota(all.begin(), all.end(), 0);
    for (std::size_t i = 0; i < 300; i += 37) {
        const Neighbors n = index.query(points[i], 5, i);
        EXPECT_EQ(n.indices.size(), 5u);
        EXPECT_EQ(std::count(n.indices.begin(), n.indices.end(), i), 0);
        expect_same(n, brute_force(points, all, points[i], 5, i));
        EXPECT_EQ(index.query(points[i], 1).indices.front(), i);  // without exclusion: itself
    }
}

TEST(Neighbors, SubsetIndexReturnsDatasetIndicesOfTheSubsetOnly) {
    const auto points = random_points(500, 4);
    std::vector<std::int64_t> train;
    std::vector<std::size_t> train_ids;
    for (std::size_t i = 0; i < 500; i += 3) {
        train.push_back(static_cast<std::int64_t>(i));
        train_ids.push_back(i);
    }
    const NeighborIndex index(points, train);
    EXPECT_EQ(index.size(), train.size());
    for (const auto& q : random_points(30, 5))
        expect_same(index.query(q, 6), brute_force(points, train_ids, q, 6));
}

TEST(Neighbors, AskingForMoreThanStoredReturnsAllAndBadInputIsRefused) {
    const auto points = random_points(4, 6);
    const NeighborIndex index(points);
    EXPECT_EQ(index.query({0, 0, 0}, 10).indices.size(), 4u);
    EXPECT_EQ(index.query({0, 0, 0}, 10, 2).indices.size(), 3u);
    EXPECT_TRUE(index.query({0, 0, 0}, 0).indices.empty());
    EXPECT_THROW(index.query({std::nan(""), 0, 0}, 1), Error);
    const std::int64_t bad[] = {7};
    EXPECT_THROW(NeighborIndex(points, bad), Error);
}

}  // namespace
}  // namespace radiofield::data
