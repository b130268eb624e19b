// `radiofield bench graf`: GRaF's training throughput, the time of one full spectrum including
// the neighbour encoding, spectra per second when many positions are asked at once, peak GPU
// memory, and — for TF32 — how far its spectra are from strict fp32's with the same weights.
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "bench_util.hpp"
#include "commands.hpp"
#include "radiofield/models/graf.hpp"
#include "radiofield/nn/device.hpp"

namespace radiofield::cli {
namespace {

struct BenchGrafArgs {
    std::string profile;  // empty: full on CUDA, quick on the CPU
    std::string precision = "tf32";
    int steps = -1, repeats = -1, warmup = -1;  // −1: by device (CUDA 20/20/3, CPU 3/2/1)
    int many = -1;                              // positions at once (CUDA 256, CPU 4)
    int n_el = 90, n_az = 360;
};

void run_bench_graf(BenchGrafArgs a, const std::string& device_name) {
    const torch::Device device = nn::resolve_device(nn::parse_device(device_name));
    const bool gpu = device.is_cuda();
    auto pick = [&](int v, int cuda, int cpu) { return v > 0 ? v : (gpu ? cuda : cpu); };
    a.steps = pick(a.steps, 20, 3);
    a.repeats = pick(a.repeats, 20, 2);
    a.warmup = pick(a.warmup, 3, 1);
    a.many = pick(a.many, 256, 4);
    if (a.profile.empty())
        a.profile = gpu ? "full" : "quick";
    data::SpectrumGrid grid;
    grid.n_el = a.n_el;
    grid.n_az = a.n_az;
    torch::manual_seed(0);

    auto cfg = models::GrafConfig::for_profile(a.profile);
    cfg.tf32 = a.precision != "fp32";
    cfg.bf16_inference = a.precision == "bf16";
    cfg.fused_inference = a.precision == "fp16";
    const int n = std::max(64, a.many + cfg.neighbours + 1);
    const auto data = bench::synthetic_data(grid, n);
    const auto& scene = *data.front();
    models::GrafModel model(cfg);
    model.prepare(train::contexts(data), &data);
    model.set_device(device);
    std::int64_t n_params = 0, n_trunk = 0;
    for (const auto& p : model.net()->parameters())
        n_params += p.numel();
    for (const auto& p : model.net()->trunk->parameters())
        n_trunk += p.numel();
    fmt::print(
        "graf bench: {} ({}), torch {}, profile {}, {} parameters ({} in the ResNet-18 trunk), "
        "L = {} neighbours, S = {} samples/ray, spectrum {}x{}, matmul {}\n",
        gpu ? nn::cuda_device_name() : "CPU", device.str(), nn::torch_version(), a.profile,
        n_params, n_trunk, cfg.neighbours, cfg.samples, grid.n_el, grid.n_az,
        gpu ? (cfg.fused_inference  ? "TF32, fused fp16 ray MLP (fp32 accumulation) for spectra"
               : cfg.bf16_inference ? "TF32, bf16 ray MLP for spectra"
               : cfg.tf32           ? "TF32"
                                    : "fp32")
            : "fp32");

    torch::optim::Adam adam(model.net()->parameters(), torch::optim::AdamOptions(cfg.lr));
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(1);
    bench::reset_peak(device);
    const double train_ms = bench::median_ms(device, a.warmup, a.steps, [&] {
        auto loss = model.training_loss(data, {}, gen);
        adam.zero_grad();
        loss.backward();
        adam.step();
    });
    fmt::print(
        "train step ({} targets x {} rays, fwd+bwd+Adam): {:9.2f} ms median of {}  = {:.1f} "
        "target spectra/s, {:.3g} rays/s   peak {}\n",
        cfg.batch, cfg.rays, train_ms, a.steps, cfg.batch * 1e3 / train_ms,
        cfg.batch * cfg.rays * 1e3 / train_ms, bench::peak_memory(device));

    auto positions = [&](int count) {  // free positions between the measured ones
        return scene.positions.narrow(0, 0, count) + 0.05;
    };
    const auto one = train::Query::at(scene, positions(1));
    bench::reset_peak(device);
    const double one_ms = bench::median_ms(device, 1, a.repeats, [&] { model.predict(one); });
    fmt::print(
        "one spectrum (neighbours + transformer + {} rays):   {:9.2f} ms median of {}   "
        "peak {}\n",
        grid.size(), one_ms, a.repeats, bench::peak_memory(device));
    const double latent_ms = bench::median_ms(device, 1, a.repeats, [&] { model.latent(one); });
    fmt::print("  of which neighbours + transformer (the latent Z):   {:9.2f} ms median of {}\n",
               latent_ms, a.repeats);
    const double plain_ms =
        bench::median_ms(device, 1, a.repeats, [&] { model.render_full(one, /*fast=*/false); });
    fmt::print(
        "one spectrum, plain path (as training renders rays):  {:9.2f} ms median of {}  "
        "(fast path {:.2f}x)\n",
        plain_ms, a.repeats, plain_ms / one_ms);
    const auto many = train::Query::at(scene, positions(a.many));
    bench::reset_peak(device);
    const double many_ms =
        bench::median_ms(device, 1, std::max(1, a.repeats / 4), [&] { model.predict(many); });
    fmt::print(
        "{} spectra at once:                                   {:9.2f} ms = {:.0f} "
        "spectra/s   peak {}\n",
        a.many, many_ms, a.many * 1e3 / many_ms, bench::peak_memory(device));
    const double many_latent_ms =
        bench::median_ms(device, 1, std::max(1, a.repeats / 4), [&] { model.latent(many); });
    fmt::print("  of which neighbours + transformer (the latent Z):   {:9.2f} ms\n",
               many_latent_ms);

    if (gpu && cfg.tf32) {  // the same weights in strict fp32: how far these spectra are
        const auto fast = model.predict(many).spectra;
        auto strict_cfg = cfg;
        strict_cfg.tf32 = strict_cfg.bf16_inference = strict_cfg.fused_inference = false;
        models::GrafModel strict(strict_cfg);
        strict.prepare(train::contexts(data), &data);
        {
            torch::NoGradGuard no_grad;
            auto src = model.net()->parameters(), dst = strict.net()->parameters();
            for (std::size_t i = 0; i < src.size(); ++i)
                dst[i].copy_(src[i]);
            auto sb = model.net()->buffers(), db = strict.net()->buffers();
            for (std::size_t i = 0; i < sb.size(); ++i)
                db[i].copy_(sb[i]);
        }
        strict.set_device(device);  // switches TF32 off (process-wide)
        const auto fp32 = strict.predict(many).spectra;
        const double fp32_ms =
            bench::median_ms(device, 1, std::max(1, a.repeats / 4), [&] { strict.predict(many); });
        at::globalContext().setAllowTF32CuBLAS(true);
        const double mse = torch::mse_loss(fast, fp32).item<double>();
        fmt::print(
            "same {} spectra in strict fp32:                        {:9.2f} ms = {:.0f} "
            "spectra/s; {} vs fp32 spectra: PSNR {:.1f} dB, max |diff| {:.2e}\n",
            a.many, fp32_ms, a.many * 1e3 / fp32_ms, a.precision,
            -10 * std::log10(std::max(mse, 1e-30)), (fast - fp32).abs().max().item<double>());
    }
}

}  // namespace

void add_bench_graf_command(CLI::App& bench, GlobalOptions& global) {
    static BenchGrafArgs a;
    auto* cmd = bench.add_subcommand(
        "graf", "GRaF training throughput, spectrum latency and spectra/s, peak GPU memory");
    cmd->add_option("--profile", a.profile, "quick or full (default: full on CUDA, quick on CPU)")
        ->check(CLI::IsMember({"quick", "full"}));
    cmd->add_option("--precision", a.precision,
                    "Matmul precision on CUDA: tf32 (the default), fp32 (strict), bf16 (TF32, and "
                    "the ray MLP of spectra in bf16), fp16 (TF32, and the ray MLP of spectra as "
                    "one fused kernel: fp16 tensor cores, fp32 accumulation)")
        ->check(CLI::IsMember({"fp32", "tf32", "bf16", "fp16"}))
        ->capture_default_str();
    cmd->add_option("--steps", a.steps, "Timed training steps (default CUDA 20, CPU 3)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--repeats", a.repeats, "Timed single-spectrum predictions (CUDA 20, CPU 2)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--warmup", a.warmup, "Untimed warm-up steps (default CUDA 3, CPU 1)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--many", a.many, "Positions predicted at once (default CUDA 256, CPU 4)")
        ->check(CLI::Range(1, 65536));
    cmd->add_option("--el", a.n_el, "Spectrum rows")
        ->capture_default_str()
        ->check(CLI::Range(1, 1800));
    cmd->add_option("--az", a.n_az, "Spectrum columns")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd->callback([&global] { global.action = [&global] { run_bench_graf(a, global.device); }; });
}

}  // namespace radiofield::cli
