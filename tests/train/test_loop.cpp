// The learning foundation: loading spectrum data (and refusing bad data), run configs,
// the training loop's checkpoints and resume, Ctrl-C, and checkpoint validation.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/train/checkpoint.hpp"
#include "radiofield/train/loop.hpp"
#include "run_log.hpp"
#include "synthetic_data.hpp"
#include "torch_temp_dir.hpp"

namespace radiofield::train {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

RunConfig small_knn_dl_run(const std::filesystem::path& data, std::int64_t steps) {
    RunConfig rc;
    rc.model = "knn_dl";
    rc.model_config = {{"k", 3}, {"channels", 8}, {"batch", 4}};
    rc.data = {data.string()};
    rc.train.steps = steps;
    rc.train.lr = 1e-2;
    rc.train.checkpoint_every = 0;
    rc.train.seed = 7;
    rc.train.device = "cpu";
    return rc;
}

class TrainLoop : public ::testing::Test {
protected:
    void SetUp() override { Progress::set_enabled(false); }
    test::TorchTempDir dir;
};

TEST_F(TrainLoop, LoadedDatasetsKeepTheirContextsAndEachSpectrumIsNormalisedToUnitRange) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 30});
    const auto b = test::write_synthetic(dir / "b.h5", {.count = 20, .seed = 2});
    const DataList data = load_datasets({a.string(), b.string()}, {});
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0]->size(), 30);
    EXPECT_EQ(data[1]->size(), 20);
    EXPECT_EQ(data[1]->source(), b.string());
    EXPECT_EQ(data[0]->spectra.sizes().vec(), (std::vector<std::int64_t>{30, 8, 16}));
    for (const auto& d : data) {
        const auto flat = d->spectra.view({d->size(), -1});
        EXPECT_TRUE(torch::allclose(std::get<0>(flat.min(1)), torch::zeros({d->size()})));
        EXPECT_TRUE(torch::allclose(std::get<0>(flat.max(1)), torch::ones({d->size()})));
        EXPECT_EQ(d->split.size(), static_cast<std::size_t>(d->size()));
        EXPECT_EQ(d->support().indices(), d->split.train);  // the default support set
    }
    EXPECT_DOUBLE_EQ(data[0]->context.frequency_hz, 920e6);
    EXPECT_EQ(data[0]->context.station_position, (Vec3{2.0, -1.0, 1.0}));
}

