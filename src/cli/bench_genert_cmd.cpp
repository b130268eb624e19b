// `radiofield bench genert`: GeNeRT's neural ray tracing engine against our physics ray tracer
// computing the CIRs of the same Tx–Rx pairs, in groups of T transmitters × R receivers
// (GeNeRT's runtime experiment: 2,352 pairs as 1×8, 2×4, 4×2 and 8×1 groups). The physics
// tracer runs its shoot-and-bounce search once per transmitter and solves every receiver of
// the group from it (on the CPU cores); the engine traces every link of a group in one batched
// call (on --device). Both launch the same number of rays per transmitter and stop at the same
// depth. The network is freshly initialised: its weights do not change the work it does, only
// which rays end early under the power threshold, so the engine is also timed with exact
// Fresnel (physics mode), the upper bound of the work. Reported, never asserted.
// `--tracers physics|neural` times one side only: the physics tracer on a machine's CPU cores
// (e.g. under `taskset -c 0,1`, the two cores) apart from the engine's GPU run.
#include <fmt/format.h>
#include <tbb/task_arena.h>
#include <torch/torch.h>

#include <chrono>
#include <sstream>

#include "bench_util.hpp"
#include "commands.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/genert.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::cli {
namespace {

struct BenchGenertArgs {
    std::string scene = "campus_b";
    std::string layouts = "1x8,2x4,4x2,8x1";
    std::int64_t pairs = -1;  // −1: 2,352 on CUDA, 8 on the CPU
    std::int64_t rays = -1;   // −1: 100,000 on CUDA, 20,000 on the CPU
    int depth = 2;
    int repeats = -1;              // −1: 3 on CUDA, 1 on the CPU
    double frequency_hz = 0;       // 0: the scene's own
    std::string tracers = "both";  // both | physics | neural: which side is timed
};

struct Layout {
    std::int64_t tx = 1, rx = 8;
};

std::vector<Layout> parse_layouts(const std::string& text) {
    std::vector<Layout> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        Layout l;
        char x = 0;
        std::stringstream s(item);
        if (!(s >> l.tx >> x >> l.rx) || x != 'x' || l.tx < 1 || l.rx < 1 || !s.eof())
            fail("--layouts: '{}' is not TxR with T, R ≥ 1 (e.g. 1x8,2x4,4x2,8x1)", item);
        out.push_back(l);
    }
    if (out.empty())
        fail("--layouts: give at least one TxR group, e.g. 1x8,2x4,4x2,8x1");
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void run_bench_genert(BenchGenertArgs a, const std::string& device_name) {
    const torch::Device device = nn::resolve_device(nn::parse_device(device_name));
    const bool gpu = device.is_cuda();
    if (a.pairs < 0)
        a.pairs = gpu ? 2352 : 8;
    if (a.rays < 0)
        a.rays = gpu ? 100'000 : 20'000;
    if (a.repeats < 0)
        a.repeats = gpu ? 3 : 1;
    const auto layouts = parse_layouts(a.layouts);
    const bool time_physics = a.tracers != "neural", time_neural = a.tracers != "physics";
    for (const Layout& l : layouts) {
        if (a.pairs % (l.tx * l.rx) != 0)
            fail("--pairs {} is not a whole number of {}x{} groups; use a multiple of {}", a.pairs,
                 l.tx, l.rx, l.tx * l.rx);
    }
    const scene::Scene scene = scene::resolve_scene(a.scene);
    if (a.frequency_hz <= 0)
        a.frequency_hz = scene.frequency_hz;

    // Positions 2–20 m above the ground in free space, as GeNeRT's receivers; transmitters
    // and receivers are drawn from one pool so every layout times the same kind of link.
    sim::PositionSpec spec;
    spec.count = static_cast<std::size_t>(2 * a.pairs);
    spec.z_range = std::pair{2.0, 20.0};
    spec.clearance = 0.5;
    const std::vector<Vec3> pool = sim::make_positions(scene, spec, 1);

    const rt::Tracer tracer(scene, a.frequency_hz, scene::Extrapolation::Warn);
    rt::TraceOptions trace;
    trace.max_depth = a.depth;
    trace.samples_per_source = static_cast<std::size_t>(a.rays);
    models::genert::EngineOptions eo;
    eo.frequency_hz = a.frequency_hz;
    eo.rays_per_tx = a.rays;
    eo.max_interactions = a.depth;
    eo.extrapolation = scene::Extrapolation::Warn;
    const models::genert::Engine engine(scene, eo, device);
    torch::manual_seed(0);
    models::genert::OutgoingRayNet net;
    net->to(device);
    net->eval();

    fmt::print(
        "genert bench: {} ({} faces), {} Tx-Rx pairs per layout, {} rays per transmitter, "
        "depth {}, {:.4g} GHz; physics tracer on {} CPU threads, neural engine on {}{}; mean "
        "of {} run(s)\n",
        a.scene, engine.scene_tensors().size(), a.pairs, a.rays, a.depth, a.frequency_hz / 1e9,
        tbb::this_task_arena::max_concurrency(), device.str(),
        gpu ? " (" + nn::cuda_device_name() + ")" : "", a.repeats);
    fmt::print("{:>6} {:>7} {:>12} {:>12} {:>12} {:>9} {:>12} {:>12}\n", "layout", "groups",
               "physics s", "neural s", "fresnel s", "ratio", "paths/link", "neural/link");
    for (const Layout& l : layouts) {
        const std::int64_t groups = a.pairs / (l.tx * l.rx);
        // Group g: transmitters and receivers from disjoint slices of the pool.
        const auto group = [&](std::int64_t g) {
            std::vector<Vec3> tx, rx;
            const auto base = static_cast<std::size_t>(g * (l.tx + l.rx));
            for (std::int64_t i = 0; i < l.tx; ++i)
                tx.push_back(pool[(base + i) % pool.size()]);
            for (std::int64_t i = 0; i < l.rx; ++i)
                rx.push_back(pool[(base + l.tx + i) % pool.size()]);
            return std::pair{tx, rx};
        };
        double physics = 0, neural = 0, fresnel = 0;
        std::int64_t physics_paths = 0, neural_paths = 0;
        scene::Device prototype;
        if (gpu)
            bench::reset_peak(device);
        for (int rep = 0; rep < a.repeats; ++rep) {
            physics_paths = neural_paths = 0;
            auto t0 = std::chrono::steady_clock::now();
            for (std::int64_t g = 0; time_physics && g < groups; ++g) {
                const auto [tx, rx] = group(g);
                for (const Vec3& p : tx) {
                    scene::Device source = prototype;
                    source.position = p;
                    for (const auto& paths : tracer.compute_many(source, rx, prototype, trace))
                        physics_paths += static_cast<std::int64_t>(paths.paths.size());
                }
            }
            physics += seconds_since(t0);
            if (!time_neural)
                continue;

            torch::NoGradGuard no_grad;
            bench::sync(device);
            t0 = std::chrono::steady_clock::now();
            for (std::int64_t g = 0; g < groups; ++g) {
                const auto [tx, rx] = group(g);
                const auto out = engine.trace(tx, rx, net);
                neural_paths += out.a.size(0);
            }
            bench::sync(device);
            neural += seconds_since(t0);

            t0 = std::chrono::steady_clock::now();
            for (std::int64_t g = 0; g < groups; ++g) {
                const auto [tx, rx] = group(g);
                engine.trace_fresnel(tx, rx);
            }
            bench::sync(device);
            fresnel += seconds_since(t0);
        }
        physics /= a.repeats, neural /= a.repeats, fresnel /= a.repeats;
        const auto cell = [](bool timed, double value, const char* spec) {
            return timed ? fmt::format(fmt::runtime(spec), value) : std::string("-");
        };
        fmt::print("{:>6} {:>7} {:>12} {:>12} {:>12} {:>9} {:>12} {:>12}\n",
                   fmt::format("{}x{}", l.tx, l.rx), groups, cell(time_physics, physics, "{:.3f}"),
                   cell(time_neural, neural, "{:.3f}"), cell(time_neural, fresnel, "{:.3f}"),
                   cell(time_physics && time_neural, physics / neural, "{:.2f}x"),
                   cell(time_physics, static_cast<double>(physics_paths) / a.pairs, "{:.2f}"),
                   cell(time_neural, static_cast<double>(neural_paths) / a.pairs, "{:.2f}"));
        std::fflush(stdout);
    }
    fmt::print(
        "ratio = physics / neural (above 1: the neural engine is faster); peak GPU memory {}\n",
        bench::peak_memory(device));
}

}  // namespace

