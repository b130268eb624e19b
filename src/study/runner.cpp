// The study runner: datasets, runs, evaluations and the report, each made, remade or reused
// by comparing the resolved spec that made it with the one asked for now.
#include "radiofield/study/runner.hpp"

#include <fnmatch.h>
#include <signal.h>
#include <torch/cuda.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "evaluation.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/data/nerf2.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/rt/views.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/train/data.hpp"
#include "radiofield/train/loop.hpp"
#include "radiofield/train/pretrained.hpp"
#include "report.hpp"
#include "simulate_spec.hpp"

namespace radiofield::study {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// Thrown by poll() on Ctrl-C / SIGTERM between the steps the runner does itself; a training
// run saves its checkpoint and returns interrupted.
struct StopStudy {};

// Written into every output folder the runner makes: whose folder it is.
constexpr const char* kStudyMarker = ".radiofield-study.json";

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        return nullptr;
    try {
        return json::parse(in);
    } catch (const json::exception&) {
        return nullptr;  // unreadable: treated as missing, so the product is remade
    }
}

// Sample indices of the train split kept by a subset: `count` drawn with `seed`
// (Fisher–Yates on mt19937_64), ascending.
std::vector<std::int64_t> subsample(std::vector<std::int64_t> train,
                                    std::size_t count,
                                    std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (std::size_t i = train.size(); i > 1; --i) {
        std::uniform_int_distribution<std::size_t> pick(0, i - 1);
        std::swap(train[i - 1], train[pick(rng)]);
    }
    train.resize(count);
    std::sort(train.begin(), train.end());
    return train;
}

// What identifies a folder's content cheaply: each file's name, size and modification time.
json folder_identity(const fs::path& dir) {
    json files = json::object();
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        if (entry.is_regular_file())
            files[fs::relative(entry.path(), dir).generic_string()] = {
                entry.file_size(), entry.last_write_time().time_since_epoch().count()};
    }
    return {{"path", dir.string()}, {"files", files}};
}

// The study with each shipped-model run's model and settings read from its package; an
// unknown name is an Error naming the run and the models there are, before any work.
Study with_shipped_models(Study study) {
    for (auto& r : study.runs) {
        if (r.pretrained.empty())
            continue;
        try {
            const train::PretrainedInfo info = train::find_pretrained(r.pretrained);
            r.model = info.model;
            r.model_config = train::RunConfig::read(info.dir / "config.json").model_config;
        } catch (const Error& e) {
            fail("{}: runs.{}: {}", study.file.string(), r.name, e.what());
        }
    }
    return study;
}

class Runner {
public:
    Runner(const Study& study, const StudyOptions& options)
        : m_study(with_shipped_models(study)), m_options(options), m_result{} {
        m_out = options.out.empty() ? default_out(study) : options.out;
        m_result.out = m_out;
        m_inputs.study = &m_study;
        m_inputs.out = m_out;
    }

    StudyResult run() {
        check();
        if (m_options.partial) {
            check_partial_folder();
            for (const auto& v : m_study.views)
                m_total -= wanted(v) ? 1 : 0;  // read only by training: not looked at
        }
        claim_out_folder();
        fs::create_directories(m_out / "datasets");
        fs::create_directories(m_out / "runs");
        fs::create_directories(m_out / "evals");
        InterruptScope interrupt(m_options.handle_sigint);
        try {
            datasets();
            if (m_options.only_run.empty() && !m_options.partial) {
                std::vector<const EvalSpec*> all;  // a child's parent has checked them
                for (const auto& e : m_study.evaluations) {
                    if (m_selected.count(e.run))
                        all.push_back(&e);
                }
                check_evaluation_data(all);
            }
            for (const auto& v : m_study.views) {
                if (wanted(v))
                    views(v);
            }
            if (!m_options.only_run.empty()) {
                only_run();
                return m_result;
            }
            if (m_options.partial) {
                partial();
                return m_result;
            }
            if (m_options.jobs > 1)
                runs_side_by_side();
            for (const RunSpec* r : m_order) {
                if (!m_handled.count(r->name))
                    run(*r);
            }
            for (const auto& e : m_study.evaluations) {
                if (m_selected.count(e.run))
                    evaluation(e);
            }
            step_line("report", "report.html");
            const auto t0 = std::chrono::steady_clock::now();
            write_study_report(m_inputs);
            m_result.products.push_back(
                {"report", "report.html", Outcome::Made, seconds_since(t0)});
            m_result.report = m_out / "report.html";
        } catch (const StopStudy&) {
            m_result.interrupted = true;
        } catch (const Interrupted&) {
            // A write that polls the flag itself (a subset, an evaluation's spectra) stopped
            // and removed its partial file.
            m_result.interrupted = true;
        }
        return m_result;
    }

private:
    // Everything checkable before any work.
    void check() {
        m_total = 1 + m_study.views.size() + m_study.runs.size() + m_study.evaluations.size();
        for (const auto& d : m_study.datasets) {
            const std::string where = fmt::format("{}: datasets.{}", m_study.file.string(), d.name);
            if (d.kind == DatasetSpec::Kind::Simulate) {
                m_plans.emplace(d.name, plan_simulation(d.settings, where));
                ++m_total;
            } else if (d.kind == DatasetSpec::Kind::Subset ||
                       d.kind == DatasetSpec::Kind::Nerf2RoundTrip) {
                ++m_total;
            } else if (d.kind == DatasetSpec::Kind::Nerf2Folder) {
                ++m_total;
                const fs::path dir = d.settings.at("nerf2").get<std::string>();
                if (!fs::is_directory(dir))
                    fail(
                        "{}: the NeRF2 folder '{}' does not exist (a folder with tx_pos.csv, "
                        "gateway_info.yml, spectrum/ and the index files)",
                        where, dir.string());
            } else if (!fs::is_regular_file(d.settings.at("path").get<std::string>())) {
                fail(
                    "{}: the dataset file '{}' does not exist; simulate it (radiofield simulate) "
                    "or give simulate settings instead of \"path\"",
                    where, d.settings.at("path").get<std::string>());
            }
        }
        for (const auto& r : m_study.runs) {
            const std::string where = fmt::format("{}: runs.{}", m_study.file.string(), r.name);
            try {
                auto model = train::make_model(r.model, r.model_config);
                m_kinds[r.name] = model->output();
                m_trainable[r.name] = model->trainable();
                if (!r.init.empty()) {
                    const std::string& from = m_study.run(r.init).model;
                    if (!model->starts_from(from))
                        fail(
                            "\"init\" names '{}', a run of model '{}'; a '{}' run cannot start "
                            "from its weights; name an earlier run of '{}' (or of a model that "
                            "shares its weights' layout)",
                            r.init, from, r.model, r.model);
                }
                m_steps[r.name] =
                    train::total_steps(*model, train::TrainConfig::from_json(r.train).steps);
            } catch (const Error& e) {
                fail("{}: {}", where, e.what());
            }
        }
        for (const auto& e : m_study.evaluations) {
            if (e.aoa && m_kinds.at(e.run) != train::OutputKind::Spectrum)
                fail("{}: evaluation '{}': \"aoa\" needs a model that predicts spectra",
                     m_study.file.string(), e.label);
            const std::string& model = m_study.run(e.run).model;
            if (e.picture && m_kinds.at(e.run) != train::OutputKind::PathSet && model != "rf3dgs" &&
                model != "rf3dgs_plus")
                fail(
                    "{}: evaluation '{}': \"picture\" draws path sets or RF-3DGS's Gaussians; "
                    "'{}' is neither",
                    m_study.file.string(), e.label, model);
        }
        m_device = nn::resolve_device(nn::parse_device(m_options.device));
        select_runs();
    }

