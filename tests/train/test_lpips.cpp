// LPIPS-alex: matches the lpips package (with deterministic "formula" weights, since the
// real ones cannot be downloaded here), weights-file round trip and its errors, and the
// metric staying unavailable without weights.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "metrics_fixture.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/lpips.hpp"

namespace {

namespace rt = radiofield::train;
namespace fs = std::filesystem;

// The weights of scripts/metrics_reference.py formula_lpips_weights(): tensor j (spec
// order), flat index k, r = sin(12.9898 k + 78.233 j); conv r*sqrt(2/fan_in), bias 0.01 r,
// heads 0.1 |r|.
rt::NamedTensors formula_weights() {
    rt::NamedTensors w;
    int64_t j = 0;
    for (const auto& spec : rt::lpips_alex_tensor_specs()) {
        int64_t numel = 1;
        for (const auto s : spec.shape)
            numel *= s;
        auto r = torch::sin(torch::arange(numel, torch::kFloat64) * 12.9898 + double(j++) * 78.233);
        if (spec.name.starts_with("lin")) {
            r = 0.1 * r.abs();
        } else if (spec.shape.size() == 4) {
            r = r * std::sqrt(2.0 / double(spec.shape[1] * spec.shape[2] * spec.shape[3]));
        } else {
            r = 0.01 * r;
        }
        w[spec.name] = r.view(spec.shape).to(torch::kFloat32);
    }
    return w;
}

fs::path temp_file(const std::string& name) {
    return fs::path(::testing::TempDir()) / ("radiofield_lpips_" + name + ".pt");
}

// Expect `fn` to throw a radiofield::Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn&& fn, std::initializer_list<std::string> parts) {
    try {
        fn();
        ADD_FAILURE() << "no error thrown";
    } catch (const radiofield::Error& e) {
        for (const auto& part : parts) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
                << "'" << part << "' not in: " << e.what();
        }
    }
}

TEST(Lpips, WithoutAWeightsFileTheMetricIsUnavailableAndGivesNoNumber) {
    const auto metric = rt::LpipsMetric::from_file(std::nullopt);
    EXPECT_FALSE(metric.available());
    EXPECT_NE(metric.status().find("unavailable"), std::string::npos);
    const auto img = torch::rand({2, 90, 360});
    EXPECT_FALSE(metric(img, img.flip(2)).has_value());
    EXPECT_FALSE(rt::LpipsMetric()(img, img).has_value());
}

TEST(Lpips, MatchesTheLpipsPackageWithTheSameWeightsOnTheFixture) {
    const rt::LpipsAlex net(formula_weights());
    int checked = 0;
    for (const auto& p : radiofield::train::test::load_fixture()) {
        if (!p.lpips_formula)
            continue;
        SCOPED_TRACE(p.name);
        EXPECT_NEAR(net(p.pred, p.target).item<double>(), *p.lpips_formula, 2e-5);
        ++checked;
    }
    EXPECT_GE(checked, 8) << "regenerate the fixture with lpips installed (see the script)";
}

TEST(Lpips, SavedRandomWeightsLoadBackUnchangedAndGiveTheSameDistances) {
    const auto weights = rt::random_lpips_weights(7);
    const auto path = temp_file("roundtrip");
    rt::save_lpips_weights(path, weights);
    const auto loaded = rt::load_lpips_weights(path);
    for (const auto& spec : rt::lpips_alex_tensor_specs()) {
        ASSERT_TRUE(loaded.count(spec.name)) << spec.name;
        EXPECT_TRUE(torch::equal(loaded.at(spec.name), weights.at(spec.name))) << spec.name;
    }
    const auto a = torch::rand({3, 90, 360}), b = torch::rand({3, 90, 360});
    const auto metric = rt::LpipsMetric::from_file(path);
    ASSERT_TRUE(metric.available());
    EXPECT_NE(metric.status().find(path.string()), std::string::npos);
    EXPECT_TRUE(torch::equal(*metric(a, b), rt::LpipsAlex(weights)(a, b)));
    fs::remove(path);
}

