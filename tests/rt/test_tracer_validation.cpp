// Tracer invariants: reciprocity, thread-count independence, batched = one-by-one.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>

#include "radiofield/rt/tracer.hpp"
#include "rt_test_scenes.hpp"

namespace radiofield::rt {
namespace {

using testing::add_box;
using testing::box_room;
using testing::device_at;

// A room with a metal cabinet in it, so that some chains are occluded.
scene::Scene furnished_room() {
    scene::Scene s = box_room();
    add_box(s, "cabinet", {2.2, 1.5, 0}, {2.8, 2.3, 2.0},
            s.add_material(scene::itu_material("metal")));
    return s;
}

void expect_identical(const Paths& a, const Paths& b) {
    ASSERT_EQ(a.paths.size(), b.paths.size());
    for (std::size_t i = 0; i < a.paths.size(); ++i) {
        EXPECT_EQ(a.paths[i].tau, b.paths[i].tau);
        EXPECT_EQ(a.paths[i].a, b.paths[i].a);
        ASSERT_EQ(a.paths[i].depth(), b.paths[i].depth());
        for (int k = 0; k < a.paths[i].depth(); ++k) {
            EXPECT_EQ(a.paths[i].interactions[k].object, b.paths[i].interactions[k].object);
            EXPECT_EQ(a.paths[i].interactions[k].primitive, b.paths[i].interactions[k].primitive);
            EXPECT_EQ(a.paths[i].interactions[k].point, b.paths[i].interactions[k].point);
        }
    }
}

TEST(TracerValidation, SwappingTxAndRxGivesTheSameDelaysAndAmplitudes) {
    const scene::Scene s = furnished_room();
    const Tracer tracer(s, 5.2e9);
    TraceOptions o;
    o.max_depth = 3;
    o.samples_per_source = 200'000;
    const auto a = device_at({0.8, 0.7, 1.5}), b = device_at({4.1, 3.2, 1.1});
    const Paths ab = tracer.compute(a, b, o), ba = tracer.compute(b, a, o);
    ASSERT_EQ(ab.paths.size(), ba.paths.size());
    ASSERT_GT(ab.paths.size(), 30u);
    auto sorted = [](const Paths& p) {
        std::vector<std::pair<double, double>> v;
        for (const auto& path : p.paths)
            v.emplace_back(path.tau, std::abs(path.coefficient()));
        std::sort(v.begin(), v.end());
        return v;
    };
    const auto x = sorted(ab), y = sorted(ba);
    for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_NEAR(x[i].first, y[i].first, 1e-9 * x[i].first);
        EXPECT_NEAR(x[i].second, y[i].second, 1e-9 * x[i].second);
    }
}

TEST(TracerValidation, ResultsDoNotDependOnTheThreadCount) {
    const scene::Scene s = furnished_room();
    const Tracer tracer(s, 5.2e9);
    TraceOptions o;
    o.max_depth = 3;
    o.samples_per_source = 50'000;
    o.transmission = true;
    const auto tx = device_at({0.8, 0.7, 1.5});
    const std::vector<Vec3> rx = {{4.1, 3.2, 1.1}, {3.0, 0.5, 2.5}, {1.5, 3.5, 0.4}};
    std::vector<Paths> one, two;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
        one = tracer.compute_many(tx, rx, device_at({}), o);
    }
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
        two = tracer.compute_many(tx, rx, device_at({}), o);
    }
    ASSERT_EQ(one.size(), two.size());
    for (std::size_t i = 0; i < one.size(); ++i)
        expect_identical(one[i], two[i]);
}

TEST(TracerValidation, BatchedReceiversMatchOneByOneFromEitherFixedEnd) {
    const scene::Scene s = furnished_room();
    const Tracer tracer(s, 5.2e9);
    TraceOptions o;
    o.max_depth = 2;
    o.samples_per_source = 100'000;
    const auto fixed = device_at({0.8, 0.7, 1.5});
    const std::vector<Vec3> others = {{4.1, 3.2, 1.1}, {3.0, 0.5, 2.5}};
    const auto from_tx = tracer.compute_many(fixed, others, device_at({}), o, FixedEnd::Tx);
    const auto from_rx = tracer.compute_many(fixed, others, device_at({}), o, FixedEnd::Rx);
    for (std::size_t i = 0; i < others.size(); ++i) {
        expect_identical(from_tx[i], tracer.compute(fixed, device_at(others[i]), o));
        const Paths single = tracer.compute(device_at(others[i]), fixed, o);
        ASSERT_EQ(from_rx[i].paths.size(), single.paths.size());
        for (std::size_t k = 0; k < single.paths.size(); ++k)
            EXPECT_NEAR(from_rx[i].paths[k].tau, single.paths[k].tau, 1e-20);
    }
}

}  // namespace
}  // namespace radiofield::rt
