// `radiofield bench rt`: Embree's raw incoherent-ray rate, our shoot-and-bounce segment
// rate, and the wall time of a meeting-room spectrum dataset (DESIGN.md §5, issue targets:
// SBR ≥ 60% of the raw rate; 3,000 positions of 360×90 spectra ≤ 2 minutes on 2 cores),
// each with the candidate search over whole surfaces (now) and over the triangles hit
// (before); then paths found against the number of rays, by depth, on the built-in scene
// and on Sionna RT references (docs/sionna-comparison.md §4).
#include <embree3/rtcore.h>
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "commands.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/rt/candidates.hpp"
#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/scene_io.hpp"
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
    // Paths against rays on the built-in scene: ray counts, the reference count, pairs.
    std::vector<std::size_t> sweep = {30'000, 100'000, 200'000, 500'000, 1'000'000};
    std::size_t reference_samples = 10'000'000;
    std::size_t sweep_positions = 8;
    // Sionna RT references (tests/rt/data/sionna/<scene>.json) and where the scenes that
    // are not in the repository lie (Sionna's installed sionna/rt/scenes folder).
    std::vector<std::string> sionna;
    std::string sionna_scenes;
    bool no_rates = false;
};

// "now": chains of surfaces (and, in compute() of one pair, from both ends); "before": the
// former search, chains of the triangles hit, from one end (docs/sionna-comparison.md §6).
const char* mode_name(bool surfaces) {
    return surfaces ? "now" : "before";
}

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
    const Vec3 source =
        scene.receivers.empty() ? scene.bounds().centre() : scene.receivers.front().position;
    for (const bool surfaces : {true, false}) {
        rt::CandidateSearch search;
        search.max_depth = a.max_depth;
        search.samples = a.samples;
        search.surfaces = surfaces;
        rt::CandidateSearch warm_up = search;
        warm_up.samples = 10'000;
        rt::find_candidates(geometry, source, warm_up);
        const auto t0 = std::chrono::steady_clock::now();
        const auto candidates = rt::find_candidates(geometry, source, search);
        const double sbr_seconds = seconds_since(t0);
        const double segments = static_cast<double>(a.samples) * a.max_depth;
        const double sbr = segments / sbr_seconds;
        fmt::print(
            "shoot-and-bounce segments (depth {}, {} rays, {:<6}) {:>8.2f} "
            "Msegments/s  = {:.0f}% of raw  ({} candidate chains, {:.2f} s)\n",
            a.max_depth, a.samples, mode_name(surfaces), sbr / 1e6, 100 * sbr / raw,
            candidates.size(), sbr_seconds);
    }
    if (a.positions == 0)
        return;
    for (const bool surfaces : {true, false}) {
        sim::SimulationConfig config;
        config.trace.max_depth = a.max_depth;
        config.trace.samples_per_source = a.dataset_samples;
        config.trace.surface_candidates = surfaces;
        sim::PositionSpec spec;
        spec.count = a.positions;
        spec.height = 1.0;
        const auto t1 = std::chrono::steady_clock::now();
        const auto positions = sim::make_positions(scene, spec, 0);
        const data::Dataset ds = sim::simulate(scene, config, positions);
        const double sim_seconds = seconds_since(t1);
        fmt::print(
            "dataset: {} positions x {}x{} Bartlett spectra, depth {}, {} rays, {:<6}"
            " {:>8.1f} s  ({:.1f} ms per position)\n",
            ds.size(), ds.grid.n_el, ds.grid.n_az, a.max_depth, a.dataset_samples,
            mode_name(surfaces), sim_seconds, 1e3 * sim_seconds / static_cast<double>(ds.size()));
    }
}

// A path's identity across runs: depth, and per interaction its type and connected planar
// face (EmbreeScene plane ids; the tracer keeps one path per such chain).
using PathKey = std::vector<std::uint64_t>;
PathKey path_key(const rt::EmbreeScene& g, const rt::Path& p) {
    PathKey key;
    for (const auto& it : p.interactions)
        key.push_back((static_cast<std::uint64_t>(it.type) << 32) |
                      g.triangle(it.object, it.primitive).plane_id);
    return key;
}

