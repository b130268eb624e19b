// The learning commands end to end through the real program: a path-set model trained and
// evaluated on a small CIR dataset with the path metrics in its report, evaluation on a
// dataset the model never saw, and datasets a model cannot use refused before any work.
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

// simulate options for a run of a second or two.
std::vector<std::string> quick_simulate(const std::string& scene,
                                        const std::string& out,
                                        std::vector<std::string> more = {},
                                        const std::string& count = "40") {
    std::vector<std::string> args = {"-q",      "simulate", "--scene",   scene,  "--out",  out,
                                     "--count", count,      "--samples", "2000", "--grid", "9x36"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(CliTest, PathSetModelTrainsAndEvaluatesEndToEndWithThePathMetricsInItsReport) {
    ASSERT_EQ(
        run(quick_simulate("rosslyn_like", "city.h5", {"--kind", "cir", "--moving", "rx"}, "60"))
            .exit_code,
        0);
    const auto trained = run({"-q", "--device", "cpu", "train", "--model", "knn_paths", "--data",
                              "city.h5", "--out", "run", "--steps", "20"});
    ASSERT_EQ(trained.exit_code, 0) << trained.output();
    EXPECT_NE(trained.out.find("overall_db"), std::string::npos) << trained.out;
    const auto metrics = read_json(path("run/metrics.json"));
    EXPECT_EQ(metrics["summary"]["kind"], "path set");
    for (const char* m : {"overall_db", "rcm_db", "avg_delay_ns", "found"}) {
        EXPECT_TRUE(metrics["summary"]["mean"].contains(m)) << m;
    }
    EXPECT_TRUE(metrics["summary"]["pooled"].contains("overall_db"));

    expect_success({"-q", "--device", "cpu", "eval", "--run", "run", "--data", "city.h5",
                    "--report", "paths.html", "--out", "eval.json"},
                   {"eval.json", "paths.html", "paths_best.svg", "paths_median.svg",
                    "paths_worst.svg", "paths_histogram.svg"});
    const std::string html = read_text(path("paths.html"));
    for (const char* m : {"overall_db", "rcm_db", "avg_delay_ns", "Pooled", "<svg"}) {
        EXPECT_NE(html.find(m), std::string::npos) << m;
    }
    const auto pos = read_json(path("eval.json"))["summary"]["count"].get<int>();
    EXPECT_GT(pos, 0);
    // A street point between building_1 and building_4 (10,5,1.5 lies inside building_1, whose
    // inside simulate no longer samples).
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "city.h5", "--at",
                    "72.5,40,1.5", "--out", "paths.json"},
                   {"paths.json"});
    // The nearest measured link's paths (a random position may have none: then an empty list).
    const auto predicted = read_json(path("paths.json"))["paths"];
    ASSERT_TRUE(predicted.is_array());
    for (const auto& p : predicted) {
        for (const char* key : {"a_re", "a_im", "tau_s", "theta_r", "phi_r", "depth"})
            EXPECT_TRUE(p.contains(key)) << key;
    }
}

TEST_F(CliTest, EvalOnADatasetTheModelNeverSawConditionsOnItsTrainingSplit) {
    ASSERT_EQ(run(quick_simulate("meeting_room_v1", "seen.h5")).exit_code, 0);
    ASSERT_EQ(run(quick_simulate("meeting_room_v3", "unseen.h5", {"--seed", "4"})).exit_code, 0);
    ASSERT_EQ(run({"-q", "--device", "cpu", "train", "--model", "knn", "--data", "seen.h5", "--out",
                   "run"})
                  .exit_code,
              0);
    const auto r = expect_success({"-q", "--device", "cpu", "eval", "--run", "run", "--data",
                                   "unseen.h5", "--out", "unseen.json"},
                                  {"unseen.json"});
    const auto summary = read_json(path("unseen.json"))["summary"];
    EXPECT_EQ(summary["datasets"][0], "unseen.h5");
    EXPECT_EQ(summary["count"], 4);  // its test split
    EXPECT_TRUE(summary["mean"]["psnr"].is_number());
}

