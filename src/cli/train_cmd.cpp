// `radiofield train | eval | predict | models`: thin wrappers around train/loop.hpp and
// train/evaluate.hpp. All checks (data, config, checkpoint) happen before any work.
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <optional>

#include "commands.hpp"
#include "parse.hpp"
#include "power_map.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/memory.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/loop.hpp"
#include "radiofield/train/pretrained.hpp"

namespace radiofield::cli {
namespace fs = std::filesystem;
namespace {

struct TrainArgs {
    std::string model, out, config;
    std::vector<std::string> data, settings;
    std::int64_t steps = -1;
    double lr = -1;
    bool restart = false;
    std::string final_eval = "test";
};

struct EvalArgs {
    std::string run, pretrained, split = "test", report, lpips_weights, out;
    std::vector<std::string> data;
    std::int64_t batch = 16;
    std::int64_t fine_tune = 0;
    bool mixed_conventions = false;
    bool overwrite = false;
};

// What a trained run is made of: never an output of eval or predict.
std::vector<fs::path> run_files(const std::string& run) {
    return {fs::path(run) / "config.json", fs::path(run) / "checkpoint.pt",
            fs::path(run) / "log.jsonl"};
}

struct PackArgs {
    std::string run, name, out, description, study, commit, weights_dtype = "float32";
    bool overwrite = false;
};

struct PredictArgs {
    std::string run, pretrained, data, at, grid, out;
    std::vector<std::string> power_map;
    int batch = 16;
    std::int64_t fine_tune = 0;
    bool overwrite = false;
};

// --run RUN or --model NAME (a shipped model), exactly one: the shipped model found by
// name, or nothing for a run.
std::optional<train::PretrainedInfo> shipped_model(const std::string& run,
                                                   const std::string& pretrained,
                                                   const char* cmd) {
    if (run.empty() == pretrained.empty())
        fail(
            "{} needs exactly one of --run RUN (a folder made by radiofield train) or --model "
            "NAME (a shipped model; radiofield models lists them)",
            cmd);
    if (run.empty())
        return train::find_pretrained(pretrained);
    return std::nullopt;
}

// The ranking metric's mean on the validation split, or NaN when the data holds none.
double validation_score(train::Model& model,
                        const train::DataList& data,
                        torch::Device device,
                        std::string& metric) {
    train::EvalOptions eo;
    eo.split = "val", eo.device = device, eo.skip_empty = true;
    std::int64_t count = 0;
    for (const auto& d : data)
        count += static_cast<std::int64_t>(d->split.val.size());
    if (count == 0)
        return std::nan("");
    const auto result = train::evaluate(model, data, eo);
    metric = result.ranking;
    const auto mean = result.summary()["mean"][metric];
    return mean.is_number() ? mean.get<double>() : std::nan("");
}

// --fine-tune N: N steps from the shipped weights on the datasets' training splits, in a
// temporary run folder (removed afterwards); says how the validation split changed.
train::LoadedRun fine_tune(const train::PretrainedInfo& info,
                           const std::vector<std::string>& datasets,
                           std::int64_t steps,
                           torch::Device device,
                           const GlobalOptions& global) {
    const std::string& name = info.name;
    auto base = train::load_pretrained(info, device);  // verified
    const auto data = base.load_data(datasets);
    std::string metric;
    const double before = validation_score(*base.model, data, device, metric);
    const fs::path tmp =
        fs::temp_directory_path() / fmt::format("radiofield-fine-tune-{}-{}", name, getpid());
    struct Cleanup {
        fs::path path;
        ~Cleanup() { remove_tree(path); }
    } cleanup{tmp};
    remove_tree(tmp);
    train::RunConfig rc = base.config;
    rc.data = datasets;
    rc.train.steps = steps;
    rc.train.device = global.device;
    train::TrainOptions o;
    o.init_from = info.dir / "checkpoint.pt";
    o.final_eval = false;
    const auto result = train::train_run(rc, tmp, o);
    if (result.interrupted)
        fail("fine-tuning was interrupted at step {} of {}; nothing was written", result.step,
             steps);
    auto tuned = train::load_run(tmp, device);
    const double after = validation_score(*tuned.model, data, device, metric);
    if (std::isnan(before) || std::isnan(after))
        log::info("fine-tuned '{}' for {} steps; no validation split to say how much it helped",
                  name, steps);
    else
        log::info(
            "fine-tuned '{}' for {} steps on the training split: validation {} {:.3f} -> "
            "{:.3f} ({:+.3f})",
            name, steps, metric, before, after, after - before);
    return tuned;
}

train::LoadedRun open_model(const std::string& run,
                            const std::optional<train::PretrainedInfo>& shipped,
                            torch::Device device,
                            std::int64_t fine_tune_steps,
                            const std::vector<std::string>& datasets,
                            const GlobalOptions& global) {
    if (fine_tune_steps > 0) {
        if (!shipped)
            fail(
                "--fine-tune works on a shipped model (--model NAME); to train a run further, "
                "use radiofield train with more --steps");
        return fine_tune(*shipped, datasets, fine_tune_steps, device, global);
    }
    return shipped ? train::load_pretrained(*shipped, device) : train::load_run(run, device);
}

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
    train::TrainOptions options;
    options.restart = a.restart;
    options.final_eval = a.final_eval != "none";
    options.final_val_only = a.final_eval == "val";
    const auto result = train::train_run(rc, a.out, options);
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
    const auto shipped_info = shipped_model(a.run, a.pretrained, "eval");
    const std::string run_dir = shipped_info ? shipped_info->dir.string() : a.run;
    // First: a missing run is the error to report.
    auto run = open_model(a.run, shipped_info, device, a.fine_tune, a.data, global);
    // A run's own metrics.json is its evaluation and is refreshed; a shipped model's folder
    // is never written (its metrics go to --out when given). Any other file is replaced only
    // with --overwrite, and never when it is an input.
    const bool shipped = !a.pretrained.empty();
    const fs::path metrics_path = !a.out.empty() ? fs::path(a.out)
                                  : shipped      ? fs::path()
                                                 : fs::path(run_dir) / "metrics.json";
    auto inputs = run_files(run_dir);
    inputs.insert(inputs.end(), a.data.begin(), a.data.end());
    if (!metrics_path.empty())
        check_output_path(metrics_path, (a.out.empty() && !shipped) || a.overwrite, inputs);
    if (!a.report.empty()) {
        inputs.push_back(metrics_path);
        check_output_path(a.report, a.overwrite, inputs);
    }
    const train::DataList data = run.load_data(a.data, a.mixed_conventions);
    train::EvalOptions eo;
    eo.split = a.split, eo.batch = a.batch, eo.lpips_weights = a.lpips_weights, eo.device = device;
    eo.skip_empty = data.size() > 1;
    const auto result = train::evaluate(*run.model, data, eo);
    const nlohmann::json info = {{"run", run_dir},
                                 {"shipped_model", a.pretrained},
                                 {"model", run.config.model},
                                 {"model_config", run.model->config()},
                                 {"step", run.step},
                                 {"data", a.data},
                                 {"device", device.str()}};
    if (!metrics_path.empty())
        train::write_metrics_json(result, info, metrics_path);
    print_summary(result.summary());
    if (!metrics_path.empty())
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
            {"run", shipped ? a.pretrained + " (shipped, " + run_dir + ")" : run_dir},
            {"training steps", run.model->trainable() ? nlohmann::json(run.step)
                                                      : nlohmann::json("none (nothing to learn)")},
            {"trained on", run.config.data},
            {"evaluated on", a.data},
            {"device", device.str()}};
        train::write_report(*run.model, data, result, eo, ri, a.report);
        log::info("wrote {}", a.report);
    }
}

