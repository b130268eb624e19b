// End to end: a tiny study on synthetic datasets with the knn and knn_dl models — the
// report's table holds the evaluations' numbers, a rerun reuses everything, a changed run
// remakes only itself and its evaluations, a subset keeps N training positions.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "../train/synthetic_data.hpp"
#include "../train/torch_temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/study/runner.hpp"
#include "radiofield/train/loop.hpp"
#include "radiofield/train/pretrained.hpp"

namespace radiofield::study {
namespace {

using nlohmann::json;

std::string read_text(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

nlohmann::ordered_json tiny_study(const test::TorchTempDir& dir) {
    test::SyntheticOptions a, b;
    a.count = 60, a.seed = 1;
    b.count = 50, b.seed = 2;
    test::write_synthetic(dir / "a.h5", a);
    test::write_synthetic(dir / "b.h5", b);
    nlohmann::ordered_json s = nlohmann::ordered_json::parse(R"({
      "name": "tiny",
      "title": "Tiny study",
      "description": "knn and knn_dl on synthetic spectra",
      "datasets": {
        "b_20": {"from": "b", "train_count": 20, "seed": 3}
      },
      "runs": {
        "knn": {"model": "knn", "data": ["a"], "model_config": {"k": 4}},
        "dl": {"model": "knn_dl", "data": ["a"],
               "model_config": {"k": 4, "channels": 4, "layers": 2, "batch": 4},
               "train": {"steps": {"quick": 3, "full": 50}, "checkpoint_every": 100}}
      },
      "evaluations": [
        {"label": "knn_b", "run": "knn", "data": ["b"], "aoa": true},
        {"label": "dl_b", "run": "dl", "data": ["b"]},
        {"label": "knn_b20", "run": "knn", "data": ["b_20"]}
      ],
      "report": [{"title": "Results", "text": "The table.", "items": [
        {"table": ["knn_b", "dl_b"]},
        {"spectra": ["knn_b", "dl_b"], "samples": 2},
        {"plot": "cdf", "aoa": ["knn_b"]}
      ]}]
    })");
    s["datasets"]["a"] = {{"path", (dir / "a.h5").string()}};
    s["datasets"]["b"] = {{"path", (dir / "b.h5").string()}};
    return s;
}

StudyResult run(const nlohmann::ordered_json& doc,
                const test::TorchTempDir& dir,
                std::int64_t stop_after = -1) {
    StudyOptions o;
    o.stop_after = stop_after;
    o.out = dir / "out";
    o.device = "cpu";
    o.handle_sigint = false;
    return run_study(parse_study(doc, dir / "tiny.json", "quick"), o);
}

using Names = std::vector<std::string>;

TEST(StudyRunner, ReportTableHoldsTheEvaluationsMeansAndRerunsReuseOrRemakeByTheirSpec) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["knn"].erase("model_config");  // the model's defaults (k = 8)
    const StudyResult first = run(doc, dir);
    ASSERT_FALSE(first.interrupted);
    EXPECT_EQ(first.names("run", Outcome::Made), (Names{"knn", "dl"}));
    EXPECT_EQ(first.names("eval", Outcome::Made), (Names{"knn_b", "dl_b", "knn_b20"}));
    EXPECT_EQ(first.report, dir / "out" / "report.html");

    // The table holds each evaluation's mean metrics as written in evals/LABEL.json.
    const std::string html = read_text(dir / "out" / "report.html");
    const std::string md = read_text(dir / "out" / "report.md");
    // The runs table's model config: what the study file sets, "defaults" where it sets none.
    EXPECT_NE(md.find("| knn | knn | defaults |"), std::string::npos) << md;
    EXPECT_NE(md.find(R"(| dl | knn_dl | {"batch":4,"channels":4,"k":4,"layers":2} |)"),
              std::string::npos)
        << md;
    for (const std::string label : {"knn_b", "dl_b"}) {
        const json ev = json::parse(read_text(dir / "out" / "evals" / (label + ".json")));
        EXPECT_EQ(ev["label"], label);
        for (const std::string metric : {"mse", "psnr", "ssim", "ssim_skimage"}) {
            const std::string v =
                fmt::format("{:.4f}", ev["summary"]["mean"][metric].get<double>());
            EXPECT_NE(html.find("<td class=\"num\">" + v + "</td>"), std::string::npos)
                << label << " " << metric << " " << v;
            EXPECT_NE(md.find("| " + v + " |"), std::string::npos) << label << " " << metric;
        }
        EXPECT_NE(html.find("<td>" + label + "</td>"), std::string::npos);
    }
    // AoA per sample, spectra figures and the CDF are there.
    const json knn_b = json::parse(read_text(dir / "out" / "evals" / "knn_b.json"));
    EXPECT_TRUE(knn_b["samples"][0].contains("aoa_error_deg"));
    EXPECT_TRUE(knn_b["summary"]["mean"].contains("aoa_error_deg"));
    EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("Tiny study"), std::string::npos);

