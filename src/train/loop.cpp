// The training loop: phases, parameter groups (Adam, schedule, clipping), hooks, seeded
// batches, checkpoints, resume, log, Ctrl-C and errors mid-run, and the final evaluation.
#include "radiofield/train/loop.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/nn/autocast.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/train/checkpoint.hpp"
#include "radiofield/train/evaluate.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

void write_text_atomic(const fs::path& path, const std::string& text) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path());
        f << text;
        if (!f)
            fail("cannot write '{}'", path.string());
    }
    out.commit();
}

// Keeps the log lines of steps ≤ `step` (those a resumed run has already done).
void truncate_log(const fs::path& path, std::int64_t step) {
    if (!fs::exists(path))
        return;
    std::ifstream in(path);
    std::string line, kept;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("step", std::int64_t{0}) <= step)
            kept += line + "\n";
    }
    in.close();
    write_text_atomic(path, kept);
}

// The settings a resumed run must share with the run it continues.
nlohmann::json resume_identity(nlohmann::json config) {
    config.erase("contexts");
    for (const char* k : {"steps", "eval_every", "checkpoint_every", "log_every", "device"})
        config["train"].erase(k);
    return config;
}

// The model's needs plus the views its phases read.
DataNeeds needs_of(const Model& model, const TrainConfig& tc) {
    DataNeeds needs = model.needs();
    needs.mixed_conventions = tc.mixed_conventions;
    for (const auto& phase : model.phases()) {
        if (std::find(needs.views.begin(), needs.views.end(), phase.view) == needs.views.end()) {
            needs.views.push_back(phase.view);
        }
    }
    return needs;
}

std::vector<Phase> resolve_phases(std::vector<Phase> phases,
                                  std::int64_t run_steps,
                                  const std::string& model) {
    if (phases.empty())
        fail("model '{}' declares no training phase", model);
    std::set<std::string> names;
    for (auto& p : phases) {
        if (!names.insert(p.name).second)
            fail("model '{}' declares phase '{}' twice", model, p.name);
        if (p.steps < 0)
            p.steps = run_steps;
    }
    return phases;
}

std::int64_t sum_steps(const std::vector<Phase>& phases) {
    std::int64_t total = 0;
    for (const auto& p : phases)
        total += p.steps;
    return total;
}

// The phase of step `step` (0-based) and its first step; phases.size() when training is done.
std::pair<std::size_t, std::int64_t> phase_at(const std::vector<Phase>& phases, std::int64_t step) {
    std::int64_t start = 0;
    for (std::size_t i = 0; i < phases.size(); ++i) {
        if (step < start + phases[i].steps)
            return {i, start};
        start += phases[i].steps;
    }
    return {phases.size(), start};
}

bool trains(const Phase& phase, const std::string& group) {
    return phase.groups.empty() ||
           std::find(phase.groups.begin(), phase.groups.end(), group) != phase.groups.end();
}

void check_groups(const std::vector<ParamGroup>& groups,
                  const std::vector<Phase>& phases,
                  const std::string& model) {
    std::set<std::string> names;
    std::size_t count = 0;
    for (const auto& g : groups) {
        if (g.name.empty() || !names.insert(g.name).second) {
            fail("model '{}' declares parameter group '{}' twice or without a name", model, g.name);
        }
        for (const auto& p : g.params) {
            if (!p.defined())
                fail("model '{}': parameter group '{}' holds an undefined tensor", model, g.name);
        }
        if (!g.schedule.empty() && g.schedule != "cosine" && g.schedule != "step" &&
            g.schedule != "constant") {
            fail(
                "model '{}': parameter group '{}' has an unknown schedule '{}'; valid: cosine, "
                "step, constant",
                model, g.name, g.schedule);
        }
        count += g.params.size();
    }
    if (count == 0)
        fail("model '{}' says it is trainable but has no parameters", model);
    for (const auto& phase : phases) {
        for (const auto& g : phase.groups) {
            if (!names.count(g))
                fail("model '{}': phase '{}' trains group '{}', which it does not declare", model,
                     phase.name, g);
        }
    }
}

std::unique_ptr<torch::optim::Adam> make_optimizer(const std::vector<ParamGroup>& groups,
                                                   const TrainConfig& tc) {
    std::vector<torch::optim::OptimizerParamGroup> adam_groups;
    for (const auto& g : groups) {
        auto options = std::make_unique<torch::optim::AdamOptions>(g.lr.value_or(*tc.lr));
        options->weight_decay(g.weight_decay.value_or(*tc.weight_decay));
        adam_groups.emplace_back(g.params, std::move(options));
    }
    return std::make_unique<torch::optim::Adam>(
        adam_groups, torch::optim::AdamOptions(*tc.lr).weight_decay(*tc.weight_decay));
}

