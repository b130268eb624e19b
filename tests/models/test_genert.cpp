// GeNeRT's neural ray-tracing engine: tensor geometry against Embree, the outgoing-ray
// network's sizes (DESIGN.md §6.5), the physics (Fresnel) mode against closed forms and the
// physics tracer, batching, gradients, and CUDA against CPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "../nn/single_thread.hpp"
#include "../rt/rt_test_scenes.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/models/genert.hpp"
#include "radiofield/nn/ray_triangle.hpp"
#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/rt/fresnel.hpp"
#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/train/path_set.hpp"

namespace radiofield {
namespace {

using models::genert::Engine;
using models::genert::EngineOptions;
using models::genert::EnginePaths;
using models::genert::FresnelField;
using models::genert::InteractionInput;
using models::genert::NetConfig;
using models::genert::OutgoingRayNet;
using models::genert::ReferencePolarisation;
using models::genert::SceneTensors;
namespace rtt = rt::testing;

constexpr double kFrequency = 3.5e9;

// Random rays: origins in the scene's box (inflated), directions uniform on the sphere.
std::pair<std::vector<Vec3>, std::vector<Vec3>> random_rays(const scene::Scene& s,
                                                            int n,
                                                            std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto b = s.bounds();
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> g(0, 1);
    std::vector<Vec3> o, d;
    for (int i = 0; i < n; ++i) {
        const Vec3 lo = b.lo - Vec3{10, 10, 1}, size = b.size() + Vec3{20, 20, 30};
        o.push_back({lo.x + size.x * u(rng), lo.y + size.y * u(rng), lo.z + size.z * u(rng)});
        d.push_back(normalize(Vec3{g(rng), g(rng), g(rng)}));
    }
    return {o, d};
}

torch::Tensor to_tensor(const std::vector<Vec3>& v, torch::ScalarType dtype) {
    std::vector<double> flat;
    for (const auto& p : v)
        flat.insert(flat.end(), {p.x, p.y, p.z});
    return torch::tensor(flat, torch::kFloat64).reshape({(std::int64_t)v.size(), 3}).to(dtype);
}

struct Agreement {
    int rays = 0, both_hit = 0, hit_mismatch = 0, same_face = 0, same_t_other_face = 0;
    double max_rel_t = 0;
};

Agreement compare_with_embree(const scene::Scene& s,
                              torch::ScalarType dtype,
                              int n,
                              torch::Device device = torch::kCPU) {
    const auto tensors = SceneTensors::from(s, dtype, device);
    const rt::EmbreeScene embree(s);
    std::vector<std::size_t> first{0};
    for (const auto& m : s.meshes)
        first.push_back(first.back() + m.num_triangles());
    const auto [o, d] = random_rays(s, n, 7);
    const auto hit = nn::intersect_nearest(to_tensor(o, dtype).to(device),
                                           to_tensor(d, dtype).to(device), tensors.tris);
    const auto t = hit.t.to(torch::kCPU, torch::kFloat64);
    const auto face = hit.face.to(torch::kCPU);
    Agreement a;
    a.rays = n;
    for (int i = 0; i < n; ++i) {
        const auto ref = embree.intersect(o[i], d[i]);
        const bool mine = face[i].item<std::int64_t>() >= 0;
        if (mine != ref.hit) {
            ++a.hit_mismatch;
            continue;
        }
        if (!ref.hit)
            continue;
        ++a.both_hit;
        const auto ref_face = static_cast<std::int64_t>(first[ref.object] + ref.primitive);
        const double rel = std::abs(t[i].item<double>() - ref.t) / ref.t;
        a.max_rel_t = std::max(a.max_rel_t, rel);
        if (face[i].item<std::int64_t>() == ref_face)
            ++a.same_face;
        else if (rel < 1e-6)
            ++a.same_t_other_face;  // a shared edge or a coincident face: both are nearest
    }
    return a;
}

// Flat ground (z = 0) of one material, 2 km across.
scene::Scene ground_scene(const std::string& material = "very_dry_ground") {
    scene::Scene s;
    s.name = "ground";
    const auto m = s.add_material(scene::itu_material(material));
    rtt::add_ground(s, 1000, 0, m);
    return s;
}

// Ground plus one concrete wall at x = 40 (y ∈ [−60, 20], z ∈ [0, 30]).
scene::Scene ground_and_wall() {
    auto s = ground_scene();
    const auto concrete = s.add_material(scene::itu_material("concrete"));
    rtt::add_wall_x(s, 40, -60, 20, 0, 30, concrete);
    return s;
}

EngineOptions fresnel_options(std::int64_t rays, int depth) {
    EngineOptions o;
    o.frequency_hz = kFrequency;
    o.rays_per_tx = rays;
    o.max_interactions = depth;
    o.geometry_dtype = torch::kFloat64;
    return o;
}

std::int64_t linear(std::int64_t in, std::int64_t out) {
    return in * out + out;
}
std::int64_t block(std::int64_t w, std::int64_t h) {
    return linear(w, h) + linear(h, w);
}
std::int64_t tower(std::int64_t in, std::int64_t out) {
    return (in == 64 ? 0 : linear(in, 64)) + block(64, 32) + linear(64, 32) + block(32, 16) +
           linear(32, out);
}
std::int64_t count(const std::vector<torch::Tensor>& ps) {
    std::int64_t n = 0;
    for (const auto& p : ps)
        n += p.numel();
    return n;
}

TEST(GenertGeometry, MollerTrumboreEqualsEmbreeNearestHitOnRosslyn) {
    test::SingleThread one;
    const auto s = scene::make_builtin_scene("rosslyn_like");
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        const auto a = compare_with_embree(s, dtype, 4000);
        std::printf(
            "[mt vs embree] %s: %d rays, %d hit both, %d hit/miss disagree, %d same "
            "face, %d other face at the same t, max |Δt|/t = %.3g\n",
            dtype == torch::kFloat64 ? "float64" : "float32", a.rays, a.both_hit, a.hit_mismatch,
            a.same_face, a.same_t_other_face, a.max_rel_t);
        EXPECT_GT(a.both_hit, 1000);
        EXPECT_EQ(a.hit_mismatch, 0);
        EXPECT_EQ(a.same_face + a.same_t_other_face, a.both_hit);
        EXPECT_LT(a.max_rel_t, 1e-4);
    }
}

// intersect_nearest's kernel (on `device`) against the tensorised reference on the CPU, on
// random rays against rosslyn_like, half of them leaving from a triangle they must not hit.
void expect_kernel_equals_reference(torch::ScalarType dtype, torch::Device device) {
    const auto s = scene::make_builtin_scene("rosslyn_like");
    const auto cpu = SceneTensors::from(s, dtype);
    const auto dev = SceneTensors::from(s, dtype, device);
    const auto [o, d] = random_rays(s, 3000, 11);
    const auto origins = to_tensor(o, dtype), dirs = to_tensor(d, dtype);
    nn::IntersectOptions options;
    options.t_min = 1e-3;
    const auto first = nn::intersect_nearest_tensor(origins, dirs, cpu.tris, options);
    // Second segments: from each first hit, mirrored about the triangle's plane, excluding it.
    const auto p = first.point(origins, dirs);
    const auto n = cpu.normals.index_select(0, first.face.clamp_min(0));
    const auto mirrored = dirs - 2 * (dirs * n).sum(1, true) * n;
    const auto exclude = first.face;  // −1 where the first segment hit nothing
    for (const bool second : {false, true}) {
        const auto& ro = second ? p : origins;
        const auto& rd = second ? mirrored : dirs;
        const auto skip = second ? exclude : torch::Tensor();
        const auto want = nn::intersect_nearest_tensor(ro, rd, cpu.tris, options, skip);
        const auto got = nn::intersect_nearest(ro.to(device), rd.to(device), dev.tris, options,
                                               second ? skip.to(device) : skip);
        const auto t_want = want.t.to(torch::kFloat64);
        const auto t_got = got.t.to(torch::kCPU, torch::kFloat64);
        const auto face_got = got.face.cpu();
        ASSERT_TRUE(torch::equal(want.hit, got.hit.cpu())) << (second ? "second" : "first");
        const auto both = want.hit.nonzero().squeeze(1);
        EXPECT_GT(both.size(0), 500);
        const auto rel = ((t_got - t_want).abs() / t_want).index_select(0, both);
        EXPECT_LT(rel.max().item<double>(), dtype == torch::kFloat64 ? 1e-12 : 1e-5);
        // Same triangle, except where two are nearest at the same distance (a shared edge).
        const auto other = (face_got != want.face).index_select(0, both);
        EXPECT_TRUE((rel.index({other}) < 1e-6).all().item<bool>());
        EXPECT_LE(other.sum().item<std::int64_t>(), both.size(0) / 100);
        if (second) {
            const auto own = (face_got == exclude) & (exclude >= 0);
            EXPECT_FALSE(own.any().item<bool>());
        }
    }
}

TEST(GenertGeometry, KernelEqualsTensorisedReference) {
    for (const auto dtype : {torch::kFloat64, torch::kFloat32})
        expect_kernel_equals_reference(dtype, torch::kCPU);
}

TEST(GenertGeometry, CudaKernelEqualsTensorisedReference) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    for (const auto dtype : {torch::kFloat64, torch::kFloat32})
        expect_kernel_equals_reference(dtype, torch::kCUDA);
}