    // A rerun makes nothing again.
    const StudyResult second = run(doc, dir);
    EXPECT_EQ(second.names("run", Outcome::Reused), (Names{"knn", "dl"}));
    EXPECT_EQ(second.names("eval", Outcome::Reused), (Names{"knn_b", "dl_b", "knn_b20"}));
    EXPECT_EQ(second.names("dataset", Outcome::Reused), (Names{"b_20"}));
    EXPECT_TRUE(second.names("run", Outcome::Remade).empty());

    // Changing one run's setting remakes that run and its evaluation only.
    doc["runs"]["dl"]["train"]["steps"] = 4;
    const StudyResult third = run(doc, dir);
    EXPECT_EQ(third.names("run", Outcome::Remade), (Names{"dl"}));
    EXPECT_EQ(third.names("run", Outcome::Reused), (Names{"knn"}));
    EXPECT_EQ(third.names("eval", Outcome::Remade), (Names{"dl_b"}));
    EXPECT_EQ(third.names("eval", Outcome::Reused), (Names{"knn_b", "knn_b20"}));
    const json config = json::parse(read_text(dir / "out" / "runs" / "dl" / "config.json"));
    EXPECT_EQ(config["train"]["steps"], 4);

    // Changing a dataset remakes it and what was evaluated on it, nothing else.
    doc["datasets"]["b_20"]["seed"] = 4;
    const StudyResult fourth = run(doc, dir);
    EXPECT_EQ(fourth.names("dataset", Outcome::Remade), (Names{"b_20"}));
    EXPECT_EQ(fourth.names("eval", Outcome::Remade), (Names{"knn_b20"}));
    EXPECT_EQ(fourth.names("eval", Outcome::Reused), (Names{"knn_b", "dl_b"}));
    EXPECT_EQ(fourth.names("run", Outcome::Reused), (Names{"knn", "dl"}));
}

// Fine-tuning: a run with "init" starts from an earlier run's weights. With no step of its
// own it scores exactly as that run; retraining the earlier run remakes it.
TEST(StudyRunner, ARunWithInitStartsFromTheWeightsOfAnEarlierRun) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["dl_ft"] = {{"model", "knn_dl"},
                            {"data", {"b_20"}},
                            {"init", "dl"},
                            {"model_config", doc["runs"]["dl"]["model_config"]},
                            {"train", {{"steps", 0}, {"checkpoint_every", 100}}}};
    doc["evaluations"].push_back({{"label", "dl_ft_b"}, {"run", "dl_ft"}, {"data", {"b"}}});
    const StudyResult first = run(doc, dir);
    ASSERT_FALSE(first.interrupted);
    EXPECT_EQ(first.names("run", Outcome::Made), (Names{"knn", "dl", "dl_ft"}));
    const auto mse = [&](const std::string& label) {
        return json::parse(
                   read_text(dir / "out" / "evals" / (label + ".json")))["summary"]["mean"]["mse"]
            .get<double>();
    };
    EXPECT_EQ(mse("dl_ft_b"), mse("dl_b"));
    doc["runs"]["dl"]["train"]["steps"] = 4;
    const StudyResult second = run(doc, dir);
    EXPECT_EQ(second.names("run", Outcome::Remade), (Names{"dl", "dl_ft"}));
    EXPECT_EQ(mse("dl_ft_b"), mse("dl_b"));
}

// The training steps a run's log holds, in order.
std::vector<std::int64_t> logged_steps(const std::filesystem::path& run) {
    std::ifstream log(run / "log.jsonl");
    std::vector<std::int64_t> steps;
    for (std::string line; std::getline(log, line);) {
        const json j = json::parse(line);
        if (j.contains("loss"))
            steps.push_back(j["step"].get<std::int64_t>());
    }
    return steps;
}