    // The runs this call makes (--runs), each after the run it starts from; the others, and
    // their evaluations, are listed for the report and left out of the step count.
    void select_runs() {
        const std::function<void(const RunSpec&)> add = [&](const RunSpec& r) {
            if (m_selected.count(r.name))
                return;
            if (!r.init.empty())
                add(m_study.run(r.init));
            m_selected.insert(r.name);
            m_order.push_back(&r);
        };
        if (m_options.runs.empty() || !m_options.only_run.empty()) {
            for (const auto& r : m_study.runs)
                add(r);
            return;
        }
        for (const std::string& pattern : m_options.runs) {
            bool matched = false;
            for (const auto& r : m_study.runs) {
                if (::fnmatch(pattern.c_str(), r.name.c_str(), 0) == 0) {
                    matched = true;
                    add(r);
                }
            }
            if (!matched) {
                std::vector<std::string> names;
                for (const auto& r : m_study.runs)
                    names.push_back(r.name);
                fail(
                    "--runs '{}' matches no run of {} ({} profile); its runs are {} (shell "
                    "wildcards: *, ?, [...])",
                    pattern, m_study.file.string(), m_study.profile, some_of(names));
            }
        }
        for (const auto& r : m_study.runs) {
            if (!m_selected.count(r.name))
                m_result.unselected_runs.push_back(r.name);
        }
        for (const auto& e : m_study.evaluations) {
            if (!m_selected.count(e.run))
                m_result.unselected_evaluations.push_back(e.label);
        }
        std::size_t views = 0;
        for (const auto& v : m_study.views)
            views += wanted(v) ? 0 : 1;
        m_total -= views + m_result.unselected_runs.size() + m_result.unselected_evaluations.size();
        m_inputs.unselected_runs = m_result.unselected_runs;
        m_inputs.unselected_evaluations = m_result.unselected_evaluations;
        m_inputs.selection = m_options.runs;
    }

    // Views are rendered for the runs that read them; all of them when every run is made.
    bool wanted(const ViewsSpec& v) const {
        if (m_options.runs.empty())
            return true;
        return std::any_of(m_order.begin(), m_order.end(),
                           [&](const RunSpec* r) { return r->views == v.name; });
    }

    // The output folder is ours to write into when it is new, empty, or marked by this study
    // (same name and profile): a rerun resumes and reuses. A folder of something else, or of
    // another study or profile, is refused unless --overwrite, before any work; then the
    // marker is (re)written so that later reruns need no flag.
    void claim_out_folder() {
        const fs::path marker = m_out / kStudyMarker;
        std::error_code ec;
        if (fs::exists(m_out, ec) && !fs::is_directory(m_out, ec))
            fail("cannot write study '{}' into '{}': it is a file; give a folder name with --out",
                 m_study.name, m_out.string());
        bool write_marker = true;
        if (fs::is_directory(m_out, ec)) {
            const bool empty = fs::directory_iterator(m_out, ec) == fs::directory_iterator();
            if (fs::exists(marker, ec)) {
                const json mark = read_json(marker);
                const auto text = [&](const char* key) {
                    return mark.is_object() && mark.contains(key) && mark[key].is_string()
                               ? mark[key].get<std::string>()
                               : std::string();
                };
                const std::string name = text("study"), profile = text("profile");
                write_marker = name != m_study.name || profile != m_study.profile;
                if (write_marker && !m_options.overwrite) {
                    fail(
                        "'{}' already exists and holds study '{}' ({} profile), not study '{}' "
                        "({} profile); pass --overwrite to replace it or choose another name "
                        "(--out)",
                        m_out.string(), name.empty() ? "?" : name, profile.empty() ? "?" : profile,
                        m_study.name, m_study.profile);
                }
            } else if (!empty && !m_options.overwrite) {
                fail(
                    "'{}' already exists and was not made by `radiofield study` (no {} in it); "
                    "pass --overwrite to replace it or choose another name (--out)",
                    m_out.string(), kStudyMarker);
            }
        }
        if (!write_marker)
            return;
        fs::create_directories(m_out);
        AtomicOutput out(marker, true);
        {
            std::ofstream file(out.temp_path());
            file << json{{"study", m_study.name},
                         {"profile", m_study.profile},
                         {"file", m_study.file.string()}}
                        .dump(2)
                 << '\n';
            if (!file.flush())
                fail("cannot write '{}': {}", marker.string(), std::strerror(errno));
        }
        out.commit();
    }