TEST_F(TrainLoop, DatasetsThatDisagreeOnARequiredFieldFailNamingBothFilesAndTheField) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 20});
    const auto f =
        test::write_synthetic(dir / "other_freq.h5", {.count = 20, .frequency_hz = 2.4e9});
    const auto g = test::write_synthetic(dir / "other_grid.h5", {.count = 20, .n_el = 6});
    const DataNeeds strict{{DataView::Spectra}, {ContextField::Frequency, ContextField::Grid}};
    auto msg = error_of([&] { load_datasets({a.string(), f.string()}, strict); });
    EXPECT_NE(msg.find("other_freq.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("frequency"), std::string::npos) << msg;
    msg = error_of([&] { load_datasets({a.string(), g.string()}, strict); });
    EXPECT_NE(msg.find("grid"), std::string::npos) << msg;
    EXPECT_NE(msg.find("other_grid.h5"), std::string::npos) << msg;
    // What a model does not require to match is allowed (GRaF's cross-frequency setting).
    EXPECT_NO_THROW(
        load_datasets({a.string(), f.string()}, {{DataView::Spectra}, {ContextField::Grid}}));
    const auto c =
        test::write_synthetic(dir / "cir.h5", {.count = 5, .kind = data::DatasetKind::Cir});
    msg = error_of([&] { load_datasets({c.string()}, {}); });
    EXPECT_NE(msg.find("kind=spectrum"), std::string::npos) << msg;
}

// Spectra of different conventions (docs/conventions.md) are different pictures of a room:
// training on both, or evaluating a run on another convention, is refused unless asked for.
TEST_F(TrainLoop, SpectrumConventionsAreNotMixedUnlessAskedFor) {
    const auto a = test::write_synthetic(dir / "power.h5", {.count = 30});
    const auto n =
        test::write_synthetic(dir / "rfid.h5", {.count = 30, .seed = 3, .convention = "nerf2"});
    auto msg = error_of([&] { load_datasets({a.string(), n.string()}, {}); });
    EXPECT_NE(msg.find("spectrum convention"), std::string::npos) << msg;
    EXPECT_NE(msg.find("power.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rfid.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nerf2"), std::string::npos) << msg;
    DataNeeds mixed;
    mixed.mixed_conventions = true;
    EXPECT_EQ(load_datasets({a.string(), n.string()}, mixed).size(), 2u);

    RunConfig rc;
    rc.model = "knn", rc.data = {a.string()}, rc.train.device = "cpu";
    train_run(rc, dir / "run", {.final_eval = false});
    const auto run = load_run(dir / "run", torch::kCPU);
    msg = error_of([&] { run.load_data({n.string()}); });
    EXPECT_NE(msg.find("spectrum convention"), std::string::npos) << msg;
    EXPECT_NE(msg.find("was trained on"), std::string::npos) << msg;
    EXPECT_EQ(run.load_data({n.string()}, /*mixed_conventions=*/true).size(), 1u);
    rc.data = {a.string(), n.string()};
    msg = error_of([&] { train_run(rc, dir / "mixed"); });
    EXPECT_NE(msg.find("spectrum convention"), std::string::npos) << msg;
    rc.train.mixed_conventions = true;
    EXPECT_NO_THROW(train_run(rc, dir / "mixed", {.final_eval = false}));
}

TEST_F(TrainLoop, EmptyTrainSplitFailsBeforeTraining) {
    auto d = test::synthetic_dataset({.count = 10});
    d.split = {{}, {}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}};
    data::write_dataset(d, dir / "no_train.h5");
    const auto msg = error_of([&] { load_datasets({(dir / "no_train.h5").string()}, {}); });
    EXPECT_NE(msg.find("train split"), std::string::npos) << msg;
}

// Regression (learning-core issue, 1): KNN on two scenes failed at its final evaluation with
// "neighbour pool holds 2 datasets", and KNN-DL with eval_every at its first validation.
TEST_F(TrainLoop, TwoDatasetsTrainAndEvaluateEachQueryOnItsOwnDataset) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 40});
    const auto b = test::write_synthetic(dir / "b.h5", {.count = 30, .seed = 5});
    RunConfig knn;
    knn.model = "knn", knn.model_config = {{"k", 3}}, knn.data = {a.string(), b.string()},
    knn.train.device = "cpu";
    const auto r = train_run(knn, dir / "knn");
    EXPECT_EQ(r.metrics["count"], 4 + 3);  // both test splits (10 %)
    EXPECT_EQ(r.metrics["datasets"].size(), 2u);

    RunConfig dl = small_knn_dl_run(a, 6);
    dl.data.push_back(b.string());
    dl.train.eval_every = 3;
    const auto rd = train_run(dl, dir / "knn_dl");
    EXPECT_EQ(rd.step, 6);
    std::ifstream in(dir / "knn_dl" / "log.jsonl");
    int validations = 0;
    for (std::string line; std::getline(in, line);)
        validations += nlohmann::json::parse(line).contains("val_psnr");
    EXPECT_EQ(validations, 2);
}

// Regression (learning-core issue, 2): NeRF2 trained on datasets of different stations
// without a word, casting the second one's rays from the first one's station.
TEST_F(TrainLoop, NeRF2OnDatasetsOfDifferentStationsIsRefusedNamingBothFilesAndTheStation) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 20});
    const auto c = test::write_synthetic(dir / "c.h5", {.count = 20, .station = {0.0, 0.0, 2.0}});
    RunConfig rc;
    rc.model = "nerf2", rc.data = {a.string(), c.string()}, rc.train.steps = 1,
    rc.train.device = "cpu";
    const auto msg = error_of([&] { train_run(rc, dir / "run"); });
    EXPECT_NE(msg.find("station"), std::string::npos) << msg;
    EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("c.h5"), std::string::npos) << msg;
    EXPECT_FALSE(std::filesystem::exists(dir / "run"))
        << "nothing is created before the data is checked";
}

