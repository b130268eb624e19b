// Path completeness against Sionna RT 2.2.0 on larger example scenes: at Sionna's own ray
// count, our tracer finds every path Sionna finds (the union of its runs at 1e5 and 1e6
// rays, tests/rt/data/sionna/<scene>.json made by scripts/sionna_reference.py), by depth,
// with the same objects and delay, vertices within 1e-3 m (2e-4 of the length on long
// paths). docs/sionna-comparison.md §6.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "sionna_reference.hpp"

namespace radiofield::rt {
namespace {

using json = nlohmann::json;
using test::iso_v;
using test::sionna_dir;
using test::sionna_options;
using test::vec3;

// A path is Sionna's when it meets the same objects with the same delay: the delay is
// stationary in the vertices (Fermat), so Sionna's float32 image method gives it to ~2e-4 ns
// even where its vertices drift — by up to 7e-2 m on 665 m paths that graze the ground.
constexpr double kTauTol = 1e-3 * 1e-9;  // s (0.3 mm of path)
constexpr double kVertexTol = 1e-3;      // m, or
constexpr double kVertexRel = 2e-4;      // of the path length, whichever is larger

struct Count {
    std::vector<int> theirs, ours, missed;
};

// Which candidate search to run: the current one, or an earlier one whose misses are counted
// without failing (they show that the test can tell the searches apart).
enum class Search {
    Now,
    // Chains of surfaces from both ends, each chain in the order it was found only.
    OneOrder,
    // Chains of the triangles hit, from the transmitter only (before surfaces and both ends).
    Former,
};

// Traces every pair at `samples` rays and checks that each Sionna path has a counterpart of
// the same depth, objects and vertices; returns the counts by depth.
Count check_scene(const std::string& name, std::size_t samples, Search search = Search::Now) {
    const json ref = test::read_sionna(name);
    const scene::Scene s =
        scene::load_mitsuba_scene(sionna_dir() / ref.at("scene").get<std::string>());
    const int max_depth = ref.at("max_depth").get<int>();
    const Tracer tracer(s, ref.at("frequency_hz").get<double>());
    TraceOptions options = sionna_options(max_depth);
    options.samples_per_source = samples;
    if (search == Search::Former) {
        options.surface_candidates = false;
        options.both_ends_up_to = 0;
    }
    if (search == Search::OneOrder)
        options.both_orders_up_to_depth = 0;
    const bool former = search != Search::Now;
    Count c;
    c.theirs.assign(max_depth + 1, 0);
    c.ours.assign(max_depth + 1, 0);
    c.missed.assign(max_depth + 1, 0);
    int index = 0;
    for (const json& pair : ref.at("pairs")) {
        SCOPED_TRACE(name + " pair " + std::to_string(index++));
        const Paths ours =
            tracer.compute(iso_v(vec3(pair.at("tx"))), iso_v(vec3(pair.at("rx"))), options);
        for (const Path& p : ours.paths)
            ++c.ours.at(p.depth());
        for (const json& sp : pair.at("paths")) {
            const int depth = sp.at("depth").get<int>();
            ++c.theirs.at(depth);
            const auto& verts = sp.at("vertices");
            const double tau = sp.at("tau_s").get<double>();
            // Ours with the same objects and the nearest delay.
            const Path* best = nullptr;
            for (const Path& p : ours.paths) {
                if (p.depth() != depth)
                    continue;
                bool same = true;
                for (int k = 0; k < depth; ++k)
                    same = same && s.meshes[p.interactions[k].object].name ==
                                       sp.at("objects")[k].get<std::string>();
                if (same && (!best || std::abs(p.tau - tau) < std::abs(best->tau - tau)))
                    best = &p;
            }
            if (!best || std::abs(best->tau - tau) > kTauTol) {
                ++c.missed.at(depth);
                if (!former)
                    ADD_FAILURE() << "Sionna path of depth " << depth << ", tau " << tau * 1e9
                                  << " ns, objects " << sp.at("objects").dump() << ", found at "
                                  << sp.value("found_at", json::array()).dump()
                                  << " rays, is missing at " << samples << " rays";
                continue;
            }
            double dist = 0;
            for (int k = 0; k < depth; ++k)
                dist = std::max(dist, norm(best->interactions[k].point - vec3(verts[k])));
            if (!former)
                EXPECT_LE(dist, std::max(kVertexTol, kVertexRel * best->length))
                    << "vertices of the depth-" << depth << " path at " << tau * 1e9 << " ns";
        }
    }
    return c;
}

std::string row(const std::vector<int>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? "/" : "") + std::to_string(v[i]);
    return s;
}

struct Case {
    std::string scene;
    std::size_t samples;
};

class SionnaCompleteness : public ::testing::TestWithParam<Case> {};

TEST_P(SionnaCompleteness, EverySionnaPathIsFoundAtSionnasRayCount) {
    const json ref = test::read_sionna(GetParam().scene);
    const auto runs = ref.at("solver").at("samples_per_src_runs").get<std::vector<std::size_t>>();
    ASSERT_NE(std::find(runs.begin(), runs.end(), GetParam().samples), runs.end());
    const Count c = check_scene(GetParam().scene, GetParam().samples);
    int total = 0;
    for (int n : c.theirs)
        total += n;
    EXPECT_GT(total, 0);
    // Depth-3 paths are the point of these scenes.
    EXPECT_GT(c.theirs.back(), 0);
    std::printf("%s at %zu rays: Sionna (union) %s, ours %s, missed %s\n", GetParam().scene.c_str(),
                GetParam().samples, row(c.theirs).c_str(), row(c.ours).c_str(),
                row(c.missed).c_str());
}

// Guards the test's sensitivity: the former search misses some of them at that count.
TEST(SionnaCompleteness, TheFormerSearchMissesLongPathsOnEtoileAtTheSameRayCount) {
    const Count c = check_scene("etoile", 100'000, Search::Former);
    int missed = 0;
    for (int n : c.missed)
        missed += n;
    EXPECT_GT(missed, 0);
    std::printf("former search on etoile at 100000 rays: ours %s, missed %s\n", row(c.ours).c_str(),
                row(c.missed).c_str());
}

// And the search from both ends without the reversed short chains misses a depth-2 path of
// etoile at 1e5 rays: a retro-reflection in an inner corner ~350 m away whose faces the rays
// from both ends meet only in the other order (docs/sionna-comparison.md §6).
TEST(SionnaCompleteness, ChainsInOneOrderMissACornerReflectionOnEtoileAtTheSameRayCount) {
    const Count c = check_scene("etoile", 100'000, Search::OneOrder);
    EXPECT_GT(c.missed.at(2), 0);
    std::printf("both ends, chains in one order, on etoile at 100000 rays: ours %s, missed %s\n",
                row(c.ours).c_str(), row(c.missed).c_str());
}

INSTANTIATE_TEST_SUITE_P(Scenes,
                         SionnaCompleteness,
                         ::testing::Values(Case{"simple_street_canyon_with_cars", 100'000},
                                           Case{"etoile", 100'000},
                                           Case{"etoile", 1'000'000}),
                         [](const auto& info) {
                             return info.param.scene + "_" + std::to_string(info.param.samples);
                         });

}  // namespace
}  // namespace radiofield::rt
