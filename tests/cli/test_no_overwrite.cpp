// Nothing lost (issue "Nothing lost, nothing silent", 1): no command writes over an existing
// file unless asked with --overwrite, and none writes over one of its own inputs even when
// asked. Each case checks the exit status, the message, and that every file is byte-identical.
#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

class NoOverwrite : public CliTest {
protected:
    // A small dataset and a KNN run on it (seconds).
    void SetUp() override {
        ASSERT_EQ(run({"-q", "simulate", "--scene", "meeting_room_v1", "--out", "data.h5",
                       "--count", "30", "--samples", "2000", "--grid", "9x36"})
                      .exit_code,
                  0);
        ASSERT_EQ(run({"-q", "--device", "cpu", "train", "--model", "knn", "--data", "data.h5",
                       "--out", "run"})
                      .exit_code,
                  0);
        write("notes.txt", "my notes\n");
    }
};

TEST_F(NoOverwrite, EvalOutAndReportKeepAnExistingFileUnlessAsked) {
    expect_clean_failure(
        {"--device", "cpu", "eval", "--run", "run", "--data", "data.h5", "--out", "notes.txt"},
        {"notes.txt", "--overwrite"});
    expect_clean_failure(
        {"--device", "cpu", "eval", "--run", "run", "--data", "data.h5", "--report", "notes.txt"},
        {"notes.txt", "--overwrite"});
    // Asked: replaced.
    run({"-q", "--device", "cpu", "eval", "--run", "run", "--data", "data.h5", "--out", "notes.txt",
         "--overwrite"});
    EXPECT_NE(snapshot(work())["notes.txt"], "my notes\n");
}

TEST_F(NoOverwrite, EvalAndPredictNeverWriteOverTheirInputsEvenWhenAsked) {
    for (const auto& target : {"data.h5", "run/checkpoint.pt", "run/config.json"}) {
        expect_clean_failure({"--device", "cpu", "eval", "--run", "run", "--data", "data.h5",
                              "--out", target, "--overwrite"},
                             {target, "inputs"});
        expect_clean_failure({"--device", "cpu", "eval", "--run", "run", "--data", "data.h5",
                              "--report", target, "--overwrite"},
                             {target, "inputs"});
    }
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "data.h5", "--at",
                          "3,2,1.2", "--out", "data.h5", "--overwrite"},
                         {"data.h5", "inputs"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "./data.h5",
                          "--at", "3,2,1.2", "--out", "data.h5"},
                         {"data.h5", "inputs"});
}

TEST_F(NoOverwrite, PredictKeepsAnExistingOutputUnlessAsked) {
    write("s.png", "not a picture yet");
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "data.h5", "--at",
                          "3,2,1.2", "--out", "s.png"},
                         {"s.png", "--overwrite"});
    const auto r = run({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "data.h5",
                        "--at", "3,2,1.2", "--out", "s.png", "--overwrite"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_EQ(snapshot(work())["s.png"].substr(1, 3), "PNG");
}

TEST_F(NoOverwrite, SceneRenderKeepsAnExistingFileUnlessAsked) {
    expect_clean_failure({"scene", "render", "meeting_room_v1", "--out", "data.h5"},
                         {"data.h5", "--overwrite"});
    write("room.json", "{}");
    expect_clean_failure({"scene", "render", "room.json", "--out", "room.json", "--overwrite"},
                         {"room.json", "inputs"});
    expect_success({"-q", "scene", "render", "meeting_room_v1", "--out", "top.png"}, {"top.png"});
}

TEST_F(NoOverwrite, EvalRefreshesTheRunsOwnMetricsWithoutBeingAsked) {
    const auto r = run({"-q", "--device", "cpu", "eval", "--run", "run", "--data", "data.h5"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
}

}  // namespace
}  // namespace radiofield::test