    // --partial reports on a study's folder and makes none: it must hold this study and profile.
    void check_partial_folder() const {
        const json mark = read_json(m_out / kStudyMarker);
        const auto text = [&](const char* key) {
            return mark.is_object() && mark.contains(key) && mark[key].is_string()
                       ? mark[key].get<std::string>()
                       : std::string();
        };
        if (text("study") != m_study.name || text("profile") != m_study.profile)
            fail(
                "'{}' holds no products of study '{}' ({} profile) to report on; run the study "
                "first (without --partial), or name the folder it wrote with --out",
                m_out.string(), m_study.name, m_study.profile);
    }

    // The report of what is finished (--partial): every run whose training is complete with
    // this call's settings is evaluated where its evaluations' data exist; the rest is listed.
    void partial() {
        for (const RunSpec* each : m_order) {
            const RunSpec& r = *each;
            if (!r.pretrained.empty()) {
                shipped_run(r);
                continue;
            }
            const json& spec = run_spec(r);
            const fs::path dir = m_out / "runs" / r.name;
            const json saved = read_json(dir / "study.spec.json");
            if (finished(saved, spec) && fs::exists(dir / "checkpoint.pt")) {
                step_line("reuse run", r.name);
                record_run(r, saved);
                m_result.products.push_back({"run", r.name, Outcome::Reused, 0.0});
                continue;
            }
            bool fit = !m_trainable.at(r.name);  // nothing to learn: made now, in moments
            for (const auto& d : r.data)
                fit = fit && m_inputs.data.count(d) > 0;
            fit = fit && (r.init.empty() || m_inputs.runs.count(r.init) > 0);
            if (fit) {
                run(r);
                continue;
            }
            step_line("not finished", fmt::format("run {}", r.name));
            m_result.missing_runs.push_back(r.name);
        }
        std::vector<const EvalSpec*> ready;
        for (const auto& e : m_study.evaluations) {
            if (!m_selected.count(e.run))
                continue;  // not selected (--runs): listed apart
            bool have = m_inputs.runs.count(e.run) > 0;
            for (const auto& d : e.data)
                have = have && m_inputs.data.count(d) > 0;
            if (have) {
                ready.push_back(&e);
            } else {
                step_line("left out", fmt::format("evaluation {}", e.label));
                m_result.missing_evaluations.push_back(e.label);
            }
        }
        check_evaluation_data(ready);
        for (const EvalSpec* e : ready)
            evaluation(*e);
        // Nothing missing (everything had finished): the study's own report.
        m_inputs.partial = !m_result.missing_runs.empty() || !m_result.missing_evaluations.empty();
        step_line("report", m_inputs.partial ? "report.html (partial)" : "report.html");
        const auto t0 = std::chrono::steady_clock::now();
        m_inputs.missing_runs = m_result.missing_runs;
        m_inputs.missing_evaluations = m_result.missing_evaluations;
        write_study_report(m_inputs);
        m_result.products.push_back({"report", "report.html", Outcome::Made, seconds_since(t0)});
        m_result.report = m_out / "report.html";
    }

    // With every dataset made, and before any training: each evaluation's data must agree with
    // its run's training data on what the model requires (station, grid, …).
    void check_evaluation_data(const std::vector<const EvalSpec*>& evals) {
        const auto context = [&](const std::string& name) {
            const data::DatasetReader r(m_inputs.data.at(name));
            const data::Dataset& h = r.header();
            train::SceneContext c;
            c.source = m_inputs.data.at(name).string();
            c.frequency_hz = h.frequency_hz, c.grid = h.grid, c.moving = h.moving;
            c.station_position = h.station_position;
            c.station_orientation = h.station_orientation;
            c.convention = h.spectrum_convention;
            return c;
        };
        for (const EvalSpec* each : evals) {
            const EvalSpec& e = *each;
            const RunSpec& r = m_study.run(e.run);
            if (r.pretrained.empty() && !m_inputs.data.count(r.data.front()))
                continue;  // --partial: its training data are gone; nothing to compare with
            const auto model = train::make_model(r.model, r.model_config);
            train::DataNeeds needs = model->needs();
            needs.views = {model->output() == train::OutputKind::PathSet
                               ? train::DataView::Paths
                               : train::DataView::Spectra};
            needs.mixed_conventions = train::TrainConfig::from_json(r.train).mixed_conventions;
            // A shipped model learnt from its own data: its config keeps those contexts.
            const train::SceneContext trained = r.pretrained.empty()
                                                    ? context(r.data.front())
                                                    : shipped_context(shipped(r), r.name);
            for (const auto& d : e.data) {
                train::SceneContext c = context(d);
                if (train::differ_in_azimuth_origin_only(c.grid, trained.grid))
                    c.grid = trained.grid;  // turned onto the model's grid when read
                train::check_agreement(
                    trained, c, needs.fields(),
                    fmt::format("run '{}' ({}) learns from the latter, so evaluation '{}' of {} "
                                "cannot use the former; evaluate it on data made with the run's "
                                "settings or leave it out",
                                r.name, r.model, e.label, m_study.file.string()));
            }
        }
    }

    // The package of a shipped-model run, looked up once per name.
    const train::PretrainedInfo& shipped(const RunSpec& r) {
        auto it = m_shipped.find(r.pretrained);
        if (it == m_shipped.end())
            it = m_shipped.emplace(r.pretrained, train::find_pretrained(r.pretrained)).first;
        return it->second;
    }

    train::SceneContext shipped_context(const train::PretrainedInfo& info,
                                        const std::string& run) const {
        const auto config = train::RunConfig::read(info.dir / "config.json");
        if (config.contexts.empty())
            fail(
                "{}: runs.{}: the shipped model '{}' keeps no training context in its "
                "config.json; repack it with radiofield pack-model",
                m_study.file.string(), run, info.name);
        return config.contexts.front();
    }