TEST(StudyRunner, AnInterruptedTrainingResumesFromItsCheckpointOnTheNextCall) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["dl"]["train"]["steps"] = 6;
    const StudyResult first = run(doc, dir, /*stop_after=*/2);
    EXPECT_TRUE(first.interrupted);
    EXPECT_TRUE(first.report.empty());
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "evals" / "dl_b.json"));
    const json side = json::parse(read_text(dir / "out" / "runs" / "dl" / "study.spec.json"));
    EXPECT_FALSE(side["complete"].get<bool>());

    const StudyResult second = run(doc, dir);
    ASSERT_FALSE(second.interrupted);
    EXPECT_EQ(second.names("run", Outcome::Made), (Names{"dl"}));  // finished in this call
    EXPECT_EQ(second.names("run", Outcome::Reused), (Names{"knn"}));
    // The log holds steps 1..6 once each: steps 3..6 were appended to the first call's 1..2.
    EXPECT_EQ(logged_steps(dir / "out" / "runs" / "dl"),
              (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_TRUE(json::parse(read_text(dir / "out" / "runs" / "dl" / "study.spec.json"))["complete"]
                    .get<bool>());
}

StudyResult run_partial(const nlohmann::ordered_json& doc, const test::TorchTempDir& dir) {
    StudyOptions o;
    o.out = dir / "out";
    o.device = "cpu";
    o.handle_sigint = false;
    o.quiet = true;
    o.partial = true;
    return run_study(parse_study(doc, dir / "tiny.json", "quick"), o);
}

TEST(StudyRunner, APartialReportEvaluatesTheFinishedRunsAndTheFullStudyReusesItsEvaluations) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["dl"]["train"]["steps"] = 6;
    ASSERT_TRUE(run(doc, dir, /*stop_after=*/2).interrupted);  // knn fitted, dl at step 2 of 6
    // As if the study had been stopped before this subset was written.
    std::filesystem::remove(dir / "out" / "datasets" / "b_20.h5");

    const StudyResult partial = run_partial(doc, dir);
    ASSERT_FALSE(partial.interrupted);
    EXPECT_EQ(partial.names("eval", Outcome::Made), (Names{"knn_b"}));
    EXPECT_TRUE(partial.names("dataset", Outcome::Made).empty());
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "datasets" / "b_20.h5"));
    EXPECT_EQ(partial.missing_runs, (Names{"dl"}));
    EXPECT_EQ(partial.missing_evaluations, (Names{"dl_b", "knn_b20"}));
    EXPECT_TRUE(partial.names("run", Outcome::Made).empty());
    EXPECT_EQ(logged_steps(dir / "out" / "runs" / "dl"), (std::vector<std::int64_t>{1, 2}))
        << "--partial trained";
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "evals" / "dl_b.json"));
    ASSERT_EQ(partial.report, dir / "out" / "report.html");
    const std::string md = read_text(dir / "out" / "report.md");
    EXPECT_NE(md.find("Partial report"), std::string::npos) << md;
    EXPECT_NE(md.find("Runs not finished (1 of 2): dl."), std::string::npos) << md;
    EXPECT_NE(md.find("| dl | knn_dl |"), std::string::npos) << md;
    EXPECT_NE(md.find("not finished yet"), std::string::npos) << md;
    EXPECT_NE(md.find("| b_20 | not made yet |"), std::string::npos) << md;
    // The table holds the finished evaluation with its number, and no row for the other.
    const json knn_b = json::parse(read_text(dir / "out" / "evals" / "knn_b.json"));
    const std::string psnr = fmt::format("{:.4f}", knn_b["summary"]["mean"]["psnr"].get<double>());
    EXPECT_NE(md.find("| knn_b | knn |"), std::string::npos) << md;
    EXPECT_NE(md.find(psnr), std::string::npos) << md;
    EXPECT_EQ(md.find("| dl_b |"), std::string::npos) << md;

    const StudyResult full = run(doc, dir);
    ASSERT_FALSE(full.interrupted);
    EXPECT_EQ(full.names("dataset", Outcome::Made), (Names{"b_20"}));
    EXPECT_EQ(full.names("eval", Outcome::Reused), (Names{"knn_b"}));
    EXPECT_EQ(full.names("eval", Outcome::Made), (Names{"dl_b", "knn_b20"}));
    EXPECT_EQ(logged_steps(dir / "out" / "runs" / "dl"),
              (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    const std::string done = read_text(dir / "out" / "report.md");
    EXPECT_EQ(done.find("Partial report"), std::string::npos);
    EXPECT_NE(done.find("| dl_b |"), std::string::npos) << done;
}

TEST(StudyRunner, APartialReportOfAFolderTheStudyNeverWroteIsRefusedAndMakesNothing) {
    test::TorchTempDir dir;
    const nlohmann::ordered_json doc = tiny_study(dir);
    try {
        run_partial(doc, dir);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("holds no products of study 'tiny'"), std::string::npos) << what;
        EXPECT_NE(what.find("run the study first"), std::string::npos) << what;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

// The tiny study with two more training runs (one starting from another), written where the
// children of --jobs read it.
nlohmann::ordered_json tiny_study_for_jobs(const test::TorchTempDir& dir) {
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["dl2"] = doc["runs"]["dl"];
    doc["runs"]["dl2"]["train"]["seed"] = 7;
    doc["runs"]["dl_ft"] = {{"model", "knn_dl"},
                            {"data", {"b_20"}},
                            {"init", "dl"},
                            {"model_config", doc["runs"]["dl"]["model_config"]},
                            {"train", {{"steps", 2}, {"checkpoint_every", 100}}}};
    doc["evaluations"].push_back({{"label", "dl2_b"}, {"run", "dl2"}, {"data", {"b"}}});
    doc["evaluations"].push_back({{"label", "dl_ft_b"}, {"run", "dl_ft"}, {"data", {"b"}}});
    return doc;
}

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p);
    f << text;
}

// `radiofield study OUT --jobs JOBS [--runs RUNS]` on the CPU, in the test's own process.
StudyResult run_jobs(const Study& study,
                     const std::filesystem::path& out,
                     int jobs,
                     std::vector<std::string> runs = {}) {
    StudyOptions o;
    o.out = out;
    o.device = "cpu";
    o.handle_sigint = false;
    o.quiet = true;
    o.jobs = jobs;
    o.program = RADIOFIELD_BIN;
    o.runs = std::move(runs);
    return run_study(study, o);
}

