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
    std::filesystem::create_directory(path("o"));  // an empty folder is free to use
    const CliResult first = run({"study", "s.json", "--out", "o"});
    ASSERT_EQ(first.exit_code, 0) << first.output();
    EXPECT_EQ(last_line(first.out), "report: o/report.html");
    EXPECT_NE(first.err.find("simulate room (40 positions"), std::string::npos) << first.err;
    EXPECT_NE(first.out.find("eval     made    KNN"), std::string::npos) << first.out;
    for (const char* f :
         {"o/report.html", "o/report.md", "o/datasets/room.h5", "o/datasets/room.h5.spec.json",
          "o/runs/knn/config.json", "o/evals/KNN.json"})
        EXPECT_TRUE(std::filesystem::exists(path(f))) << f;
    EXPECT_NE(snapshot(work())["o/.radiofield-study.json"].find("\"tiny\""), std::string::npos);

    const CliResult second = run({"study", "s.json", "--out", "o"});
    ASSERT_EQ(second.exit_code, 0) << second.output();
    EXPECT_NE(second.out.find("dataset  reused  room"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("eval     reused  KNN"), std::string::npos) << second.out;
    EXPECT_EQ(second.err.find("simulate room"), std::string::npos) << second.err;

    const CliResult again = run({"study", "s.json", "--out", "o", "--restart"});
    ASSERT_EQ(again.exit_code, 0) << again.output();
    EXPECT_NE(again.out.find("dataset  remade  room"), std::string::npos) << again.out;
}

// `study --out DIR` (issue "Nothing lost, nothing silent", 1): a folder the study runner did
// not make, or made for another study or profile, is refused before any work unless
// --overwrite; every file in it is left byte-identical.
TEST_F(CliTest, StudyOutFolderOfSomethingElseOrAnotherStudyIsRefusedUnlessOverwrite) {
    write("s.json", tiny());
    std::string other = tiny();
    other.replace(other.find("\"tiny\""), 6, "\"other\"");
    write("other.json", other);
    std::filesystem::create_directory(path("o"));
    write("o/notes.txt", "my notes\n");
    write("f.txt", "a file\n");
    expect_clean_failure({"study", "s.json", "--out", "o"},
                         {"'o' already exists", "not made by `radiofield study`",
                          ".radiofield-study.json", "--overwrite"});
    expect_clean_failure({"study", "s.json", "--out", "f.txt"}, {"'f.txt'", "is a file"});

    // Asked: the study writes into it, and what was there stays as it was.
    const CliResult made = run({"-q", "study", "s.json", "--out", "o", "--overwrite"});
    ASSERT_EQ(made.exit_code, 0) << made.output();
    const FolderSnapshot mine = snapshot(work());
    EXPECT_EQ(mine.at("o/notes.txt"), "my notes\n");
    EXPECT_NE(mine.at("o/.radiofield-study.json").find("\"tiny\""), std::string::npos);

    // Another study, or this one's other profile, would remake its products: refused, naming
    // both.
    expect_clean_failure({"study", "other.json", "--out", "o"},
                         {"'o'", "study 'tiny' (quick profile)",
                          "not study 'other' (quick profile)", "--overwrite"});
    expect_clean_failure(
        {"study", "s.json", "--out", "o", "--profile", "full"},
        {"'o'", "study 'tiny' (quick profile)", "not study 'tiny' (full profile)", "--overwrite"});

    // The same study again needs no flag: everything reused, every file byte-identical.
    const CliResult again = run({"-q", "study", "s.json", "--out", "o"});
    ASSERT_EQ(again.exit_code, 0) << again.output();
    EXPECT_NE(again.out.find("eval     reused  KNN"), std::string::npos) << again.out;
    FolderSnapshot after = snapshot(work());
    // The report is written anew on every call (same content but for its timestamps).
    for (const char* f : {"o/report.html", "o/report.md"})
        after.erase(f);
    FolderSnapshot before = mine;
    for (const char* f : {"o/report.html", "o/report.md"})
        before.erase(f);
    expect_same_files(before, after);
}

// `--time-limit`: a study that runs out of time stops as after Ctrl-C (the run checkpointed),
// evaluates what is finished and writes a partial report; exit status 75. Its evaluations
// are the study's own: the next call reuses them.
TEST_F(CliTest, StudyAtItsTimeLimitCheckpointsAndReportsWhatIsFinished) {
    // The data made beforehand, so that the limit falls in training however busy the machine.
    const CliResult sim = run({"-q", "simulate", "--scene", "meeting_room_v1", "-n", "40",
                               "--samples", "2000", "--grid", "9x36", "-o", "room.h5"});
    ASSERT_EQ(sim.exit_code, 0) << sim.output();
    // KNN after a run far too long for the limit; both evaluated and tabled.
    write("s.json", R"({
      "name": "clock", "title": "On a clock",
      "datasets": {"room": {"path": "room.h5"}},
      "runs": {
        "dl": {"model": "knn_dl", "data": ["room"],
               "model_config": {"k": 4, "channels": 4, "layers": 2, "batch": 4},
               "train": {"steps": 100000000, "checkpoint_every": 1000000}},
        "knn": {"model": "knn", "data": ["room"], "model_config": {"k": 4}}
      },
      "evaluations": [{"label": "DL", "run": "dl", "data": ["room"]},
                      {"label": "KNN", "run": "knn", "data": ["room"]}],
      "report": [{"title": "Results", "items": [{"table": ["KNN", "DL"]}]}]
    })");
    expect_clean_failure({"study", "s.json", "--time-limit", "5", "--partial"},
                         {"--time-limit", "--partial"});
    expect_clean_failure({"study", "s.json", "--time-limit", "5", "--restart"},
                         {"--time-limit", "--restart"});

    const CliResult first = run({"study", "s.json", "--out", "o", "--time-limit", "3"});
    ASSERT_EQ(first.exit_code, 75) << first.output();
    EXPECT_EQ(last_line(first.out), "report: o/report.html (partial)") << first.out;
    EXPECT_NE(first.err.find("reached its time limit (3 s)"), std::string::npos) << first.err;
    EXPECT_NE(first.out.find("run      made    knn"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("eval     made    KNN"), std::string::npos) << first.out;
    EXPECT_TRUE(std::filesystem::exists(path("o/runs/dl/checkpoint.pt")));
    EXPECT_FALSE(std::filesystem::exists(path("o/evals/DL.json")));
    const std::string md = snapshot(work())["o/report.md"];
    EXPECT_NE(md.find("Partial report"), std::string::npos) << md;
    EXPECT_NE(md.find("| KNN | knn |"), std::string::npos) << md;
    EXPECT_NE(md.find("Runs not finished (1 of 2): dl."), std::string::npos) << md;

    const CliResult report = run({"-q", "study", "s.json", "--out", "o", "--partial"});
    ASSERT_EQ(report.exit_code, 0) << report.output();
    EXPECT_NE(report.out.find("eval     reused  KNN"), std::string::npos) << report.out;
    EXPECT_NE(report.out.find("run      reused  knn"), std::string::npos) << report.out;
    EXPECT_FALSE(std::filesystem::exists(path("o/evals/DL.json")));
}

}  // namespace
}  // namespace radiofield::test
