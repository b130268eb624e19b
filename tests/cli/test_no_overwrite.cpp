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
    // The commands as given (no flag): the dataset they read is kept.
    expect_clean_failure(
        {"--device", "cpu", "eval", "--run", "run", "--data", "data.h5", "--out", "data.h5"},
        {"'data.h5'", "inputs", "write the output elsewhere"});
    expect_clean_failure(
        {"--device", "cpu", "eval", "--run", "run", "--data", "data.h5", "--report", "data.h5"},
        {"'data.h5'", "inputs", "write the output elsewhere"});
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

// `train --out EXISTING_FILE` ended in an uncaught filesystem_error (an abort).
TEST_F(NoOverwrite, TrainIntoAnExistingFileIsAnErrorNotAnAbort) {
    expect_clean_failure(
        {"--device", "cpu", "train", "--model", "knn", "--data", "data.h5", "--out", "notes.txt"},
        {"'notes.txt' exists and is not a folder", "choose another --out"});
    expect_clean_failure(
        {"--device", "cpu", "train", "--model", "knn", "--data", "data.h5", "--out", "data.h5"},
        {"'data.h5' exists and is not a folder", "choose another --out"});
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

TEST_F(NoOverwrite, ShowImagesKeepExistingPicturesInTheOutDirUnlessAsked) {
    auto r = run({"-q", "show", "data.h5", "--images", "2", "--out-dir", "pics"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    for (const auto& name : {"scene_top.png", "spectrum_00000.png", "spectrum_00029.png"})
        EXPECT_TRUE(std::filesystem::is_regular_file(path("pics") / name)) << name;
    // A picture of the same name, not made by show: kept, and nothing else written either.
    write("pics/spectrum_00029.png", "my picture");
    expect_clean_failure({"show", "data.h5", "--images", "2", "--out-dir", "pics"},
                         {"pics/scene_top.png", "already exists", "--overwrite"});
    // Asked: replaced.
    r = run({"-q", "show", "data.h5", "--images", "2", "--out-dir", "pics", "--overwrite"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_EQ(snapshot(work())["pics/spectrum_00029.png"].substr(1, 3), "PNG");
    // Into the current folder (the default --out-dir) the same.
    write("spectrum_00000.png", "mine");
    expect_clean_failure({"show", "data.h5", "--images", "1"},
                         {"'spectrum_00000.png' already exists", "--overwrite"});
}

TEST_F(NoOverwrite, ExportNerf2KeepsAnExistingFolderUnlessAsked) {
    ASSERT_EQ(
        run({"-q", "simulate", "--out", "full.h5", "--count", "5", "--samples", "2000"}).exit_code,
        0);
    std::filesystem::create_directories(path("rfid"));
    write("rfid/notes.txt", "mine");
    expect_clean_failure({"export", "nerf2", "full.h5", "rfid"},
                         {"'rfid' already exists", "--overwrite"});
    const auto r = run({"-q", "export", "nerf2", "full.h5", "rfid", "--overwrite"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(std::filesystem::is_regular_file(path("rfid/gateway_info.yml")));
    // A folder that holds the command's own input is never replaced, even when asked.
    std::filesystem::create_directories(path("survey"));
    std::filesystem::copy_file(path("full.h5"), path("survey/full.h5"));
    expect_clean_failure({"export", "nerf2", "survey/full.h5", "survey", "--overwrite"},
                         {"'survey' holds 'survey/full.h5'", "inputs"});
    // A file where the folder should go.
    write("afile", "mine");
    expect_clean_failure({"export", "nerf2", "full.h5", "afile", "--overwrite"},
                         {"'afile'", "a file", "folder name"});
}

TEST_F(NoOverwrite, EvalRefreshesTheRunsOwnMetricsWithoutBeingAsked) {
    const auto r = run({"-q", "--device", "cpu", "eval", "--run", "run", "--data", "data.h5"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
}

}  // namespace
}  // namespace radiofield::test