    void poll() {
        if (interrupt_requested()) {
            log::warn("interrupted; run the same command again to resume the study");
            throw StopStudy{};
        }
    }

    void step_line(const std::string& what, const std::string& detail) {
        const std::lock_guard lock(m_mutex);
        ++m_step;
        if (m_options.quiet)
            return;
        fmt::print(stderr, "[{}/{}] {} {}\n", m_step, m_total, what, detail);
        std::fflush(stderr);
    }

    void detail(const std::string& line) {
        const std::lock_guard lock(m_mutex);
        if (!m_options.quiet)
            fmt::print(stderr, "{}", line);
    }

    // Made, remade (spec changed, or --restart) or reused.
    Outcome decide(const std::string& kind,
                   const std::string& name,
                   bool exists,
                   const json& saved,
                   const json& spec) {
        if (!exists)
            return Outcome::Made;
        if (m_options.restart)
            return Outcome::Remade;
        if (saved == spec)
            return Outcome::Reused;
        log::info("{} '{}' was made with other settings; remaking it", kind, name);
        return Outcome::Remade;
    }

    // Simulated datasets depend on nothing: those to make go side by side (the tracer's
    // thread pool is shared, HDF5 writes take turns), hundreds of random rooms in minutes on
    // a many-core machine; the others follow in the file's order.
    void datasets() {
        std::vector<const DatasetSpec*> sims;
        for (const auto& d : m_study.datasets) {
            if (d.kind == DatasetSpec::Kind::Simulate)
                sims.push_back(&d);
        }
        const auto hw = std::max(1u, std::thread::hardware_concurrency());
        const std::size_t wanted = m_options.parallel_datasets > 0
                                       ? static_cast<std::size_t>(m_options.parallel_datasets)
                                       : std::clamp<std::size_t>(hw / 4, 1, 8);
        const std::size_t workers = std::min(wanted, sims.size());
        std::set<std::string> done;
        if (workers > 1) {
            const bool progress = Progress::enabled();
            Progress::set_enabled(false);  // one bar per room would interleave
            std::atomic<std::size_t> next{0};
            std::exception_ptr error;
            std::mutex error_mutex;
            std::vector<std::thread> pool;
            for (std::size_t w = 0; w < workers; ++w) {
                pool.emplace_back([&] {
                    for (std::size_t i = next++; i < sims.size(); i = next++) {
                        {
                            const std::lock_guard lock(error_mutex);
                            if (error)
                                return;
                        }
                        try {
                            dataset(*sims[i]);
                        } catch (...) {
                            const std::lock_guard lock(error_mutex);
                            if (!error)
                                error = std::current_exception();
                        }
                    }
                });
            }
            for (auto& t : pool)
                t.join();
            Progress::set_enabled(progress);
            if (error)
                std::rethrow_exception(error);
            for (const auto* d : sims)
                done.insert(d->name);
        }
        for (const auto& d : m_study.datasets) {
            if (!done.count(d.name))
                dataset(d);
        }
    }

    void dataset(const DatasetSpec& d) {
        json spec = {{"name", d.name}};
        if (d.kind == DatasetSpec::Kind::File) {
            const fs::path p = d.settings.at("path").get<std::string>();
            spec["path"] = p.string();
            spec["size"] = fs::file_size(p);
            spec["modified"] = fs::last_write_time(p).time_since_epoch().count();
            m_inputs.data[d.name] = p;
            m_spec[d.name] = spec;
            return;
        }
        const fs::path path = m_out / "datasets" / (d.name + ".h5");
        const fs::path sidecar = fs::path(path.string() + ".spec.json");
        if (d.kind == DatasetSpec::Kind::Subset) {
            spec["subset_of"] = m_spec.at(d.settings.at("from").get<std::string>());
            spec["train_count"] = d.settings.at("train_count");
            spec["seed"] = d.settings.at("seed");
        } else if (d.kind == DatasetSpec::Kind::Nerf2RoundTrip) {
            spec["through_nerf2"] = m_spec.at(d.settings.at("from").get<std::string>());
        } else if (d.kind == DatasetSpec::Kind::Nerf2Folder) {
            spec["nerf2"] = folder_identity(d.settings.at("nerf2").get<std::string>());
        } else {
            spec["simulate"] = d.settings;
        }
        {
            const std::lock_guard lock(m_mutex);
            m_inputs.data[d.name] = path;
            m_spec[d.name] = spec;
        }
        if (m_options.partial && (!fs::exists(path) || read_json(sidecar) != spec)) {
            step_line("not made", fmt::format("dataset {}", d.name));
            const std::lock_guard lock(m_mutex);
            m_inputs.data.erase(d.name);  // what reads it is left out
            return;
        }
        const Outcome o = decide("dataset", d.name, fs::exists(path), read_json(sidecar), spec);
        const auto t0 = std::chrono::steady_clock::now();
        if (o == Outcome::Reused) {
            step_line("reuse dataset", d.name);
        } else if (d.kind == DatasetSpec::Kind::Subset) {
            make_subset(d, path);
        } else if (d.kind == DatasetSpec::Kind::Nerf2RoundTrip) {
            round_trip_nerf2(d, path);
        } else if (d.kind == DatasetSpec::Kind::Nerf2Folder) {
            import_nerf2_folder(d.name, d.settings.at("nerf2").get<std::string>(), path);
        } else {
            simulate(d, path);
        }
        if (o != Outcome::Reused)
            write_json(sidecar, spec);
        const std::lock_guard lock(m_mutex);
        m_result.products.push_back({"dataset", d.name, o, seconds_since(t0)});
    }