std::vector<std::string> split_list(const std::string& text, char sep) {
    std::vector<std::string> out(1);
    for (char ch : text)
        if (ch == sep)
            out.emplace_back();
        else
            out.back().push_back(ch);
    return out;
}

// The axes of --grid "X,Y,Z", each either a value or "first:last:count" (metres).
std::array<std::vector<double>, 3> parse_position_grid(const std::string& text,
                                                       std::array<int, 3>& counts) {
    const auto fields = split_list(text, ',');
    if (fields.size() != 3)
        fail(
            "--grid needs three fields X,Y,Z, each a value or first:last:count (e.g. "
            "0.5:4.5:9,0.5:3.5:7,1.2), got '{}'",
            text);
    std::array<std::vector<double>, 3> axes;
    for (int k = 0; k < 3; ++k) {
        const auto parts = split_list(fields[k], ':');
        const std::string what = fmt::format("--grid field {} ('{}')", "XYZ"[k], fields[k]);
        if (parts.size() == 1) {
            axes[k] = {parse_number(parts[0], what)};
        } else if (parts.size() == 3) {
            const double a = parse_number(parts[0], what), b = parse_number(parts[1], what);
            const double n = parse_number(parts[2], what);
            if (!(n >= 1 && n <= 10000 && n == std::floor(n)))
                fail("{}: the count must be a whole number from 1 to 10000", what);
            for (int i = 0; i < static_cast<int>(n); ++i)
                axes[k].push_back(n == 1 ? a : a + (b - a) * i / (n - 1));
        } else {
            fail("{}: give a value or first:last:count", what);
        }
        counts[k] = static_cast<int>(axes[k].size());
    }
    return axes;
}