TEST(GenertGeometry, FibonacciLatticeIsUnitAndBalanced) {
    const auto d = nn::fibonacci_sphere(1001, torch::kFloat64);
    EXPECT_EQ(d.sizes(), (std::vector<std::int64_t>{1001, 3}));
    EXPECT_LT((d.norm(2, 1) - 1).abs().max().item<double>(), 1e-12);
    EXPECT_LT(d.mean(0).norm().item<double>(), 1e-2);
}

TEST(GenertGeometry, ExcludedFaceAndTminAreHonoured) {
    const auto s = ground_scene();
    const auto tensors = SceneTensors::from(s, torch::kFloat64);
    const auto o = torch::tensor({{1.0, 2.0, 5.0}, {1.0, 2.0, 5.0}}, torch::kFloat64);
    const auto d = torch::tensor({{0.0, 0.0, -1.0}, {0.0, 0.0, -1.0}}, torch::kFloat64);
    auto hit = nn::intersect_nearest(o, d, tensors.tris);
    EXPECT_NEAR(hit.t[0].item<double>(), 5.0, 1e-12);
    const auto f = hit.face[0].item<std::int64_t>();
    hit = nn::intersect_nearest(o, d, tensors.tris, {}, torch::tensor({f, (std::int64_t)-1}));
    EXPECT_FALSE(hit.hit[0].item<bool>());
    EXPECT_TRUE(hit.hit[1].item<bool>());
    nn::IntersectOptions far;
    far.t_min = 6;
    EXPECT_FALSE(nn::intersect_nearest(o, d, tensors.tris, far).hit.any().item<bool>());
    try {
        nn::intersect_nearest(o, d, tensors.tris, {}, torch::tensor({f}));
        ADD_FAILURE() << "an exclude of one entry for two rays was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("exclude must be [R]"), std::string::npos) << e.what();
    }
}