// Which parameters learn in `phase`: those of its groups; the others are frozen.
void enter_phase(torch::optim::Adam& optimizer,
                 const std::vector<ParamGroup>& groups,
                 const Phase& phase) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const bool on = trains(phase, groups[i].name);
        for (auto& p : optimizer.param_groups()[i].params())
            p.requires_grad_(on);
    }
}

RunConfig effective_config(RunConfig config) {
    if (config.model.empty())
        fail("no model given (--model NAME; radiofield models lists them)");
    if (config.data.empty())
        fail("no training data given (--data FILE.h5)");
    if (config.train.batch > 0)
        config.model_config["batch"] = config.train.batch;
    // The model's full effective configuration (defaults filled in) is what the run records,
    // with the optimiser settings it recommends where none were given.
    const auto model = make_model(config.model, config.model_config);
    config.model_config = model->config();
    config.train.resolve_defaults(model->train_defaults());
    return config;
}

// Whether some dataset has samples in split `name`.
bool any_split(const DataList& data, const std::string& name) {
    for (const auto& d : data) {
        if (!d->split_indices(name).empty())
            return true;
    }
    return false;
}

}  // namespace

std::int64_t total_steps(const Model& model, std::int64_t run_steps) {
    return sum_steps(resolve_phases(model.phases(), run_steps, model.name()));
}

void check_run_folder(const fs::path& run_dir) {
    if (run_dir.empty())
        fail("no run folder given (--out RUN)");
    std::error_code ec;
    if (fs::exists(run_dir, ec)) {
        if (!fs::is_directory(run_dir, ec)) {
            fail(
                "'{}' exists and is not a folder; a run needs a folder of its own: choose another "
                "--out",
                run_dir.string());
        }
        if (::access(run_dir.c_str(), W_OK) != 0)
            fail("the run folder '{}' is not writable; choose another --out", run_dir.string());
        return;
    }
    // The first existing ancestor must be a writable folder.
    fs::path p = fs::absolute(run_dir, ec).parent_path();
    while (!p.empty() && !fs::exists(p, ec))
        p = p.parent_path();
    if (p.empty() || !fs::is_directory(p, ec)) {
        fail(
            "cannot create the run folder '{}': '{}' is not a folder; choose an --out path inside "
            "a folder",
            run_dir.string(), p.string());
    }
    if (::access(p.c_str(), W_OK) != 0) {
        fail("cannot create the run folder '{}': '{}' is not writable; choose another --out",
             run_dir.string(), p.string());
    }
}

