// `radiofield bench rf3dgs`: RF-3DGS+'s stage 2 and the splatting op under it, beside the
// targets of issue #10 — stage-2 training of 700 spectra in ≤ 60 s, one 360×90 spectrum in
// ≤ 0.5 ms, ≥ 5,000 spectra/s for many receivers — and the op's pinhole forward + backward
// against the dense LibTorch reference (splat/reference.hpp) on the same device, fp32.
//
// The setup is the lobby study's (studies/rf3dgs_lobby.json): the built-in lobby at its
// frequency, the station at its transmitter, receivers over the floor at 1.0–1.6 m; the
// Gaussians are placed as stage 1 would start them, on points of the lobby's surfaces with
// the model's seeded scales and opacity, and the target spectra are random (the work of a
// step does not depend on their values; simulating 700 spectra would dominate the run).
// Reported, never asserted.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>
#include <vector>

#include "bench_util.hpp"
#include "commands.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/scene/views.hpp"
#include "radiofield/splat/ops.hpp"
#include "radiofield/splat/reference.hpp"

namespace radiofield::cli {
namespace {

struct BenchRf3dgsArgs {
    std::string scene = "lobby";
    int spectra = -1;      // training spectra (CUDA 700, CPU 50)
    int steps = -1;        // stage-2 steps timed (CUDA 3000, CPU 10)
    int run_steps = 3000;  // the stage-2 run the time is given for (the lobby study's full run)
    int gaussians = -1;    // stage-2 Gaussians (CUDA 20,000, CPU 5,000)
    int many = -1;         // receivers at once (CUDA 4,096, CPU 32)
    int repeats = -1, warmup = -1;  // timed / untimed repeats (CUDA 50/5, CPU 5/1)
    int n_el = 90, n_az = 360;
    int width = -1, height = -1;  // pinhole image (CUDA 800×600, CPU 128×96)
    int image_gaussians = -1;     // Gaussians in the pinhole image (CUDA 20,000, CPU 2,000)
    double reference_gib = -1;    // memory the dense reference may take (CUDA 40, CPU 2)
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Mean distance of each point to its 3 nearest others (3DGS's initial scale), [P].
torch::Tensor nearest3(const torch::Tensor& points) {
    std::vector<torch::Tensor> out;
    const auto p = points.size(0);
    for (std::int64_t i = 0; i < p; i += 2048) {
        const auto d =
            torch::cdist(points.narrow(0, i, std::min<std::int64_t>(2048, p - i)), points);
        out.push_back(std::get<0>(d.topk(4, 1, /*largest=*/false)).narrow(1, 1, 3).mean(1));
    }
    return torch::clamp_min(torch::cat(out), 1e-4);
}

// The lobby study's dataset shape: `n` receivers over the floor (1.0–1.6 m, 1 m from the walls)
// with random target spectra, the station at the scene's first transmitter.
train::DataList lobby_data(const scene::Scene& scene, const data::SpectrumGrid& grid, int n) {
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(7);
    const auto box = scene.bounds();
    data::Dataset d;
    d.grid = grid;
    d.frequency_hz = scene.frequency_hz;
    d.moving = "rx";
    d.station_position = scene.transmitters.empty() ? box.centre() : scene.transmitters[0].position;
    d.power_unit = "normalized";
    const auto spectra = torch::rand({n, grid.n_el, grid.n_az}, gen, torch::kFloat32).contiguous();
    d.spectra.assign(spectra.data_ptr<float>(), spectra.data_ptr<float>() + spectra.numel());
    const auto u = torch::rand({n, 3}, gen, torch::kFloat64).contiguous();
    const auto ua = u.accessor<double, 2>();
    const Vec3 lo = box.lo + Vec3{1, 1, 0}, size = box.size() - Vec3{2, 2, 0};
    for (int i = 0; i < n; ++i) {
        d.positions.push_back(
            {lo.x + ua[i][0] * size.x, lo.y + ua[i][1] * size.y, box.lo.z + 1.0 + 0.6 * ua[i][2]});
        d.split.train.push_back(i);
    }
    return {train::SceneData::from(std::move(d), scene.name + " (random spectra)",
                                   {train::DataView::Spectra})};
}

// An RF-3DGS+ model prepared on `data` whose Gaussians sit at `n` surface points of the scene
// (scales from their 3 nearest neighbours, the model's seeded opacity), on `device`.
std::unique_ptr<models::Rf3dgsModel> lobby_model(const scene::Scene& scene,
                                                 const train::DataList& data,
                                                 int n,
                                                 torch::Device device) {
    models::Rf3dgsConfig cfg;
    cfg.plus = true;
    cfg.geometry_steps = 0;  // no views: the model seeds n points in the data's box...
    cfg.random_points = n;
    cfg.max_seed_points = std::max<std::int64_t>(cfg.max_seed_points, n);
    auto model = std::make_unique<models::Rf3dgsModel>(cfg);
    model->prepare(train::contexts(data), &data);
    std::vector<float> xyz;  // ...which move onto the surfaces, as stage 1 would start them
    for (const auto& p : scene::sample_surface_points(scene, static_cast<std::size_t>(n), 0)) {
        xyz.insert(xyz.end(), {static_cast<float>(p.position.x), static_cast<float>(p.position.y),
                               static_cast<float>(p.position.z)});
    }
    if (xyz.size() != 3 * static_cast<std::size_t>(n))
        fail("bench rf3dgs: '{}' gave {} surface points for {} Gaussians", scene.name,
             xyz.size() / 3, n);
    auto& g = model->field().geometry;
    g.means = torch::tensor(xyz).view({n, 3}).set_requires_grad(true);
    g.log_scales =
        torch::log(nearest3(g.means.detach())).unsqueeze(1).repeat({1, 3}).set_requires_grad(true);
    model->set_device(device);
    return model;
}

struct Row {
    std::string measure, value, target, peak;
};

void print_rows(const std::vector<Row>& rows) {
    std::size_t w0 = 7, w1 = 8, w2 = 6;
    for (const auto& r : rows) {
        w0 = std::max(w0, r.measure.size()), w1 = std::max(w1, r.value.size());
        w2 = std::max(w2, r.target.size());
    }
    const auto line = [&](const Row& r) {
        fmt::print("{:<{}}  {:>{}}  {:<{}}  {}\n", r.measure, w0, r.value, w1, r.target, w2,
                   r.peak);
    };
    line({"measure", "measured", "target", "peak memory"});
    for (const auto& r : rows)
        line(r);
}

// Pinhole forward + backward of n random Gaussians in view, by the op or the reference.
struct PinholeCase {
    splat::PinholeCamera cam;
    torch::Tensor means, scales, quats, features, opacities, weights;

    PinholeCase(int width, int height, int n, torch::Device device) {
        auto gen = torch::make_generator<at::CPUGeneratorImpl>(11);
        const auto f = torch::TensorOptions().dtype(torch::kFloat32);
        cam = splat::PinholeCamera::look_at({0, 0, 0}, {0, 0, 6}, {0, -1, 0}, 60, width, height);
        means = (torch::tensor({0.0f, 0.0f, 6.0f}) +
                 (torch::rand({n, 3}, gen, f) * 2 - 1) * torch::tensor({3.0f, 2.2f, 3.0f}))
                    .to(device);
        scales =
            (0.05 * torch::exp((torch::rand({n, 3}, gen, f) * 2 - 1) * std::log(2.0))).to(device);
        const auto q = torch::randn({n, 4}, gen, f);
        quats = (q / q.norm(2, 1, true)).to(device);
        features = torch::rand({n, 3}, gen, f).to(device);
        opacities = (torch::rand({n}, gen, f) * 0.65 + 0.3).to(device);
        weights = torch::randn({height, width, 3}, gen, f).to(device);
    }

    void step(bool reference) const {
        std::vector<torch::Tensor> leaves;
        for (const auto* t : {&means, &scales, &quats, &features, &opacities})
            leaves.push_back(t->detach().requires_grad_(true));
        torch::Tensor image;
        if (reference) {
            const auto p = splat::reference::project(leaves[0], leaves[1], leaves[2], cam);
            image = splat::reference::rasterize(p.means2d, p.conics, leaves[3], leaves[4], p.radii,
                                                p.depths, cam)
                        .image;
        } else {
            const auto p = splat::project(leaves[0], leaves[1], leaves[2], cam);
            image =
                splat::rasterize(p.means2d, p.conics, leaves[3], leaves[4], p.radii, p.depths, cam)
                    .image;
        }
        (image * weights).sum().backward();
    }
};

void run_bench_rf3dgs(BenchRf3dgsArgs a, const std::string& device_name) {
    const torch::Device device = nn::resolve_device(nn::parse_device(device_name));
    const bool gpu = device.is_cuda();
    auto pick = [&](auto v, auto cuda, auto cpu) { return v > 0 ? v : (gpu ? cuda : cpu); };
    a.spectra = pick(a.spectra, 700, 50);
    a.steps = pick(a.steps, 3000, 10);
    a.gaussians = pick(a.gaussians, 20000, 5000);
    a.many = pick(a.many, 4096, 32);
    a.repeats = pick(a.repeats, 50, 5);
    a.warmup = pick(a.warmup, 5, 1);
    a.width = pick(a.width, 800, 128);
    a.height = pick(a.height, 600, 96);
    a.image_gaussians = pick(a.image_gaussians, 20000, 2000);
    a.reference_gib = pick(a.reference_gib, 40.0, 2.0);
    torch::manual_seed(0);

    const scene::Scene scene = scene::resolve_scene(a.scene);
    data::SpectrumGrid grid;
    grid.n_el = a.n_el, grid.n_az = a.n_az;
    const auto data = lobby_data(scene, grid, a.spectra);
    auto model = lobby_model(scene, data, a.gaussians, device);
    fmt::print(
        "rf3dgs bench: {} ({}), torch {}, fp32; RF-3DGS+ stage 2 on '{}' ({:.0f} GHz): {} "
        "Gaussians at surface points (seeded scales, opacity 0.1), spectrum {}x{}, {} training "
        "spectra (random targets, not simulated), batch {}\n",
        gpu ? nn::cuda_device_name() : "CPU", device.str(), nn::torch_version(), scene.name,
        scene.frequency_hz / 1e9, a.gaussians, a.n_az, a.n_el, a.spectra, std::min(16, a.spectra));
    std::vector<Row> rows;

    // The operator's weights are read off once per geometry (one rasterisation pass); stage 2
    // then draws every batch through them (inference "operator", the default), or rasterises
    // each batch forward and backward (inference "raster", the reference).
    model->set_inference("operator");
    double extraction_s = 0;
    {
        torch::NoGradGuard no_grad;
        bench::reset_peak(device);
        bench::sync(device);
        const auto t_op = std::chrono::steady_clock::now();
        model->render_spectra(data.front()->positions.narrow(0, 0, 1));
        bench::sync(device);
        extraction_s = seconds_since(t_op);
        rows.push_back({"operator extraction (once per geometry)",
                        fmt::format("{:.3f} s", extraction_s), "-", bench::peak_memory(device)});
    }

    // Stage 2 as the trainer runs it: a batch of 16 spectra, MSE, backward, Adam on the SH.
    const train::Phase phase("radiance", a.run_steps, {"rf"});
    for (const std::string how : {"operator", "raster"}) {
        model->set_inference(how);
        torch::optim::Adam adam({model->field().rf_sh},
                                torch::optim::AdamOptions(models::Rf3dgsConfig{}.rf_lr));
        auto gen = torch::make_generator<at::CPUGeneratorImpl>(1);
        {
            // As the trainer begins stage 2 (the start level, once; untimed like the warm-up).
            train::ParameterEditor editor(&adam, {"rf"});
            train::StepContext ctx{0, 0, phase, data, editor};
            model->begin_phase(ctx);
        }
        const auto train_step = [&] {
            auto loss = model->training_loss(data, phase, gen);
            adam.zero_grad();
            loss.backward();
            adam.step();
        };
        for (int i = 0; i < a.warmup; ++i)
            train_step();
        bench::reset_peak(device);
        bench::sync(device);
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < a.steps; ++i)
            train_step();
        bench::sync(device);
        const double step_s = seconds_since(t0) / a.steps;
        const double run_s = step_s * a.run_steps + (how == "operator" ? extraction_s : 0.0);
        const std::string projected = a.steps == a.run_steps ? "" : " projected";
        rows.push_back(
            {fmt::format("stage-2 training, {} spectra, {} steps{}, {}", a.spectra, a.run_steps,
                         a.steps == a.run_steps ? "" : fmt::format(" ({} timed)", a.steps),
                         model->last_inference()),
             fmt::format("{:.2f} s{} ({:.3f} ms/step{})", run_s, projected, step_s * 1e3,
                         how == "operator" ? ", extraction included" : ""),
             "<= 60 s for 700 spectra", bench::peak_memory(device)});
    }

    {
        torch::NoGradGuard no_grad;
        const auto& positions = data.front()->positions;
        const auto one = positions.narrow(0, 0, 1);
        const auto many = positions.index_select(
            0, torch::arange(a.many, torch::kLong).remainder(positions.size(0)));
        // Each spectrum through the operator is a sparse product: on CUDA through the fused
        // kernels (fused_inference, the default), and through LibTorch ops and cuSPARSE. The
        // raster path draws 16 spectra per rasterisation. Each row names the path its spectra
        // took.
        // {inference, fused_inference}: the fused kernels exist on CUDA only.
        std::vector<std::pair<std::string, bool>> paths{{"operator", false}, {"raster", false}};
        if (gpu)
            paths.insert(paths.begin(), {"operator", true});
        for (const auto& [how, fused] : paths) {
            model->set_inference(how);
            model->set_fused_inference(fused);
            bench::reset_peak(device);
            const double one_ms =
                bench::mean_ms(device, a.warmup, a.repeats, [&] { model->render_spectra(one); });
            const std::string path = model->last_inference();
            rows.push_back({fmt::format("one {}x{} spectrum, {} (mean of {})", a.n_az, a.n_el, path,
                                        a.repeats),
                            fmt::format("{:.3f} ms", one_ms), "<= 0.5 ms",
                            bench::peak_memory(device)});
            bench::reset_peak(device);
            const double many_ms = bench::mean_ms(device, 1, std::max(1, a.repeats / 10),
                                                  [&] { model->predict_positions(many); });
            rows.push_back(
                {fmt::format("{} receivers at once, {} (to host)", a.many, model->last_inference()),
                 fmt::format("{:.0f} spectra/s", a.many * 1e3 / many_ms), ">= 5000 spectra/s",
                 bench::peak_memory(device)});
        }
        model->set_inference("auto");
        model->set_fused_inference(true);
    }
    model.reset();

    // Pinhole forward + backward: the op at the asked size, then the op and the dense
    // reference at the largest size (halving the image, then the Gaussians) that fits.
    PinholeCase full(a.width, a.height, a.image_gaussians, device);
    bench::reset_peak(device);
    const double op_ms = bench::mean_ms(device, a.warmup, a.repeats, [&] { full.step(false); });
    rows.push_back({fmt::format("pinhole fwd+bwd, op, {}x{}, {} Gaussians", a.width, a.height,
                                a.image_gaussians),
                    fmt::format("{:.2f} ms", op_ms), "-", bench::peak_memory(device)});
    int w = a.width, h = a.height, n = a.image_gaussians;
    const double budget = a.reference_gib * 1024.0 * 1024.0 * 1024.0;
    while (splat::reference::rasterize_bytes(static_cast<std::int64_t>(w) * h, n, 4) > budget) {
        if (w >= 64 && h >= 48)  // down to 32×24 pixels
            w /= 2, h /= 2;
        else if (n > 1)
            n /= 2;
        else
            break;  // one Gaussian: run it whatever the budget
    }
    PinholeCase small(w, h, n, device);
    const bool same = w == a.width && h == a.height && n == a.image_gaussians;
    const double small_op_ms =
        same ? op_ms : bench::mean_ms(device, a.warmup, a.repeats, [&] { small.step(false); });
    bench::reset_peak(device);
    const double ref_ms =
        bench::mean_ms(device, 1, std::max(1, a.repeats / 5), [&] { small.step(true); });
    const std::string ref_peak = bench::peak_memory(device);
    if (!same) {
        rows.push_back({fmt::format("pinhole fwd+bwd, op, {}x{}, {} Gaussians", w, h, n),
                        fmt::format("{:.2f} ms", small_op_ms), "-", ""});
    }
    rows.push_back({fmt::format("pinhole fwd+bwd, dense reference, {}x{}, {} Gaussians", w, h, n),
                    fmt::format("{:.2f} ms", ref_ms), "-", ref_peak});
    rows.push_back(
        {"pinhole fwd+bwd, reference / op", fmt::format("{:.1f}x", ref_ms / small_op_ms), "-", ""});
    print_rows(rows);
}

}  // namespace

void add_bench_rf3dgs_command(CLI::App& bench, GlobalOptions& global) {
    static BenchRf3dgsArgs a;
    auto* cmd = bench.add_subcommand(
        "rf3dgs",
        "RF-3DGS+ stage-2 training time, spectrum latency and spectra/s, peak GPU memory; the "
        "splatting op's pinhole fwd+bwd against the dense LibTorch reference");
    cmd->add_option("--scene", a.scene, "Built-in scene (the lobby study's)")
        ->capture_default_str();
    cmd->add_option("--spectra", a.spectra, "Training spectra (default CUDA 700, CPU 50)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--steps", a.steps, "Stage-2 steps timed (default CUDA 3000, CPU 10)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--run-steps", a.run_steps,
                    "Stage-2 steps of the run the time is given for (projected from --steps)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--gaussians", a.gaussians, "Stage-2 Gaussians (default CUDA 20000, CPU 5000)")
        ->check(CLI::Range(4, 10000000));
    cmd->add_option("--many", a.many, "Receivers predicted at once (default CUDA 4096, CPU 32)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--repeats", a.repeats, "Timed repeats (default CUDA 50, CPU 5)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--warmup", a.warmup, "Untimed warm-up repeats (default CUDA 5, CPU 1)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--el", a.n_el, "Spectrum rows")
        ->capture_default_str()
        ->check(CLI::Range(1, 1800));
    cmd->add_option("--az", a.n_az, "Spectrum columns")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--width", a.width, "Pinhole image width (default CUDA 800, CPU 128)")
        ->check(CLI::Range(1, 16384));
    cmd->add_option("--height", a.height, "Pinhole image height (default CUDA 600, CPU 96)")
        ->check(CLI::Range(1, 16384));
    cmd->add_option("--image-gaussians", a.image_gaussians,
                    "Gaussians in the pinhole image (default CUDA 20000, CPU 2000)")
        ->check(CLI::Range(1, 10000000));
    cmd->add_option("--reference-gib", a.reference_gib,
                    "Memory the dense reference may take, GiB (default CUDA 40, CPU 2); the image, "
                    "then the Gaussians, are halved until it fits")
        ->check(CLI::Range(0.001, 1e6));
    cmd->callback([&global] { global.action = [&global] { run_bench_rf3dgs(a, global.device); }; });
}

}  // namespace radiofield::cli