TEST(StudyRunner, RunsTrainedSideBySideInChildProcessesScoreAsRunsTrainedInTurn) {
    test::TorchTempDir dir;
    const std::filesystem::path file = dir / "tiny.json";
    write_text(file, tiny_study_for_jobs(dir).dump(2));
    const StudyResult turn = run_jobs(load_study(file, "quick"), dir / "turn", 1);
    const StudyResult side = run_jobs(load_study(file, "quick"), dir / "side", 2);
    ASSERT_FALSE(side.interrupted);
    // knn has nothing to train (made here, first); the three training runs by children.
    EXPECT_EQ(side.names("run", Outcome::Made), (Names{"knn", "dl", "dl2", "dl_ft"}));
    const auto read = [&](const std::filesystem::path& p) { return json::parse(read_text(p)); };
    for (const std::string run : {"dl", "dl2", "dl_ft"}) {
        const auto folder = dir / "side" / "runs" / run;
        EXPECT_EQ(read(folder / "study.spec.json")["side_by_side"], 2) << run;
        EXPECT_TRUE(read(folder / "study.spec.json")["complete"].get<bool>()) << run;
        EXPECT_NE(read_text(folder / "study.log").find("done in"), std::string::npos) << run;
        EXPECT_EQ(read(dir / "turn" / "runs" / run / "study.spec.json")["side_by_side"], 1);
    }
    // The same training made in turn and side by side: the same scores (the children have one
    // thread each, so sums may be ordered differently).
    for (const std::string label : {"knn_b", "dl_b", "dl2_b", "dl_ft_b"}) {
        const double a = read(dir / "turn" / "evals" / (label + ".json"))["summary"]["mean"]["mse"];
        const double b = read(dir / "side" / "evals" / (label + ".json"))["summary"]["mean"]["mse"];
        EXPECT_NEAR(a, b, 1e-4 * a) << label;
    }
    // dl_ft started from dl's finished weights, not from a fresh network or a partial dl.
    const json ft = read(dir / "side" / "runs" / "dl_ft" / "study.spec.json");
    EXPECT_EQ(ft["spec"]["init"], read(dir / "side" / "runs" / "dl" / "study.spec.json")["spec"]);
    EXPECT_NE(read(dir / "side" / "evals" / "dl_ft_b.json")["summary"]["mean"]["mse"],
              read(dir / "side" / "evals" / "dl2_b.json")["summary"]["mean"]["mse"]);
    // The report marks the training times of runs that shared the device.
    EXPECT_NE(read_text(dir / "side" / "report.md").find("side by side"), std::string::npos);
    EXPECT_EQ(read_text(dir / "turn" / "report.md").find("side by side"), std::string::npos);

    // A rerun starts no child: everything is reused.
    const StudyResult again = run_jobs(load_study(file, "quick"), dir / "side", 2);
    EXPECT_EQ(again.names("run", Outcome::Reused), (Names{"knn", "dl", "dl2", "dl_ft"}));
}

// --runs: the runs that match (with the run they start from) are made, the others and their
// evaluations left out and named; a later call without it reuses them and makes the rest.
TEST(StudyRunner, RunsSelectedByPatternAreMadeWithTheRunsTheyStartFromAndTheRestLeftOut) {
    test::TorchTempDir dir;
    const std::filesystem::path file = dir / "tiny.json";
    write_text(file, tiny_study_for_jobs(dir).dump(2));
    const Study study = load_study(file, "quick");
    try {
        run_jobs(study, dir / "out", 2, {"dl_f?", "no_such_*"});
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("--runs 'no_such_*' matches no run"), std::string::npos) << m;
        EXPECT_NE(m.find("dl_ft"), std::string::npos) << m;  // the runs there are
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << "refused after some work";

    const StudyResult some = run_jobs(study, dir / "out", 2, {"dl_f?", "kn*"});
    ASSERT_FALSE(some.interrupted);
    // knn has nothing to train (made first, here); dl because dl_ft starts from it.
    EXPECT_EQ(some.names("run", Outcome::Made), (Names{"knn", "dl", "dl_ft"}));
    EXPECT_EQ(some.names("eval", Outcome::Made), (Names{"knn_b", "dl_b", "knn_b20", "dl_ft_b"}));
    EXPECT_EQ(some.unselected_runs, (Names{"dl2"}));
    EXPECT_EQ(some.unselected_evaluations, (Names{"dl2_b"}));
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "runs" / "dl2"));
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "evals" / "dl2_b.json"));
    const auto read = [&](const std::filesystem::path& p) { return json::parse(read_text(p)); };
    EXPECT_EQ(read(dir / "out" / "runs" / "dl_ft" / "study.spec.json")["spec"]["init"],
              read(dir / "out" / "runs" / "dl" / "study.spec.json")["spec"]);
    const std::string md = read_text(dir / "out" / "report.md");
    EXPECT_NE(md.find("Runs selected with --runs dl_f?,kn*: 3 of 4"), std::string::npos) << md;
    EXPECT_NE(md.find("Not selected: dl2; their evaluations are left out (1): dl2_b."),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("not selected (--runs)"), std::string::npos) << md;
    EXPECT_EQ(md.find("Partial report"), std::string::npos) << md;
    EXPECT_NE(md.find("| dl_b |"), std::string::npos) << md;

    const StudyResult rest = run_jobs(study, dir / "out", 1);
    ASSERT_FALSE(rest.interrupted);
    EXPECT_EQ(rest.names("run", Outcome::Made), (Names{"dl2"}));
    EXPECT_EQ(rest.names("run", Outcome::Reused), (Names{"knn", "dl", "dl_ft"}));
    EXPECT_EQ(rest.names("eval", Outcome::Made), (Names{"dl2_b"}));
    EXPECT_TRUE(rest.unselected_runs.empty());
    const std::string done = read_text(dir / "out" / "report.md");
    EXPECT_EQ(done.find("not selected"), std::string::npos) << done;
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "evals" / "dl2_b.json"));
}