    void simulate(const DatasetSpec& d, const fs::path& path) {
        const SimulationPlan& plan = m_plans.at(d.name);
        const auto positions = sim::make_positions(plan.scene, plan.positions, plan.seed);
        step_line("simulate",
                  fmt::format("{} ({} positions in {}, {:.4g} GHz)", d.name, positions.size(),
                              plan.scene.name, plan.config.frequency_hz / 1e9));
        const auto t0 = std::chrono::steady_clock::now();
        data::Dataset ds;
        try {
            ds = sim::simulate(plan.scene, plan.config, positions, &interrupt_flag());
            ds.scene_json = scene::to_json_string(plan.scene);
            ds.attrs["created_by"] =
                fmt::format("radiofield study {} (dataset {})", m_study.file.string(), d.name);
            ds.attrs["study_settings"] = d.settings.dump();
            data::write_dataset(ds, path, true);
        } catch (const Error&) {
            poll();  // interrupted while simulating or writing: stop the study, nothing written
            throw;
        }
        detail(fmt::format("      {} samples ({} train, {} val, {} test) in {:.1f} s\n", ds.size(),
                           ds.split.train.size(), ds.split.val.size(), ds.split.test.size(),
                           seconds_since(t0)));
        poll();
    }

    void make_subset(const DatasetSpec& d, const fs::path& path) {
        const std::string from = d.settings.at("from").get<std::string>();
        const auto count = d.settings.at("train_count").get<std::size_t>();
        step_line("subset", fmt::format("{} ({} training positions of {})", d.name, count, from));
        data::Dataset ds = data::read_dataset(m_inputs.data.at(from));
        if (count > ds.split.train.size())
            fail("{}: datasets.{}: train_count {} is more than the {} training positions of '{}'",
                 m_study.file.string(), d.name, count, ds.split.train.size(), from);
        ds.split.train =
            subsample(ds.split.train, count, d.settings.at("seed").get<std::uint64_t>());
        ds.attrs["subset_of"] = m_inputs.data.at(from).string();
        ds.attrs["created_by"] =
            fmt::format("radiofield study {} (dataset {})", m_study.file.string(), d.name);
        data::write_dataset(ds, path, true);
        poll();
    }

    // A NeRF2 folder as a dataset of the study (spectra as its PNGs hold them).
    void import_nerf2_folder(const std::string& name, const fs::path& dir, const fs::path& path) {
        step_line("import", fmt::format("{} (NeRF2 folder {})", name, dir.string()));
        data::Dataset ds = data::import_nerf2(dir);
        ds.attrs["created_by"] =
            fmt::format("radiofield study {} (dataset {})", m_study.file.string(), name);
        data::write_dataset(ds, path, true);
        poll();
    }

    // Another dataset written as a NeRF2 folder (datasets/NAME.nerf2/) and read back: what a
    // user's NeRF2-format export of that room would give.
    void round_trip_nerf2(const DatasetSpec& d, const fs::path& path) {
        const std::string from = d.settings.at("from").get<std::string>();
        const fs::path folder = m_out / "datasets" / (d.name + ".nerf2");
        detail(fmt::format("      {} exported to {}\n", from, folder.string()));
        data::export_nerf2(data::read_dataset(m_inputs.data.at(from)), folder, true);
        import_nerf2_folder(d.name, folder, path);
    }

    // Camera images of a scene (render-views) into views/NAME/, remade when their settings
    // change.
    void views(const ViewsSpec& v) {
        const fs::path dir = m_out / "views" / v.name;
        const fs::path sidecar = m_out / "views" / (v.name + ".spec.json");
        const json spec = {{"views", v.settings}};
        m_spec["views:" + v.name] = spec;
        if (m_options.partial)
            return;  // read only by training, which --partial does not do
        const Outcome o =
            decide("views", v.name, fs::exists(dir / "sparse"), read_json(sidecar), spec);
        const auto t0 = std::chrono::steady_clock::now();
        if (o == Outcome::Reused) {
            step_line("reuse views", v.name);
        } else {
            const json& e = v.settings;
            const std::string where = fmt::format("{}: views.{}", m_study.file.string(), v.name);
            rt::ViewsFolderOptions options;
            options.poses.count = get_or<int>(e, "count", options.poses.count, where);
            const std::string size = get_or<std::string>(
                e, "size", fmt::format("{}x{}", options.poses.width, options.poses.height), where);
            if (std::sscanf(size.c_str(), "%dx%d", &options.poses.width, &options.poses.height) !=
                2)
                fail("{}: \"size\" must be WIDTHxHEIGHT in pixels, e.g. \"160x120\" (got '{}')",
                     where, size);
            options.poses.fov_x_deg = get_or<double>(e, "fov", options.poses.fov_x_deg, where);
            options.poses.placement =
                rt::parse_view_placement(get_or<std::string>(e, "placement", "auto", where));
            options.points = get_or<std::size_t>(e, "points", options.points, where);
            options.seed = get_or<std::uint64_t>(e, "seed", options.seed, where);
            options.shading.texture = get_or<double>(e, "texture", options.shading.texture, where);
            options.shading.texture_scale =
                get_or<double>(e, "texture_scale", options.shading.texture_scale, where);
            options.overwrite = true;
            const scene::Scene scene = scene::resolve_scene(e.at("scene").get<std::string>());
            step_line("views", fmt::format("{} ({} views of {}, {})", v.name, options.poses.count,
                                           scene.name, size));
            fs::create_directories(dir.parent_path());
            rt::write_views_folder(scene, dir, options);
            write_json(sidecar, spec);
        }
        m_result.products.push_back({"views", v.name, o, seconds_since(t0)});
        poll();
    }

    // The resolved spec that makes a run (its data's, views' and init run's specs included),
    // recorded for the runs and evaluations that follow.
    const json& run_spec(const RunSpec& r) {
        json spec;
        if (!r.pretrained.empty()) {
            spec = {{"pretrained", r.pretrained}, {"files", shipped(r).files}};
        } else {
            spec = {{"model", r.model},
                    {"model_config", r.model_config},
                    {"train", r.train},
                    {"data", json::array()}};
            for (const auto& d : r.data)
                spec["data"].push_back(m_spec.at(d));
            if (!r.views.empty())
                spec["views"] = m_spec.at("views:" + r.views);
            if (!r.init.empty())
                spec["init"] = m_spec.at("run:" + r.init);
        }
        return m_spec["run:" + r.name] = std::move(spec);
    }