// Refuses a --grid whose spectra would not fit in memory, before any work: they are held as
// the model's output, joined, and written (three float copies), plus an RGB thumbnail each
// for a .png sheet.
void check_grid_memory(const PredictArgs& a, const std::array<int, 3>& counts) {
    const double positions = 1.0 * counts[0] * counts[1] * counts[2];
    const data::SpectrumGrid g = data::DatasetReader(a.data).header().grid;
    const double pixels = static_cast<double>(g.n_el) * g.n_az;
    check_memory(positions * pixels * (3 * sizeof(float) + 3),
                 fmt::format("predict --grid {} ({:.0f} positions of {}x{} spectra)", a.grid,
                             positions, g.n_el, g.n_az),
                 "ask for fewer positions (smaller counts in --grid) or predict in parts");
}

// Positions of the grid's axes, x fastest.
std::vector<Vec3> grid_positions(const std::array<std::vector<double>, 3>& axes) {
    std::vector<Vec3> out;
    for (double z : axes[2])
        for (double y : axes[1])
            for (double x : axes[0])
                out.push_back({x, y, z});
    return out;
}

// Many spectra as one picture: a thumbnail per position, x to the right, y up, one block of
// rows per height.
data::RgbImage contact_sheet(const torch::Tensor& spectra,  // [N, H, W]
                             const data::SpectrumGrid& g,
                             const std::vector<Vec3>& at,
                             const std::array<int, 3>& counts) {
    data::SpectrumImageOptions o;
    o.range = std::make_pair(0.0, 1.0);
    o.show_axes = o.show_scale_bar = false;
    o.upscale = 1;
    std::vector<data::RgbImage> rows;
    for (int z = 0; z < counts[2]; ++z) {
        for (int y = counts[1] - 1; y >= 0; --y) {  // north up
            std::vector<data::RgbImage> cells;
            std::vector<std::string> labels;
            for (int x = 0; x < counts[0]; ++x) {
                const auto i = (static_cast<std::int64_t>(z) * counts[1] + y) * counts[0] + x;
                const auto s = spectra[i].contiguous();
                cells.push_back(data::render_spectrum(
                    {s.data_ptr<float>(), static_cast<std::size_t>(s.numel())}, g, o));
                labels.push_back(fmt::format("{:.2f},{:.2f},{:.2f}", at[i].x, at[i].y, at[i].z));
            }
            rows.push_back(data::side_by_side(cells, labels));
        }
    }
    data::RgbImage sheet;
    for (const auto& r : rows)
        sheet.width = std::max(sheet.width, r.width), sheet.height += r.height;
    sheet.rgb.assign(static_cast<std::size_t>(sheet.width) * sheet.height * 3, 255);
    int top = 0;
    for (const auto& r : rows) {
        for (int y = 0; y < r.height; ++y)
            std::copy_n(
                r.rgb.begin() + static_cast<std::ptrdiff_t>(y) * r.width * 3, r.width * 3,
                sheet.rgb.begin() + (static_cast<std::ptrdiff_t>(top + y) * sheet.width) * 3);
        top += r.height;
    }
    return sheet;
}