TEST(StudyRunner, ARunThatFailsInItsChildProcessIsNamedWithTheEndOfItsLog) {
    test::TorchTempDir dir;
    const std::filesystem::path file = dir / "tiny.json";
    const nlohmann::ordered_json doc = tiny_study_for_jobs(dir);
    // The children read the file as it is on disk: there, dl2's network cannot be made.
    nlohmann::ordered_json broken = doc;
    broken["runs"]["dl2"]["model_config"]["channels"] = -3;
    write_text(file, broken.dump(2));
    try {
        run_jobs(parse_study(doc, file, "quick"), dir / "out", 2);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("run 'dl2' failed in its own process"), std::string::npos) << m;
        EXPECT_NE(m.find("study.log"), std::string::npos) << m;
        EXPECT_NE(m.find("channels"), std::string::npos) << m;  // the child's own message
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.html"));
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "runs" / "dl2" / "checkpoint.pt"));
}

TEST(StudyRunner, AnEvaluationOnDataTheModelCannotReadFailsBeforeAnyTraining) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    test::SyntheticOptions other;
    other.count = 30, other.n_el = 4;  // another spectrum grid: knn_dl needs the same
    test::write_synthetic(dir / "c.h5", other);
    doc["datasets"]["c"] = {{"path", (dir / "c.h5").string()}};
    doc["evaluations"].push_back({{"label", "dl_c"}, {"run", "dl"}, {"data", {"c"}}});
    try {
        run(doc, dir);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("spectrum grid"), std::string::npos) << m;
        EXPECT_NE(m.find("dl_c"), std::string::npos) << m;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "runs" / "dl" / "checkpoint.pt"));
}

// A run that starts from the weights of another model's run (Model::starts_from) is refused
// before any work, naming both.
TEST(StudyRunner, ARunThatCannotStartFromItsInitRunsWeightsFailsBeforeAnyTraining) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"]["dl2"] = doc["runs"]["dl"];
    doc["runs"]["dl2"]["init"] = "knn";
    try {
        run(doc, dir);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("runs.dl2: \"init\" names 'knn', a run of model 'knn'; a 'knn_dl' run "
                         "cannot start from its weights"),
                  std::string::npos)
            << m;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "runs"));
}

TEST(StudyRunner, SubsetKeepsNTrainingPositionsAndEveryTestPosition) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = tiny_study(dir);
    doc["runs"] = json::object();
    doc["evaluations"] = json::array();
    doc["report"] = json::array();
    const StudyResult r = run(doc, dir);
    EXPECT_EQ(r.names("dataset", Outcome::Made), (Names{"b_20"}));
    const data::Dataset whole = data::read_dataset(dir / "b.h5");
    const data::Dataset sub = data::read_dataset(dir / "out" / "datasets" / "b_20.h5");
    ASSERT_EQ(sub.split.train.size(), 20u);
    EXPECT_EQ(sub.split.test, whole.split.test);
    EXPECT_EQ(sub.split.val, whole.split.val);
    for (auto i : sub.split.train)  // drawn from the original training split
        EXPECT_TRUE(std::binary_search(whole.split.train.begin(), whole.split.train.end(), i));
    for (auto i : sub.split.test) {
        EXPECT_EQ(sub.positions[i].x, whole.positions[i].x);
        EXPECT_EQ(sub.positions[i].y, whole.positions[i].y);
    }
    // Another seed draws other positions; too many is an Error naming the dataset.
    doc["datasets"]["b_20"]["train_count"] = 1000;
    try {
        run(doc, dir);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("b_20"), std::string::npos) << e.what();
    }
}

