// The training loop: Adam + schedule + clipping, seeded batches, checkpoints, resume, log,
// Ctrl-C handling, and the final evaluation.
#include "radiofield/train/loop.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/train/checkpoint.hpp"
#include "radiofield/train/evaluate.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

// Ctrl-C sets a flag the loop polls; the previous handler comes back afterwards.
class SigintScope {
public:
    explicit SigintScope(bool active) : m_active(active) {
        g_interrupted = 0;
        if (m_active) m_previous = std::signal(SIGINT, on_sigint);
    }
    ~SigintScope() {
        if (m_active) std::signal(SIGINT, m_previous);
    }

private:
    bool m_active;
    void (*m_previous)(int) = SIG_DFL;
};

// bf16 autocast on CUDA for the forward pass (no loss scaling needed for bf16).
class AutocastScope {
public:
    explicit AutocastScope(bool on) : m_on(on) {
        if (!m_on) return;
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
    }
    ~AutocastScope() {
        if (!m_on) return;
        at::autocast::set_autocast_enabled(at::kCUDA, false);
        at::autocast::clear_cache();
    }

private:
    bool m_on;
};

void write_text_atomic(const fs::path& path, const std::string& text) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path());
        f << text;
        if (!f) fail("cannot write '{}'", path.string());
    }
    out.commit();
}

// Keeps the log lines of steps ≤ `step` (those a resumed run has already done).
void truncate_log(const fs::path& path, std::int64_t step) {
    if (!fs::exists(path)) return;
    std::ifstream in(path);
    std::string line, kept;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("step", std::int64_t{0}) <= step) kept += line + "\n";
    }
    in.close();
    write_text_atomic(path, kept);
}

// The settings a resumed run must share with the run it continues.
nlohmann::json resume_identity(nlohmann::json config) {
    config.erase("data_info");
    for (const char* k : {"steps", "eval_every", "checkpoint_every", "log_every", "device"}) config["train"].erase(k);
    return config;
}

nlohmann::json describe_data(const SpectrumData& d) {
    const auto& g = d.grid;
    return {{"frequency_hz", d.frequency_hz},
            {"grid", {{"n_el", g.n_el}, {"n_az", g.n_az}, {"el0_deg", g.el0_deg}, {"az0_deg", g.az0_deg}, {"step_deg", g.step_deg}}}};
}

void check_data_matches(const RunConfig& run, const SpectrumData& pool, const std::string& pool_name) {
    if (run.data_info.empty()) return;  // older config.json without it
    const auto want = run.data_info, got = describe_data(pool);
    const double f0 = want.value("frequency_hz", 0.0), f1 = got["frequency_hz"].get<double>();
    if (std::abs(f0 - f1) > 1e-9 * std::max(1.0, f0)) {
        fail("the run was trained on {:.6g} Hz data but {} is at {:.6g} Hz; evaluate on data of the training "
             "frequency (or train a model for this one)",
             f0, pool_name, f1);
    }
    if (want.value("grid", nlohmann::json{}) != got["grid"]) {
        fail("the run was trained on spectra of grid {} but {} has grid {}; use data simulated with the "
             "training grid",
             want.value("grid", nlohmann::json{}).dump(), pool_name, got["grid"].dump());
    }
}

RunConfig effective_config(RunConfig config) {
    if (config.model.empty()) fail("no model given (--model NAME; radiofield models lists them)");
    if (config.data.empty()) fail("no training data given (--data FILE.h5)");
    if (config.train.batch > 0) config.model_config["batch"] = config.train.batch;
    // The model's full effective configuration (defaults filled in) is what the run records,
    // with the optimiser settings it recommends where none were given.
    const auto model = make_model(config.model, config.model_config);
    config.model_config = model->config();
    config.train.resolve_defaults(model->train_defaults());
    return config;
}

}  // namespace