void write_spectra(const torch::Tensor& spectra,  // [N, H, W] on the CPU
                   const train::SceneData& scene,
                   const std::vector<Vec3>& at,
                   const std::array<int, 3>& counts,
                   const std::string& model,
                   const PredictArgs& a) {
    const auto& g = scene.context.grid;
    if (at.size() == 1) {
        const auto peak = spectra[0].argmax().item<std::int64_t>();
        fmt::print(
            "peak at elevation {:.1f} deg, azimuth {:.1f} deg (of a spectrum normalised to [0, "
            "1])\n",
            g.el0_deg + static_cast<double>(peak / g.n_az) * g.step_deg,
            g.az0_deg + static_cast<double>(peak % g.n_az) * g.step_deg);
    } else {
        fmt::print("{} spectra over a {}x{}x{} grid of positions\n", at.size(), counts[0],
                   counts[1], counts[2]);
    }
    if (a.out.empty())
        return;
    if (fs::path(a.out).extension() == ".png") {
        if (at.size() == 1) {
            const auto s = spectra[0].contiguous();
            data::SpectrumImageOptions o;
            o.range = std::make_pair(0.0, 1.0);
            o.title =
                fmt::format("{} at ({:.2f}, {:.2f}, {:.2f})", model, at[0].x, at[0].y, at[0].z);
            data::spectrum_to_png({s.data_ptr<float>(), static_cast<std::size_t>(s.numel())}, g,
                                  a.out, o);
        } else {
            data::write_rgb_png(contact_sheet(spectra, g, at, counts), a.out);
        }
        return;
    }
    data::Dataset d;
    const auto& c = scene.context;
    d.frequency_hz = c.frequency_hz, d.grid = g, d.moving = c.moving;
    d.station_position = c.station_position, d.station_orientation = c.station_orientation;
    d.spectrum_convention = c.convention;
    d.power_unit = "normalized",
    d.normalization = "model output (trained on per-sample min-max spectra)";
    d.positions = at;
    const auto flat = spectra.contiguous();
    d.spectra.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    for (std::size_t i = 0; i < at.size(); ++i)
        d.split.test.push_back(static_cast<std::int64_t>(i));
    d.attrs = {{"source", "radiofield predict"},
               {"run", a.run.empty() ? "shipped model " + a.pretrained : a.run},
               {"model", model},
               {"support", a.data}};
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
        f << nlohmann::json{{"paths", paths},
                            {"run", a.run.empty() ? "shipped model " + a.pretrained : a.run}}
                 .dump(2)
          << "\n";
        if (!f)
            fail("cannot write '{}'", a.out);
    }
    out.commit();
}