TEST(GenertNetwork, SizesFollowDesign) {
    test::SingleThread one;
    torch::manual_seed(0);
    NetConfig c;
    c.num_classes = 6;
    OutgoingRayNet net(c);
    // γ(θ) is 1·(1 + 2·4) = 9 wide; embedding 5; latent 14 → 32 → 64; towers as in the header.
    EXPECT_EQ(count(net->module_parameters("embedding")), 6 * 5);
    EXPECT_EQ(count(net->module_parameters("latent")), linear(14, 32) + linear(32, 64));
    EXPECT_EQ(count(net->module_parameters("angle")), tower(64, 2));
    EXPECT_EQ(count(net->module_parameters("r_par")), tower(64, 2));
    EXPECT_EQ(count(net->module_parameters("r_perp")), tower(64, 2));
    EXPECT_EQ(count(net->module_parameters("fusion")), tower(2 + 2 + 2 + 9, 2));
    EXPECT_EQ(count(net->parameters()),
              6 * 5 + linear(14, 32) + linear(32, 64) + 3 * tower(64, 2) + tower(15, 2));

    const std::int64_t n = 7;
    InteractionInput in{torch::rand({n}), torch::randint(0, 6, {n}), torch::rand({n}),
                        torch::complex(torch::rand({n}), torch::rand({n}))};
    const auto out = net->forward(in);
    EXPECT_EQ(out.outgoing.sizes(), (std::vector<std::int64_t>{n, 2}));
    EXPECT_LT((out.outgoing.norm(2, 1) - 1).abs().max().item<double>(), 1e-5);
    for (const auto& z : {out.r_par, out.r_perp, out.coefficient}) {
        EXPECT_EQ(z.sizes(), (std::vector<std::int64_t>{n}));
        EXPECT_TRUE(z.is_complex());
    }
    in.classes = torch::full({n}, 6, torch::kInt64);
    EXPECT_THROW(net->forward(in), Error);
    EXPECT_THROW(net->module_parameters("nope"), Error);
}