TrainResult train_run(const RunConfig& requested, const fs::path& run_dir, const TrainOptions& options) {
    RunConfig config = effective_config(requested);
    const TrainConfig& tc = config.train;
    const torch::Device device = nn::resolve_device(nn::parse_device(tc.device));
    const SpectrumData data = load_spectrum_data(config.data);  // every data check before any work
    config.data_info = describe_data(data);

    const fs::path ckpt_path = run_dir / "checkpoint.pt", log_path = run_dir / "log.jsonl";
    TrainResult result;
    CheckpointState state;
    if (fs::exists(ckpt_path) && !options.restart) {
        state = read_checkpoint_state(ckpt_path, config.model);
        if (resume_identity(state.config) != resume_identity(config.to_json())) {
            fail("'{}' holds a run with another configuration:\n  saved: {}\n  now:   {}\nrun the same command "
                 "to resume it, pass --restart to start over, or use a new --out folder",
                 run_dir.string(), resume_identity(state.config).dump(), resume_identity(config.to_json()).dump());
        }
        result.resumed = true;
    }
    fs::create_directories(run_dir);

    torch::manual_seed(tc.seed);
    auto model = make_model(config.model, config.model_config);
    model->prepare(data);
    model->set_device(device);
    const bool learn = model->trainable() && tc.steps > 0;
    std::vector<torch::Tensor> params = learn ? model->parameters() : std::vector<torch::Tensor>{};
    if (learn && params.empty()) fail("model '{}' says it is trainable but has no parameters", config.model);
    std::unique_ptr<torch::optim::Adam> optimizer;
    if (learn) optimizer = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(*tc.lr).weight_decay(*tc.weight_decay));
    torch::Generator gen = at::detail::createCPUGenerator(mix_seed(tc.seed, 1));

    if (result.resumed) {
        state = load_checkpoint(ckpt_path, *model, optimizer.get(), &gen);
        truncate_log(log_path, state.step);
        log::info("resuming '{}' from step {}", run_dir.string(), state.step);
    } else {
        for (const char* f : {"log.jsonl", "metrics.json"}) fs::remove(run_dir / f);
        state = {};
    }
    state.model = config.model;
    state.config = config.to_json();
    write_text_atomic(run_dir / "config.json", state.config.dump(2) + "\n");

    const bool autocast = tc.mixed_precision && device.is_cuda();
    const auto started = std::chrono::steady_clock::now();
    const double elapsed_before = state.elapsed_s;
    auto elapsed = [&] {
        return elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    auto checkpoint = [&] {
        state.elapsed_s = elapsed();
        save_checkpoint(ckpt_path, state, *model, optimizer.get(), &gen);
    };

    if (learn && state.step < tc.steps) {
        SigintScope sigint(options.handle_sigint);
        std::ofstream log_file(log_path, std::ios::app);
        Progress progress("train " + config.model, tc.steps - state.step, "step");
        std::int64_t done_here = 0;
        while (state.step < tc.steps) {
            if (g_interrupted || (options.stop_after >= 0 && done_here >= options.stop_after)) {
                checkpoint();
                result.interrupted = true;
                if (g_interrupted) log::warn("interrupted at step {}; checkpoint saved — run the same command to resume", state.step);
                result.step = state.step;
                return result;
            }
            const double lr = tc.lr_at(state.step);
            for (auto& group : optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            optimizer->zero_grad();
            torch::Tensor loss;
            {
                AutocastScope scope(autocast);
                loss = model->training_loss(data, gen);
            }
            const double value = loss.item<double>();
            if (!std::isfinite(value)) {
                fail("the training loss became {} at step {}; lower the learning rate (--lr) or enable gradient "
                     "clipping (--set grad_clip=1)",
                     value, state.step);
            }
            loss.backward();
            if (tc.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, tc.grad_clip);
            optimizer->step();
            ++state.step, ++done_here;
            result.losses.push_back(value);
            if (state.step % tc.log_every == 0 || state.step == tc.steps) {
                log_file << nlohmann::json{{"step", state.step}, {"loss", value}, {"lr", lr}, {"time", elapsed()}}.dump()
                         << "\n" << std::flush;
            }
            progress.advance();
            progress.set_status(fmt::format("loss {:.4g}  lr {:.3g}", value, lr));
            if (tc.checkpoint_every > 0 && state.step % tc.checkpoint_every == 0) checkpoint();
            if (tc.eval_every > 0 && state.step % tc.eval_every == 0 && !data.split.val.empty()) {
                EvalOptions eo;
                eo.split = "val";
                eo.device = device;
                const auto s = evaluate(*model, data, eo).summary();
                log_file << nlohmann::json{{"step", state.step}, {"val_mse", s["mean"]["mse"]},
                                           {"val_psnr", s["mean"]["psnr"]}, {"time", elapsed()}}.dump()
                         << "\n" << std::flush;
            }
        }
        progress.finish();
    }
    checkpoint();
    result.step = state.step;

    if (options.final_eval) {
        const std::string split = !data.split.test.empty() ? "test" : (!data.split.val.empty() ? "val" : "");
        if (split.empty()) {
            log::warn("no test or validation samples: metrics.json not written");
        } else {
            EvalOptions eo;
            eo.split = split;
            eo.device = device;
            const EvalResult r = evaluate(*model, data, eo);
            write_metrics_json(r, {{"run", run_dir.string()}, {"model", config.model}, {"step", state.step},
                                   {"data", config.data}, {"train_seconds", state.elapsed_s}},
                               run_dir / "metrics.json");
            result.metrics = r.summary();
        }
    }
    return result;
}

LoadedRun load_run(const fs::path& run_dir, const SpectrumData& pool, torch::Device device,
                   const std::string& pool_name) {
    if (!fs::is_directory(run_dir)) fail("run folder '{}' does not exist (train one: radiofield train ... --out RUN)", run_dir.string());
    LoadedRun run;
    run.config = RunConfig::read(run_dir / "config.json");
    const fs::path ckpt = run_dir / "checkpoint.pt";
    read_checkpoint_state(ckpt, run.config.model);  // version and model, before building anything
    check_data_matches(run.config, pool, pool_name);
    run.model = make_model(run.config.model, run.config.model_config);
    run.model->prepare(pool);
    run.model->set_device(device);
    run.step = load_checkpoint(ckpt, *run.model, nullptr, nullptr).step;
    return run;
}

}  // namespace radiofield::train
