// The real `radiofield` program on bad input: every case fails with one error line that
// names the bad value and the fix, exits non-zero without crashing, and leaves the folder
// as it was (cli_harness.hpp). Plus the good input that used to fail.
#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

// Appends `more` to `args`.
std::vector<std::string> operator+(std::vector<std::string> args,
                                   const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// simulate options for a run of a second or two.
const std::vector<std::string> kQuickSimulate = {"--samples", "2000", "--grid", "9x36"};

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

// --- missing inputs

TEST_F(CliTest, ShowOfAMissingDatasetNamesIt) {
    expect_clean_failure({"show", "missing.h5"}, {"'missing.h5' does not exist", "check the path"});
}

TEST_F(CliTest, ImportNerf2OfAMissingFolderNamesIt) {
    expect_clean_failure({"import", "nerf2", "no_such_folder", "--out", "rfid.h5"},
                         {"'no_such_folder' does not exist", "check the path"});
}

TEST_F(CliTest, SimulateWithAMissingSceneFileNamesItAndWhereTheBuiltinScenesAre) {
    expect_clean_failure({"simulate", "--scene", "missing.json", "--out", "a.h5"},
                         {"missing.json", "radiofield scene list"});
}

// --- bad values

TEST_F(CliTest, MalformedSceneJsonNamesTheFile) {
    write("bad.json", "{\"format\": \"radiofield-scene\",\n  \"name\": }\n");  // no value
    expect_clean_failure({"simulate", "--scene", "bad.json", "--out", "a.h5"},
                         {"bad.json: not valid JSON", "line 2"});
}

TEST_F(CliTest, SimulateCountZeroAsksForAtLeastOne) {
    expect_clean_failure({"simulate", "--count", "0", "--out", "a.h5"}, {"--count", "at least 1"});
}

TEST_F(CliTest, UnknownSceneNameSaysWhereTheBuiltinScenesAre) {
    expect_clean_failure({"simulate", "--scene", "meeting_room_v9", "--out", "a.h5"},
                         {"meeting_room_v9", "radiofield scene list"});
}

TEST_F(CliTest, BuiltinSceneAtAnotherFrequencyOutOfRangeStillNeedsExtrapolate) {
    expect_clean_failure(std::vector<std::string>{"simulate", "--frequency", "500MHz", "--count",
                                                  "5", "--out", "a.h5"} +
                             kQuickSimulate,
                         {"'itu_concrete'", "0.5 GHz", "1–100 GHz", "--extrapolate"});
}

// --- outputs that cannot be written

TEST_F(CliTest, SimulateIntoAMissingFolderNamesIt) {
    expect_clean_failure({"simulate", "--out", "no_such_folder/a.h5"},
                         {"'no_such_folder' does not exist", "create it first"});
}

TEST_F(CliTest, SimulateIntoAFolderNobodyMayWriteNamesIt) {
    expect_clean_failure({"simulate", "--out", "/proc/x.h5"},
                         {"'/proc' is not writable", "choose another output path"});
}

TEST_F(CliTest, SimulateUnderARegularFileNamesIt) {
    write("notes.txt", "a file, not a folder\n");
    expect_clean_failure({"simulate", "--out", "notes.txt/a.h5"},
                         {"'notes.txt' is a file, not a folder", "choose another output path"});
}

TEST_F(CliTest, SceneRenderUnderARegularFileNamesIt) {
    write("notes.txt", "a file, not a folder\n");
    expect_clean_failure({"scene", "render", "meeting_room_v1", "--out", "notes.txt/top.png"},
                         {"'notes.txt' is a file, not a folder", "choose another output path"});
}

TEST_F(CliTest, TrainIntoARunFolderUnderARegularFileIsAnErrorNotAnAbort) {
    expect_success(
        std::vector<std::string>{"simulate", "--count", "30", "--out", "d.h5"} + kQuickSimulate,
        {"d.h5"});
    expect_clean_failure({"train", "--model", "knn", "--data", "d.h5", "--out", "d.h5/run"},
                         {"'d.h5/run'", "is not a folder", "choose an --out path"});
}

// Found by fuzzing run configs (fuzz/run_config.cpp): a --config file holding `null` ended in
// nlohmann's "cannot use value() with null", naming neither the file nor the fix.
TEST_F(CliTest, TrainConfigThatIsNotAnObjectNamesTheFileAndTheShape) {
    write("null.json", "null");
    expect_clean_failure(
        {"train", "--config", "null.json", "--out", "run"},
        {"'null.json'", "run config: expected a JSON object", "\"model\"", "got null"});
    write("list.json", "[]");
    expect_clean_failure({"train", "--config", "list.json", "--out", "run"},
                         {"'list.json'", "expected a JSON object", "got []"});
}

// --- good input

TEST_F(CliTest, BuiltinSceneAtItsOwnFrequencySimulatesWithoutExtrapolateAndWarnsOnce) {
    const CliResult r = expect_success({"simulate", "--scene", "meeting_room_v1", "--count", "20",
                                        "--samples", "2000", "--out", "a.h5"},
                                       {"a.h5"});
    EXPECT_EQ(count(r.err, "extrapolating ITU-R P.2040 materials"), 1u) << r.err;
    EXPECT_EQ(count(r.err, "at 915 MHz: "), 1u) << r.err;
}

// Numbers and names checked before any work (issue "Nothing lost, nothing silent", 2):
// negative counts and seeds never wrap to 2^64, NaN is no learning rate, X no polarisation.
TEST_F(CliTest, NumbersAndNamesAreRefusedBeforeAnyWork) {
    const std::vector<std::string> sim = {"simulate", "--scene", "meeting_room_v1", "--out",
                                          "a.h5"};
    auto with = [&](std::initializer_list<std::string> more) {
        auto args = sim;
        args.insert(args.end(), more);
        return args;
    };
    expect_clean_failure(with({"--count", "-5"}), {"--count", "-5", "give at least 1"});
    expect_clean_failure(with({"--count", "18446744073709551615"}),
                         {"--count", "18446744073709551615", "give at most"});
    expect_clean_failure(with({"--polarization", "X"}), {"--polarization", "X", "{V,H}"});
    expect_clean_failure(with({"--clearance", "-1"}), {"--clearance", "-1", "give at least 0"});
    expect_clean_failure(with({"--seed", "-1"}), {"--seed", "-1", "give at least 0"});
    expect_clean_failure(with({"--samples", "-1"}), {"--samples", "-1", "give at least 1"});
    expect_clean_failure(with({"--samples", "nan"}), {"--samples", "nan"});
    expect_clean_failure(
        {"train", "--model", "knn_dl", "--data", "a.h5", "--out", "run", "--lr", "nan"},
        {"--lr", "nan", "not a finite number"});
}

}  // namespace
}  // namespace radiofield::test