// Regression (learning-core issue, 3): --out under a regular file ended in an uncaught
// std::filesystem_error (exit 134).
TEST_F(TrainLoop, ARunFolderThatCannotBeAFolderIsAClearErrorBeforeAnyWork) {
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 20});
    test::write_file(dir / "some_file.h5", "x");
    auto msg =
        error_of([&] { train_run(small_knn_dl_run(data, 1), dir / "some_file.h5" / "run"); });
    EXPECT_NE(msg.find("not a folder"), std::string::npos) << msg;
    msg = error_of([&] { train_run(small_knn_dl_run(data, 1), dir / "some_file.h5"); });
    EXPECT_NE(msg.find("not a folder"), std::string::npos) << msg;
    EXPECT_EQ(test::read_file(dir / "some_file.h5"), "x");
}

TEST_F(TrainLoop, ConfigReadsJsonRejectsUnknownKeysAndRoutesSettings) {
    RunConfig rc =
        RunConfig::from_json({{"model", "knn"}, {"train", {{"steps", 7}, {"schedule", "step"}}}});
    EXPECT_EQ(rc.train.steps, 7);
    apply_setting(rc, "lr=5e-4");
    apply_setting(rc, "k=4");
    apply_setting(rc, "model.weights=barycentric");
    EXPECT_DOUBLE_EQ(rc.train.lr.value(), 5e-4);
    EXPECT_EQ(rc.model_config["k"], 4);
    EXPECT_EQ(rc.model_config["weights"], "barycentric");
    EXPECT_THROW(TrainConfig::from_json({{"stpes", 3}}), Error);
    EXPECT_THROW(apply_setting(rc, "schedule=linear"), Error);
    EXPECT_THROW(apply_setting(rc, "novalue"), Error);
    EXPECT_EQ(RunConfig::from_json(rc.to_json()).to_json(), rc.to_json());
}

// path_gain_db spectra are one picture only with their dB range: a run records it, and data
// mapped by another range is another convention.
TEST(SceneContext, ThePathGainDbRangeIsRecordedAndPartOfTheConvention) {
    SceneContext a;
    a.source = "a.h5";
    a.convention = "path_gain_db";
    a.db_range = std::array<double, 2>{-180, -80};
    const SceneContext back = SceneContext::from_json(a.to_json());
    ASSERT_TRUE(back.db_range.has_value());
    EXPECT_EQ(*back.db_range, (std::array<double, 2>{-180, -80}));
    EXPECT_TRUE(back.agrees(a, ContextField::Convention));
    EXPECT_EQ(a.describe(ContextField::Convention), "path_gain_db (-180 .. -80 dB)");
    SceneContext b = a;
    b.db_range = std::array<double, 2>{-170, -70};
    EXPECT_FALSE(b.agrees(a, ContextField::Convention));
    SceneContext plain;
    EXPECT_FALSE(SceneContext::from_json(plain.to_json()).db_range.has_value());
    auto bad = a.to_json();
    bad["db_range"] = {-80};
    EXPECT_THROW(SceneContext::from_json(bad), Error);

    // A dataset of such spectra without its range (a NeRF2 folder exported from one carries
    // none) is refused on load, saying how to get one; a malformed range names the attribute.
    data::Dataset d;
    d.spectrum_convention = "path_gain_db";
    auto msg = error_of([&] { SceneData::from(d, "exported.h5", {}); });
    EXPECT_NE(msg.find("'exported.h5'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("holds no attrs db_range"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--spectrum path_gain_db"), std::string::npos) << msg;
    d.attrs["db_range"] = {-80.0, -180.0};
    msg = error_of([&] { SceneData::from(d, "exported.h5", {}); });
    EXPECT_NE(msg.find("attrs db_range"), std::string::npos) << msg;
}

