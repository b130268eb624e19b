// `radiofield study FILE`: runs a declarative study (docs/studies.md) — datasets, runs,
// evaluations, one HTML report — reusing what an earlier call made with the same settings.
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/study/runner.hpp"

namespace radiofield::cli {
namespace {

struct StudyArgs {
    std::string file, profile = "quick", out, lpips_weights, only_run;
    bool restart = false, overwrite = false;
    int jobs = 1;
};

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
    const auto t0 = std::chrono::steady_clock::now();
    const study::StudyResult r = study::run_study(s, o);
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
    for (const auto& p : r.products)
        fmt::print("{:<8} {:<7} {}\n", p.kind, study::to_string(p.outcome), p.name);
    fmt::print("report: {}\n", r.report.string());
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
    sub->add_flag("--restart", a.restart, "Remake every product, even those that are up to date");
    sub->add_option("--lpips-weights", a.lpips_weights,
                    "LPIPS-alex weights file (else LPIPS is 'unavailable')");
    sub->add_option("-j,--jobs", a.jobs,
                    "Training runs made side by side, each in a process of its own (a GPU that "
                    "one small model leaves idle between kernels does several at once; "
                    "evaluations stay one at a time)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    sub->add_option("--only-run", a.only_run,
                    "Make only this training run (what a process of --jobs does); its "
                    "datasets and views must exist")
        ->group("");  // internal
    sub->callback([&global] { global.action = [&global] { run_study_command(a, global); }; });
}

}  // namespace radiofield::cli