TEST(Lpips, ZeroForIdenticalImagesPositiveAndSymmetricOtherwise) {
    const rt::LpipsAlex net(rt::random_lpips_weights(1));
    const auto a = torch::rand({4, 90, 360}), b = torch::rand({4, 90, 360});
    EXPECT_TRUE(torch::equal(net(a, a), torch::zeros({4}, torch::kFloat64)));
    const auto ab = net(a, b), ba = net(b, a);
    EXPECT_EQ(ab.sizes(), torch::IntArrayRef({4}));
    EXPECT_TRUE((ab > 0).all().item<bool>());
    EXPECT_TRUE(torch::allclose(ab, ba, 1e-6, 1e-9));
    for (int64_t i = 0; i < 4; ++i) {  // the batch equals the per-image loop
        EXPECT_NEAR(net(a[i], b[i]).item<double>(), ab[i].item<double>(), 1e-6);
    }
}

TEST(Lpips, AMissingTensorInTheFileIsNamed) {
    auto weights = rt::random_lpips_weights(2);
    weights.erase("net.slice3.6.bias");
    const auto path = temp_file("missing");
    rt::save_lpips_weights(path, weights);
    expect_error([&] { rt::load_lpips_weights(path); },
                 {"net.slice3.6.bias", "missing", path.string()});
    fs::remove(path);
}

TEST(Lpips, AWrongShapeInTheFileNamesTheTensorAndBothShapes) {
    auto weights = rt::random_lpips_weights(3);
    weights["lin2.model.1.weight"] = torch::rand({1, 256, 1, 1});
    const auto path = temp_file("shape");
    rt::save_lpips_weights(path, weights);
    expect_error([&] { rt::load_lpips_weights(path); },
                 {"lin2.model.1.weight", "[1, 256, 1, 1]", "[1, 384, 1, 1]"});
    fs::remove(path);
}

TEST(Lpips, NegativeLinearHeadsAndWrongScalingConstantsAreRejected) {
    auto weights = rt::random_lpips_weights(4);
    weights["lin0.model.1.weight"] = -weights["lin0.model.1.weight"];
    expect_error([&] { rt::LpipsAlex net(weights); }, {"lin0.model.1.weight", "negative"});
    weights = rt::random_lpips_weights(4);
    weights["scaling_layer.shift"] = torch::zeros({1, 3, 1, 1});
    expect_error([&] { rt::LpipsAlex net(weights); }, {"scaling_layer.shift"});
    weights["scaling_layer.shift"] = torch::tensor({-.030, -.088, -.188}).view({1, 3, 1, 1});
    EXPECT_NO_THROW(rt::LpipsAlex net(weights));
}

TEST(Lpips, AbsentOrForeignFilesGiveAClearError) {
    expect_error([] { rt::load_lpips_weights("/nonexistent/lpips.pt"); },
                 {"/nonexistent/lpips.pt", "does not exist", "export_lpips_weights.py"});
    const auto path = temp_file("garbage");
    std::ofstream(path) << "not an archive";
    expect_error([&] { rt::LpipsMetric::from_file(path); }, {"not a LibTorch archive"});
    fs::remove(path);
}

TEST(Lpips, ImagesTooSmallForAlexNetOrOnAnotherDeviceAreRejected) {
    const rt::LpipsAlex net(rt::random_lpips_weights(5));
    EXPECT_NO_THROW(net(torch::rand({31, 31}), torch::rand({31, 31})));
    expect_error([&] { net(torch::rand({30, 360}), torch::rand({30, 360})); }, {"31"});
    expect_error([&] { net(torch::rand({90, 360}), torch::rand({90, 359})); }, {"shape"});
    if (torch::cuda::is_available()) {
        const auto img = torch::rand({90, 360}, torch::kCUDA);
        expect_error([&] { net(img, img); }, {"cuda"});
    }
}

TEST(Lpips, CudaGivesTheSameDistancesAsCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto weights = formula_weights();
    const rt::LpipsAlex cpu(weights), gpu(weights, torch::kCUDA);
    const auto a = torch::rand({3, 90, 360}), b = torch::rand({3, 90, 360});
    const auto on_gpu = gpu(a.cuda(), b.cuda());
    EXPECT_TRUE(on_gpu.is_cuda());
    EXPECT_TRUE(torch::allclose(on_gpu.cpu(), cpu(a, b), 1e-4, 1e-6));
}

}  // namespace