TEST(GenertNetwork, XavierUniformWeightsZeroBiases) {
    torch::manual_seed(1);
    OutgoingRayNet net;
    int linears = 0;
    for (const auto& m : net->modules(false)) {
        const auto* l = m->as<torch::nn::Linear>();
        if (!l)
            continue;
        ++linears;
        const auto& w = l->weight;
        const double bound = std::sqrt(6.0 / double(w.size(0) + w.size(1)));
        EXPECT_LE(w.abs().max().item<double>(), bound);
        // Uniform on [−b, b]: variance b²/3.
        EXPECT_NEAR(w.var().item<double>(), bound * bound / 3, 0.35 * bound * bound / 3);
        EXPECT_EQ(l->bias.abs().max().item<double>(), 0.0);
    }
    EXPECT_EQ(linears, 2 + 4 * 6 + 1);  // latent, four towers of six, the fusion lift
}

TEST(GenertNetwork, ResidualSwitchKeepsWeightsChangesOutput) {
    test::SingleThread one;
    NetConfig on, off;
    off.residual = false;
    torch::manual_seed(3);
    OutgoingRayNet a(on);
    torch::manual_seed(3);
    OutgoingRayNet b(off);
    const auto pa = a->parameters(), pb = b->parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
        EXPECT_TRUE(torch::equal(pa[i], pb[i]));
    const std::int64_t n = 16;
    torch::manual_seed(4);
    const InteractionInput in{torch::rand({n}), torch::randint(0, 4, {n}), torch::rand({n}),
                              torch::complex(torch::rand({n}), torch::rand({n}))};
    EXPECT_FALSE(torch::allclose(a->forward(in).coefficient, b->forward(in).coefficient));

    // One block by hand: ReLU(x + W₂ReLU(W₁x)) and, without the residual, ReLU(W₂ReLU(W₁x)).
    torch::manual_seed(5);
    models::genert::FfnBlock res(8, 4, true);
    torch::manual_seed(5);
    models::genert::FfnBlock plain(8, 4, false);
    auto p = res->named_parameters();
    const auto x = torch::randn({3, 8});
    const auto f = torch::linear(torch::relu(torch::linear(x, p["in.weight"], p["in.bias"])),
                                 p["out.weight"], p["out.bias"]);
    EXPECT_TRUE(torch::allclose(res(x), torch::relu(x + f)));
    EXPECT_TRUE(torch::allclose(plain(x), torch::relu(f)));
}

// The physics tracer's paths of one link.
rt::Paths traced(const scene::Scene& s,
                 const Vec3& tx,
                 const Vec3& rx,
                 int depth,
                 scene::Polarization pol = scene::Polarization::V) {
    rt::TraceOptions t;
    t.max_depth = depth;
    t.samples_per_source = 20'000;
    return rt::trace(s, kFrequency, rtt::device_at(tx, pol), rtt::device_at(rx, pol), t);
}

// Every traced path has an engine path of the same depth and delay (and the counts agree);
// |a| agrees for paths up to `amplitude_depth`. Returns the worst delay and |a| errors.
std::pair<double, double> expect_same_paths(const rt::Paths& want,
                                            const rt::Paths& got,
                                            int amplitude_depth,
                                            double tau_tol,
                                            double amp_rel_tol) {
    EXPECT_EQ(got.paths.size(), want.paths.size());
    double worst_tau = 0, worst_amp = 0;
    for (const auto& w : want.paths) {
        const rt::Path* best = nullptr;
        for (const auto& g : got.paths)
            if (g.depth() == w.depth() &&
                (!best || std::abs(g.tau - w.tau) < std::abs(best->tau - w.tau)))
                best = &g;
        if (!best) {
            ADD_FAILURE() << "no engine path of depth " << w.depth() << ", tau " << w.tau;
            continue;
        }
        worst_tau = std::max(worst_tau, std::abs(best->tau - w.tau));
        EXPECT_NEAR(best->tau, w.tau, tau_tol) << "depth " << w.depth();
        if (w.depth() <= amplitude_depth) {
            const double rel = std::abs(best->a[0] - w.a[0]) / std::abs(w.a[0]);
            worst_amp = std::max(worst_amp, rel);
            EXPECT_LT(rel, amp_rel_tol) << "depth " << w.depth() << ", tau " << w.tau;
        }
    }
    return {worst_tau, worst_amp};
}