    // A child of `jobs`: the specs of the runs before it (one may be its init), then the run.
    void only_run() {
        for (const auto& r : m_study.runs) {
            if (r.name != m_options.only_run) {
                run_spec(r);
                continue;
            }
            if (!r.pretrained.empty() || !m_trainable.at(r.name))
                fail("{}: runs.{} has nothing to train; --only-run names a training run",
                     m_study.file.string(), r.name);
            run(r);
            return;
        }
        fail("{}: no run '{}' in the {} profile", m_study.file.string(), m_options.only_run,
             m_study.profile);
    }

    // With jobs > 1: every training run that is to be made or resumed is made by a child
    // process (`radiofield study FILE --only-run NAME`), up to `jobs` at a time, each after the
    // run it starts from. The runs with nothing to train are made here first; then every run
    // passes through run() as usual, those of the children as finished products.
    void runs_side_by_side() {
        struct Job {
            const RunSpec* run = nullptr;
            Outcome outcome = Outcome::Made;
            std::ptrdiff_t after = -1;  // the job of the run it starts from, if one is made too
            enum class State { Waiting, Running, Done, Failed } state = State::Waiting;
        };
        std::vector<Job> jobs;
        std::map<std::string, std::size_t> job_of;
        for (const RunSpec* each : m_order) {
            const RunSpec& r = *each;
            const json& spec = run_spec(r);
            if (!r.pretrained.empty() || !m_trainable.at(r.name))
                continue;
            const fs::path dir = m_out / "runs" / r.name;
            const json saved = read_json(dir / "study.spec.json");
            const json saved_spec = saved.is_object() ? saved.value("spec", json()) : json();
            const bool exists = fs::exists(dir / "checkpoint.pt");
            if (exists && !m_options.restart && finished(saved, spec))
                continue;  // reused by run()
            Job job;
            job.run = &r;
            job.outcome = decide("run", r.name, exists, saved_spec, spec);
            if (!r.init.empty() && job_of.count(r.init))
                job.after = static_cast<std::ptrdiff_t>(job_of.at(r.init));
            job_of[r.name] = jobs.size();
            jobs.push_back(job);
        }
        if (jobs.size() < 2)
            return;  // nothing to gain: run() makes it
        for (const RunSpec* r : m_order) {
            if (!job_of.count(r->name)) {
                run(*r);
                m_handled.insert(r->name);
            }
        }

        const fs::path program =
            !m_options.program.empty() ? m_options.program : fs::read_symlink("/proc/self/exe");
        std::vector<std::pair<std::string, std::string>> env;
        if (std::getenv("OMP_NUM_THREADS") == nullptr) {  // the cores shared out
            const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
            env.emplace_back(
                "OMP_NUM_THREADS",
                std::to_string(std::max(1u, hw / static_cast<unsigned>(m_options.jobs))));
        }
        // Several GPUs: each worker's runs go to one of them, round robin.
        std::vector<std::string> gpus;
        if (m_device.is_cuda())
            gpus = gpus_for_runs(std::getenv("CUDA_VISIBLE_DEVICES"),
                                 static_cast<int>(torch::cuda::device_count()));
        const auto command = [&](const RunSpec& r) {
            std::vector<std::string> argv = {program.string(), "--device", m_options.device};
            if (m_options.quiet)
                argv.push_back("--quiet");
            for (const std::string& a :
                 {std::string("study"), m_study.file.string(), std::string("--profile"),
                  m_study.profile, std::string("-o"), m_out.string(), std::string("--only-run"),
                  r.name, std::string("--jobs"), std::to_string(m_options.jobs)})
                argv.push_back(a);
            if (m_options.restart)
                argv.push_back("--restart");
            return argv;
        };

        std::mutex mutex;
        std::condition_variable changed;
        std::set<pid_t> live;
        bool stop = false, interrupted = false;
        std::vector<std::string> failures;
        std::atomic<int> running_workers{0};
        const auto worker = [&](int w) {
            auto own_env = env;
            std::string where;
            if (!gpus.empty()) {
                const auto& gpu = gpus[static_cast<std::size_t>(w) % gpus.size()];
                own_env.emplace_back("CUDA_VISIBLE_DEVICES", gpu);
                where = fmt::format(", GPU {}", gpu);
            }
            std::unique_lock lock(mutex);
            for (;;) {
                std::size_t pick = jobs.size();
                changed.wait(lock, [&] {
                    if (stop)
                        return true;
                    bool waiting = false;
                    for (std::size_t i = 0; i < jobs.size(); ++i) {
                        Job& j = jobs[i];
                        if (j.state != Job::State::Waiting)
                            continue;
                        const Job* dep = j.after >= 0 ? &jobs[j.after] : nullptr;
                        if (dep && dep->state == Job::State::Failed) {
                            j.state = Job::State::Failed;  // its init run failed
                            continue;
                        }
                        waiting = true;
                        if (!dep || dep->state == Job::State::Done) {
                            pick = i;
                            return true;
                        }
                    }
                    return !waiting;
                });
                if (stop || pick == jobs.size())
                    return;
                Job& job = jobs[pick];
                job.state = Job::State::Running;
                const RunSpec& r = *job.run;
                const fs::path dir = m_out / "runs" / r.name;
                const fs::path log = dir / "study.log";
                const auto t0 = std::chrono::steady_clock::now();
                pid_t pid = 0;
                try {
                    fs::create_directories(dir);
                    pid = spawn_logged(command(r), log, own_env);
                } catch (const std::exception& e) {
                    job.state = Job::State::Failed;
                    failures.push_back(fmt::format("run '{}': {}", r.name, e.what()));
                    changed.notify_all();
                    continue;
                }
                live.insert(pid);
                step_line(job.outcome == Outcome::Reused ? "resume" : "train",
                          fmt::format("{} ({}, {} of {} side by side{}, log {})", r.name, r.model,
                                      live.size(), m_options.jobs, where, log.string()));
                lock.unlock();
                const ChildExit exit = wait_for(pid);
                lock.lock();
                live.erase(pid);
                if (exit.ok()) {
                    job.state = Job::State::Done;
                    m_made_aside[r.name] = {job.outcome, seconds_since(t0)};
                    detail(
                        fmt::format("      trained {} in {:.1f} s\n", r.name, seconds_since(t0)));
                } else {
                    job.state = Job::State::Failed;
                    // Stopped by the signal passed on: by its own handler (the checkpoint is
                    // saved), or by the signal itself when it came before the child's training
                    // had started.
                    if (exit.code == 128 + SIGINT || exit.code == 128 + SIGTERM ||
                        exit.signal == SIGINT || exit.signal == SIGTERM) {
                        interrupted = true;
                    } else {
                        failures.push_back(fmt::format(
                            "run '{}' failed in its own process ({}); the end of {}:\n{}", r.name,
                            exit.signal != 0 ? fmt::format("signal {}", exit.signal)
                                             : fmt::format("exit status {}", exit.code),
                            log.string(), tail_lines(log, 12)));
                    }
                }
                changed.notify_all();
            }
        };
        std::vector<std::thread> pool;
        for (int w = 0; w < m_options.jobs; ++w) {
            ++running_workers;
            pool.emplace_back([&, w] {
                worker(w);
                --running_workers;
            });
        }
        bool passed_on = false;
        while (running_workers > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (interrupt_requested() && !passed_on) {
                const std::lock_guard lock(mutex);
                stop = interrupted = passed_on = true;
                for (const pid_t pid : live)
                    ::kill(pid, SIGINT);  // each saves its checkpoint and ends
                changed.notify_all();
            }
        }
        for (auto& t : pool)
            t.join();
        if (!failures.empty())
            fail("{}", fmt::join(failures, "\n"));
        if (interrupted) {
            log::warn("interrupted; run the same command again to resume the study");
            throw StopStudy{};
        }
    }