TrainResult train_run(const RunConfig& requested,
                      const fs::path& run_dir,
                      const TrainOptions& options) {
    RunConfig config = effective_config(requested);
    const TrainConfig& tc = config.train;
    const torch::Device device = nn::resolve_device(nn::parse_device(tc.device));
    check_run_folder(run_dir);
    torch::manual_seed(tc.seed);
    auto model = make_model(config.model, config.model_config);
    const DataList data =
        load_datasets(config.data, needs_of(*model, tc));  // every data check before any work
    config.contexts = contexts(data);
    const std::vector<Phase> phases = resolve_phases(model->phases(), tc.steps, config.model);
    const std::int64_t total = sum_steps(phases);

    const fs::path ckpt_path = run_dir / "checkpoint.pt", log_path = run_dir / "log.jsonl";
    TrainResult result;
    CheckpointState state;
    if (fs::exists(ckpt_path) && !options.restart) {
        state = read_checkpoint_state(ckpt_path, config.model);
        if (resume_identity(state.config) != resume_identity(config.to_json())) {
            fail(
                "'{}' holds a run with another configuration:\n  saved: {}\n  now:   {}\nrun the "
                "same command "
                "to resume it, pass --restart to start over, or use a new --out folder",
                run_dir.string(), resume_identity(state.config).dump(),
                resume_identity(config.to_json()).dump());
        }
        result.resumed = true;
    }
    try {
        fs::create_directories(run_dir);
    } catch (const fs::filesystem_error& e) {
        fail("cannot create the run folder '{}': {}; choose another --out", run_dir.string(),
             e.code().message());
    }

    model->prepare(config.contexts, &data);
    model->set_device(device);
    torch::Generator gen = at::detail::createCPUGenerator(mix_seed(tc.seed, 1));
    if (result.resumed) {
        state =
            load_checkpoint(ckpt_path, *model, device, &gen);  // parameters with their saved shapes
        truncate_log(log_path, state.step);
        log::info("resuming '{}' from step {}", run_dir.string(), state.step);
    } else {
        for (const char* f : {"log.jsonl", "metrics.json"})
            fs::remove(run_dir / f);
        state = {};
        if (!options.init_from.empty()) {
            load_initial_weights(options.init_from, *model, device);  // weights only; step 0
            log::info("starting from the weights in '{}'", options.init_from.string());
        }
    }
    const bool learn = model->trainable() && total > 0;
    std::vector<ParamGroup> groups;
    std::vector<std::string> group_names;
    std::unique_ptr<torch::optim::Adam> optimizer;
    if (learn) {
        groups = model->parameter_groups();
        check_groups(groups, phases, config.model);
        for (const auto& g : groups)
            group_names.push_back(g.name);
        optimizer = make_optimizer(groups, tc);  // after the checkpoint's parameters are in place
        if (result.resumed)
            load_optimizer_state(ckpt_path, *optimizer, device);
    }
    state.model = config.model;
    state.config = config.to_json();
    write_text_atomic(run_dir / "config.json", state.config.dump(2) + "\n");

    const bool autocast = tc.mixed_precision && device.is_cuda();
    const auto started = std::chrono::steady_clock::now();
    const double elapsed_before = state.elapsed_s;
    auto elapsed = [&] {
        return elapsed_before +
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    auto checkpoint = [&] {
        state.elapsed_s = elapsed();
        const auto [i, start] = phase_at(phases, state.step);
        state.phase = i < phases.size() ? phases[i].name : "";
        save_checkpoint(ckpt_path, state, *model, optimizer.get(), &gen);
    };

    if (learn && state.step < total) {
        InterruptScope interrupt(options.handle_sigint);
        std::ofstream log_file(log_path, std::ios::app);
        Progress progress("train " + config.model, total - state.step, "step");
        std::int64_t done_here = 0;
        std::size_t current = phases.size();  // the phase whose freezing is in place
        while (state.step < total) {
            const bool interrupted = interrupt_requested();
            if (interrupted || (options.stop_after >= 0 && done_here >= options.stop_after)) {
                checkpoint();
                result.interrupted = true;
                if (interrupted)
                    log::warn(
                        "interrupted at step {}; checkpoint saved — run the same command to resume",
                        state.step);
                result.step = state.step;
                return result;
            }
            const auto [index, start] = phase_at(phases, state.step);
            const Phase& phase = phases[index];
            if (index != current) {
                enter_phase(*optimizer, groups, phase);
                current = index;
                if (phases.size() > 1)
                    log::info("phase '{}': {} steps", phase.name, phase.steps);
            }
            const std::int64_t phase_step = state.step - start;
            // Refreshed every step: a hook may have replaced parameters of a group.
            auto& adam_groups = optimizer->param_groups();
            double lr0 = 0;
            for (std::size_t g = 0; g < groups.size(); ++g) {
                const double lr =
                    tc.lr_at(phase_step, phase.steps, groups[g].lr.value_or(*tc.lr),
                             groups[g].schedule.empty() ? tc.schedule : groups[g].schedule);
                static_cast<torch::optim::AdamOptions&>(adam_groups[g].options()).lr(lr);
                if (g == 0)
                    lr0 = lr;
            }
            bool stepped = false;
            double value = 0;
            try {
                if (phase_step == 0) {
                    ParameterEditor editor(optimizer.get(), group_names);
                    StepContext ctx{state.step, phase_step, phase, data, editor};
                    model->begin_phase(ctx);
                }
                optimizer->zero_grad();
                torch::Tensor loss;
                {
                    nn::Bf16Autocast scope(autocast);
                    loss = model->training_loss(data, phase, gen);
                }
                value = loss.item<double>();
                if (!std::isfinite(value)) {
                    checkpoint();
                    fail(
                        "the training loss became {} at step {} (phase '{}'); the checkpoint of "
                        "step {} is in '{}'. "
                        "Lower the learning rate (--lr) or enable gradient clipping (--set "
                        "grad_clip=1) and start "
                        "over with --restart",
                        value, state.step, phase.name, state.step, run_dir.string());
                }
                ParameterEditor editor(optimizer.get(), group_names);
                StepContext ctx{state.step, phase_step, phase, data, editor};
                model->before_backward(ctx);
                loss.backward();
                model->after_backward(ctx);
                if (tc.grad_clip > 0) {
                    std::vector<torch::Tensor> params;
                    for (std::size_t g = 0; g < groups.size(); ++g) {
                        if (!trains(phase, groups[g].name))
                            continue;
                        for (const auto& p : adam_groups[g].params())
                            params.push_back(p);
                    }
                    torch::nn::utils::clip_grad_norm_(params, tc.grad_clip);
                }
                optimizer->step();
                stepped = true;
                model->after_step(ctx);
            } catch (const Error&) {
                throw;
            } catch (const std::exception& e) {
                const std::string what =
                    dynamic_cast<const c10::Error*>(&e)
                        ? dynamic_cast<const c10::Error&>(e).what_without_backtrace()
                        : e.what();
                if (!stepped) {
                    checkpoint();
                    fail(
                        "training stopped at step {} (phase '{}') by an error: {}\nThe checkpoint "
                        "of step {} is "
                        "in '{}': remove the cause and run the same command to resume",
                        state.step + 1, phase.name, what, state.step, run_dir.string());
                }
                fail(
                    "training stopped after the optimiser step of step {} (phase '{}') by an "
                    "error: {}\nThe last "
                    "checkpoint in '{}' stands: remove the cause and run the same command to "
                    "resume from it",
                    state.step + 1, phase.name, what, run_dir.string());
            }
            ++state.step, ++done_here;
            result.losses.push_back(value);
            if (state.step % tc.log_every == 0 || state.step == total) {
                nlohmann::json line{
                    {"step", state.step}, {"loss", value}, {"lr", lr0}, {"time", elapsed()}};
                if (phases.size() > 1)
                    line["phase"] = phase.name;
                log_file << line.dump() << "\n" << std::flush;
            }
            progress.advance();
            progress.set_status(fmt::format("{}loss {:.4g}  lr {:.3g}",
                                            phases.size() > 1 ? phase.name + "  " : "", value,
                                            lr0));
            if (tc.checkpoint_every > 0 && state.step % tc.checkpoint_every == 0)
                checkpoint();
            if (tc.eval_every > 0 && state.step % tc.eval_every == 0 && any_split(data, "val")) {
                EvalOptions eo;
                eo.split = "val", eo.device = device, eo.skip_empty = true;
                const auto s = evaluate(*model, data, eo).summary();
                nlohmann::json line{{"step", state.step}, {"time", elapsed()}};
                for (const auto& [k, v] : s["mean"].items())
                    line["val_" + k] = v;
                log_file << line.dump() << "\n" << std::flush;
            }
        }
        progress.finish();
    }
    checkpoint();
    result.step = state.step;

    if (options.final_eval) {
        const bool test_first = !options.final_val_only;
        const std::string split =
            test_first && any_split(data, "test") ? "test" : (any_split(data, "val") ? "val" : "");
        if (split.empty()) {
            log::warn("no {}validation samples: metrics.json not written",
                      test_first ? "test or " : "");
        } else {
            EvalOptions eo;
            eo.split = split, eo.device = device, eo.skip_empty = true;
            const EvalResult r = evaluate(*model, data, eo);
            write_metrics_json(r,
                               {{"run", run_dir.string()},
                                {"model", config.model},
                                {"step", state.step},
                                {"data", config.data},
                                {"train_seconds", state.elapsed_s}},
                               run_dir / "metrics.json");
            result.metrics = r.summary();
        }
    }
    return result;
}

void LoadedRun::check_data(const DataList& data, bool mixed_conventions) const {
    if (config.contexts.empty())
        return;
    DataNeeds needs = model->needs();
    needs.views = {model->output() == OutputKind::PathSet ? DataView::Paths : DataView::Spectra};
    needs.mixed_conventions = mixed_conventions || config.train.mixed_conventions;
    const auto fields = needs.fields();
    for (const auto& d : data) {
        check_agreement(
            config.contexts.front(), d->context, fields,
            fmt::format(
                "model '{}' was trained on the latter; use data made with its settings, or train "
                "a model for this data",
                config.model));
    }
}

DataList LoadedRun::load_data(const std::vector<std::string>& paths, bool mixed_conventions) const {
    DataNeeds needs = model->needs();  // evaluation reads the view of the model's output
    needs.views = {model->output() == OutputKind::PathSet ? DataView::Paths : DataView::Spectra};
    needs.mixed_conventions = mixed_conventions || config.train.mixed_conventions;
    DataList data =
        load_datasets(paths, needs, /*need_train=*/false,
                      config.contexts.empty() ? nullptr : &config.contexts.front().grid);
    check_data(data, mixed_conventions);
    return data;
}

LoadedRun load_run(const fs::path& run_dir, torch::Device device) {
    if (!fs::is_directory(run_dir))
        fail("run folder '{}' does not exist (train one: radiofield train ... --out RUN)",
             run_dir.string());
    LoadedRun run;
    run.config = RunConfig::read(run_dir / "config.json");
    const fs::path ckpt = run_dir / "checkpoint.pt";
    read_checkpoint_state(ckpt, run.config.model);  // version and model, before building anything
    run.model = make_model(run.config.model, run.config.model_config);
    run.model->prepare(run.config.contexts, nullptr);
    run.model->set_device(device);
    run.step = load_checkpoint(ckpt, *run.model, device).step;
    return run;
}

}  // namespace radiofield::train