std::string depth_row(const std::vector<std::size_t>& v) {
    std::string s;
    for (auto c : v)
        s += fmt::format(" {:>7}", c);
    return s;
}

// Paths found against rays on the built-in scene, both searches, against the union of what
// both find at `reference_samples` rays.
void run_paths_sweep(const BenchRtArgs& a) {
    const scene::Scene scene = scene::make_builtin_scene(a.scene);
    // Path geometry does not depend on the materials: allow any outside their ranges.
    const rt::Tracer tracer(scene, scene.frequency_hz > 0 ? scene.frequency_hz : 915e6,
                            scene::Extrapolation::Allow);
    scene::Device station;
    station.name = "station";
    station.position =
        scene.receivers.empty() ? scene.bounds().centre() : scene.receivers.front().position;
    sim::PositionSpec spec;
    spec.count = a.sweep_positions;
    spec.height = 1.0;
    const auto positions = sim::make_positions(scene, spec, 0);
    scene::Device mover;
    mover.name = "mover";

    auto run = [&](std::size_t samples, bool surfaces, double* seconds) {
        rt::TraceOptions o;
        o.max_depth = a.max_depth;
        o.samples_per_source = samples;
        o.surface_candidates = surfaces;
        o.both_ends_up_to = 0;  // as in datasets: the search from the station only
        const auto t0 = std::chrono::steady_clock::now();
        auto result = tracer.compute_many(station, positions, mover, o);
        if (seconds)
            *seconds = seconds_since(t0);
        std::vector<std::set<PathKey>> keys(result.size());
        for (std::size_t i = 0; i < result.size(); ++i)
            for (const auto& p : result[i].paths)
                keys[i].insert(path_key(tracer.geometry(), p));
        return keys;
    };
    auto reference = run(a.reference_samples, true, nullptr);
    const auto former = run(a.reference_samples, false, nullptr);
    for (std::size_t i = 0; i < reference.size(); ++i)
        reference[i].insert(former[i].begin(), former[i].end());

    fmt::print(
        "\npaths found vs rays: {} ({} positions at 1 m, search from {} only, as in "
        "datasets), depth {}; reference: both searches at {} rays\n",
        a.scene, positions.size(), scene.receivers.empty() ? "the centre" : "the receiver",
        a.max_depth, a.reference_samples);
    std::string head = fmt::format("{:>10} {:>9}", "rays", "search");
    for (int d = 0; d <= a.max_depth; ++d)
        head += fmt::format(" {:>7}", fmt::format("d{}", d));
    fmt::print("{} {:>8} {:>8} {:>9}\n", head, "found", "missed", "time s");
    auto print_row = [&](const std::string& rays, const char* mode,
                         const std::vector<std::set<PathKey>>& keys, double secs) {
        std::vector<std::size_t> by_depth(a.max_depth + 1, 0);
        std::size_t found = 0, total = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            for (const auto& k : keys[i])
                ++by_depth[k.size()];
            for (const auto& k : reference[i]) {
                ++total;
                found += keys[i].count(k);
            }
        }
        fmt::print("{:>10} {:>9}{} {:>7.2f}% {:>8} {:>9.3f}\n", rays, mode, depth_row(by_depth),
                   100.0 * static_cast<double>(found) /
                       static_cast<double>(std::max<std::size_t>(1, total)),
                   total - found, secs);
    };
    for (const std::size_t n : a.sweep)
        for (const bool surfaces : {false, true}) {
            double secs = 0;
            const auto keys = run(n, surfaces, &secs);
            print_row(std::to_string(n), mode_name(surfaces), keys, secs);
        }
    print_row(std::to_string(a.reference_samples), "union", reference, 0);
}

// --- Sionna RT references -------------------------------------------------------------