// A user's NeRF2-format survey and a shipped model, as a study uses them: a dataset exported
// to a NeRF2 folder and read back scores as the original does (8-bit PNGs, azimuth origin
// 1° turned back onto the model's 0°), and a shipped model run scores as the run it was
// packed from, verified, never trained, reused on a rerun.
TEST(StudyRunner, ADatasetThroughANerf2FolderAndAShippedModelScoreAsTheirOriginals) {
    test::TorchTempDir dir;
    test::SyntheticOptions a{.count = 40, .n_el = 90, .n_az = 360, .seed = 1};
    a.convention = "nerf2";
    test::SyntheticOptions b = a;
    b.seed = 2;
    for (const auto& [name, o] : {std::pair{"a.h5", a}, std::pair{"b.h5", b}}) {
        data::Dataset d = test::synthetic_dataset(o);
        d.grid.el0_deg = 1;  // NeRF2's grid: elevation 1..90°
        // NeRF2 has no validation part (exported val samples join the training ones): none
        // here, so both sides condition on the same measured positions.
        d.split = {};
        for (std::int64_t i = 0; i < 40; ++i)
            (i < 32 ? d.split.train : d.split.test).push_back(i);
        data::write_dataset(d, dir / name, true);
    }
    train::RunConfig rc;
    rc.model = "knn";
    rc.model_config = {{"k", 4}};
    rc.data = {(dir / "a.h5").string()};
    train::train_run(rc, dir / "knn_run", {.handle_sigint = false, .final_eval = false});
    train::pack_pretrained(dir / "knn_run", dir / "shipped" / "tiny-knn",
                           {.name = "tiny-knn",
                            .description = "KNN for a test",
                            .produced_by = {{"study", "tests"}, {"commit", "0123456789abcdef"}}});
    setenv("RADIOFIELD_PRETRAINED", (dir / "shipped").c_str(), 1);
    struct Unset {
        ~Unset() { unsetenv("RADIOFIELD_PRETRAINED"); }
    } unset;

    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(R"({
      "name": "tiny", "title": "Tiny study", "description": "NeRF2 folders and shipped models",
      "datasets": {"b_nerf2": {"from": "b", "via": "nerf2"}},
      "runs": {
        "knn": {"model": "knn", "data": ["a"], "model_config": {"k": 4}},
        "shipped": {"pretrained": "tiny-knn"}
      },
      "evaluations": [
        {"label": "knn_b", "run": "knn", "data": ["b"]},
        {"label": "knn_b_nerf2", "run": "knn", "data": ["b_nerf2"]},
        {"label": "shipped_b", "run": "shipped", "data": ["b"]}
      ],
      "report": [{"title": "Results", "items": [{"table": ["knn_b", "knn_b_nerf2", "shipped_b"]}]}]
    })");
    doc["datasets"]["a"] = {{"path", (dir / "a.h5").string()}};
    doc["datasets"]["b"] = {{"path", (dir / "b.h5").string()}};
    const StudyResult first = run(doc, dir);
    EXPECT_EQ(first.names("dataset", Outcome::Made), (Names{"b_nerf2"}));
    EXPECT_EQ(first.names("run", Outcome::Made), (Names{"knn", "shipped"}));
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "datasets" / "b_nerf2.nerf2" / "tx_pos.csv"));
    const data::Dataset imported = data::read_dataset(dir / "out" / "datasets" / "b_nerf2.h5");
    EXPECT_EQ(imported.grid.az0_deg, 1.0);  // NeRF2's loader's grid
    EXPECT_EQ(imported.size(), 40u);

    const auto mean = [&](const std::string& label, const char* metric) {
        const json ev = json::parse(read_text(dir / "out" / "evals" / (label + ".json")));
        return ev["summary"]["mean"][metric].get<double>();
    };
    EXPECT_DOUBLE_EQ(mean("shipped_b", "mse"), mean("knn_b", "mse"));
    EXPECT_NEAR(mean("knn_b_nerf2", "psnr"), mean("knn_b", "psnr"), 0.3);
    EXPECT_NEAR(mean("knn_b_nerf2", "ssim"), mean("knn_b", "ssim"), 0.01);
    const std::string md = read_text(dir / "out" / "report.md");
    EXPECT_NE(md.find("shipped model tiny-knn (tests, commit 0123456789)"), std::string::npos)
        << md;

    const StudyResult second = run(doc, dir);
    EXPECT_EQ(second.names("run", Outcome::Reused), (Names{"knn", "shipped"}));
    EXPECT_EQ(second.names("dataset", Outcome::Reused), (Names{"b_nerf2"}));

    // An unknown shipped model is an Error naming it, before any work.
    doc["runs"]["shipped"]["pretrained"] = "tiny-nope";
    try {
        run(doc, dir);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("tiny-nope"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace radiofield::study

namespace radiofield::study {
namespace {

// Simulated datasets made side by side are the datasets made one after the other.
TEST(StudyRunner, SimulatedDatasetsMadeSideBySideEqualThoseMadeInTurn) {
    test::TorchTempDir dir;
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(R"({
      "name": "sims", "title": "Simulated", "description": "three small rooms",
      "datasets": {
        "room_${s}": {"for": {"s": [1, 2, 3]}, "scene": "meeting_room:${s}", "frequency": "915MHz",
                      "count": 12, "samples": 3000, "seed": 0}
      }
    })");
    std::vector<data::Dataset> made[2];
    for (int parallel : {1, 3}) {
        StudyOptions o;
        o.out = dir / fmt::format("out{}", parallel);
        o.device = "cpu";
        o.handle_sigint = false;
        o.quiet = true;
        o.parallel_datasets = parallel;
        const StudyResult r = run_study(parse_study(doc, dir / "sims.json", "quick"), o);
        auto names = r.names("dataset", Outcome::Made);
        std::sort(names.begin(), names.end());
        EXPECT_EQ(names, (std::vector<std::string>{"room_1", "room_2", "room_3"}));
        for (const std::string name : {"room_1", "room_2", "room_3"})
            made[parallel == 1 ? 0 : 1].push_back(
                data::read_dataset(o.out / "datasets" / (name + ".h5")));
        // A rerun reuses all three.
        EXPECT_EQ(run_study(parse_study(doc, dir / "sims.json", "quick"), o)
                      .names("dataset", Outcome::Reused)
                      .size(),
                  3u);
    }
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(made[0][i].spectra, made[1][i].spectra) << "room " << i + 1;
        EXPECT_EQ(made[0][i].size(), 12u);
    }
}

}  // namespace
}  // namespace radiofield::study

