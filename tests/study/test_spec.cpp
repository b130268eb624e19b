// Reading study files: profile choices, sweeps, strict keys and references.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/study/study.hpp"

namespace radiofield::study {
namespace {

using nlohmann::json;

json minimal() {
    return json::parse(R"({
      "name": "tiny",
      "datasets": {"a": {"path": "/nonexistent/a.h5"}},
      "runs": {"knn": {"model": "knn", "data": ["a"], "model_config": {"k": {"quick": 1, "full": 2}}}},
      "evaluations": [{"label": "knn_a", "run": "knn", "data": ["a"]}],
      "report": [{"title": "T", "items": [{"table": ["knn_a"]}]}]
    })");
}

std::string error_of(const json& doc, const std::string& profile = "quick") {
    try {
        parse_study(doc, "studies/tiny.json", profile);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(StudySpec, ProfileChoiceResolvesToTheChosenProfile) {
    EXPECT_EQ(parse_study(minimal(), "t.json", "quick").run("knn").model_config["k"], 1);
    EXPECT_EQ(parse_study(minimal(), "t.json", "full").run("knn").model_config["k"], 2);
    const std::vector<std::string> p = {"quick", "full"};
    EXPECT_EQ(resolve_profile(json::parse(R"({"a": [{"quick": 1, "full": 2}], "b": {"x": 3}})"),
                              "full", p, "w"),
              json::parse(R"({"a": [2], "b": {"x": 3}})"));
}

TEST(StudySpec, UnknownProfileListsTheStudysProfiles) {
    const std::string e = error_of(minimal(), "medium");
    EXPECT_NE(e.find("unknown profile 'medium'"), std::string::npos) << e;
    EXPECT_NE(e.find("quick, full"), std::string::npos) << e;
    json d = minimal();
    d["profiles"] = {"cpu", "gpu"};
    d["runs"]["knn"]["model_config"]["k"] = {{"cpu", 1}, {"gpu", 4}};
    EXPECT_EQ(parse_study(d, "t.json", "gpu").run("knn").model_config["k"], 4);
    EXPECT_NE(error_of(d, "quick").find("cpu, gpu"), std::string::npos);
}

TEST(StudySpec, AChoiceWithoutTheProfileNamesWhere) {
    json d = minimal();
    d["runs"]["knn"]["model_config"]["k"] = {{"full", 2}};
    const std::string e = error_of(d);
    EXPECT_NE(e.find("runs.knn.model_config.k"), std::string::npos) << e;
    EXPECT_NE(e.find("'quick'"), std::string::npos) << e;
}

TEST(StudySpec, UnknownKeysAreErrorsNamingKeyAndFile) {
    json d = minimal();
    d["evaluation"] = json::array();
    std::string e = error_of(d);
    EXPECT_NE(e.find("'evaluation'"), std::string::npos) << e;
    EXPECT_NE(e.find("studies/tiny.json"), std::string::npos) << e;
    EXPECT_NE(e.find("evaluations"), std::string::npos) << e;  // the valid keys

    d = minimal();
    d["runs"]["knn"]["steps"] = 10;
    e = error_of(d);
    EXPECT_NE(e.find("runs.knn"), std::string::npos) << e;
    EXPECT_NE(e.find("'steps'"), std::string::npos) << e;

    d = minimal();
    d["datasets"]["b"] = {{"scene", "meeting_room_v1"}, {"positions_count", 3}};
    e = error_of(d);
    EXPECT_NE(e.find("datasets.b"), std::string::npos) << e;
    EXPECT_NE(e.find("'positions_count'"), std::string::npos) << e;

    d = minimal();
    d["report"][0]["items"][0]["metric"] = {"psnr"};
    e = error_of(d);
    EXPECT_NE(e.find("'metric'"), std::string::npos) << e;
}

TEST(StudySpec, UnknownReferencesListTheKnownNames) {
    json d = minimal();
    d["runs"]["knn"]["data"] = {"b"};
    std::string e = error_of(d);
    EXPECT_NE(e.find("unknown dataset 'b'"), std::string::npos) << e;
    EXPECT_NE(e.find(": a"), std::string::npos) << e;

    d = minimal();
    d["evaluations"][0]["run"] = "nerf";
    e = error_of(d);
    EXPECT_NE(e.find("unknown run 'nerf'"), std::string::npos) << e;
    EXPECT_NE(e.find("knn"), std::string::npos) << e;

    d = minimal();
    d["report"][0]["items"][0]["table"] = {"knn_b"};
    e = error_of(d);
    EXPECT_NE(e.find("unknown evaluation 'knn_b'"), std::string::npos) << e;
    EXPECT_NE(e.find("knn_a"), std::string::npos) << e;

    d = minimal();
    d["datasets"]["s"] = {{"from", "zz"}, {"train_count", 5}};
    e = error_of(d);
    EXPECT_NE(e.find("unknown dataset 'zz'"), std::string::npos) << e;
}

TEST(StudySpec, SideBySideSpectraOfDifferentDatasetsAreAnError) {
    json d = minimal();
    d["datasets"]["b"] = {{"path", "/nonexistent/b.h5"}};
    d["evaluations"].push_back({{"label", "knn_b"}, {"run", "knn"}, {"data", {"b"}}});
    d["report"][0]["items"].push_back({{"spectra", {"knn_a", "knn_b"}}});
    const std::string e = error_of(d);
    EXPECT_NE(e.find("one dataset"), std::string::npos) << e;
    EXPECT_NE(e.find("knn_b"), std::string::npos) << e;
}

TEST(StudySpec, InitNamesAnEarlierRunThatIsNotAShippedModel) {
    json d = minimal();
    d["runs"]["knn2"] = {{"model", "knn"}, {"data", {"a"}}, {"init", "knn"}};
    EXPECT_EQ(parse_study(d, "t.json", "quick").run("knn2").init, "knn");
    d["runs"]["knn2"]["init"] = "later";
    std::string e = error_of(d);
    EXPECT_NE(e.find("runs.knn2: \"init\" names 'later', which is not a run before it"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("known: knn"), std::string::npos) << e;
    // Another model's run is the model's to accept or refuse (StudyRunner's check).
    d["runs"]["knn2"] = {{"model", "knn_dl"}, {"data", {"a"}}, {"init", "knn"}};
    EXPECT_EQ(parse_study(d, "t.json", "quick").run("knn2").init, "knn");
    // A shipped model's run is not one to start from: fine-tuning is eval/predict's.
    d["runs"]["gen"] = {{"pretrained", "graf_generalist"}};
    d["runs"]["tuned"] = {{"model", "graf"}, {"data", {"a"}}, {"init", "gen"}};
    e = error_of(d);
    EXPECT_NE(e.find("runs.tuned: \"init\" names 'gen', a run of the shipped model "
                     "'graf_generalist'; a study run starts from an earlier run the study "
                     "trains"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("--model graf_generalist --fine-tune N"), std::string::npos) << e;
}

TEST(StudySpec, ATableShowsTheMeanMedianOrPooledSummary) {
    json d = minimal();
    d["report"][0]["items"][0]["summary"] = "pooled";
    EXPECT_EQ(error_of(d), "");
    d["report"][0]["items"][0]["summary"] = "total";
    const std::string e = error_of(d);
    EXPECT_NE(e.find("\"summary\" must be mean, median or pooled"), std::string::npos) << e;
}

TEST(StudySpec, SweepsExpandNamesAndValues) {
    json d = minimal();
    d["datasets"]["a_${n}_s${seed}"] = {{"for", {{"n", {5, 10}}, {"seed", {0, 1}}}},
                                        {"from", "a"},
                                        {"train_count", "${n}"},
                                        {"seed", "${seed}"}};
    d["runs"]["knn_${n}"] = {{"for", {{"n", {5, 10}}}}, {"model", "knn"}, {"data", {"a_${n}_s0"}}};
    d["evaluations"].push_back({{"for", {{"n", {5, 10}}, {"seed", {0, 1}}}},
                                {"label", "knn_${n}_${seed}"},
                                {"run", "knn_${n}"},
                                {"data", {"a_${n}_s${seed}"}}});
    d["report"][0]["items"].push_back(
        {{"plot", "line"},
         {"x", "n"},
         {"y", "psnr"},
         {"series", {{{"label", "KNN"}, {"evals", "knn_${n}_${seed}"}}}}});
    const Study s = parse_study(d, "t.json", "quick");
    EXPECT_EQ(s.datasets.size(), 5u);
    EXPECT_EQ(s.dataset("a_10_s1").settings["train_count"], 10);  // a number, not "10"
    EXPECT_EQ(s.dataset("a_10_s1").settings["seed"], 1);
    EXPECT_EQ(s.datasets.front().name, "a");  // sources before their subsets
    EXPECT_EQ(s.run("knn_5").data, std::vector<std::string>{"a_5_s0"});
    const auto series = s.evals("knn_${n}_${seed}");
    ASSERT_EQ(series.size(), 4u);
    EXPECT_EQ(series[3]->label, "knn_10_1");
    EXPECT_EQ(series[3]->vars["n"], 10);
    EXPECT_EQ(expand_vars(json("x${a}y${b}"), {{"a", 1}, {"b", "z"}}), json("x1yz"));
}

TEST(StudySpec, ASweepOverSeedsNamesOneRandomRoomPerDataset) {
    json d = minimal();
    d["datasets"]["room_${room}"] = {{"for", {{"room", {3, 17}}}},
                                     {"scene", "meeting_room:${room}"},
                                     {"frequency", "915MHz"},
                                     {"count", 400}};
    const Study s = parse_study(d, "t.json", "quick");
    EXPECT_EQ(s.dataset("room_17").settings["scene"], "meeting_room:17");
    const scene::Scene room =
        scene::resolve_scene(s.dataset("room_3").settings["scene"].get<std::string>());
    EXPECT_EQ(room.name, "meeting_room:3");
    EXPECT_NE(room.description.find("random meeting room (seed 3)"), std::string::npos);
}

TEST(StudySpec, ARangeOfSeedsAndADataPatternNameHundredsOfRoomsInOneRun) {
    json d = minimal();
    d["datasets"]["room_${room}"] = {{"for", {{"room", {{"range", {10, 309}}}}}},
                                     {"scene", "meeting_room:${room}"},
                                     {"frequency", "915MHz"},
                                     {"count", 400}};
    d["runs"]["pre"] = {{"model", "knn"}, {"data", {"room_*"}}};
    d["evaluations"].push_back({{"label", "held_out"}, {"run", "pre"}, {"data", {"room_30?"}}});
    const Study s = parse_study(d, "t.json", "quick");
    const auto& data = s.run("pre").data;
    ASSERT_EQ(data.size(), 300u);
    EXPECT_EQ(s.dataset("room_309").settings["scene"], "meeting_room:309");
    EXPECT_EQ(std::count(data.begin(), data.end(), "room_10"), 1);
    EXPECT_EQ(std::count(data.begin(), data.end(), "a"), 0);
    EXPECT_EQ(s.evaluations.back().data.size(), 10u);  // room_300 .. room_309
    // A pattern that matches nothing, and a bad range, name themselves.
    json none = minimal();
    none["runs"]["pre"] = {{"model", "knn"}, {"data", {"hall_*"}}};
    EXPECT_NE(error_of(none).find("'hall_*' matches no dataset"), std::string::npos)
        << error_of(none);
    json bad = minimal();
    bad["datasets"]["r_${x}"] = {{"for", {{"x", {{"range", {5, 2}}}}}},
                                 {"scene", "meeting_room:${x}"}};
    EXPECT_NE(error_of(bad).find("range must be [first, last]"), std::string::npos)
        << error_of(bad);
}

TEST(StudySpec, EveryStudyFileOfTheRepositoryReadsInEveryProfile) {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "studies")) {
        if (entry.path().extension() != ".json")
            continue;
        ++files;
        for (const std::string profile : {"quick", "full"}) {
            const Study s = load_study(entry.path(), profile);
            EXPECT_EQ(s.name, entry.path().stem().string());
            EXPECT_FALSE(s.evaluations.empty()) << entry.path();
            EXPECT_FALSE(s.report.empty()) << entry.path();
        }
    }
    EXPECT_GE(files, 7);
    // The density study sweeps five support-set sizes, over more seeds in full.
    const auto root = std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "studies";
    EXPECT_EQ(load_study(root / "graf_density.json", "quick").evals("KNN n${n} s${seed}").size(),
              5u);
    EXPECT_EQ(load_study(root / "graf_density.json", "full").evals("KNN n${n} s${seed}").size(),
              15u);
}

// Found by fuzzing (fuzz/study.cpp): a number too large for a double threw nlohmann's
// out_of_range, which load_study did not catch (only parse errors), so the program ended.
TEST(StudySpec, ANumberTooLargeForADoubleIsAnErrorNamingTheFile) {
    const auto file = std::filesystem::temp_directory_path() / "radiofield-test-huge-number.json";
    std::ofstream(file) << R"({"name": "x", "seed": 5511111111111110e5555555})";
    try {
        load_study(file, "quick");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("radiofield-test-huge-number.json: not valid JSON"),
                  std::string::npos)
            << e.what();
    }
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace radiofield::study