void run_predict(const PredictArgs& a, const GlobalOptions& global) {
    if (a.at.empty() == a.grid.empty())
        fail("predict needs exactly one of --at x,y,z or --grid X,Y,Z (positions)");
    std::array<int, 3> counts{1, 1, 1};
    std::vector<Vec3> at;
    PowerMapOutput maps;
    if (a.grid.empty()) {
        if (!a.power_map.empty())
            fail("--power-map maps a grid of positions: give --grid X,Y,Z instead of --at");
        at = {parse_vec3(a.at, "--at")};
    } else {
        maps.axes = parse_position_grid(a.grid, counts);
        check_grid_memory(a, counts);
        at = grid_positions(maps.axes);
    }
    maps.paths = a.power_map, maps.overwrite = a.overwrite;
    check_power_map_paths(maps);
    const torch::Device device = nn::resolve_device(nn::parse_device(global.device));
    const auto shipped_info = shipped_model(a.run, a.pretrained, "predict");
    const std::string run_dir = shipped_info ? shipped_info->dir.string() : a.run;
    auto run = open_model(a.run, shipped_info, device, a.fine_tune, {a.data}, global);
    const bool spectra = run.model->output() == train::OutputKind::Spectrum;
    const std::string ext = a.out.empty() ? "" : fs::path(a.out).extension().string();
    if (!a.out.empty()) {
        if (spectra && ext != ".png" && ext != ".h5")
            fail("--out must end in .png or .h5 for a spectrum, got '{}'", a.out);
        if (!spectra && ext != ".json")
            fail("--out must end in .json for a path set, got '{}'", a.out);
    }
    auto inputs = run_files(run_dir);
    inputs.push_back(a.data);
    for (const auto& out : a.power_map) {
        if (!a.out.empty() && fs::path(out) == fs::path(a.out))
            fail("--power-map '{}' is also --out; give each output its own file", out);
        check_output_path(out, a.overwrite, inputs);
    }
    if (!a.out.empty())
        check_output_path(a.out, a.overwrite, inputs);
    if (!spectra && at.size() != 1)
        fail("--grid predicts spectra; '{}' predicts path sets: ask one position with --at",
             run.config.model);
    maps.model = run.config.model;
    maps.source = a.run.empty() ? "shipped model " + a.pretrained : a.run;
    const train::DataList data = run.load_data({a.data});
    std::vector<float> xyz;
    for (const auto& p : at)
        xyz.insert(xyz.end(),
                   {static_cast<float>(p.x), static_cast<float>(p.y), static_cast<float>(p.z)});
    const auto pos = torch::tensor(xyz).view({-1, 3});
    if (!spectra) {
        write_paths(run.model->predict(train::Query::at(*data.front(), pos)), a);
    } else {
        std::vector<torch::Tensor> parts, power;
        std::optional<Progress> progress;
        if (at.size() >= 64 && !global.quiet)
            progress.emplace("predict", static_cast<std::int64_t>(at.size()), "spectra");
        for (std::int64_t i = 0; i < pos.size(0); i += a.batch) {
            const auto n = std::min<std::int64_t>(a.batch, pos.size(0) - i);
            auto query = train::Query::at(*data.front(), pos.narrow(0, i, n));
            query.power = !maps.paths.empty();
            const auto pred = run.model->predict(query);
            if (query.power && !pred.power.defined())
                fail(
                    "--power-map: '{}' predicts normalised spectra only, so no received power; "
                    "a power map needs a model that keeps the path loss (rf3dgs_plus) and a "
                    "dataset of linear spectra",
                    run.config.model);
            parts.push_back(pred.spectra.to(torch::kCPU, torch::kFloat32));
            if (query.power)
                power.push_back(pred.power.to(torch::kCPU, torch::kFloat64));
            if (progress)
                progress->advance(n);
        }
        if (progress)
            progress->finish();
        if (!power.empty()) {
            const auto p = torch::cat(power);
            const auto dbm = 10 * p.clamp_min(1e-300).log10() + 30;
            fmt::print("received power (spectrum mean) {:.1f} .. {:.1f} dBm over the grid\n",
                       dbm.min().item<double>(), dbm.max().item<double>());
        }
        const InterruptScope interrupt;  // Ctrl-C / SIGTERM stop the write, leaving nothing
        write_spectra(torch::cat(parts), *data.front(), at, counts, run.config.model, a);
        if (!power.empty())
            write_power_maps(maps, torch::cat(power), *data.front());
    }
    if (!a.out.empty())
        log::info("wrote {}", a.out);
    for (const auto& p : a.power_map)
        log::info("wrote {}", p);
}

