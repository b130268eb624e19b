// The trainer for models that grow and change phase: parameter groups with their own
// learning rates, phases that freeze groups, hooks that add and prune parameters with Adam's
// moments following, and checkpoints that resume bit-identically mid-phase, across a phase
// boundary and after a growth step.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/train/checkpoint.hpp"
#include "radiofield/train/loop.hpp"
#include "radiofield/train/optimizer.hpp"
#include "run_log.hpp"
#include "synthetic_data.hpp"
#include "torch_temp_dir.hpp"

namespace radiofield::train {
namespace {

// A mixture of "atoms": the spectrum at p is Σ_j softmax_j(−|p − c_j|² / 0.5) · atom_j.
// Two groups ("atoms", "centres"), two phases (atoms alone, then both), and a growth hook:
// every 4th step of a phase the atom with the largest accumulated gradient is split in two
// (two copies with centres moved ±0.25 m in x: extend) and the original removed (keep_rows).
// Each phase it begins is recorded (begin_phase).
class GrowingMixture final : public Model {
public:
    static inline bool s_centres_had_grad_in_first_phase = false;
    static inline std::vector<std::string> s_begun;  // "phase@step" of each phase begun

    GrowingMixture() {
        m_atoms = (0.5 + 0.1 * torch::randn({2, 8 * 16}, torch::kFloat32)).requires_grad_();
        m_centres = (torch::rand({2, 3}, torch::kFloat32) * 4.0).requires_grad_();
        m_grad_sum = torch::zeros({2});
    }
    std::string name() const override { return "test_growing"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<ParamGroup> parameter_groups() override {
        return {{"atoms", {m_atoms}, 0.05, std::nullopt, "constant"},
                {"centres", {m_centres}, 0.02}};
    }
    std::vector<Phase> phases() const override {
        return {{"atoms", 12, {"atoms"}}, {"joint", 12, {}}};
    }

    torch::Tensor forward(const torch::Tensor& positions) {  // [B, 3] → [B, P]
        const auto d2 = (positions.unsqueeze(1) - m_centres.unsqueeze(0)).pow(2).sum(2);  // [B, M]
        return torch::matmul(torch::softmax(-d2 / 0.5, 1), m_atoms);
    }
    torch::Tensor training_loss(const DataList& data,
                                const Phase&,
                                torch::Generator& gen) override {
        const auto& scene = *data.front();
        const auto train = torch::tensor(scene.split.train, torch::kInt64);
        const auto pick =
            train.index_select(0, torch::randint(train.size(0), {8}, gen, torch::kInt64));
        const auto target = scene.spectra.index_select(0, pick).view({8, -1});
        return torch::mse_loss(forward(scene.positions.index_select(0, pick)), target);
    }
    void begin_phase(StepContext& step) override {
        s_begun.push_back(step.phase.name + "@" + std::to_string(step.step));
        EXPECT_EQ(step.phase_step, 0);
    }
    void after_backward(StepContext& step) override {
        if (step.phase.name == "atoms" && m_centres.grad().defined())
            s_centres_had_grad_in_first_phase = true;
        m_grad_sum += m_atoms.grad().norm(2, 1);
    }
    void after_step(StepContext& step) override {
        if (step.phase_step % 4 != 3)
            return;
        const auto top = m_grad_sum.argmax().item<std::int64_t>();
        const auto shift = torch::tensor({0.25f, 0.0f, 0.0f});
        const auto rows = m_atoms.detach()[top].unsqueeze(0).repeat({2, 1});
        const auto centres =
            torch::stack({m_centres.detach()[top] + shift, m_centres.detach()[top] - shift});
        auto keep = torch::ones({m_atoms.size(0)}, torch::kBool);
        keep[top] = false;
        m_atoms = step.editor.keep_rows(step.editor.extend(m_atoms, rows),
                                        torch::cat({keep, torch::ones({2}, torch::kBool)}));
        m_centres = step.editor.keep_rows(step.editor.extend(m_centres, centres),
                                          torch::cat({keep, torch::ones({2}, torch::kBool)}));
        m_grad_sum = torch::zeros({m_atoms.size(0)});
    }
    Prediction predict(const Query& query) override {
        torch::NoGradGuard no_grad;
        return Prediction::of_spectra(
            forward(query.positions).clamp(0, 1).view({query.size(), 8, 16}));
    }
    void save(torch::serialize::OutputArchive& a) const override {
        a.write("atoms", m_atoms), a.write("centres", m_centres),
            a.write("grad_sum", m_grad_sum, true);
    }
    void load(torch::serialize::InputArchive& a) override {  // any number of atoms
        torch::Tensor atoms, centres;
        a.read("atoms", atoms), a.read("centres", centres), a.read("grad_sum", m_grad_sum, true);
        m_atoms = atoms.detach().clone().requires_grad_();
        m_centres = centres.detach().clone().requires_grad_();
    }

    torch::Tensor m_atoms, m_centres, m_grad_sum;
};

std::int64_t atoms_in(const std::filesystem::path& checkpoint) {
    GrowingMixture probe;
    load_checkpoint(checkpoint, probe, torch::kCPU);
    return probe.m_atoms.size(0);
}

class Trainer : public ::testing::Test {
protected:
    void SetUp() override {
        Progress::set_enabled(false);
        if (!model_registered("test_growing")) {
            register_model("test_growing", "test", [](const nlohmann::json&) {
                return std::make_unique<GrowingMixture>();
            });
        }
        data = test::write_synthetic(dir / "d.h5", {.count = 60});
    }
    RunConfig run() const {
        RunConfig rc;
        rc.model = "test_growing", rc.data = {data.string()}, rc.train.device = "cpu",
        rc.train.seed = 3;
        rc.train.checkpoint_every = 0;
        return rc;
    }
    test::TorchTempDir dir;
    std::filesystem::path data;
};

TEST_F(Trainer, TwoPhasesGrowAndPruneTheMixtureAndTheLossFalls) {
    GrowingMixture::s_centres_had_grad_in_first_phase = false;
    GrowingMixture::s_begun.clear();
    const auto r = train_run(run(), dir / "full", {.final_eval = false});
    ASSERT_EQ(r.losses.size(), 24u);  // 12 + 12 steps
    EXPECT_EQ(GrowingMixture::s_begun, (std::vector<std::string>{"atoms@0", "joint@12"}));
    // Six growth steps (every 4th step of each phase), each +2 −1 atoms: 2 → 8.
    EXPECT_EQ(atoms_in(dir / "full" / "checkpoint.pt"), 8);
    EXPECT_FALSE(GrowingMixture::s_centres_had_grad_in_first_phase)
        << "phase 'atoms' must freeze the centres";
    const double first = (r.losses[0] + r.losses[1] + r.losses[2]) / 3,
                 last = (r.losses[21] + r.losses[22] + r.losses[23]) / 3;
    EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
    std::ifstream in(dir / "full" / "log.jsonl");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(nlohmann::json::parse(line)["phase"], "atoms");
}

// Resuming from a checkpoint taken after a growth step (8: the mixture has grown twice), at
// the phase boundary (12) and mid-phase after a growth in the second phase (20) gives the
// trajectory of an uninterrupted run, bit for bit.
TEST_F(Trainer, ResumingAfterGrowthAtAPhaseBoundaryAndMidPhaseGivesTheSameTrajectory) {
    const auto full = train_run(run(), dir / "full", {.final_eval = false});
    const auto reference = test::logged_losses(dir / "full" / "log.jsonl");
    GrowingMixture whole;
    load_checkpoint(dir / "full" / "checkpoint.pt", whole, torch::kCPU);
    for (const std::int64_t stop : {8, 12, 20}) {
        const auto folder = dir / ("split" + std::to_string(stop));
        const auto part = train_run(run(), folder, {.stop_after = stop, .final_eval = false});
        ASSERT_TRUE(part.interrupted);
        EXPECT_EQ(read_checkpoint_state(folder / "checkpoint.pt").phase,
                  stop < 12 ? "atoms" : "joint");
        GrowingMixture::s_begun.clear();
        const auto rest = train_run(run(), folder, {.final_eval = false});
        EXPECT_TRUE(rest.resumed);
        // A phase begins once: the resumed run begins only the phases it enters at their start
        // (stopped at 12, the run has made every step of "atoms" and none of "joint").
        EXPECT_EQ(GrowingMixture::s_begun,
                  stop <= 12 ? std::vector<std::string>{"joint@12"} : std::vector<std::string>{})
            << "stopped at " << stop;
        EXPECT_EQ(rest.step, 24);
        EXPECT_EQ(test::logged_losses(folder / "log.jsonl"), reference) << "stopped at " << stop;
        GrowingMixture resumed;
        load_checkpoint(folder / "checkpoint.pt", resumed, torch::kCPU);
        EXPECT_TRUE(torch::equal(resumed.m_atoms, whole.m_atoms)) << "stopped at " << stop;
        EXPECT_TRUE(torch::equal(resumed.m_centres, whole.m_centres)) << "stopped at " << stop;
    }
    EXPECT_EQ(full.losses.size(), 24u);
}

// A model whose training step throws a LibTorch error at its fifth step (once).
class FailingModel final : public Model {
public:
    static inline int s_fail_at = -1;
    std::string name() const override { return "test_failing"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<ParamGroup> parameter_groups() override { return {{"p", {m_p}}}; }
    torch::Tensor training_loss(const DataList&, const Phase&, torch::Generator&) override {
        TORCH_CHECK(++m_calls != s_fail_at, "simulated device failure");
        return (m_p - 1).pow(2).sum();
    }
    Prediction predict(const Query& query) override {
        return Prediction::of_spectra(torch::zeros({query.size(), 8, 16}));
    }
    void save(torch::serialize::OutputArchive& a) const override { a.write("p", m_p); }
    void load(torch::serialize::InputArchive& a) override {
        torch::Tensor p;
        a.read("p", p);
        torch::NoGradGuard no_grad;
        m_p.copy_(p);
    }

private:
    torch::Tensor m_p = torch::zeros({1}, torch::requires_grad());
    int m_calls = 0;
};

TEST_F(Trainer, AnErrorMidTrainingSavesTheLastCompletedStepAndTheSameCommandResumes) {
    if (!model_registered("test_failing")) {
        register_model("test_failing", "test",
                       [](const nlohmann::json&) { return std::make_unique<FailingModel>(); });
    }
    RunConfig rc = run();
    rc.model = "test_failing", rc.train.steps = 10, rc.train.schedule = "constant";
    FailingModel::s_fail_at = 5;
    try {
        train_run(rc, dir / "run", {.final_eval = false});
        FAIL() << "expected Error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("simulated device failure"), std::string::npos) << what;
        EXPECT_NE(what.find("run the same command to resume"), std::string::npos) << what;
    }
    EXPECT_EQ(read_checkpoint_state(dir / "run" / "checkpoint.pt").step, 4);
    FailingModel::s_fail_at = -1;
    const auto rest = train_run(rc, dir / "run", {.final_eval = false});
    EXPECT_TRUE(rest.resumed);
    EXPECT_EQ(rest.step, 10);
    EXPECT_EQ(rest.losses.size(), 6u);
    EXPECT_EQ(test::logged_losses(dir / "run" / "log.jsonl").size(), 10u);
}

// The editor keeps Adam's moments with their rows: appended rows start at zero, kept rows
// keep theirs, a replaced parameter keeps the step count.
// A run trained on a GPU is read on a machine without one: its tensors come out on the
// device asked for, not the one that saved them.
TEST(Checkpoint, WeightsSavedFromCudaLoadOntoTheCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    test::TorchTempDir dir;
    GrowingMixture saved;
    saved.m_atoms = saved.m_atoms.detach().cuda();
    saved.m_centres = saved.m_centres.detach().cuda();
    saved.m_grad_sum = saved.m_grad_sum.cuda();
    CheckpointState state;
    state.model = saved.name();
    const auto path = dir.path() / "checkpoint.pt";
    save_checkpoint(path, state, saved, nullptr, nullptr);
    GrowingMixture loaded;
    load_checkpoint(path, loaded, torch::kCPU);
    EXPECT_TRUE(loaded.m_atoms.device().is_cpu());
    EXPECT_TRUE(torch::equal(loaded.m_atoms, saved.m_atoms.cpu()));
    EXPECT_TRUE(torch::equal(loaded.m_centres, saved.m_centres.cpu()));
}

TEST(ParameterEditor, AdamMomentsFollowExtendKeepRowsAndReplace) {
    auto p = torch::arange(6, torch::kFloat32).view({3, 2}).requires_grad_();
    torch::optim::Adam adam(std::vector<torch::Tensor>{p}, torch::optim::AdamOptions(0.1));
    p.sum().backward();
    adam.step();
    auto state = [&](const torch::Tensor& t) -> torch::optim::AdamParamState& {
        return static_cast<torch::optim::AdamParamState&>(
            *adam.state().at(t.unsafeGetTensorImpl()));
    };
    const auto m0 = state(p).exp_avg().clone(), v0 = state(p).exp_avg_sq().clone();
    ParameterEditor editor(&adam, {"all"});
    auto q = editor.extend(p, torch::full({2, 2}, 7.0f));
    ASSERT_EQ(q.sizes(), (torch::IntArrayRef{5, 2}));
    EXPECT_TRUE(q.requires_grad() && q.is_leaf());
    EXPECT_TRUE(adam.param_groups()[0].params()[0].is_same(q));
    EXPECT_EQ(adam.state().count(p.unsafeGetTensorImpl()), 0u);
    EXPECT_TRUE(torch::equal(state(q).exp_avg().narrow(0, 0, 3), m0));
    EXPECT_TRUE(torch::equal(state(q).exp_avg().narrow(0, 3, 2), torch::zeros({2, 2})));
    auto r = editor.keep_rows(q, torch::tensor({true, false, true, false, true}));
    // Rows 0 and 2 took one Adam step (−0.1 each), the appended row none.
    const auto expected = torch::tensor({-0.1f, 0.9f, 3.9f, 4.9f, 7.0f, 7.0f}).view({3, 2});
    EXPECT_TRUE(torch::allclose(r.detach(), expected, 0, 1e-6)) << r;
    EXPECT_TRUE(torch::equal(state(r).exp_avg_sq().narrow(0, 0, 1), v0.narrow(0, 0, 1)));
    EXPECT_TRUE(torch::equal(state(r).exp_avg_sq().narrow(0, 1, 1), v0.narrow(0, 2, 1)));
    EXPECT_EQ(state(r).step(), 1);
    auto s = editor.replace(r, torch::zeros({3, 2}));
    EXPECT_EQ(state(s).step(), 1);
    EXPECT_TRUE(
        torch::equal(state(s).exp_avg(), torch::zeros({3, 2})));  // no map given: fresh moments
    EXPECT_EQ(editor.edits(), 3);
    // The next step updates the edited parameter with its carried state.
    s.sum().backward();
    adam.step();
    EXPECT_EQ(state(s).step(), 2);
    EXPECT_THROW(editor.keep_rows(s, torch::tensor({true, false})), Error);
    EXPECT_THROW(editor.extend(s, torch::zeros({1, 3})), Error);
}

}  // namespace
}  // namespace radiofield::train
