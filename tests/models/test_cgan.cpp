// The CGAN baseline: it learns a position-dependent spectrum well enough to beat the mean
// training spectrum on held-out positions, both of its networks learn, and it round-trips
// through a checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "../nn/single_thread.hpp"
#include "../train/scene_fixture.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/cgan.hpp"

using namespace radiofield;

namespace {

// 16×32 grid over the sphere at the origin; a lobe towards the moving end (2 m away, in the
// horizontal plane ±30°), min–max per sample; 64 training and 16 held-out positions.
train::DataList lobe_data() {
    test::SceneSpec spec;
    spec.grid = {.n_el = 16, .n_az = 32, .el0_deg = -84.375, .az0_deg = 5.625, .step_deg = 11.25};
    const int n = 80;
    auto gen = at::detail::createCPUGenerator(21);
    const auto az = torch::rand({n}, gen, torch::kFloat32) * 2 * M_PI;
    const auto el = (torch::rand({n}, gen, torch::kFloat32) - 0.5) * (M_PI / 3);
    const auto dir = torch::stack({el.cos() * az.cos(), el.cos() * az.sin(), el.sin()}, 1);
    std::vector<float> cells;
    for (int r = 0; r < spec.grid.n_el; ++r)
        for (int c = 0; c < spec.grid.n_az; ++c) {
            const Vec3 d = spec.grid.local_direction(r, c);
            cells.insert(cells.end(), {float(d.x), float(d.y), float(d.z)});
        }
    const auto cosang = torch::mm(dir, torch::tensor(cells).view({-1, 3}).t());
    auto s = (0.5 * (cosang + 1)).pow(2);
    const auto lo = std::get<0>(s.min(1, true)), hi = std::get<0>(s.max(1, true));
    s = ((s - lo) / (hi - lo)).view({n, spec.grid.n_el, spec.grid.n_az});
    data::Split split;
    for (int i = 0; i < n; ++i)
        (i < 64 ? split.train : split.test).push_back(i);
    return {test::scene_from(s, dir * 2, split, spec)};
}

}  // namespace

TEST(Cgan, LearnsThePositionDependenceAndBeatsTheMeanSpectrum) {
    test::SingleThread one;
    const auto data = lobe_data();
    models::CganModel model(models::CganConfig::from_json({{"channels", 8}, {"lr", 2e-3}}));
    model.prepare(train::contexts(data), &data);
    auto groups = model.parameter_groups();
    std::vector<torch::optim::OptimizerParamGroup> adam_groups;
    std::vector<std::string> names;
    for (const auto& g : groups) {
        names.push_back(g.name);
        adam_groups.emplace_back(g.params, std::make_unique<torch::optim::AdamOptions>(*g.lr));
    }
    torch::optim::Adam adam(adam_groups, torch::optim::AdamOptions(1e-3));
    const auto d_before = groups[1].params[0].detach().clone();
    auto gen = at::detail::createCPUGenerator(4);
    train::Phase phase;
    for (int s = 0; s < 300; ++s) {
        adam.zero_grad();
        auto loss = model.training_loss(data, phase, gen);
        train::ParameterEditor editor(&adam, names);
        train::StepContext ctx{s, s, phase, data, editor};
        loss.backward();
        model.after_backward(ctx);
        adam.step();
    }
    const auto& d = *data[0];
    const auto test = torch::tensor(d.split.test, torch::kLong);
    const auto train = torch::tensor(d.split.train, torch::kLong);
    const auto truth = d.spectra.index_select(0, test);
    const auto pred = model.predict_positions(d.positions.index_select(0, test));
    const double mse = torch::mse_loss(pred, truth).item<double>();
    const auto mean = d.spectra.index_select(0, train).mean(0, true).expand_as(truth);
    const double mse_mean = torch::mse_loss(mean, truth).item<double>();
    std::cout << "cgan held-out MSE " << mse << " vs mean spectrum " << mse_mean
              << "; discriminator loss " << model.last_discriminator_loss() << "\n";
    EXPECT_LT(mse, 0.25 * mse_mean);  // measured: 0.0013–0.0019 vs 0.070
    EXPECT_FALSE(torch::equal(groups[1].params[0].detach(), d_before)) << "D learns";
    EXPECT_LT(model.last_discriminator_loss(), 5.0);

    // A checkpoint round trip predicts the same.
    std::stringstream buffer;
    torch::serialize::OutputArchive out;
    model.save(out);
    out.save_to(buffer);
    models::CganModel copy(models::CganConfig::from_json({{"channels", 8}}));
    copy.prepare(train::contexts(data), nullptr);
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    copy.load(in);
    EXPECT_TRUE(torch::allclose(copy.predict_positions(d.positions.index_select(0, test)), pred));
}

TEST(Cgan, BadConfigAndTinyGridsAreClearErrors) {
    EXPECT_THROW(models::CganConfig::from_json({{"channel", 3}}), Error);
    test::SceneSpec spec;
    const auto tiny = test::scene_from(torch::zeros({2, 4, 4}), torch::zeros({2, 3}),
                                       data::Split{{0}, {}, {1}}, spec);
    models::CganModel model;
    EXPECT_THROW(model.prepare({tiny->context}, nullptr), Error);
}
