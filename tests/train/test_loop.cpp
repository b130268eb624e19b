// The learning foundation: loading spectrum data (and refusing bad data), run configs,
// the training loop's checkpoints and resume, Ctrl-C, and checkpoint validation.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "../data/temp_dir.hpp"
#include "torch_temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/train/checkpoint.hpp"
#include "radiofield/train/loop.hpp"
#include "synthetic_data.hpp"

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

std::vector<double> logged_losses(const std::filesystem::path& log) {
    std::vector<double> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("loss")) out.push_back(j["loss"].get<double>());
    }
    return out;
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

TEST_F(TrainLoop, LoadNormalisesEachSpectrumToUnitRangeAndConcatenatesDatasets) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 30});
    const auto b = test::write_synthetic(dir / "b.h5", {.count = 20, .seed = 2});
    const SpectrumData d = load_spectrum_data({a.string(), b.string()});
    ASSERT_EQ(d.size(), 50);
    EXPECT_EQ(d.spectra.sizes().vec(), (std::vector<std::int64_t>{50, 8, 16}));
    const auto flat = d.spectra.view({50, -1});
    EXPECT_TRUE(torch::allclose(std::get<0>(flat.min(1)), torch::zeros({50})));
    EXPECT_TRUE(torch::allclose(std::get<0>(flat.max(1)), torch::ones({50})));
    EXPECT_EQ(d.scene_id[29].item<std::int64_t>(), 0);
    EXPECT_EQ(d.scene_id[30].item<std::int64_t>(), 1);
    EXPECT_EQ(d.split.size(), 50u);
    EXPECT_GE(*std::min_element(d.split.train.end() - 16, d.split.train.end()), 30);  // b's train indices offset by 30
}

TEST_F(TrainLoop, MismatchedFrequencyGridOrKindFailsNamingBothFiles) {
    const auto a = test::write_synthetic(dir / "a.h5", {.count = 20});
    const auto f = test::write_synthetic(dir / "other_freq.h5", {.count = 20, .frequency_hz = 2.4e9});
    const auto g = test::write_synthetic(dir / "other_grid.h5", {.count = 20, .n_el = 6});
    auto msg = error_of([&] { load_spectrum_data({a.string(), f.string()}); });
    EXPECT_NE(msg.find("other_freq.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("a.h5"), std::string::npos) << msg;
    msg = error_of([&] { load_spectrum_data({a.string(), g.string()}); });
    EXPECT_NE(msg.find("grid"), std::string::npos) << msg;
    EXPECT_NE(msg.find("other_grid.h5"), std::string::npos) << msg;
    const auto c = test::write_synthetic(dir / "cir.h5", {.count = 5, .kind = data::DatasetKind::Cir});
    msg = error_of([&] { load_spectrum_data({c.string()}); });
    EXPECT_NE(msg.find("kind=spectrum"), std::string::npos) << msg;
}

TEST_F(TrainLoop, EmptyTrainSplitFailsBeforeTraining) {
    auto d = test::synthetic_dataset({.count = 10});
    d.split = {{}, {}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}};
    data::write_dataset(d, dir / "no_train.h5");
    const auto msg = error_of([&] { load_spectrum_data({(dir / "no_train.h5").string()}); });
    EXPECT_NE(msg.find("train split"), std::string::npos) << msg;
}

TEST_F(TrainLoop, ConfigReadsJsonRejectsUnknownKeysAndRoutesSettings) {
    RunConfig rc = RunConfig::from_json({{"model", "knn"}, {"train", {{"steps", 7}, {"schedule", "step"}}}});
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

    const auto a = logged_losses(dir / "full" / "log.jsonl"), b = logged_losses(dir / "split" / "log.jsonl");
    ASSERT_EQ(a.size(), 20u);
    ASSERT_EQ(b.size(), 20u);
    for (std::size_t i = 0; i < 20; ++i) EXPECT_NEAR(a[i], b[i], 1e-6 * std::max(1.0, a[i])) << "step " << i + 1;
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
    msg = error_of([&] { load_checkpoint(dir / "run" / "checkpoint.pt", *knn, nullptr, nullptr); });
    EXPECT_NE(msg.find("model 'knn_dl', not 'knn'"), std::string::npos) << msg;
}

// A one-parameter model that presses Ctrl-C during its third step.
class SigintModel final : public Model {
public:
    std::string name() const override { return "test_sigint"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    void prepare(const SpectrumData&) override {}
    std::vector<torch::Tensor> parameters() override { return {m_p}; }
    torch::Tensor training_loss(const SpectrumData&, torch::Generator&) override {
        if (++m_calls == 3) std::raise(SIGINT);
        return (m_p - 1).pow(2).sum();
    }
    torch::Tensor predict(const torch::Tensor& positions, const torch::Tensor&) override {
        return torch::zeros({positions.size(0), 8, 16});
    }
    void save(torch::serialize::OutputArchive& a) const override { a.write("p", m_p); }
    void load(torch::serialize::InputArchive& a) override { a.read("p", m_p); }

private:
    torch::Tensor m_p = torch::zeros({1}, torch::requires_grad());
    int m_calls = 0;
};

TEST_F(TrainLoop, CtrlCSavesACheckpointAndStopsCleanly) {
    static bool registered = false;
    if (!registered) register_model("test_sigint", "test", [](const nlohmann::json&) { return std::make_unique<SigintModel>(); });
    registered = true;
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 20});
    RunConfig rc;
    rc.model = "test_sigint", rc.data = {data.string()}, rc.train.steps = 50, rc.train.device = "cpu";
    const auto r = train_run(rc, dir / "run");
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.step, 3);
    EXPECT_EQ(read_checkpoint_state(dir / "run" / "checkpoint.pt", "test_sigint").step, 3);
}

}  // namespace
}  // namespace radiofield::train