std::filesystem::path sionna_scene_path(const std::filesystem::path& reference,
                                        const std::string& scene,
                                        const std::string& package_scenes) {
    const std::string prefix = "sionna:";
    if (scene.rfind(prefix, 0) == 0) {
        if (package_scenes.empty())
            fail(
                "{} names the scene '{}', which is not in the repository; pass Sionna's "
                "installed scenes folder (site-packages/sionna/rt/scenes) with "
                "--sionna-scenes",
                reference.string(), scene);
        return std::filesystem::path(package_scenes) / scene.substr(prefix.size());
    }
    return reference.parent_path() / scene;
}

// Our tracer against one Sionna reference at each of its ray counts, both searches: paths by
// depth, and how many of Sionna's (the union over its runs) we miss.
void run_sionna_reference(const BenchRtArgs& a, const std::string& file) {
    std::ifstream in(file);
    if (!in)
        fail(
            "cannot open the Sionna reference '{}' (--sionna); make it with "
            "scripts/sionna_reference.py",
            file);
    const nlohmann::json ref = nlohmann::json::parse(in);
    const auto scene_file =
        sionna_scene_path(file, ref.at("scene").get<std::string>(), a.sionna_scenes);
    const scene::Scene scene = scene::load_mitsuba_scene(scene_file);
    const int max_depth = ref.at("max_depth").get<int>();
    const rt::Tracer tracer(scene, ref.at("frequency_hz").get<double>());
    std::vector<std::size_t> counts;
    if (ref.at("solver").contains("samples_per_src_runs"))
        counts = ref.at("solver").at("samples_per_src_runs").get<std::vector<std::size_t>>();
    else
        counts = {ref.at("solver").at("samples_per_src").get<std::size_t>()};

    fmt::print("\nSionna RT reference {} ({} pairs, {} triangles, {} surfaces), depth {}\n",
               std::filesystem::path(file).filename().string(), ref.at("pairs").size(),
               scene.num_triangles(), tracer.geometry().num_surfaces(), max_depth);
    std::string head = fmt::format("{:>10} {:>9}", "rays", "tool");
    for (int d = 0; d <= max_depth; ++d)
        head += fmt::format(" {:>7}", fmt::format("d{}", d));
    fmt::print("{} {:>26} {:>9}\n", head, "missed of Sionna's (d0..)", "time s");

    auto to_device = [](const nlohmann::json& p) {
        scene::Device d;
        d.name = "dev";
        d.position = {p[0].get<double>(), p[1].get<double>(), p[2].get<double>()};
        return d;  // isotropic, V-polarised: the references' antenna
    };
    std::vector<std::size_t> sionna_union(max_depth + 1, 0);
    for (const auto& pair : ref.at("pairs"))
        for (const auto& sp : pair.at("paths"))
            ++sionna_union.at(sp.at("depth").get<std::size_t>());
    for (const std::size_t n : counts) {
        std::vector<std::size_t> theirs(max_depth + 1, 0);
        for (const auto& pair : ref.at("pairs")) {
            const auto& at = pair.contains("num_paths_by_depth_at")
                                 ? pair.at("num_paths_by_depth_at").at(std::to_string(n))
                                 : pair.at("num_paths_by_depth");
            for (int d = 0; d <= max_depth; ++d)
                theirs[d] += at.at(d).get<std::size_t>();
        }
        fmt::print("{:>10} {:>9}{}\n", n, "Sionna", depth_row(theirs));
        for (const bool surfaces : {false, true}) {
            rt::TraceOptions o;
            o.max_depth = max_depth;
            o.samples_per_source = n;
            o.slab_reflection = true;
            o.surface_candidates = surfaces;
            if (!surfaces)
                o.both_ends_up_to = 0;
            std::vector<std::size_t> ours(max_depth + 1, 0), missed(max_depth + 1, 0);
            double secs = 0;
            for (const auto& pair : ref.at("pairs")) {
                const auto t1 = std::chrono::steady_clock::now();
                const rt::Paths paths =
                    tracer.compute(to_device(pair.at("tx")), to_device(pair.at("rx")), o);
                secs += seconds_since(t1);
                for (const auto& p : paths.paths)
                    ++ours[p.depth()];
                for (const auto& sp : pair.at("paths")) {
                    // Found: same depth, objects and delay (|Δτ| ≤ 1 ps; Sionna's float32
                    // vertices drift on long grazing paths, its τ does not: §6 of the doc).
                    const auto depth = sp.at("depth").get<std::size_t>();
                    const double tau = sp.at("tau_s").get<double>();
                    const bool found =
                        std::any_of(paths.paths.begin(), paths.paths.end(), [&](const rt::Path& p) {
                            if (static_cast<std::size_t>(p.depth()) != depth ||
                                std::abs(p.tau - tau) > 1e-12)
                                return false;
                            for (std::size_t k = 0; k < depth; ++k)
                                if (scene.meshes[p.interactions[k].object].name !=
                                    sp.at("objects")[k].get<std::string>())
                                    return false;
                            return true;
                        });
                    missed[depth] += found ? 0 : 1;
                }
            }
            std::string miss;
            for (int d = 0; d <= max_depth; ++d)
                miss += fmt::format("{}{}", d ? "/" : "", missed[d]);
            fmt::print("{:>10} {:>9}{} {:>26} {:>9.3f}\n", n, mode_name(surfaces), depth_row(ours),
                       miss, secs);
        }
    }
    fmt::print("{:>10} {:>9}{}\n", "union", "Sionna", depth_row(sionna_union));
}

}  // namespace

