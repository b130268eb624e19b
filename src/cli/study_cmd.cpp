// `radiofield study FILE`: runs a declarative study (docs/studies.md) — datasets, runs,
// evaluations, one HTML report — reusing what an earlier call made with the same settings.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/study/runner.hpp"

namespace radiofield::cli {
namespace {

// Exit status of a study stopped at its --time-limit with a partial report written
// (sysexits' EX_TEMPFAIL: run it again to go on).
constexpr int kStoppedAtTimeLimit = 75;

struct StudyArgs {
    std::string file, profile = "quick", out, lpips_weights, only_run;
    std::vector<std::string> runs;  // --runs patterns
    bool restart = false, overwrite = false, partial = false;
    int jobs = 1;
    double time_limit_s = 0;  // 0 = none
};

// Raises the interrupt flag once `seconds` have passed — the study stops as after Ctrl-C,
// every run checkpointed — unless cancelled first. No signal is sent, so a deadline that
// comes while a Ctrl-C is being handled does not end the program.
class Deadline {
public:
    explicit Deadline(double seconds) {
        if (seconds <= 0)
            return;
        m_thread = std::thread([this, seconds] {
            std::unique_lock lock(m_mutex);
            if (m_changed.wait_for(lock, std::chrono::duration<double>(seconds),
                                   [this] { return m_cancelled; }))
                return;
            m_fired = true;
            request_interrupt();
        });
    }
    ~Deadline() { cancel(); }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    void cancel() {
        {
            const std::lock_guard lock(m_mutex);
            m_cancelled = true;
        }
        m_changed.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }
    bool fired() const {
        const std::lock_guard lock(m_mutex);
        return m_fired;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_cancelled = false, m_fired = false;
    std::thread m_thread;
};

void print_products(const study::StudyResult& r) {
    for (const auto& p : r.products)
        fmt::print("{:<8} {:<7} {}\n", p.kind, study::to_string(p.outcome), p.name);
}

void run_study_command(const StudyArgs& a, const GlobalOptions& global) {
    const study::Study s = study::load_study(a.file, a.profile);
    study::StudyOptions o;
    o.out = a.out;
    o.restart = a.restart;
    o.overwrite = a.overwrite;
    o.device = global.device;
    o.quiet = global.quiet;
    o.lpips_weights = a.lpips_weights;
    o.jobs = a.jobs;
    o.only_run = a.only_run;
    o.runs = a.runs;
    o.partial = a.partial;
    const auto t0 = std::chrono::steady_clock::now();
    study::StudyResult r;
    bool timed_out = false;
    {
        // The outermost scope, so that the runner's own does not clear a deadline that came
        // before it; it ends (the flag cleared) before the partial report.
        const InterruptScope interrupt;
        Deadline deadline(a.only_run.empty() ? a.time_limit_s : 0.0);
        r = study::run_study(s, o);
        deadline.cancel();
        timed_out = r.interrupted && deadline.fired();
    }
    if (timed_out) {
        log::warn("study '{}' reached its time limit ({:g} s); reporting what is finished", s.name,
                  a.time_limit_s);
        o.partial = true;
        o.overwrite = false;  // the folder is the study's own by now
        const std::vector<study::Product> before = std::move(r.products);
        r = study::run_study(s, o);
        // One list: what the first pass did, then what the report pass added.
        std::vector<study::Product> all = before;
        for (const auto& p : r.products) {
            const bool listed = std::any_of(before.begin(), before.end(), [&](const auto& b) {
                return b.kind == p.kind && b.name == p.name;
            });
            if (!listed || p.outcome != study::Outcome::Reused)
                all.push_back(p);
        }
        r.products = std::move(all);
        // The deadline came as the last products were made: the study is finished after all.
        timed_out = !r.missing_runs.empty() || !r.missing_evaluations.empty();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t made = 0, reused = 0;
    for (const auto& p : r.products)
        (p.outcome == study::Outcome::Reused ? reused : made) += 1;
    if (r.interrupted) {
        log::warn(
            "study '{}' stopped; run the same command again to resume it (finished products "
            "are kept in {})",
            s.name, r.out.string());
        log::get().flush();
        std::exit(128 + (interrupt_signal() != 0 ? interrupt_signal() : SIGINT));
    }
    if (!a.only_run.empty()) {
        fmt::print(stderr, "run '{}' of study '{}' ({} profile): done in {:.1f} s\n", a.only_run,
                   s.name, s.profile, seconds);
        return;
    }
    fmt::print(stderr, "study '{}' ({} profile): {} made, {} reused, {:.1f} s\n", s.name, s.profile,
               made, reused, seconds);
    if (!r.unselected_runs.empty())
        fmt::print(stderr, "{} runs not selected (--runs); their {} evaluations left out\n",
                   r.unselected_runs.size(), r.unselected_evaluations.size());
    if (a.partial || timed_out)
        fmt::print(stderr,
                   "partial report: {} runs not finished, {} of {} evaluations left out; run "
                   "the same command{} again to finish the study\n",
                   r.missing_runs.size(), r.missing_evaluations.size(), s.evaluations.size(),
                   a.partial ? " without --partial" : "");
    print_products(r);
    fmt::print("report: {}{}\n", r.report.string(), timed_out ? " (partial)" : "");
    if (timed_out) {
        std::fflush(stdout);
        log::get().flush();
        std::exit(kStoppedAtTimeLimit);
    }
}

}  // namespace

void add_study_command(CLI::App& app, GlobalOptions& global) {
    static StudyArgs a;
    auto* sub = app.add_subcommand(
        "study", "Run a study file: simulate, train, evaluate and report (resumable)");
    sub->add_option("file", a.file, "Study file (studies/NAME.json; docs/studies.md)")->required();
    sub->add_option("--profile", a.profile, "Profile of the study's values (quick, full)")
        ->capture_default_str();
    sub->add_option("-o,--out", a.out, "Output folder (default out/studies/NAME/PROFILE)");
    sub->add_flag("--overwrite", a.overwrite,
                  "Write into an existing folder that another study (or profile, or nothing of "
                  "ours) made");
    auto* restart = sub->add_flag("--restart", a.restart,
                                  "Remake every product, even those that are up to date");
    sub->add_option("--lpips-weights", a.lpips_weights,
                    "LPIPS-alex weights file (else LPIPS is 'unavailable')");
    sub->add_option("-j,--jobs", a.jobs,
                    "Training runs made side by side, each in a process of its own (a GPU that "
                    "one small model leaves idle between kernels does several at once; "
                    "evaluations stay one at a time)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    sub->add_flag("--partial", a.partial,
                  "Report what is finished so far (a study interrupted or out of time): "
                  "evaluate the finished runs and write the report of them; trains nothing")
        ->excludes(restart);
    sub->add_option("--time-limit", a.time_limit_s,
                    "Stop after this long (seconds, or with a unit: 90m, 2h), every run "
                    "checkpointed, and write the partial report of what is finished (its "
                    "evaluations take their own time); exit status 75. The same command again "
                    "goes on")
        ->transform(CLI::AsNumberWithUnit(
            std::map<std::string, double>{{"s", 1.0}, {"m", 60.0}, {"h", 3600.0}}))
        ->check(CLI::Range(1e-3, 1e7))
        ->excludes("--partial")
        ->excludes(restart);
    auto* runs = sub->add_option(
        "--runs", a.runs,
        "Make only these runs (comma-separated names or shell patterns, e.g. 'cgan_*,knn') and "
        "the runs they start from, in this order; the other runs' evaluations are left out and "
        "the report names them");
    runs->delimiter(',');
    sub->add_option("--only-run", a.only_run,
                    "Make only this training run (what a process of --jobs does); its "
                    "datasets and views must exist")
        ->group("")  // internal
        ->excludes(runs);
    sub->callback([&global] { global.action = [&global] { run_study_command(a, global); }; });
}

}  // namespace radiofield::cli