TEST(GenertFresnelMode, TwoRayGroundReflectionMatchesClosedFormVAndH) {
    test::SingleThread one;
    const auto s = ground_scene();
    const Vec3 tx{0, -30, 10}, rx{60, -30, 2};  // reflection at (50, −30, 0), off the diagonal
    const double lambda = kSpeedOfLight / kFrequency;
    const double d_los = norm(rx - tx), d_refl = std::hypot(60.0, 12.0);
    const double cos_theta = 12.0 / d_refl;  // from the normal
    const auto eta = s.materials[0].properties(kFrequency).eta;
    const auto fr = rt::fresnel_interface(eta, cos_theta);
    for (const auto pol : {ReferencePolarisation::V, ReferencePolarisation::H}) {
        auto o = fresnel_options(400'000, 1);
        o.polarisation = pol;
        const Engine engine(s, o, torch::kCPU);
        // The scalar model is exact here (ψ = 0 for V over ground, π/2 for H).
        const auto out = engine.trace_fresnel({tx}, {rx}, FresnelField::Scalar);
        const auto& link = out.link(0, 0);
        ASSERT_EQ(link.paths.size(), 2u);
        const auto& los = link.paths[0];
        const auto& refl = link.paths[1];
        EXPECT_TRUE(los.is_los());
        EXPECT_NEAR(los.tau, d_los / kSpeedOfLight, 1e-15);
        EXPECT_NEAR(std::abs(los.a[0]), lambda / (4 * kPi * d_los), 1e-12);
        ASSERT_EQ(refl.depth(), 1);
        // The ray's geometry: its point within the sphere's reach of the exact one (stretched
        // along x by the 11° grazing angle), its length exact to second order (paths are
        // joined to the exact Tx and Rx).
        EXPECT_NEAR(refl.tau, d_refl / kSpeedOfLight, 1e-11);  // 3 mm
        EXPECT_NEAR(refl.interactions[0].point.x, 50, 1.5);
        EXPECT_NEAR(refl.interactions[0].point.y, -30, 0.3);
        // Γ is Fresnel at the ray's own incidence angle exactly, and close to the exact path's.
        const double theta = refl.interactions[0].incidence_angle;
        EXPECT_NEAR(std::cos(theta), cos_theta, 5e-3);
        const auto at_ray = rt::fresnel_interface(eta, std::cos(theta));
        // a = (λ/4πL)·Γ read in the arrival basis, where φ̂(û_r) = −φ̂(k̂) (H) and θ̂(û_r) = θ̂(k̂).
        const double basis = pol == ReferencePolarisation::V ? 1 : -1;
        const auto got = refl.a[0] * (4 * kPi * refl.length / lambda) * basis;  // Γ
        const auto want_ray = pol == ReferencePolarisation::V ? at_ray.r_tm : at_ray.r_te;
        const auto want = pol == ReferencePolarisation::V ? fr.r_tm : fr.r_te;
        EXPECT_LT(std::abs(got - want_ray), 1e-9);
        EXPECT_LT(std::abs(refl.interactions[0].c_tm - at_ray.r_tm), 1e-9);
        EXPECT_LT(std::abs(refl.interactions[0].c_te - at_ray.r_te), 1e-9);
        EXPECT_LT(std::abs(got - want), 2e-2 * std::abs(want));
        std::printf("[two-ray, %s] |Δτ| %.3g s, |ΔΓ|/|Γ| %.3g against the exact path\n",
                    pol == ReferencePolarisation::V ? "V" : "H",
                    std::abs(refl.tau - d_refl / kSpeedOfLight),
                    std::abs(got - want) / std::abs(want));
        // And the physics tracer (image method, Jones calculus) agrees with both field modes.
        const auto want_paths = traced(
            s, tx, rx, 1,
            pol == ReferencePolarisation::V ? scene::Polarization::V : scene::Polarization::H);
        expect_same_paths(want_paths, link, 1, 1e-11, 2e-2);
        expect_same_paths(want_paths, engine.trace_fresnel({tx}, {rx}).link(0, 0), 1, 1e-11, 2e-2);
    }
}

TEST(GenertFresnelMode, GroundAndWallPathsMatchPhysicsTracerToDepthTwo) {
    test::SingleThread one;
    const auto s = ground_and_wall();
    const Vec3 tx{0, -30, 10}, rx{25, -10, 2};
    const Engine engine(s, fresnel_options(200'000, 2), torch::kCPU);
    const auto got = engine.trace_fresnel({tx}, {rx}).link(0, 0);
    const auto want = traced(s, tx, rx, 2);
    // LoS, ground, wall, wall–ground (ground–wall would meet the wall's plane below ground).
    EXPECT_EQ(want.paths.size(), 4u);
    // Jones field: |a − a_tracer| follows the rays' angular error (a few per cent at 200k rays).
    const auto [tau_err, amp_err] = expect_same_paths(want, got, 2, 1e-11, 5e-2);
    std::printf(
        "[fresnel mode vs tracer, ground + wall] %zu paths, worst |Δτ| %.3g s, worst "
        "|Δa|/|a| %.3g\n",
        want.paths.size(), tau_err, amp_err);
}

TEST(GenertFresnelMode, RosslynPathsMatchPhysicsTracerToDepthTwo) {
    test::SingleThread one;
    const auto s = scene::make_builtin_scene("rosslyn_like");
    const Vec3 tx{72.5, 62.5, 10.0}, rx{100, 62, 1.5};
    auto o = fresnel_options(100'000, 2);
    o.geometry_dtype = torch::kFloat32;
    const Engine engine(s, o, torch::kCPU);
    const auto got = engine.trace_fresnel({tx}, {rx}).link(0, 0);
    const auto want = traced(s, tx, rx, 2);
    // float32 geometry, 100k rays: |a| checked to depth 1 (depth-2 errors reach ~16 %: the
    // second bounce's incidence angle carries the first one's ray-spacing error).
    const auto [tau_err, amp_err] = expect_same_paths(want, got, 1, 1e-10, 3e-2);
    std::printf(
        "[fresnel mode vs tracer, rosslyn_like] %zu traced, %zu found, worst |Δτ| "
        "%.3g s, worst |Δa|/|a| (depth ≤ 1) %.3g\n",
        want.paths.size(), got.paths.size(), tau_err, amp_err);
}

TEST(GenertEngine, DepthAndPowerLimitsEndRays) {
    test::SingleThread one;
    const auto s = ground_and_wall();
    auto o = fresnel_options(20'000, 0);
    EXPECT_EQ(Engine(s, o, torch::kCPU)
                  .trace_fresnel({{0, -30, 10}}, {{25, -10, 2}})
                  .link(0, 0)
                  .paths.size(),
              1u);
    o.max_interactions = 3;
    o.min_power_db = -1e-6;  // every reflection loses more: only LoS survives
    EXPECT_EQ(Engine(s, o, torch::kCPU)
                  .trace_fresnel({{0, -30, 10}}, {{25, -10, 2}})
                  .link(0, 0)
                  .paths.size(),
              1u);
    o.rays_per_tx = 0;
    EXPECT_THROW(Engine(s, o, torch::kCPU), Error);
}

void expect_same_link(const rt::Paths& a, const rt::Paths& b) {
    ASSERT_EQ(a.paths.size(), b.paths.size());
    for (std::size_t k = 0; k < a.paths.size(); ++k) {
        EXPECT_DOUBLE_EQ(a.paths[k].tau, b.paths[k].tau);
        EXPECT_NEAR(std::abs(a.paths[k].a[0] - b.paths[k].a[0]), 0,
                    1e-12 * std::abs(b.paths[k].a[0]));
        EXPECT_EQ(a.paths[k].depth(), b.paths[k].depth());
    }
}

TEST(GenertEngine, ManyTxManyRxInOneCallEqualsSeparateCalls) {
    test::SingleThread one;
    const auto s = ground_and_wall();
    const std::vector<Vec3> tx{{0, -30, 10}, {10, 5, 6}};
    const std::vector<Vec3> rx{{25, -10, 2}, {30, 0, 1.5}, {-5, -40, 3}};
    const Engine engine(s, fresnel_options(20'000, 2), torch::kCPU);
    const auto all = engine.trace_fresnel(tx, rx);
    ASSERT_EQ(all.links.size(), 6u);
    ASSERT_EQ(all.offset.back(), all.a.size(0));
    for (std::int64_t i = 0; i < 2; ++i)
        for (std::int64_t j = 0; j < 3; ++j) {
            const auto one_link = engine.trace_fresnel({tx[i]}, {rx[j]});
            EXPECT_GE(all.link(i, j).paths.size(), 3u);
            expect_same_link(all.link(i, j), one_link.link(0, 0));
            const auto l = i * 3 + j;
            EXPECT_TRUE(
                torch::allclose(all.a.slice(0, all.offset[l], all.offset[l + 1]), one_link.a));
            // The link as a path set (what the path-set evaluator scores).
            const auto set = train::PathSet::from(all.link(i, j));
            EXPECT_EQ(set.size(), all.link(i, j).paths.size());
            EXPECT_EQ(set.depth.front(), 0);
        }
}

TEST(GenertEngine, GradientsReachTheFusionModule) {
    test::SingleThread one;
    const auto s = ground_and_wall();
    torch::manual_seed(0);
    OutgoingRayNet net;
    auto o = fresnel_options(20'000, 2);
    o.geometry_dtype = torch::kFloat32;
    const Engine engine(s, o, torch::kCPU);
    // The network's coefficients on specular geometry (the end-to-end phase's situation once
    // the angle module is trained).
    const auto out =
        engine.trace_with({{0, -30, 10}}, {{25, -10, 2}}, [&](const InteractionInput& in) {
            auto r = net->forward(in);
            r.outgoing = engine.fresnel(in).outgoing;
            return r;
        });
    ASSERT_GE(out.a.size(0), 3);
    EXPECT_TRUE(out.a.requires_grad());
    out.a.abs().square().sum().backward();
    double fusion = 0, angle = 0;
    for (const auto& p : net->module_parameters("fusion"))
        fusion += p.grad().defined() ? p.grad().abs().sum().item<double>() : 0;
    for (const auto& p : net->module_parameters("angle"))
        angle += p.grad().defined() ? p.grad().abs().sum().item<double>() : 0;
    EXPECT_GT(fusion, 0);
    EXPECT_EQ(angle, 0);  // geometry is not differentiated

    // The network's own angles drive the rays too: a full network call runs and is finite.
    const auto own = engine.trace({{0, -30, 10}}, {{25, -10, 2}}, net);
    EXPECT_GE(own.a.size(0), 1);  // at least the line of sight
    EXPECT_TRUE(torch::isfinite(torch::view_as_real(own.a)).all().item<bool>());
}

TEST(GenertEngine, CudaEqualsCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto s = scene::make_builtin_scene("rosslyn_like");
    const auto a = compare_with_embree(s, torch::kFloat32, 4000, torch::kCUDA);
    EXPECT_EQ(a.hit_mismatch, 0);
    EXPECT_EQ(a.same_face + a.same_t_other_face, a.both_hit);
    EXPECT_LT(a.max_rel_t, 1e-4);
    const auto w = ground_and_wall();
    const std::vector<Vec3> tx{{0, -30, 10}, {10, 5, 6}};
    const std::vector<Vec3> rx{{25, -10, 2}, {30, 0, 1.5}};
    const auto cpu = Engine(w, fresnel_options(50'000, 2), torch::kCPU).trace_fresnel(tx, rx);
    const auto gpu = Engine(w, fresnel_options(50'000, 2), torch::kCUDA).trace_fresnel(tx, rx);
    for (std::size_t l = 0; l < cpu.links.size(); ++l) {
        const auto& c = cpu.links[l].paths;
        const auto& g = gpu.links[l].paths;
        ASSERT_EQ(c.size(), g.size());
        for (std::size_t k = 0; k < c.size(); ++k) {
            EXPECT_NEAR(c[k].tau, g[k].tau, 1e-15);
            EXPECT_NEAR(std::abs(c[k].a[0] - g[k].a[0]), 0, 1e-9 * std::abs(c[k].a[0]));
        }
    }
    torch::manual_seed(0);
    OutgoingRayNet net;
    const auto in_cpu =
        InteractionInput{torch::rand({9}), torch::randint(0, 3, {9}), torch::rand({9}),
                         torch::complex(torch::rand({9}), torch::rand({9}))};
    const auto want = net->forward(in_cpu).coefficient;
    net->to(torch::kCUDA);
    const auto got = net->forward({in_cpu.theta_i.cuda(), in_cpu.classes.cuda(), in_cpu.psi.cuda(),
                                   in_cpu.cumulative.cuda()})
                         .coefficient.cpu();
    EXPECT_TRUE(torch::allclose(want, got, 1e-4, 1e-5));
}

}  // namespace
}  // namespace radiofield