void run_pack(const PackArgs& a) {
    train::PackOptions o;
    o.name = a.name, o.description = a.description, o.overwrite = a.overwrite;
    o.weights_dtype = a.weights_dtype;
    o.produced_by = {{"run", fs::path(a.run).filename().string()}};
    if (!a.study.empty())
        o.produced_by["study"] = a.study;
    if (!a.commit.empty())
        o.produced_by["commit"] = a.commit;
    const auto info = train::pack_pretrained(a.run, a.out, o);
    log::info(
        "packed '{}' ({}) into '{}': radiofield eval/predict --model {} with "
        "RADIOFIELD_PRETRAINED naming its parent folder, or ship it under pretrained/",
        info.name, info.model, info.dir.string(), info.name);
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
    tr->add_option("--lr", t.lr, "Learning rate")->check(finite_range(1e-12, 10.0));
    tr->add_option("--set", t.settings,
                   "key=value: a train setting (lr, schedule, seed, batch, ...) or a model "
                   "setting (k, weights, model.KEY=...); repeatable");
    tr->add_flag("--restart", t.restart, "Start over even if RUN holds a checkpoint");
    tr->add_option("--final-eval", t.final_eval,
                   "Split scored into RUN/metrics.json at the end: test (else val, the "
                   "default), val (only; for choosing settings without reading the test "
                   "split) or none")
        ->check(CLI::IsMember({"test", "val", "none"}));
    tr->callback([&global] { global.action = [&global] { run_train(t, global); }; });

    static EvalArgs e;
    auto* ev = app.add_subcommand(
        "eval", "Evaluate a trained run on a dataset (metrics.json, optional HTML report)");
    ev->add_option("--run", e.run, "Run folder made by radiofield train");
    ev->add_option("--model", e.pretrained,
                   "A shipped model instead of a run (radiofield models lists them)");
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
    ev->add_flag("--overwrite", e.overwrite,
                 "Replace an existing --out or --report file (never an input)");
    ev->add_option("--fine-tune", e.fine_tune,
                   "With --model: first take N training steps on the data's training split "
                   "(says how the validation split changed)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
    ev->add_option("--batch", e.batch, "Spectra predicted at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    ev->callback([&global] { global.action = [&global] { run_eval(e, global); }; });

    static PredictArgs p;
    auto* pr = app.add_subcommand("predict",
                                  "Predict the spectrum (or paths) at a position, or spectra over "
                                  "a grid of positions, with a trained run");
    pr->add_option("--run", p.run, "Run folder made by radiofield train");
    pr->add_option("--model", p.pretrained,
                   "A shipped model instead of a run (radiofield models lists them)");
    pr->add_option("--data", p.data,
                   "Dataset (.h5) of the scene; its train split is the support set")
        ->required();
    pr->add_option("--at", p.at, "Position x,y,z in metres");
    pr->add_option("--grid", p.grid,
                   "Positions X,Y,Z, each a value or first:last:count, e.g. "
                   "0.5:4.5:9,0.5:3.5:7,1.2 (spectra; x fastest)");
    pr->add_flag("--overwrite", p.overwrite, "Replace an existing --out file (never an input)");
    pr->add_option("--fine-tune", p.fine_tune,
                   "With --model: first take N training steps on the data's training split "
                   "(says how the validation split changed)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
    pr->add_option("--batch", p.batch, "Positions predicted at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    pr->add_option("-o,--out", p.out,
                   "Output: .png (a picture; a sheet of thumbnails for --grid) or .h5 (a dataset "
                   "of the predicted spectra); .json for paths");
    pr->add_option("--power-map", p.power_map,
                   "With --grid, a model that keeps the path loss (rf3dgs_plus) and linear "
                   "spectra: the received-power map, .png (over the scene's top view, one "
                   "height) and/or .h5; repeat for both");
    pr->callback([&global] { global.action = [&global] { run_predict(p, global); }; });

    auto* models = app.add_subcommand("models", "List the models radiofield train can build");
    models->callback([&global] {
        global.action = [] {
            for (const auto& [name, summary] : train::model_names()) {
                const auto kind = train::make_model(name)->output();
                fmt::print("{:<10} {:<9} {}\n", name, train::to_string(kind), summary);
            }
            const auto shipped = train::list_pretrained();
            fmt::print("\nshipped models (eval/predict --model NAME, no training): {}\n",
                       shipped.empty() ? "none installed" : "");
            for (const auto& p : shipped) {
                fmt::print("{:<18} {:<6} {}\n", p.name, p.model, p.description);
                std::string from;
                for (const auto& [k, v] : p.produced_by.items())
                    from += fmt::format("{}{} {}", from.empty() ? "" : ", ", k,
                                        v.is_string() ? v.get<std::string>() : v.dump());
                fmt::print("{:<18} made by: {}; in {}\n", "", from.empty() ? "?" : from,
                           p.dir.string());
            }
        };
    });

    static PackArgs k;
    auto* pk = app.add_subcommand(
        "pack-model",
        "Package a trained run as a shipped model: its weights (no optimiser state), config "
        "and a manifest with SHA-256 checksums");
    pk->add_option("run", k.run, "Run folder made by radiofield train")->required();
    pk->add_option("--name", k.name, "The name eval/predict --model will take")->required();
    pk->add_option("-o,--out", k.out, "Package folder to write")->required();
    pk->add_option("--description", k.description, "One line shown by radiofield models");
    pk->add_option("--study", k.study, "The study file that produced the run (recorded)");
    pk->add_option("--commit", k.commit, "The commit that produced the run (recorded)");
    pk->add_option("--weights-dtype", k.weights_dtype,
                   "Storage type of the weights: float32, or float16 / bfloat16 for half the "
                   "size (computed in float32 after loading)")
        ->check(CLI::IsMember({"float32", "float16", "bfloat16"}));
    pk->add_flag("--overwrite", k.overwrite, "Replace an existing package folder");
    pk->callback([&global] { global.action = [] { run_pack(k); }; });
}

}  // namespace radiofield::cli
