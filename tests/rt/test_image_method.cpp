// Image method: paths land on the faces they name, obey the law of reflection, and the
// tracer finds exactly the paths a brute-force enumeration of face sequences finds.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/rt/image_method.hpp"
#include "radiofield/rt/tracer.hpp"
#include "rt_test_scenes.hpp"

namespace radiofield::rt {
namespace {

using testing::box_room;
using testing::device_at;

TEST(ImageMethod, MirrorIsAnInvolutionAcrossAPlane) {
    const Vec3 n = normalize(Vec3{1, 2, 2});
    const Vec3 p{0.3, -1.7, 2.2};
    const Vec3 m = mirror(p, n, 0.8);
    EXPECT_NEAR(dot(n, p) - 0.8, -(dot(n, m) - 0.8), 1e-14);
    EXPECT_NEAR(norm(mirror(m, n, 0.8) - p), 0.0, 1e-14);
}

TEST(ImageMethod, CoplanarTrianglesOfOneFaceShareAPlaneIdAndOthersDoNot) {
    const scene::Scene s = box_room();
    const EmbreeScene geo(s);
    std::set<std::uint32_t> ids;
    for (std::uint32_t t = 0; t < 12; t += 2) {
        EXPECT_EQ(geo.triangle(0, t).plane_id, geo.triangle(0, t + 1).plane_id);
        ids.insert(geo.triangle(0, t).plane_id);
    }
    EXPECT_EQ(ids.size(), 6u);
}

TEST(ImageMethod, VerticesLieOnTheirFacesAndObeyTheLawOfReflection) {
    const scene::Scene s = box_room();
    const Tracer tracer(s, 3.5e9);
    TraceOptions o;
    o.max_depth = 3;
    o.samples_per_source = 100'000;
    const auto tx = device_at({1.1, 0.9, 1.7}), rx = device_at({3.6, 2.9, 1.2});
    const Paths paths = tracer.compute(tx, rx, o);
    ASSERT_GT(paths.paths.size(), 40u);
    for (const Path& p : paths.paths) {
        Vec3 prev = tx.position;
        for (int i = 0; i < p.depth(); ++i) {
            const Interaction& it = p.interactions[i];
            const TriangleInfo& tri = tracer.geometry().triangle(it.object, it.primitive);
            EXPECT_LT(std::abs(dot(tri.normal, it.point) - tri.offset), 1e-9);
            EXPECT_TRUE(inside_triangle(tri, it.point, 1e-9));
            const Vec3 next = i + 1 < p.depth() ? p.interactions[i + 1].point : rx.position;
            const Vec3 u = normalize(it.point - prev), v = normalize(next - it.point);
            // Angle in = angle out, and the outgoing ray is the mirror of the incoming one
            // (hence coplanar with the normal).
            EXPECT_NEAR(std::abs(dot(u, tri.normal)), std::abs(dot(v, tri.normal)), 1e-9);
            EXPECT_LT(norm(v - (u - tri.normal * (2 * dot(u, tri.normal)))), 1e-9);
            EXPECT_NEAR(dot(cross(u, v), tri.normal), 0.0, 1e-9);
            prev = it.point;
        }
    }
}

// All chains of up to `depth` triangles, solved and validated one by one; chains through
// coplanar siblings counted once.
std::map<int, int> brute_force_counts(const EmbreeScene& geo,
                                      const Vec3& tx,
                                      const Vec3& rx,
                                      int depth) {
    std::vector<FaceRef> faces;
    for (std::uint32_t o = 0; o < geo.num_objects(); ++o)
        for (std::uint32_t t = 0; t < geo.num_triangles(o); ++t)
            faces.push_back({o, t});
    std::map<int, int> counts;
    std::set<std::vector<std::uint32_t>> seen;
    std::vector<std::size_t> idx;
    auto recurse = [&](auto&& self, int d) -> void {
        if (d > 0) {
            FaceSequence seq;
            std::vector<std::uint32_t> planes;
            for (auto i : idx) {
                seq.push_back(faces[i]);
                planes.push_back(geo.triangle(faces[i].object, faces[i].primitive).plane_id);
            }
            auto pts = image_points(geo, tx, seq, rx);
            if (pts && chain_visible(geo, tx, seq, *pts, rx) && seen.insert(planes).second)
                ++counts[d];
        }
        if (d == depth)
            return;
        for (std::size_t i = 0; i < faces.size(); ++i) {
            idx.push_back(i);
            self(self, d + 1);
            idx.pop_back();
        }
    };
    recurse(recurse, 0);
    return counts;
}

TEST(ImageMethod, BoxRoomPathCountsMatchBruteForceAndTheImageLattice) {
    // In a cuboid every image source is valid (Allen & Berkley); the images of order n sit
    // on the L1 sphere of radius n of the image lattice: 6, 18, 38 points for n = 1, 2, 3.
    // (Of the 30 second-order wall sequences, a pair of perpendicular walls is valid in one
    // order only, so 6 + 12 = 18.)
    const scene::Scene s = box_room();
    const Tracer tracer(s, 3.5e9);
    const Vec3 tx{1.3, 1.1, 1.4}, rx{3.7, 2.6, 1.9};
    const auto brute = brute_force_counts(tracer.geometry(), tx, rx, 3);
    EXPECT_EQ(brute, (std::map<int, int>{{1, 6}, {2, 18}, {3, 38}}));

    TraceOptions o;
    o.max_depth = 3;
    o.samples_per_source = 100'000;
    const Paths p = tracer.compute(device_at(tx), device_at(rx), o);
    std::map<int, int> counts;
    for (const auto& path : p.paths)
        ++counts[path.depth()];
    EXPECT_EQ(counts, (std::map<int, int>{{0, 1}, {1, 6}, {2, 18}, {3, 38}}));
}

TEST(ImageMethod, ChainWithTheSameFaceTwiceInARowIsRejected) {
    const scene::Scene s = box_room();
    const EmbreeScene geo(s);
    const FaceSequence twice{{0, 0}, {0, 0}};
    EXPECT_FALSE(image_points(geo, {1, 1, 1}, twice, {2, 2, 2}).has_value());
    const FaceSequence siblings{{0, 0}, {0, 1}};
    EXPECT_FALSE(image_points(geo, {1, 1, 1}, siblings, {2, 2, 2}).has_value());
}

TEST(ImageMethod, ScatteringChainsEndOnScatteringFacesAndStartAtTheSource) {
    scene::Scene s = box_room();
    auto wood = scene::itu_material("wood");
    wood.scattering_coefficient = 0.5;
    const auto rough = s.add_material(wood);
    for (std::uint32_t t = 8; t < 10; ++t)
        s.meshes[0].material[t] = rough;  // the floor
    const EmbreeScene geo(s);
    CandidateSearch search;
    search.samples = 2000;
    search.max_depth = 2;
    const Vec3 src{1.3, 1.1, 1.4};
    const auto chains = find_scattering_chains(geo, src, search, {false, true});
    ASSERT_FALSE(chains.empty());
    for (const auto& c : chains) {
        ASSERT_FALSE(c.hits.empty());
        const auto& last = c.hits.back();
        EXPECT_EQ(geo.triangle(last.face.object, last.face.primitive).material, rough);
        EXPECT_NEAR(last.point.z, 0.0, 1e-9);
        // The first hit lies on the lattice direction of its ray.
        const Vec3 d = normalize(c.hits.front().point - src);
        EXPECT_LT(norm(d - fibonacci_direction(c.ray, search.samples)), 1e-9);
    }
}

}  // namespace
}  // namespace radiofield::rt
