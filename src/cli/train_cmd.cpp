// `radiofield train | eval | predict | models`: thin wrappers around train/loop.hpp and
// train/evaluate.hpp. All checks (data, config, checkpoint) happen before any work.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "commands.hpp"
#include "parse.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/loop.hpp"

namespace radiofield::cli {
namespace fs = std::filesystem;
namespace {

struct TrainArgs {
    std::string model, out, config;
    std::vector<std::string> data, settings;
    std::int64_t steps = -1;
    double lr = -1;
    bool restart = false;
};

struct EvalArgs {
    std::string run, split = "test", report, lpips_weights, out;
    std::vector<std::string> data;
    std::int64_t batch = 16;
    bool mixed_conventions = false;
};

struct PredictArgs {
    std::string run, data, at, out;
};

std::string format_metric(const nlohmann::json& v) {
    return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : v.get<std::string>();
}

// The metrics the evaluator declared, as summary() lists them.
void print_summary(const nlohmann::json& s) {
    fmt::print("{} split, {} samples ({})\n{:<14} {:>10} {:>10}\n", s["split"].get<std::string>(),
               s["count"].get<std::int64_t>(), s["kind"].get<std::string>(), "metric", "mean",
               "median");
    for (const auto& [name, mean] : s["mean"].items()) {
        fmt::print("{:<14} {:>10} {:>10}\n", name, format_metric(mean),
                   format_metric(s["median"][name]));
    }
    for (const auto& [name, value] : s["pooled"].items())
        fmt::print("{:<14} {:>10}  (pooled)\n", name, format_metric(value));
    fmt::print("prediction    {:.3g} ms per sample\n", s["seconds_per_sample"].get<double>() * 1e3);
}

void run_train(const TrainArgs& a, const GlobalOptions& global) {
    train::RunConfig rc;
    if (!a.config.empty())
        rc = train::RunConfig::read(a.config);
    if (!a.model.empty())
        rc.model = a.model;
    if (!a.data.empty())
        rc.data = a.data;
    if (a.steps >= 0)
        rc.train.steps = a.steps;
    if (a.lr > 0)
        rc.train.lr = a.lr;
    for (const auto& s : a.settings)
        train::apply_setting(rc, s);
    if (global.device != "auto" || a.config.empty())
        rc.train.device = global.device;
    const auto result = train::train_run(rc, a.out, {.restart = a.restart});
    if (result.interrupted) {
        log::warn("stopped at step {}; run the same command again to resume", result.step);
        log::get().flush();
        std::exit(130);  // the conventional status after Ctrl-C; the checkpoint is saved
    }
    log::info("'{}': {} steps; checkpoint, config.json and log.jsonl written", a.out, result.step);
    if (!result.metrics.is_null()) {
        print_summary(result.metrics);
        log::info("wrote {}", (fs::path(a.out) / "metrics.json").string());
    }
}

void run_eval(const EvalArgs& a, const GlobalOptions& global) {
    const torch::Device device = nn::resolve_device(nn::parse_device(global.device));
    auto run = train::load_run(a.run, device);  // first: a missing run is the error to report
    const fs::path metrics_path =
        a.out.empty() ? fs::path(a.run) / "metrics.json" : fs::path(a.out);
    check_output_path(metrics_path, true);
    if (!a.report.empty())
        check_output_path(a.report, true);
    const train::DataList data = run.load_data(a.data, a.mixed_conventions);
    train::EvalOptions eo;
    eo.split = a.split, eo.batch = a.batch, eo.lpips_weights = a.lpips_weights, eo.device = device;
    eo.skip_empty = data.size() > 1;
    const auto result = train::evaluate(*run.model, data, eo);
    const nlohmann::json info = {{"run", a.run},
                                 {"model", run.config.model},
                                 {"model_config", run.model->config()},
                                 {"step", run.step},
                                 {"data", a.data},
                                 {"device", device.str()}};
    train::write_metrics_json(result, info, metrics_path);
    print_summary(result.summary());
    log::info("wrote {}", metrics_path.string());
    if (!a.report.empty()) {
        std::string names;
        for (const auto& d : a.data)
            names += (names.empty() ? "" : ", ") + fs::path(d).filename().string();
        train::ReportInfo ri;
        ri.title = fmt::format("radiofield: {} on {}", run.config.model, names);
        ri.details = {
            {"model", run.config.model},
            {"model config", run.model->config().dump()},
            {"run", a.run},
            {"training steps", run.model->trainable() ? nlohmann::json(run.step)
                                                      : nlohmann::json("none (nothing to learn)")},
            {"trained on", run.config.data},
            {"evaluated on", a.data},
            {"device", device.str()}};
        train::write_report(*run.model, data, result, eo, ri, a.report);
        log::info("wrote {}", a.report);
    }
}

void write_spectrum(const train::Prediction& pred,
                    const train::SceneData& scene,
                    const Vec3& at,
                    const std::string& model,
                    const PredictArgs& a) {
    const auto spectrum = pred.spectra.to(torch::kCPU, torch::kFloat32)[0].contiguous();  // [H, W]
    const auto& g = scene.context.grid;
    const auto peak = spectrum.argmax().item<std::int64_t>();
    fmt::print(
        "peak at elevation {:.1f} deg, azimuth {:.1f} deg (of a spectrum normalised to [0, 1])\n",
        g.el0_deg + static_cast<double>(peak / g.n_az) * g.step_deg,
        g.az0_deg + static_cast<double>(peak % g.n_az) * g.step_deg);
    if (a.out.empty())
        return;
    const std::span<const float> values(spectrum.data_ptr<float>(),
                                        static_cast<std::size_t>(spectrum.numel()));
    if (fs::path(a.out).extension() == ".png") {
        data::SpectrumImageOptions o;
        o.range = std::make_pair(0.0, 1.0);
        o.title = fmt::format("{} at ({:.2f}, {:.2f}, {:.2f})", model, at.x, at.y, at.z);
        data::spectrum_to_png(values, g, a.out, o);
        return;
    }
    data::Dataset d;
    const auto& c = scene.context;
    d.frequency_hz = c.frequency_hz, d.grid = g, d.moving = c.moving;
    d.station_position = c.station_position, d.station_orientation = c.station_orientation;
    d.power_unit = "normalized",
    d.normalization = "model output (trained on per-sample min-max spectra)";
    d.positions = {at};
    d.spectra.assign(values.begin(), values.end());
    d.split.test = {0};
    d.attrs = {{"source", "radiofield predict"}, {"run", a.run}, {"model", model}};
    data::write_dataset(d, a.out, true);
}

void write_paths(const train::Prediction& pred, const PredictArgs& a) {
    const train::PathSet& p = pred.paths.front();
    fmt::print("{} paths\n{:>4} {:>12} {:>12} {:>9} {:>9} {:>6}\n", p.size(), "path", "delay (ns)",
               "power (dB)", "AoA el", "AoA az", "depth");
    nlohmann::json paths = nlohmann::json::array();
    for (std::size_t k = 0; k < p.size(); ++k) {
        const double db = 10 * std::log10(std::max(p.power(k), 1e-300));
        fmt::print("{:>4} {:>12.3f} {:>12.2f} {:>9.2f} {:>9.2f} {:>6}\n", k, p.tau[k] * 1e9, db,
                   90 - p.theta_r[k] * 180 / std::numbers::pi, p.phi_r[k] * 180 / std::numbers::pi,
                   p.depth[k]);
        paths.push_back({{"a_re", p.a[k][0].real()},
                         {"a_im", p.a[k][0].imag()},
                         {"tau_s", p.tau[k]},
                         {"theta_t", p.theta_t[k]},
                         {"phi_t", p.phi_t[k]},
                         {"theta_r", p.theta_r[k]},
                         {"phi_r", p.phi_r[k]},
                         {"depth", p.depth[k]}});
    }
    if (a.out.empty())
        return;
    AtomicOutput out(a.out, true);
    {
        std::ofstream f(out.temp_path());
        f << nlohmann::json{{"paths", paths}, {"run", a.run}}.dump(2) << "\n";
        if (!f)
            fail("cannot write '{}'", a.out);
    }
    out.commit();
}

void run_predict(const PredictArgs& a, const GlobalOptions& global) {
    const Vec3 at = parse_vec3(a.at, "--at");
    const torch::Device device = nn::resolve_device(nn::parse_device(global.device));
    auto run = train::load_run(a.run, device);
    const bool spectra = run.model->output() == train::OutputKind::Spectrum;
    const std::string ext = a.out.empty() ? "" : fs::path(a.out).extension().string();
    if (!a.out.empty()) {
        if (spectra && ext != ".png" && ext != ".h5")
            fail("--out must end in .png or .h5 for a spectrum, got '{}'", a.out);
        if (!spectra && ext != ".json")
            fail("--out must end in .json for a path set, got '{}'", a.out);
        check_output_path(a.out, true);
    }
    const train::DataList data = run.load_data({a.data});
    const auto pos = torch::tensor({at.x, at.y, at.z}, torch::kFloat32).view({1, 3});
    const auto pred = run.model->predict(train::Query::at(*data.front(), pos));
    if (spectra) {
        write_spectrum(pred, *data.front(), at, run.config.model, a);
    } else {
        write_paths(pred, a);
    }
    if (!a.out.empty())
        log::info("wrote {}", a.out);
}

}  // namespace

void add_train_commands(CLI::App& app, GlobalOptions& global) {
    static TrainArgs t;
    auto* tr = app.add_subcommand(
        "train", "Train a model on spectrum datasets (resumes RUN if it has a checkpoint)");
    tr->add_option("--model", t.model, "Model name (radiofield models lists them)");
    tr->add_option("--data", t.data, "Training dataset(s) (.h5); same grid and frequency")
        ->expected(1, -1);
    tr->add_option("-o,--out", t.out,
                   "Run folder (config.json, checkpoint.pt, log.jsonl, metrics.json)")
        ->required();
    tr->add_option("--config", t.config,
                   "Run config JSON ({\"model\", \"model_config\", \"train\", \"data\"}; "
                   "a RUN/config.json works)");
    tr->add_option("--steps", t.steps, "Optimisation steps")->check(CLI::NonNegativeNumber);
    tr->add_option("--lr", t.lr, "Learning rate")->check(CLI::PositiveNumber);
    tr->add_option("--set", t.settings,
                   "key=value: a train setting (lr, schedule, seed, batch, ...) or a model "
                   "setting (k, weights, model.KEY=...); repeatable");
    tr->add_flag("--restart", t.restart, "Start over even if RUN holds a checkpoint");
    tr->callback([&global] { global.action = [&global] { run_train(t, global); }; });

    static EvalArgs e;
    auto* ev = app.add_subcommand(
        "eval", "Evaluate a trained run on a dataset (metrics.json, optional HTML report)");
    ev->add_option("--run", e.run, "Run folder made by radiofield train")->required();
    ev->add_option("--data", e.data,
                   "Dataset(s) (.h5); each one's train split is the support set of its queries")
        ->required()
        ->expected(1, -1);
    ev->add_option("--split", e.split, "train, val, test or all")
        ->capture_default_str()
        ->check(CLI::IsMember({"train", "val", "test", "all"}));
    ev->add_option("--report", e.report,
                   "Write an HTML report here (figures also as files beside it)");
    ev->add_flag(
        "--mixed-conventions", e.mixed_conventions,
        "Evaluate on spectra of another convention than the run was trained on (a study of "
        "the effect; docs/conventions.md)");
    ev->add_option("--lpips-weights", e.lpips_weights,
                   "LPIPS-alex weights file (else LPIPS is 'unavailable')");
    ev->add_option("-o,--out", e.out, "Metrics JSON (default RUN/metrics.json)");
    ev->add_option("--batch", e.batch, "Spectra predicted at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    ev->callback([&global] { global.action = [&global] { run_eval(e, global); }; });

    static PredictArgs p;
    auto* pr = app.add_subcommand(
        "predict", "Predict the spectrum (or paths) at a position with a trained run");
    pr->add_option("--run", p.run, "Run folder made by radiofield train")->required();
    pr->add_option("--data", p.data,
                   "Dataset (.h5) of the scene; its train split is the support set")
        ->required();
    pr->add_option("--at", p.at, "Position x,y,z in metres")->required();
    pr->add_option("-o,--out", p.out,
                   "Output: .png (picture) or .h5 (one-sample dataset); .json for paths");
    pr->callback([&global] { global.action = [&global] { run_predict(p, global); }; });

    auto* models = app.add_subcommand("models", "List the models radiofield train can build");
    models->callback([&global] {
        global.action = [] {
            for (const auto& [name, summary] : train::model_names()) {
                const auto kind = train::make_model(name)->output();
                fmt::print("{:<10} {:<9} {}\n", name, train::to_string(kind), summary);
            }
        };
    });
}

}  // namespace radiofield::cli