namespace radiofield::study {
namespace {

// Camera images as a study product: rendered once into views/NAME/, given to the runs that
// name them as the model's "views", reused on a rerun, remade with the runs when they change.
TEST(StudyRunner, ViewsAreRenderedOnceAndGivenToTheRunsThatNameThem) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(R"({
      "name": "views", "title": "Views", "description": "RF-3DGS+ on a tiny lobby",
      "datasets": {"lobby": {"scene": "lobby", "moving": "rx", "z_range": [1.0, 1.6],
                             "max_depth": 1, "count": 16, "samples": 4000, "seed": 0}},
      "views": {"pictures": {"scene": "lobby", "count": 4, "size": "32x24", "points": 500}},
      "runs": {"gs": {"model": "rf3dgs_plus", "data": ["lobby"], "views": "pictures",
                      "model_config": {"geometry_steps": 3, "random_points": 200,
                                       "max_seed_points": 200},
                      "train": {"steps": 2}},
               "rf": {"model": "rf3dgs", "data": ["lobby"], "init": "gs",
                      "model_config": {"geometry_steps": 0}, "train": {"steps": 2}}}
    })");
    StudyOptions o;
    o.out = dir / "out";
    o.device = "cpu";
    o.handle_sigint = false;
    testing::internal::CaptureStderr();
    const StudyResult first = run_study(parse_study(doc, dir / "views.json", "quick"), o);
    const std::string progress = testing::internal::GetCapturedStderr();
    o.quiet = true;
    EXPECT_EQ(first.names("views", Outcome::Made), (Names{"pictures"}));
    // The step line gives the steps of all its phases: 3 geometry + 2 radiance.
    EXPECT_NE(progress.find("train gs (rf3dgs_plus, 5 steps, data lobby)"), std::string::npos)
        << progress;
    EXPECT_EQ(first.names("run", Outcome::Made), (Names{"gs", "rf"}));
    // RF-3DGS starts from RF-3DGS+'s Gaussians (the variants share stage 1) and keeps them
    // frozen through its radiance steps.
    {
        auto gs = train::load_run(dir / "out" / "runs" / "gs", torch::kCPU);
        auto rf = train::load_run(dir / "out" / "runs" / "rf", torch::kCPU);
        auto& g = dynamic_cast<models::Rf3dgsModel&>(*gs.model).field().geometry;
        auto& f = dynamic_cast<models::Rf3dgsModel&>(*rf.model).field().geometry;
        ASSERT_GT(g.size(), 0);
        EXPECT_TRUE(torch::equal(f.means, g.means));
        EXPECT_TRUE(torch::equal(f.opacity_logits, g.opacity_logits));
    }
    const auto folder = dir / "out" / "views" / "pictures";
    EXPECT_TRUE(std::filesystem::exists(folder / "images" / "0003.png"));
    EXPECT_TRUE(std::filesystem::exists(folder / "sparse" / "0" / "images.txt"));
    const json config = json::parse(read_text(dir / "out" / "runs" / "gs" / "config.json"));
    EXPECT_EQ(config["model_config"]["views"], folder.string());
    // The report gives the steps the run trains over its phases (3 geometry + 2 radiance, not
    // train.steps alone) and the model settings the study file gives, not all of them.
    const std::string md = read_text(dir / "out" / "report.md");
    EXPECT_NE(md.find("| 5 steps, lr"), std::string::npos) << md;
    EXPECT_NE(md.find(R"({"geometry_steps":3,"max_seed_points":200,"random_points":200})"),
              std::string::npos)
        << md;
    EXPECT_EQ(md.find("means_lr"), std::string::npos) << md;

    const StudyResult second = run_study(parse_study(doc, dir / "views.json", "quick"), o);
    EXPECT_EQ(second.names("views", Outcome::Reused), (Names{"pictures"}));
    EXPECT_EQ(second.names("run", Outcome::Reused), (Names{"gs", "rf"}));