TEST_F(TrainLoop, ScheduleCosineStepAndConstantGiveTheDocumentedRates) {
    TrainConfig c;
    c.lr = 1.0, c.steps = 100;
    EXPECT_DOUBLE_EQ(c.lr_at(0), 1.0);
    EXPECT_NEAR(c.lr_at(50), 0.5, 1e-12);
    EXPECT_NEAR(c.lr_at(100), 0.0, 1e-12);
    c.schedule = "step", c.gamma = 0.5, c.every = 30;
    EXPECT_DOUBLE_EQ(c.lr_at(29), 1.0);
    EXPECT_DOUBLE_EQ(c.lr_at(60), 0.25);
    c.schedule = "constant";
    EXPECT_DOUBLE_EQ(c.lr_at(99), 1.0);
}

TEST_F(TrainLoop, ResumeFromCheckpointGivesTheSameLossTrajectoryAsAnUninterruptedRun) {
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 60});
    const auto full = train_run(small_knn_dl_run(data, 20), dir / "full", {.final_eval = false});
    ASSERT_EQ(full.losses.size(), 20u);

    TrainOptions first{.stop_after = 10, .final_eval = false};
    const auto part1 = train_run(small_knn_dl_run(data, 20), dir / "split", first);
    EXPECT_TRUE(part1.interrupted);
    EXPECT_EQ(part1.step, 10);
    const auto part2 = train_run(small_knn_dl_run(data, 20), dir / "split", {.final_eval = false});
    EXPECT_TRUE(part2.resumed);
    EXPECT_EQ(part2.step, 20);
    ASSERT_EQ(part2.losses.size(), 10u);

    const auto a = test::logged_losses(dir / "full" / "log.jsonl"),
               b = test::logged_losses(dir / "split" / "log.jsonl");
    ASSERT_EQ(a.size(), 20u);
    ASSERT_EQ(b.size(), 20u);
    for (std::size_t i = 0; i < 20; ++i)
        EXPECT_NEAR(a[i], b[i], 1e-6 * std::max(1.0, a[i])) << "step " << i + 1;
}

TEST_F(TrainLoop, ResumingWithAnotherModelOrConfigFailsClearly) {
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 40});
    train_run(small_knn_dl_run(data, 2), dir / "run", {.final_eval = false});
    RunConfig other = small_knn_dl_run(data, 2);
    other.model = "knn";
    other.model_config = nlohmann::json::object();
    auto msg = error_of([&] { train_run(other, dir / "run"); });
    EXPECT_NE(msg.find("checkpoint of model 'knn_dl', not 'knn'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--restart"), std::string::npos) << msg;
    RunConfig changed = small_knn_dl_run(data, 2);
    changed.train.lr = 0.5;
    msg = error_of([&] { train_run(changed, dir / "run"); });
    EXPECT_NE(msg.find("another configuration"), std::string::npos) << msg;
    EXPECT_NO_THROW(train_run(changed, dir / "run", {.restart = true, .final_eval = false}));
}

TEST_F(TrainLoop, LoadingAForeignFileOrCheckpointOfAnotherModelFailsClearly) {
    test::write_file(dir / "junk.pt", "not a checkpoint");
    auto msg = error_of([&] { read_checkpoint_state(dir / "junk.pt"); });
    EXPECT_NE(msg.find("not a radiofield checkpoint"), std::string::npos) << msg;

    const auto data = test::write_synthetic(dir / "d.h5", {.count = 40});
    train_run(small_knn_dl_run(data, 1), dir / "run", {.final_eval = false});
    auto knn = make_model("knn");
    msg = error_of([&] { load_checkpoint(dir / "run" / "checkpoint.pt", *knn, torch::kCPU); });
    EXPECT_NE(msg.find("model 'knn_dl', not 'knn'"), std::string::npos) << msg;
}