void add_bench_genert_command(CLI::App& bench, GlobalOptions& global) {
    static BenchGenertArgs a;
    auto* cmd = bench.add_subcommand(
        "genert",
        "GeNeRT's neural engine against the physics tracer on the same Tx-Rx pairs, by TxR group");
    cmd->add_option("--scene", a.scene, "Scene (built-in name or file)")->capture_default_str();
    cmd->add_option("--layouts", a.layouts, "Groups of transmitters x receivers, comma-separated")
        ->capture_default_str();
    cmd->add_option("--pairs", a.pairs, "Tx-Rx pairs per layout (default CUDA 2352, CPU 8)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
    cmd->add_option("--rays", a.rays, "Rays per transmitter, both (default CUDA 100000, CPU 20000)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 26));
    cmd->add_option("--depth", a.depth, "Reflections per path, both tracers")
        ->capture_default_str()
        ->check(CLI::Range(0, 8));
    cmd->add_option("--frequency", a.frequency_hz, "Carrier in Hz (default: the scene's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--repeats", a.repeats, "Timed runs to average (default CUDA 3, CPU 1)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--tracers", a.tracers,
                    "Which side to time: both, physics (the CPU tracer alone) or neural")
        ->capture_default_str()
        ->check(CLI::IsMember({"both", "physics", "neural"}));
    cmd->callback([&global] { global.action = [&global] { run_bench_genert(a, global.device); }; });
}

}  // namespace radiofield::cli