    doc["views"]["pictures"]["count"] = 5;
    const StudyResult third = run_study(parse_study(doc, dir / "views.json", "quick"), o);
    EXPECT_EQ(third.names("views", Outcome::Remade), (Names{"pictures"}));
    EXPECT_EQ(third.names("run", Outcome::Remade), (Names{"gs", "rf"}));

    // A run naming views that are not there is an Error naming them.
    doc["runs"]["gs"]["views"] = "photos";
    try {
        parse_study(doc, dir / "views.json", "quick");
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("photos"), std::string::npos) << e.what();
    }
}

// Pictures over the scene's top view: the trained Gaussians of an RF-3DGS+ run and the true
// and predicted paths of a path-set model, drawn by their evaluations and embedded in the
// report; a picture asked of a model that has none is refused before any work.
TEST(StudyRunner, PicturesDrawTheGaussiansAndThePathsOverTheScene) {
    test::TorchTempDir dir;
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(R"({
      "name": "pictures", "title": "Pictures", "description": "pictures over the scene",
      "datasets": {
        "lobby": {"scene": "lobby", "moving": "rx", "z_range": [1.0, 1.6], "max_depth": 1,
                  "count": 16, "samples": 4000, "seed": 0},
        "room": {"scene": "meeting_room_v1", "kind": "cir", "moving": "rx",
                 "station": [3.5, 2.5, 2.6], "max_depth": 1, "count": 20, "samples": 4000,
                 "seed": 1}
      },
      "runs": {
        "gs": {"model": "rf3dgs_plus", "data": ["lobby"],
               "model_config": {"geometry_steps": 0, "random_points": 300},
               "train": {"steps": 2}},
        "nn": {"model": "knn_paths", "data": ["room"]}
      },
      "evaluations": [
        {"label": "gs_lobby", "run": "gs", "data": ["lobby"], "picture": true},
        {"label": "nn_room", "run": "nn", "data": ["room"], "picture": true}
      ],
      "report": [{"title": "Pictures", "items": [{"picture": ["gs_lobby", "nn_room"]}]}]
    })");
    StudyOptions o;
    o.out = dir / "out";
    o.device = "cpu";
    o.handle_sigint = false;
    o.quiet = true;
    run_study(parse_study(doc, dir / "pictures.json", "quick"), o);
    for (const char* label : {"gs_lobby", "nn_room"}) {
        const auto png = dir / "out" / "evals" / (std::string(label) + ".picture.png");
        ASSERT_TRUE(std::filesystem::exists(png)) << png;
        EXPECT_GT(std::filesystem::file_size(png), 5000u);
        const json eval =
            json::parse(read_text(dir / "out" / "evals" / (std::string(label) + ".json")));
        EXPECT_EQ(eval["picture"], std::string(label) + ".picture.png");
    }
    const std::string html = read_text(dir / "out" / "report.html");
    EXPECT_NE(html.find("<img alt=\"gs_lobby\" src=\"data:image/png;base64,"), std::string::npos);
    EXPECT_NE(html.find("<img alt=\"nn_room\" src=\"data:image/png;base64,"), std::string::npos);

    // A picture of a model that draws none, and a picture item naming an evaluation that
    // makes none, are refused.
    doc["runs"]["k"] = {{"model", "knn"}, {"data", {"lobby"}}};
    doc["evaluations"].push_back(
        {{"label", "k_lobby"}, {"run", "k"}, {"data", {"lobby"}}, {"picture", true}});
    o.out = dir / "out2";
    try {
        run_study(parse_study(doc, dir / "pictures.json", "quick"), o);
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("k_lobby"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("picture"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out2" / "datasets"));
    doc["evaluations"][2]["picture"] = false;
    doc["report"][0]["items"][0]["picture"].push_back("k_lobby");
    try {
        parse_study(doc, dir / "pictures.json", "quick");
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("makes no picture"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace radiofield::study

// Training runs side by side on a machine of several GPUs: each worker's runs on one of them.
TEST(GpusForRuns, SpreadsOverTheGpusThatTheParentSees) {
    using radiofield::study::gpus_for_runs;
    EXPECT_TRUE(gpus_for_runs(nullptr, 0).empty());
    EXPECT_TRUE(gpus_for_runs(nullptr, 1).empty());  // one GPU: nothing to set
    EXPECT_EQ(gpus_for_runs(nullptr, 2), (std::vector<std::string>{"0", "1"}));
    EXPECT_EQ(gpus_for_runs("", 3), (std::vector<std::string>{"0", "1", "2"}));
    // The parent's own selection, as written, not renumbered.
    EXPECT_EQ(gpus_for_runs("4,6", 2), (std::vector<std::string>{"4", "6"}));
    EXPECT_EQ(gpus_for_runs("GPU-a1,GPU-b2", 2), (std::vector<std::string>{"GPU-a1", "GPU-b2"}));
    EXPECT_TRUE(gpus_for_runs("5", 1).empty());
}