// A one-parameter model that presses Ctrl-C during its third step.
class SigintModel final : public Model {
public:
    std::string name() const override { return "test_sigint"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<ParamGroup> parameter_groups() override { return {{"p", {m_p}}}; }
    torch::Tensor training_loss(const DataList&, const Phase&, torch::Generator&) override {
        if (++m_calls == 3)
            std::raise(SIGINT);
        return (m_p - 1).pow(2).sum();
    }
    Prediction predict(const Query& query) override {
        return Prediction::of_spectra(torch::zeros({query.size(), 8, 16}));
    }
    void save(torch::serialize::OutputArchive& a) const override { a.write("p", m_p); }
    void load(torch::serialize::InputArchive& a) override { a.read("p", m_p); }

private:
    torch::Tensor m_p = torch::zeros({1}, torch::requires_grad());
    int m_calls = 0;
};

TEST_F(TrainLoop, CtrlCSavesACheckpointAndStopsCleanly) {
    static bool registered = false;
    if (!registered)
        register_model("test_sigint", "test",
                       [](const nlohmann::json&) { return std::make_unique<SigintModel>(); });
    registered = true;
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 20});
    RunConfig rc;
    rc.model = "test_sigint", rc.data = {data.string()}, rc.train.steps = 50,
    rc.train.device = "cpu";
    const auto r = train_run(rc, dir / "run");
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.step, 3);
    EXPECT_EQ(read_checkpoint_state(dir / "run" / "checkpoint.pt", "test_sigint").step, 3);
}

}  // namespace
}  // namespace radiofield::train

namespace radiofield::train {
namespace {

// A NeRF2 folder's grid starts at azimuth 1°, ours in NeRF2's convention at 0°: the same
// directions, so a model reads either, its columns turned onto the grid it learnt.
TEST(AzimuthOrigin, SpectraAreTurnedOntoTheModelsGridKeepingEachDirectionsValue) {
    test::TorchTempDir dir;
    data::Dataset d = test::synthetic_dataset({.count = 3, .n_el = 2, .n_az = 12});
    d.grid.az0_deg = 30.0;  // column c holds azimuth 30° + 30°·c
    const data::Dataset before = d;
    data::SpectrumGrid model = d.grid;
    model.az0_deg = 0.0;  // column c holds azimuth 30°·c
    ASSERT_TRUE(differ_in_azimuth_origin_only(d.grid, model));
    ASSERT_TRUE(align_azimuth_origin(d, model));
    EXPECT_EQ(d.grid, model);
    for (std::size_t i = 0; i < 3; ++i) {
        for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 12; ++c) {
                // The value at a direction is the same before and after.
                const double az = model.azimuth_deg(c);
                const int c_before =
                    static_cast<int>(std::lround(std::remainder(az - 30.0, 360.0) / 30.0 + 12)) %
                    12;
                EXPECT_EQ(d.spectra[(i * 2 + r) * 12 + c],
                          before.spectra[(i * 2 + r) * 12 + c_before])
                    << "sample " << i << " row " << r << " column " << c;
            }
        }
    }
    // Not a rotation: another step, a partial circle, half a step.
    data::SpectrumGrid other = model;
    other.az0_deg = 15.0;
    EXPECT_FALSE(differ_in_azimuth_origin_only(before.grid, other));
    other = model;
    other.step_deg = 10.0;
    EXPECT_FALSE(differ_in_azimuth_origin_only(before.grid, other));
    data::Dataset partial = test::synthetic_dataset({.count = 2, .n_el = 2, .n_az = 12});
    partial.grid.step_deg = 10.0;  // 120° only
    data::SpectrumGrid shifted = partial.grid;
    shifted.az0_deg += 10.0;
    EXPECT_FALSE(align_azimuth_origin(partial, shifted));

    // load_datasets turns a second dataset onto the first's grid.
    test::write_synthetic(dir / "a.h5", {.count = 20, .n_el = 2, .n_az = 12});
    data::Dataset b = test::synthetic_dataset({.count = 20, .n_el = 2, .n_az = 12, .seed = 5});
    b.grid.az0_deg = 30.0;
    data::write_dataset(b, dir / "b.h5");
    const auto data = load_datasets({(dir / "a.h5").string(), (dir / "b.h5").string()}, {});
    EXPECT_EQ(data[1]->context.grid, data[0]->context.grid);
}

}  // namespace
}  // namespace radiofield::train
