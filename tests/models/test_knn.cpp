// KNN and KNN-DL (GRaF's neighbour baselines): weights checked by hand, exactness at
// training positions, and KNN-DL learning on a small synthetic dataset.
#include <gtest/gtest.h>

#include <numeric>

#include "../train/scene_fixture.hpp"
#include "../train/synthetic_data.hpp"
#include "../train/torch_temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/models/knn.hpp"
#include "radiofield/models/registry.hpp"
#include "radiofield/train/loop.hpp"

namespace radiofield::models {
namespace {

// Five samples on the x axis at x = 0, 1, 2, 3, 10; sample i's 2×3 spectrum is
// (i + 1)/10 + 0.01·pixel. All are training samples except sample 4.
std::shared_ptr<const train::SceneData> line_data() {
    const double xs[] = {0, 1, 2, 3, 10};
    auto positions = torch::zeros({5, 3});
    auto spectra = torch::zeros({5, 2, 3});
    for (int i = 0; i < 5; ++i) {
        positions[i][0] = xs[i];
        spectra[i] = (i + 1) / 10.0 + 0.01 * torch::arange(6, torch::kFloat32).view({2, 3});
    }
    return test::scene_from(spectra, positions, {{0, 1, 2, 3}, {}, {4}});
}

torch::Tensor at(double x) {
    return torch::tensor({x, 0.0, 0.0}, torch::kFloat32).view({1, 3});
}

// The model's spectra at x on the line, excluding sample `self` (−1: none) from the support.
torch::Tensor predict(train::Model& model,
                      const train::SceneData& scene,
                      double x,
                      std::int64_t self = -1) {
    auto query = train::Query::at(scene, at(x));
    query.exclude = torch::tensor({self}, torch::kInt64);
    return model.predict(query).spectra;
}

TEST(Knn, EqualWeightsAverageTheKNearestOtherTrainingSpectra) {
    const auto scene = line_data();
    const auto& d = *scene;
    KnnModel knn({.k = 2, .weights = KnnWeights::Equal});
    // Query sample 1 (x = 1) excluding itself: nearest others are x = 0 and x = 2 → (s0 + s2)/2.
    const auto pred = predict(knn, d, 1.0, 1);
    const auto expected = 0.5 * (d.spectra[0] + d.spectra[2]);  // 0.2 + 0.01·pixel
    EXPECT_TRUE(torch::allclose(pred[0], expected, 1e-6, 1e-7));
    EXPECT_NEAR(pred[0][0][0].item<double>(), 0.2, 1e-6);
    // Query at x = 9 (not a training sample): nearest are x = 3 and x = 2 → (s3 + s2)/2.
    const auto far = predict(knn, d, 9.0);
    EXPECT_TRUE(torch::allclose(far[0], 0.5 * (d.spectra[3] + d.spectra[2]), 1e-6, 1e-7));
}

TEST(Knn, InverseDistanceAndBarycentricAreExactAtATrainingPositionWhenNotExcluded) {
    const auto scene = line_data();
    const auto& d = *scene;
    for (auto w : {KnnWeights::InverseDistance, KnnWeights::Barycentric}) {
        KnnModel knn({.k = 3, .weights = w});
        const auto pred = predict(knn, d, 2.0);  // sample 2's position, nothing excluded
        EXPECT_TRUE(torch::equal(pred[0], d.spectra[2])) << to_string(w);
    }
    // Equal weights are exact only with k = 1.
    KnnModel one({.k = 1, .weights = KnnWeights::Equal});
    EXPECT_TRUE(torch::equal(predict(one, d, 3.0)[0], d.spectra[3]));
}

TEST(Knn, InverseDistanceWeightsMatchHandComputedValues) {
    // Neighbours at distances 1, 2 and 4 from the origin: w ∝ 1, 1/2, 1/4 → 4/7, 2/7, 1/7.
    const auto target = torch::zeros({1, 3}, torch::kFloat64);
    const auto nb = torch::tensor({1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -4.0}, torch::kFloat64)
                        .view({1, 3, 3});
    const auto w = knn_weights(KnnWeights::InverseDistance, target, nb);
    EXPECT_NEAR(w[0][0].item<double>(), 4.0 / 7, 1e-12);
    EXPECT_NEAR(w[0][1].item<double>(), 2.0 / 7, 1e-12);
    EXPECT_NEAR(w[0][2].item<double>(), 1.0 / 7, 1e-12);
    // power 2: ∝ 1, 1/4, 1/16 → 16/21, 4/21, 1/21.
    const auto w2 = knn_weights(KnnWeights::InverseDistance, target, nb, 2.0);
    EXPECT_NEAR(w2[0][0].item<double>(), 16.0 / 21, 1e-12);
    EXPECT_NEAR(w2[0][2].item<double>(), 1.0 / 21, 1e-12);
}

TEST(Knn, BarycentricWeightsAreTheSimplexCoordinates) {
    // Triangle (0,0), (1,0), (0,1) in the plane z = 0; P = (0.2, 0.3) → (0.5, 0.2, 0.3).
    const auto nb = torch::tensor({0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0}, torch::kFloat64)
                        .view({1, 3, 3});
    const auto w = knn_weights(KnnWeights::Barycentric,
                               torch::tensor({0.2, 0.3, 0.0}, torch::kFloat64).view({1, 3}), nb);
    EXPECT_NEAR(w[0][0].item<double>(), 0.5, 1e-9);
    EXPECT_NEAR(w[0][1].item<double>(), 0.2, 1e-9);
    EXPECT_NEAR(w[0][2].item<double>(), 0.3, 1e-9);
    // A point above the plane is projected onto it: same weights.
    const auto up = knn_weights(KnnWeights::Barycentric,
                                torch::tensor({0.2, 0.3, 5.0}, torch::kFloat64).view({1, 3}), nb);
    EXPECT_TRUE(torch::allclose(up, w, 0, 1e-9));
}

TEST(Knn, BarycentricWeightsReproduceThePositionForManyNeighbours) {
    // L = 7 points in general position (generalised barycentric, least squares with Σw = 1).
    torch::manual_seed(3);
    const auto nb = torch::rand({4, 7, 3}, torch::kFloat64);
    const auto target = nb.mean(1) + 0.05 * torch::randn({4, 3}, torch::kFloat64);
    const auto w = knn_weights(KnnWeights::Barycentric, target, nb);  // [4, 7]
    EXPECT_TRUE(torch::allclose(w.sum(1), torch::ones({4}, torch::kFloat64), 0, 1e-9));
    EXPECT_TRUE(torch::allclose((w.unsqueeze(2) * nb).sum(1), target, 0, 1e-9));
}

TEST(Knn, BarycentricFallsBackToInverseDistanceWhenNeighboursCoincide) {
    const auto nb = torch::ones({1, 3, 3}, torch::kFloat64);  // all at (1, 1, 1)
    const auto w = knn_weights(KnnWeights::Barycentric, torch::zeros({1, 3}, torch::kFloat64), nb);
    EXPECT_TRUE(torch::allclose(w, torch::full({1, 3}, 1.0 / 3, torch::kFloat64), 0, 1e-12));
}

TEST(Knn, TooFewSupportSamplesForKIsAClearError) {
    KnnModel knn({.k = 4});
    const auto scene = line_data();
    try {
        predict(knn, *scene, 1.0, 1);  // 4 training samples: sample 1 has only 3 others
        FAIL() << "expected Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("4 neighbours are needed"), std::string::npos)
            << e.what();
    }
}

TEST(Knn, TheQueryIsNeverInItsOwnSupportSet) {
    const auto scene = line_data();
    KnnModel knn({.k = 1});
    // Every training sample, asked as a query of samples, gets a neighbour's spectrum, not its own.
    const auto query = train::Query::samples(*scene, {0, 1, 2, 3});
    const auto pred = knn.predict(query).spectra;
    for (std::int64_t i = 0; i < 4; ++i)
        EXPECT_FALSE(torch::equal(pred[i], scene->spectra[i])) << "sample " << i;
    const auto found = query.support->nearest(query.positions, 3, query.exclude);
    for (std::int64_t i = 0; i < 4; ++i) {
        for (int j = 0; j < 3; ++j)
            EXPECT_NE(found.index[i][j].item<std::int64_t>(), i);
    }
}

TEST(KnnRegistry, BuildsBothModelsByNameAndRejectsUnknownNamesListingTheValidOnes) {
    register_builtin_models();
    EXPECT_EQ(train::make_model("knn", {{"k", 3}, {"weights", "barycentric"}})->config()["weights"],
              "barycentric");
    EXPECT_EQ(train::make_model("knn_dl")->name(), "knn_dl");
    EXPECT_THROW(train::make_model("knn", {{"weights", "cubic"}}), Error);
    EXPECT_THROW(train::make_model("knn", {{"kk", 3}}), Error);
    try {
        train::make_model("knm");
        FAIL() << "expected Error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("knn_dl"), std::string::npos) << what;
    }
}

// Starting from equal weights (GRaF's KNN), the CNN learns per-pixel weights: measured ≈5×
// lower loss after 150 steps on this data (k = 8); the test asks for 3×.
TEST(KnnDl, ReducesItsTrainingLossAtLeastThreefoldIn150Steps) {
    Progress::set_enabled(false);
    test::TorchTempDir dir;
    const auto path = test::write_synthetic(dir / "synthetic.h5");  // 200 positions, 8×16 spectra
    train::RunConfig rc;
    rc.model = "knn_dl";
    rc.model_config = {{"k", 8}, {"channels", 16}, {"layers", 3}, {"batch", 16}};
    rc.data = {path.string()};
    rc.train.steps = 150;
    rc.train.lr = 3e-3;
    rc.train.schedule = "constant";
    rc.train.checkpoint_every = 0;
    rc.train.device = "cpu";
    train::TrainOptions opts;
    opts.final_eval = false;
    const auto result = train::train_run(rc, dir / "run", opts);
    ASSERT_EQ(result.losses.size(), 150u);
    auto mean = [](auto first, auto last) {
        return std::accumulate(first, last, 0.0) / std::distance(first, last);
    };
    const double start = mean(result.losses.begin(), result.losses.begin() + 10);
    const double end = mean(result.losses.end() - 10, result.losses.end());
    EXPECT_LT(end * 3.0, start) << "first 10 steps " << start << ", last 10 steps " << end;
}

// A run that names no learning rate or weight decay trains with the model's own (NeRF2:
// the public Adam, 8e-4 and 5e-5) and records them; given ones win.
TEST(TrainDefaults, NeRF2RunsUseThePublicAdamSettingsUnlessGiven) {
    Progress::set_enabled(false);
    test::TorchTempDir dir;
    const auto path = test::write_synthetic(dir / "synthetic.h5");
    train::RunConfig rc;
    rc.model = "nerf2";
    rc.model_config = {{"depth", 2},
                       {"width", 8},
                       {"skips", nlohmann::json::array()},
                       {"n_samples", 4},
                       {"batch", 16}};
    rc.data = {path.string()};
    rc.train.steps = 1;
    rc.train.checkpoint_every = 0;
    rc.train.device = "cpu";
    train::TrainOptions opts;
    opts.final_eval = false;
    train::train_run(rc, dir / "default", opts);
    const auto used = train::RunConfig::read(dir / "default" / "config.json").train;
    EXPECT_DOUBLE_EQ(used.lr.value(), 8e-4);
    EXPECT_DOUBLE_EQ(used.weight_decay.value(), 5e-5);
    rc.train.lr = 1e-2;
    train::train_run(rc, dir / "given", opts);
    const auto given = train::RunConfig::read(dir / "given" / "config.json").train;
    EXPECT_DOUBLE_EQ(given.lr.value(), 1e-2);
    EXPECT_DOUBLE_EQ(given.weight_decay.value(), 5e-5);
    // A model without a recommendation: Adam's 1e-3, no weight decay.
    train::TrainConfig plain;
    plain.resolve_defaults(nlohmann::json::object());
    EXPECT_DOUBLE_EQ(plain.lr.value(), 1e-3);
    EXPECT_DOUBLE_EQ(plain.weight_decay.value(), 0.0);
}

}  // namespace
}  // namespace radiofield::models
