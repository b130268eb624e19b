// `radiofield study`: bad study files fail cleanly before any work; a tiny simulated study
// runs end to end, prints its report's path last, and a second call reuses everything.
#include <filesystem>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

const char* kTinyStudy = R"({
  "name": "tiny",
  "title": "Tiny",
  "datasets": {
    "room": {"scene": "meeting_room_v1", "count": {"quick": 40, "full": 400}, "samples": 2000,
             "grid": "9x36", "seed": 1}
  },
  "runs": {"knn": {"model": "MODEL", "data": ["room"], "model_config": {"k": 4}}},
  "evaluations": [{"label": "KNN", "run": "knn", "data": ["room"], "aoa": true}],
  "report": [{"title": "Results", "items": [{"table": ["KNN"]}, {"plot": "cdf", "aoa": ["KNN"]},
                                            {"spectra": ["KNN"], "samples": 2}]}]
})";

std::string tiny(const std::string& model = "knn") {
    std::string s = kTinyStudy;
    s.replace(s.find("MODEL"), 5, model);
    return s;
}

std::string last_line(const std::string& text) {
    const auto end = text.find_last_not_of('\n');
    const auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

TEST_F(CliTest, StudyWithAnUnknownProfileListsTheProfiles) {
    write("s.json", tiny());
    expect_clean_failure({"study", "s.json", "--profile", "medium"},
                         {"unknown profile 'medium'", "quick, full"});
}

TEST_F(CliTest, StudyWithAnUnknownKeyNamesItTheFileAndTheValidKeys) {
    write("s.json", R"({"name": "x", "run": {}})");
    expect_clean_failure({"study", "s.json"}, {"s.json", "'run'", "runs"});
}

TEST_F(CliTest, StudyWithAnUnknownModelFailsBeforeSimulatingAnything) {
    write("s.json", tiny("no_such_model"));
    expect_clean_failure({"study", "s.json"}, {"runs.knn", "no_such_model", "knn_dl"});
}

TEST_F(CliTest, TinySimulatedStudyRunsAndARerunReusesEverything) {
    write("s.json", tiny());
    const CliResult first = run({"study", "s.json", "--out", "o"});
    ASSERT_EQ(first.exit_code, 0) << first.output();
    EXPECT_EQ(last_line(first.out), "report: o/report.html");
    EXPECT_NE(first.err.find("simulate room (40 positions"), std::string::npos) << first.err;
    EXPECT_NE(first.out.find("eval     made    KNN"), std::string::npos) << first.out;
    for (const char* f :
         {"o/report.html", "o/report.md", "o/datasets/room.h5", "o/datasets/room.h5.spec.json",
          "o/runs/knn/config.json", "o/evals/KNN.json"})
        EXPECT_TRUE(std::filesystem::exists(path(f))) << f;

    const CliResult second = run({"study", "s.json", "--out", "o"});
    ASSERT_EQ(second.exit_code, 0) << second.output();
    EXPECT_NE(second.out.find("dataset  reused  room"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("eval     reused  KNN"), std::string::npos) << second.out;
    EXPECT_EQ(second.err.find("simulate room"), std::string::npos) << second.err;

    const CliResult again = run({"study", "s.json", "--out", "o", "--restart"});
    ASSERT_EQ(again.exit_code, 0) << again.output();
    EXPECT_NE(again.out.find("dataset  remade  room"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace radiofield::test
