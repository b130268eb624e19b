#pragma once
// Running a study (`radiofield study`): every product lands under one output folder
//   OUT/datasets/NAME.h5 (+ NAME.h5.spec.json)   simulated, subsampled (a "path" dataset is
//                                                read where it is)
//   OUT/runs/NAME/                               a normal run folder (+ study.spec.json)
//   OUT/evals/LABEL.json                         metrics.json layout + "spec", "metrics"
//                                                (the evaluator's declarations), per-sample
//                                                "aoa_error_deg" when asked
//   OUT/report.html, OUT/report.md, OUT/figures/
//   OUT/.radiofield-study.json                   the study and profile that own OUT
// Each product records the resolved spec that made it, upstream specs included; a rerun
// reuses a product whose spec matches, remakes (with a notice) one whose spec changed, and
// `restart` remakes everything. Training resumes from its checkpoint by itself; Ctrl-C
// stops the study after the current step's checkpoint (StudyResult::interrupted).

#include <filesystem>
#include <string>
#include <vector>

#include "radiofield/study/study.hpp"

namespace radiofield::study {

struct StudyOptions {
    std::filesystem::path out;  // empty → out/studies/<name>/<profile>
    bool restart = false;
    // Write into an existing non-empty folder that another study, another profile or
    // something else made (else refused before any work; docs/studies.md).
    bool overwrite = false;
    std::string device = "auto";  // auto | cpu | cuda, for training and evaluation
    std::string lpips_weights;    // LPIPS-alex weights; empty = LPIPS unavailable
    bool handle_sigint = true;
    bool quiet = false;  // no "[k/n] …" progress lines (train_run follows Progress's switch)
    // ≥ 0: each training stops (checkpointed) after this many steps in this call and the
    // study stops as after Ctrl-C (tests of resuming).
    std::int64_t stop_after = -1;
    // Simulated datasets made side by side (they depend on nothing): 0 = one per 4 hardware
    // threads (at most 8), 1 = one after the other.
    int parallel_datasets = 0;
    // Training runs made side by side, each in a process of its own (> 1): a GPU that one small
    // model leaves mostly idle between its kernels does several runs' work at once. A run waits
    // for the run it starts from ("init"). Datasets, views, evaluations and the report stay in
    // this process, one after the other, so inference is timed alone; training times of runs
    // made side by side are marked as such in the report. Each child's output goes to
    // OUT/runs/NAME/study.log; Ctrl-C is passed on, and every child saves its checkpoint.
    int jobs = 1;
    std::filesystem::path program;  // the radiofield executable for the children; empty = this
    // Make only this training run, as a child of `jobs` does: the datasets and views it needs
    // must exist; no other product, no report.
    std::string only_run;
    // Make only the runs whose names match one of these patterns (shell wildcards: *, ?, [...]),
    // with the runs they start from ("init"), in the patterns' order; empty = every run in the
    // file's order. Runs not selected are not trained, views no selected run reads are not
    // rendered, and the evaluations of those runs are left out; the report names them
    // (StudyResult::unselected_runs). A pattern that matches no run is refused before any work.
    std::vector<std::string> runs;
    // Report what is finished so far, as of an interrupted study (or one that ran out of
    // time): evaluate the runs whose training is complete, on data that exist, and write the
    // report of those evaluations, saying what is missing. Nothing is simulated, rendered or
    // trained (a run with nothing to learn is fitted); the evaluations made are those the
    // full study reuses.
    bool partial = false;
};

enum class Outcome { Made, Remade, Reused };
std::string_view to_string(Outcome outcome);  // "made", "remade", "reused"

struct Product {
    std::string kind;  // "dataset", "run", "eval", "report"
    std::string name;
    Outcome outcome = Outcome::Made;
    double seconds = 0;  // spent on it in this call
};

struct StudyResult {
    std::filesystem::path out;
    std::vector<Product> products;  // in the order they were handled
    std::filesystem::path report;   // report.html (empty when interrupted)
    bool interrupted = false;
    // With StudyOptions::partial: the runs not finished and the evaluations left out (their
    // run or one of their datasets is not there yet), by name.
    std::vector<std::string> missing_runs, missing_evaluations;
    // With StudyOptions::runs: the runs not selected and their evaluations, by name.
    std::vector<std::string> unselected_runs, unselected_evaluations;

    // The products of `kind` with `outcome`, by name (for tests and the closing line).
    std::vector<std::string> names(const std::string& kind, Outcome outcome) const;
};

// The default output folder of a study for a profile: out/studies/<name>/<profile>.
std::filesystem::path default_out(const Study& study);

// Checks everything that can be checked before any work (models and their configs, train
// settings, simulate settings, existing dataset files), then makes what is missing or stale.
StudyResult run_study(const Study& study, const StudyOptions& options);

// The GPU each training run side by side (--jobs) is given, by worker: `count` GPUs seen,
// spread round robin as CUDA_VISIBLE_DEVICES of the run's process. `visible` is the parent's
// CUDA_VISIBLE_DEVICES (null or empty: every GPU, named 0 … count−1); its entries are kept as
// written (indices or UUIDs). Empty when fewer than two GPUs: nothing to spread.
std::vector<std::string> gpus_for_runs(const char* visible, int count);

}  // namespace radiofield::study