    void run(const RunSpec& r) {
        if (!r.pretrained.empty()) {
            shipped_run(r);
            return;
        }
        const fs::path dir = m_out / "runs" / r.name;
        const fs::path sidecar = dir / "study.spec.json";
        const json& spec = run_spec(r);
        const json saved = read_json(sidecar);
        const bool same = saved.is_object() && saved.value("spec", json()) == spec;
        const bool complete = finished(saved, spec);
        if (const auto it = m_made_aside.find(r.name); it != m_made_aside.end()) {
            if (!complete)
                fail(
                    "run '{}' was trained in its own process from other settings than this "
                    "call's: was {} changed while the study ran? Run the study again",
                    r.name, m_study.file.string());
            record_run(r, saved);
            m_result.products.push_back({"run", r.name, it->second.outcome, it->second.seconds});
            return;
        }
        Outcome o = decide("run", r.name, fs::exists(dir / "checkpoint.pt"),
                           saved.is_object() ? saved.value("spec", json()) : json(), spec);
        double prior = same && !m_options.restart ? saved.value("train_seconds", 0.0) : 0.0;
        const auto t0 = std::chrono::steady_clock::now();
        if (o == Outcome::Reused && complete) {
            step_line("reuse run", r.name);
        } else {
            train::RunConfig rc;
            rc.model = r.model;
            rc.model_config = r.model_config;
            if (!r.views.empty())
                rc.model_config["views"] = (m_out / "views" / r.views).string();
            rc.train = train::TrainConfig::from_json(r.train);
            rc.train.device = m_options.device;
            for (const auto& d : r.data)
                rc.data.push_back(m_inputs.data.at(d).string());
            const bool resume = o == Outcome::Reused;  // same spec, training not finished
            if (m_trainable.at(r.name)) {
                step_line(resume ? "resume" : "train",
                          fmt::format("{} ({}, {} steps, data {})", r.name, r.model,
                                      m_steps.at(r.name), fmt::join(r.data, ", ")));
            } else {
                step_line("fit", fmt::format("{} ({}, nothing to learn, data {})", r.name, r.model,
                                             fmt::join(r.data, ", ")));
            }
            if (!resume)
                prior = 0;
            fs::create_directories(dir);
            write_json(sidecar, {{"spec", spec},
                                 {"complete", false},
                                 {"train_seconds", prior},
                                 {"side_by_side", side_by_side()}});
            train::TrainOptions options;
            options.restart = !resume;
            options.stop_after = m_options.stop_after;
            options.handle_sigint = m_options.handle_sigint;
            options.final_eval = false;
            if (!r.init.empty())
                options.init_from = m_out / "runs" / r.init / "checkpoint.pt";
            const auto result = train::train_run(rc, dir, options);
            prior += seconds_since(t0);
            write_json(sidecar, {{"spec", spec},
                                 {"complete", !result.interrupted},
                                 {"train_seconds", prior},
                                 {"side_by_side", side_by_side()}});
            if (result.interrupted) {
                log::warn(
                    "run '{}' stopped at step {} (checkpoint saved); run the same command "
                    "again to resume the study",
                    r.name, result.step);
                m_result.products.push_back({"run", r.name, o, seconds_since(t0)});
                throw StopStudy{};
            }
            detail(fmt::format("      {} {} in {:.1f} s\n",
                               m_trainable.at(r.name) ? "trained" : "fitted", r.name,
                               seconds_since(t0)));
            if (resume)
                o = Outcome::Made;  // finished in this call
        }
        record_run(r, read_json(sidecar));
        m_result.products.push_back({"run", r.name, o, seconds_since(t0)});
    }

    // Whether a run's sidecar (RUN/study.spec.json) says its training with `spec` is complete.
    static bool finished(const json& saved, const json& spec) {
        return saved.is_object() && saved.value("spec", json()) == spec &&
               saved.value("complete", false);
    }

    // How many training runs share the device with this one: `jobs` in a child, else 1.
    int side_by_side() const { return m_options.only_run.empty() ? 1 : m_options.jobs; }

