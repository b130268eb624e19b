// `radiofield bench nerf2`: NeRF2 training-step and full-spectrum times (median after warm-up,
// device-synchronised), and peak GPU memory. Targets (H100, fp32): ≤ 36 ms per 8192-ray step
// and ≤ 50 ms per 90×360 spectrum, half the public Python code's 72 ms and 102–108 ms.
// --reference also times a LibTorch port of the public pipeline (no splitting, no caching)
// on the same machine, for an in-process ratio.
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench_util.hpp"
#include "commands.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/nn/device.hpp"

namespace radiofield::cli {
namespace {

using bench::median_ms;
using bench::peak_memory;
using bench::reset_peak;

struct BenchNerf2Args {
    int steps = -1, repeats = -1, warmup = -1;  // −1: by device (CUDA 20/20/3, CPU 3/2/1)
    int rays = -1;                              // CUDA 8192, CPU 1024
    int n_el = -1, n_az = -1;                   // CUDA 90×360, CPU 18×72
    std::string precision = models::NeRF2Config{}.tf32 ? "tf32" : "fp32";  // the model's default
    bool reference = false;
};

void run_bench_nerf2(BenchNerf2Args a, const std::string& device_name) {
    const torch::Device device = nn::resolve_device(nn::parse_device(device_name));
    const bool gpu = device.is_cuda();
    auto pick = [&](int v, int cuda, int cpu) { return v > 0 ? v : (gpu ? cuda : cpu); };
    a.steps = pick(a.steps, 20, 3);
    a.repeats = pick(a.repeats, 20, 2);
    a.warmup = pick(a.warmup, 3, 1);
    a.rays = pick(a.rays, 8192, 1024);
    data::SpectrumGrid grid;
    grid.n_el = pick(a.n_el, 90, 18);
    grid.n_az = pick(a.n_az, 360, 72);
    torch::manual_seed(0);

    models::NeRF2Config cfg;  // the public RFID configuration
    cfg.far = 5.0;
    cfg.batch = a.rays;
    cfg.tf32 = a.precision == "tf32";
    const auto data = bench::synthetic_data(grid, 64);
    const auto& scene = *data.front();
    models::NeRF2Model model(cfg);
    model.set_device(device);
    model.prepare(train::contexts(data), &data);
    std::int64_t n_params = 0;
    for (const auto& p : model.net()->parameters())
        n_params += p.numel();
    fmt::print("nerf2 bench: {} ({}), torch {}, {} parameters, {} samples/ray, matmul {}\n",
               gpu ? nn::cuda_device_name() : "CPU", device.str(), nn::torch_version(), n_params,
               cfg.n_samples, cfg.tf32 ? "TF32" : "fp32");

    torch::optim::Adam adam(model.net()->parameters(),
                            torch::optim::AdamOptions(cfg.lr).weight_decay(cfg.weight_decay));
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(1);
    auto step = [&](auto&& loss_fn) {
        auto loss = loss_fn();
        adam.zero_grad();
        loss.backward();
        adam.step();
    };
    reset_peak(device);
    const double train_ms = median_ms(device, a.warmup, a.steps, [&] {
        step([&] { return model.training_loss(data, {}, gen); });
    });
    fmt::print("train step ({} rays, fwd+bwd+Adam): {:9.2f} ms median of {}   peak {}\n", a.rays,
               train_ms, a.steps, peak_memory(device));

    const auto pos = scene.positions.narrow(0, 0, 1);
    double cold_ms = 0;
    {
        auto cold_cfg = cfg;
        cold_cfg.cache_trunk = false;
        models::NeRF2Model cold(cold_cfg);
        cold.set_device(device);
        cold.prepare(train::contexts(data), &data);
        torch::NoGradGuard no_grad;
        auto src = model.net()->parameters(), dst = cold.net()->parameters();
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i].copy_(src[i]);
        reset_peak(device);
        cold_ms = median_ms(device, 1, a.repeats, [&] { cold.predict_positions(pos); });
        fmt::print("spectrum {}x{}, no cache:            {:9.2f} ms median of {}   peak {}\n",
                   grid.n_el, grid.n_az, cold_ms, a.repeats, peak_memory(device));
    }
    reset_peak(device);
    const double build_ms =
        median_ms(device, 0, 1, [&] { model.predict_positions(pos); });  // builds the cache
    const double cached_ms = median_ms(device, 1, a.repeats, [&] { model.predict_positions(pos); });
    fmt::print("spectrum {}x{}, first (builds cache): {:9.2f} ms\n", grid.n_el, grid.n_az,
               build_ms);
    fmt::print("spectrum {}x{}, cached trunk:         {:9.2f} ms median of {}   peak {}\n",
               grid.n_el, grid.n_az, cached_ms, a.repeats, peak_memory(device));