// Settings are chosen on the validation split: --final-eval val scores that split alone at
// the end (the test split is never read), none writes no metrics.json.
TEST_F(CliTest, TrainScoresTheSplitItIsToldToAtTheEnd) {
    ASSERT_EQ(run(quick_simulate("meeting_room_v1", "mr.h5", {"--split", "0.6,0.3,0.1"})).exit_code,
              0);
    const auto train = [&](const std::string& out, const std::string& final_eval) {
        const auto r = run({"-q", "--device", "cpu", "train", "--model", "knn", "--data", "mr.h5",
                            "--out", out, "--final-eval", final_eval});
        EXPECT_EQ(r.exit_code, 0) << r.output();
    };
    train("test", "test");
    train("val", "val");
    train("none", "none");
    const auto test = read_json(path("test/metrics.json"))["summary"];
    const auto val = read_json(path("val/metrics.json"))["summary"];
    EXPECT_EQ(test["split"], "test");
    EXPECT_EQ(test["count"], 4);
    EXPECT_EQ(val["split"], "val");
    EXPECT_EQ(val["count"], 12);
    EXPECT_FALSE(std::filesystem::exists(path("none/metrics.json")));
    EXPECT_TRUE(std::filesystem::exists(path("none/checkpoint.pt")));
    expect_clean_failure(
        {"train", "--model", "knn", "--data", "mr.h5", "--out", "bad", "--final-eval", "train"},
        {"--final-eval"});
}

TEST_F(CliTest, TrainingOnDatasetsOfAnotherKindIsRefusedBeforeAnyWork) {
    ASSERT_EQ(run(quick_simulate("meeting_room_v1", "spectra.h5")).exit_code, 0);
    ASSERT_EQ(run(quick_simulate("rosslyn_like", "cir.h5", {"--kind", "cir", "--moving", "rx"}))
                  .exit_code,
              0);
    expect_clean_failure({"train", "--model", "knn_paths", "--data", "spectra.h5", "--out", "run"},
                         {"spectra.h5", "needs propagation paths", "--kind cir"});
    expect_clean_failure({"train", "--model", "knn_dl", "--data", "cir.h5", "--out", "run"},
                         {"cir.h5", "needs spectra", "--kind spectrum"});
}

// Regression (learning-core issue, 2): NeRF2 on datasets of two stations trained without a
// word, casting the second one's rays from the first one's station.
TEST_F(CliTest, DatasetsThatDisagreeOnWhatTheModelNeedsAreRefusedNamingBothFilesAndTheField) {
    ASSERT_EQ(run(quick_simulate("meeting_room_v1", "a.h5")).exit_code, 0);
    ASSERT_EQ(
        run(quick_simulate("meeting_room_v1", "c.h5", {"--station", "3.5,2.5,2.0", "--seed", "1"}))
            .exit_code,
        0);
    expect_clean_failure(
        {"train", "--model", "nerf2", "--data", "a.h5", "c.h5", "--out", "run", "--steps", "1"},
        {"'a.h5'", "'c.h5'", "station"});
    // KNN interpolates within each dataset: the same two train (and evaluate) together.
    const auto r = run({"-q", "--device", "cpu", "train", "--model", "knn", "--data", "a.h5",
                        "c.h5", "--out", "knn"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_EQ(read_json(path("knn/metrics.json"))["summary"]["datasets"].size(), 2u);
}

TEST_F(CliTest, EvalOfARunThatDoesNotExistNamesIt) {
    ASSERT_EQ(run(quick_simulate("meeting_room_v1", "a.h5")).exit_code, 0);
    expect_clean_failure({"eval", "--run", "no_run", "--data", "a.h5"},
                         {"no_run", "radiofield train"});
}

}  // namespace
}  // namespace radiofield::test
