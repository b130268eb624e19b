// `radiofield bench rt`: Embree's raw incoherent-ray rate, our shoot-and-bounce segment
// rate, and the wall time of a meeting-room spectrum dataset (DESIGN.md §5, issue targets:
// SBR ≥ 60% of the raw rate; 3,000 positions of 360×90 spectra ≤ 2 minutes on 2 cores).
#include <embree3/rtcore.h>
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <thread>

#include "commands.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/rt/candidates.hpp"
#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::cli {
namespace {

struct BenchRtArgs {
    std::string scene = "meeting_room_v1";
    std::size_t rays = 4'000'000;
    std::size_t samples = 1'000'000;
    std::size_t positions = 3000;
    std::size_t dataset_samples = 100'000;
    int max_depth = 3;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Raw Embree: rtcIntersect1 on random rays from random free points in random directions
// (incoherent; origins anywhere in the bounding box), split over the TBB workers, one
// RTCIntersectContext each.
double raw_embree_rate(const rt::EmbreeScene& geometry, std::size_t n) {
    const scene::Bounds b = geometry.scene().bounds();
    std::vector<RTCRayHit> rays(n);
    const Vec3 shift = geometry.origin_shift();
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
        Rng rng(7, i);
        const Vec3 o{rng.uniform(b.lo.x, b.hi.x), rng.uniform(b.lo.y, b.hi.y),
                     rng.uniform(b.lo.z, b.hi.z)};
        const double z = rng.uniform(-1, 1), phi = rng.uniform(0, 2 * 3.141592653589793);
        const double r = std::sqrt(1 - z * z);
        RTCRayHit& rh = rays[i];
        rh.ray.org_x = static_cast<float>(o.x - shift.x);
        rh.ray.org_y = static_cast<float>(o.y - shift.y);
        rh.ray.org_z = static_cast<float>(o.z - shift.z);
        rh.ray.dir_x = static_cast<float>(r * std::cos(phi));
        rh.ray.dir_y = static_cast<float>(r * std::sin(phi));
        rh.ray.dir_z = static_cast<float>(z);
        rh.ray.tnear = 0;
        rh.ray.tfar = 1e30f;
        rh.ray.mask = 0xFFFFFFFF;
        rh.ray.flags = 0;
        rh.ray.time = 0;
        rh.hit.geomID = RTC_INVALID_GEOMETRY_ID;
    });
    const auto t0 = std::chrono::steady_clock::now();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
        RTCIntersectContext context;
        rtcInitIntersectContext(&context);
        for (std::size_t i = range.begin(); i < range.end(); ++i) {
            rtcIntersect1(geometry.handle(), &context, &rays[i]);
        }
    });
    return static_cast<double>(n) / seconds_since(t0);
}

void run_bench_rt(const BenchRtArgs& a) {
    const scene::Scene scene = scene::make_builtin_scene(a.scene);
    const rt::EmbreeScene geometry(scene);
    const int threads = tbb::this_task_arena::max_concurrency();
    fmt::print("machine: {} hardware threads ({} used by TBB)\n",
               std::thread::hardware_concurrency(), threads);
    fmt::print("scene:   {} ({} triangles)\n\n", scene.name, scene.num_triangles());

    raw_embree_rate(geometry, std::min<std::size_t>(a.rays, 100'000));  // warm-up
    const double raw = raw_embree_rate(geometry, a.rays);
    fmt::print("Embree rtcIntersect1, incoherent rays      {:>8.2f} Mrays/s\n", raw / 1e6);

    // The built-in rooms are closed: every SBR ray makes exactly max_depth segments.
    rt::CandidateSearch search;
    search.max_depth = a.max_depth;
    search.samples = a.samples;
    const Vec3 source =
        scene.receivers.empty() ? scene.bounds().centre() : scene.receivers.front().position;
    rt::CandidateSearch warm_up = search;
    warm_up.samples = 10'000;
    rt::find_candidates(geometry, source, warm_up);
    const auto t0 = std::chrono::steady_clock::now();
    const auto candidates = rt::find_candidates(geometry, source, search);
    const double sbr_seconds = seconds_since(t0);
    const double segments = static_cast<double>(a.samples) * a.max_depth;
    const double sbr = segments / sbr_seconds;
    fmt::print(
        "shoot-and-bounce segments (depth {}, {} rays) {:>8.2f} Msegments/s  = {:.0f}% of raw"
        "  ({} candidate chains, {:.2f} s)\n",
        a.max_depth, a.samples, sbr / 1e6, 100 * sbr / raw, candidates.size(), sbr_seconds);

    sim::SimulationConfig config;
    config.trace.max_depth = a.max_depth;
    config.trace.samples_per_source = a.dataset_samples;
    sim::PositionSpec spec;
    spec.count = a.positions;
    spec.height = 1.0;
    const auto t1 = std::chrono::steady_clock::now();
    const auto positions = sim::make_positions(scene, spec, 0);
    const data::Dataset ds = sim::simulate(scene, config, positions);
    const double sim_seconds = seconds_since(t1);
    fmt::print(
        "dataset: {} positions x {}x{} Bartlett spectra, depth {}, {} rays   {:>8.1f} s"
        "  ({:.1f} ms per position)\n",
        ds.size(), ds.grid.n_el, ds.grid.n_az, a.max_depth, a.dataset_samples, sim_seconds,
        1e3 * sim_seconds / static_cast<double>(ds.size()));
}

}  // namespace

void add_bench_rt_command(CLI::App& bench, GlobalOptions& global) {
    static BenchRtArgs a;
    auto* rt = bench.add_subcommand(
        "rt", "Ray-tracer throughput: raw Embree, shoot-and-bounce, a spectrum dataset");
    rt->add_option("--scene", a.scene, "Built-in scene")->capture_default_str();
    rt->add_option("--rays", a.rays, "Random rays for the raw Embree rate")->capture_default_str();
    rt->add_option("--samples", a.samples, "Shoot-and-bounce rays")->capture_default_str();
    rt->add_option("--positions", a.positions, "Positions in the timed dataset")
        ->capture_default_str();
    rt->add_option("--dataset-samples", a.dataset_samples, "Rays per source for the dataset")
        ->capture_default_str();
    rt->add_option("--max-depth", a.max_depth, "Interactions per path")->capture_default_str();
    rt->callback([&global] { global.action = [] { run_bench_rt(a); }; });
}

}  // namespace radiofield::cli