void add_bench_rt_command(CLI::App& bench, GlobalOptions& global) {
    static BenchRtArgs a;
    auto* rt = bench.add_subcommand(
        "rt", "Ray-tracer throughput: raw Embree, shoot-and-bounce, a spectrum dataset");
    rt->add_option("--scene", a.scene, "Built-in scene")->capture_default_str();
    rt->add_option("--rays", a.rays, "Random rays for the raw Embree rate")->capture_default_str();
    rt->add_option("--samples", a.samples, "Shoot-and-bounce rays")->capture_default_str();
    rt->add_option("--positions", a.positions, "Positions in the timed dataset (0: none)")
        ->capture_default_str();
    rt->add_option("--dataset-samples", a.dataset_samples, "Rays per source for the dataset")
        ->capture_default_str();
    rt->add_option("--max-depth", a.max_depth, "Interactions per path")->capture_default_str();
    rt->add_option("--sweep", a.sweep,
                   "Ray counts of the paths-found table, e.g. 1e5,2e5 (0: no table)")
        ->delimiter(',')
        ->capture_default_str();
    rt->add_option("--reference-samples", a.reference_samples,
                   "Rays of the reference run of the paths-found table")
        ->capture_default_str();
    rt->add_option("--sweep-positions", a.sweep_positions,
                   "Positions (1 m high) of the paths-found table")
        ->capture_default_str();
    rt->add_option("--sionna", a.sionna,
                   "Sionna RT reference JSON (tests/rt/data/sionna/<scene>.json): paths by "
                   "depth, ours and Sionna's, at its ray counts (repeatable)");
    rt->add_option("--sionna-scenes", a.sionna_scenes,
                   "Sionna's installed scenes folder, for references whose scene is not in "
                   "the repository");
    rt->add_flag("--no-rates", a.no_rates,
                 "Skip the Embree / shoot-and-bounce rates and the dataset");
    rt->callback([&global] {
        global.action = [] {
            if (!a.no_rates)
                run_bench_rt(a);
            if (!(a.sweep.size() == 1 && a.sweep.front() == 0) && !a.sweep.empty())
                run_paths_sweep(a);
            for (const auto& f : a.sionna)
                run_sionna_reference(a, f);
        };
    });
}

}  // namespace radiofield::cli