    void record_run(const RunSpec& r, const json& sidecar) {
        RunRecord rec;
        rec.config = read_json(m_out / "runs" / r.name / "config.json");
        rec.train_seconds = sidecar.is_object() ? sidecar.value("train_seconds", 0.0) : 0.0;
        rec.side_by_side = sidecar.is_object() ? sidecar.value("side_by_side", 1) : 1;
        rec.trainable = m_trainable.at(r.name);
        rec.steps = m_steps.at(r.name);
        m_inputs.runs[r.name] = rec;
    }

    // A shipped model as a run: its verified config and weights copied into runs/NAME/, so
    // evaluations load it as any run. Nothing to train.
    void shipped_run(const RunSpec& r) {
        const fs::path dir = m_out / "runs" / r.name;
        const fs::path sidecar = dir / "study.spec.json";
        const train::PretrainedInfo& info = shipped(r);
        const json& spec = run_spec(r);
        const json saved = read_json(sidecar);
        const bool complete = saved.is_object() && saved.value("complete", false);
        const Outcome o = decide("run", r.name, fs::exists(dir / "checkpoint.pt") && complete,
                                 saved.is_object() ? saved.value("spec", json()) : json(), spec);
        const auto t0 = std::chrono::steady_clock::now();
        if (o == Outcome::Reused) {
            step_line("reuse run", r.name);
        } else {
            step_line("shipped",
                      fmt::format("{} ({}, model {})", r.name, r.pretrained, info.model));
            train::verify_pretrained(info);
            fs::create_directories(dir);
            write_json(sidecar, {{"spec", spec}, {"complete", false}});
            for (const char* file : {"config.json", "checkpoint.pt"})
                fs::copy_file(info.dir / file, dir / file, fs::copy_options::overwrite_existing);
            write_json(sidecar, {{"spec", spec}, {"complete", true}});
        }
        RunRecord rec;
        rec.config = read_json(dir / "config.json");
        rec.trainable = false;
        rec.pretrained = info.name;
        rec.produced_by = info.produced_by;
        m_inputs.runs[r.name] = rec;
        m_result.products.push_back({"run", r.name, o, seconds_since(t0)});
    }

    void evaluation(const EvalSpec& e) {
        const fs::path path = m_out / "evals" / (e.label + ".json");
        json spec = {{"run", m_spec.at("run:" + e.run)},
                     {"data", json::array()},
                     {"split", e.split},
                     {"aoa", e.aoa},
                     {"lpips", !m_options.lpips_weights.empty()}};
        if (e.picture)  // only then: earlier evaluations stay reusable
            spec["picture"] = true;
        for (const auto& d : e.data)
            spec["data"].push_back(m_spec.at(d));
        const json saved = read_json(path);
        const Outcome o = decide("evaluation", e.label, fs::exists(path),
                                 saved.is_object() ? saved.value("spec", json()) : json(), spec);
        const auto t0 = std::chrono::steady_clock::now();
        if (o == Outcome::Reused) {
            step_line("reuse evaluation", e.label);
            m_inputs.evals[e.label] = saved;
        } else {
            step_line("evaluate",
                      fmt::format("{} (run {} on {}, {} split{})", e.label, e.run,
                                  fmt::join(e.data, ", "), e.split, e.aoa ? ", AoA" : ""));
            EvalJob job{&e,       m_out / "runs" / e.run,  {},  spec,
                        m_device, m_options.lpips_weights, path};
            for (const auto& d : e.data)
                job.files.push_back(m_inputs.data.at(d).string());
            m_inputs.evals[e.label] = run_evaluation(job);
            detail(fmt::format(
                "      {:.3g} ms per spectrum, {:.1f} s in all\n",
                m_inputs.evals[e.label]["summary"]["seconds_per_sample"].get<double>() * 1e3,
                seconds_since(t0)));
        }
        m_result.products.push_back({"eval", e.label, o, seconds_since(t0)});
        poll();
    }

    const Study m_study;  // as given, with shipped models' model and settings filled in
    StudyOptions m_options;
    StudyResult m_result;
    fs::path m_out;
    ReportInputs m_inputs;
    std::map<std::string, SimulationPlan> m_plans;
    std::map<std::string, train::OutputKind> m_kinds;
    std::map<std::string, bool> m_trainable;
    std::map<std::string, std::int64_t> m_steps;  // the steps each run trains, all phases
    std::map<std::string, json> m_spec;  // dataset name / "run:NAME" → the spec that makes it
    std::map<std::string, train::PretrainedInfo> m_shipped;  // by shipped-model name
    torch::Device m_device = torch::kCPU;
    std::size_t m_step = 0, m_total = 0;
    struct MadeAside {
        Outcome outcome;
        double seconds;
    };
    std::map<std::string, MadeAside> m_made_aside;  // runs a child process trained
    std::set<std::string> m_handled;                // runs made before the children started
    std::vector<const RunSpec*> m_order;            // the runs this call makes, in turn (--runs)
    std::set<std::string> m_selected;               // their names
    std::mutex m_mutex;  // the shared state of datasets made side by side, and the output
};

}  // namespace

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::Made:
            return "made";
        case Outcome::Remade:
            return "remade";
        case Outcome::Reused:
            return "reused";
    }
    return "?";
}

std::vector<std::string> StudyResult::names(const std::string& kind, Outcome outcome) const {
    std::vector<std::string> out;
    for (const auto& p : products) {
        if (p.kind == kind && p.outcome == outcome)
            out.push_back(p.name);
    }
    return out;
}

fs::path default_out(const Study& study) {
    return fs::path("out") / "studies" / study.name / study.profile;
}

StudyResult run_study(const Study& study, const StudyOptions& options) {
    return Runner(study, options).run();
}

std::vector<std::string> gpus_for_runs(const char* visible, int count) {
    std::vector<std::string> ids;
    if (visible == nullptr || *visible == '\0') {
        for (int i = 0; i < count; ++i)
            ids.push_back(std::to_string(i));
    } else {
        std::stringstream list(visible);
        for (std::string id; static_cast<int>(ids.size()) < count && std::getline(list, id, ',');)
            ids.push_back(id);
    }
    if (ids.size() < 2)
        ids.clear();
    return ids;
}

}  // namespace radiofield::study