    if (!a.reference)
        return;
    // The public pipeline, ported as is: every sample through the whole network.
    const auto n_pix = static_cast<std::int64_t>(grid.size());
    const auto spectra = scene.spectra.reshape({scene.size(), n_pix}).to(device);
    const auto positions = scene.positions.to(device);
    reset_peak(device);
    const double ref_train = median_ms(device, a.warmup, a.steps, [&] {
        step([&] {
            const auto sample = torch::randint(scene.size(), {a.rays},
                                               torch::TensorOptions(torch::kLong).device(device));
            const auto pixel =
                torch::randint(n_pix, {a.rays}, torch::TensorOptions(torch::kLong).device(device));
            const auto pred = model.render_rays_reference(pixel, positions.index_select(0, sample));
            return torch::mse_loss(pred, spectra.index({sample, pixel}));
        });
    });
    fmt::print(
        "reference train step:                {:9.2f} ms median of {}   peak {}   (fast path "
        "{:.2f}x)\n",
        ref_train, a.steps, peak_memory(device), ref_train / train_ms);
    const auto pos_d = pos.to(device);
    reset_peak(device);
    const double ref_spec = median_ms(device, 1, a.repeats, [&] {
        torch::NoGradGuard no_grad;
        const std::int64_t chunk = a.rays;  // rays per call, as the public test loader's batch
        for (std::int64_t p0 = 0; p0 < n_pix; p0 += chunk) {
            const auto pc = std::min(chunk, n_pix - p0);
            model.render_rays_reference(
                torch::arange(p0, p0 + pc, torch::TensorOptions(torch::kLong).device(device)),
                pos_d.expand({pc, 3}));
        }
    });
    fmt::print(
        "reference spectrum:                  {:9.2f} ms median of {}   peak {}   (fast path "
        "{:.2f}x, "
        "cached {:.1f}x)\n",
        ref_spec, a.repeats, peak_memory(device), ref_spec / cold_ms, ref_spec / cached_ms);
}

}  // namespace

void add_bench_nerf2_command(CLI::App& bench, GlobalOptions& global) {
    static BenchNerf2Args a;
    auto* cmd = bench.add_subcommand(
        "nerf2", "NeRF2 training-step and spectrum-inference times, peak GPU memory");
    cmd->add_option("--steps", a.steps, "Timed training steps (default CUDA 20, CPU 3)");
    cmd->add_option("--repeats", a.repeats, "Timed spectrum predictions (default CUDA 20, CPU 2)");
    cmd->add_option("--warmup", a.warmup, "Untimed warm-up steps (default CUDA 3, CPU 1)");
    cmd->add_option("--rays", a.rays, "Rays per training step (default CUDA 8192, CPU 1024)");
    cmd->add_option("--el", a.n_el, "Spectrum rows (elevations; default CUDA 90, CPU 18)");
    cmd->add_option("--az", a.n_az, "Spectrum columns (azimuths; default CUDA 360, CPU 72)");
    cmd->add_option("--precision", a.precision,
                    "Matmul precision on CUDA: tf32 (NeRF2's default) or fp32 (strict)")
        ->check(CLI::IsMember({"fp32", "tf32"}))
        ->capture_default_str();
    cmd->add_flag("--reference", a.reference, "Also time a LibTorch port of the public pipeline");
    cmd->callback([&global] { global.action = [&global] { run_bench_nerf2(a, global.device); }; });
}

}  // namespace radiofield::cli
