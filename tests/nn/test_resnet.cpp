// ResNet-18 trunk: torchvision's parameter counts and names, output shapes on spectra,
// torchvision's init, BatchNorm's train/eval behaviour, and that it can fit data.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/resnet.hpp"
#include "single_thread.hpp"

namespace {

using radiofield::nn::ResNet;
using radiofield::nn::ResNetConfig;

int64_t count_parameters(const torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters()) {
        n += p.numel();
    }
    return n;
}

TEST(ResNet, ParameterCountsMatchTorchvisionResnet18) {
    EXPECT_EQ(count_parameters(*ResNet(ResNetConfig{3, 64, 1000})), 11'689'512);  // torchvision
    EXPECT_EQ(count_parameters(*ResNet(ResNetConfig{1, 64, 0})), 11'170'240);     // spectra, no fc
}

TEST(ResNet, StateDictNamesAreTorchvisions) {
    const ResNet net(ResNetConfig{3, 64, 1000});
    const auto params = net->named_parameters();
    const auto buffers = net->named_buffers();
    for (const char* name :
         {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
          "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer4.1.conv2.weight",
          "fc.weight", "fc.bias"}) {
        EXPECT_TRUE(params.contains(name)) << name;
    }
    EXPECT_FALSE(params.contains("layer1.0.downsample.0.weight"));  // layer1 keeps the shape
    EXPECT_TRUE(buffers.contains("layer3.0.downsample.1.running_var"));
    EXPECT_EQ(params["layer3.0.conv1.weight"].sizes(), (std::vector<int64_t>{256, 128, 3, 3}));
}

TEST(ResNet, OutputShapesOnOneChannelSpectra) {
    const radiofield::test::SingleThread single_thread;
    torch::manual_seed(20);
    const auto x = torch::rand({2, 1, 90, 360});
    torch::NoGradGuard no_grad;
    ResNet trunk(ResNetConfig{1, 64, 0});
    trunk->eval();
    EXPECT_EQ(trunk(x).sizes(), (std::vector<int64_t>{2, 512}));
    EXPECT_EQ(trunk->out_dim(), 512);
    ResNet small(ResNetConfig{1, 16, 0});
    EXPECT_EQ(small(x).sizes(), (std::vector<int64_t>{2, 128}));
    ResNet head(ResNetConfig{1, 32, 10});
    EXPECT_EQ(head(x).sizes(), (std::vector<int64_t>{2, 10}));
    EXPECT_EQ(head->features(x).sizes(), (std::vector<int64_t>{2, 256}));
    EXPECT_THROW(head(torch::rand({2, 3, 90, 360})), radiofield::Error);  // wrong channels
}

TEST(ResNet, InitIsKaimingNormalFanOutForConvsAndUnitBatchNorm) {
    torch::manual_seed(21);
    const ResNet net(ResNetConfig{1, 64, 0});
    const auto params = net->named_parameters();
    const auto w = params["layer3.0.conv1.weight"];  // [256, 128, 3, 3]: fan_out = 256·9
    const double want = std::sqrt(2.0 / (256 * 9));
    EXPECT_NEAR(w.std().item<double>() / want, 1.0, 0.02);
    EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.02 * want);
    for (const auto& p : net->named_parameters()) {
        if (p.key().find("bn") != std::string::npos ||
            p.key().find("downsample.1") != std::string::npos) {
            const double target = p.key().ends_with("weight") ? 1.0 : 0.0;
            EXPECT_TRUE(torch::all(p.value() == target).item<bool>()) << p.key();
        }
    }
}

TEST(ResNet, TinyWidthOverfitsFourImages) {
    const radiofield::test::SingleThread single_thread;
    torch::manual_seed(22);
    ResNet net(ResNetConfig{1, 8, 3});
    const auto x = torch::randn({4, 1, 48, 48});
    const auto y = torch::randn({4, 3});
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
    auto loss_now = [&] { return torch::mse_loss(net(x), y); };
    const double first = loss_now().item<double>();
    double last = first;
    for (int step = 0; step < 60; ++step) {
        opt.zero_grad();
        auto loss = loss_now();
        loss.backward();
        opt.step();
        last = loss.item<double>();
    }
    EXPECT_LT(last, first / 10) << "first " << first << " last " << last;
}

TEST(ResNet, EvalUsesRunningStatisticsAndTrainUsesTheBatch) {
    const radiofield::test::SingleThread single_thread;
    torch::manual_seed(23);
    ResNet net(ResNetConfig{1, 8, 0});
    const auto x = torch::randn({4, 1, 64, 64}) * 2.0 + 1.0;
    torch::NoGradGuard no_grad;
    const auto bn1 = net->bn1;
    ASSERT_TRUE(torch::all(bn1->running_mean == 0).item<bool>());

    net->train();
    const auto y_train = net(x);
    // In train mode a sample's output depends on the rest of the batch.
    EXPECT_FALSE(torch::allclose(net(x.slice(0, 0, 2))[0], y_train[0], 1e-4, 1e-5));
    const auto mean_after_train = bn1->running_mean.clone();
    EXPECT_GT(mean_after_train.abs().max().item<double>(), 0.0);  // train updates the stats

    net->eval();
    const auto y_eval = net(x);
    EXPECT_TRUE(torch::equal(bn1->running_mean, mean_after_train));  // eval leaves them
    EXPECT_FALSE(torch::allclose(y_eval, y_train, 1e-3, 1e-4));
    // In eval mode it does not: the running statistics normalise every sample alike.
    EXPECT_TRUE(torch::allclose(net(x.slice(0, 0, 1))[0], y_eval[0], 1e-5, 1e-6));
}

TEST(ResNet, ConfigReadsJsonAndRejectsUnknownKeysAndBadValues) {
    const auto c = ResNetConfig::from_json({{"width", 16}, {"out_features", 5}});
    EXPECT_EQ(c.in_channels, 1);
    EXPECT_EQ(c.width, 16);
    EXPECT_EQ(c.out_features, 5);
    EXPECT_EQ(ResNetConfig::from_json(c.to_json()).to_json(), c.to_json());
    EXPECT_THROW(ResNetConfig::from_json({{"widht", 16}}), radiofield::Error);
    EXPECT_THROW(ResNetConfig::from_json({{"width", 0}}), radiofield::Error);
    EXPECT_THROW(ResNetConfig::from_json({{"width", "wide"}}), radiofield::Error);
    EXPECT_THROW(ResNet(ResNetConfig{0, 64, 0}), radiofield::Error);
}

}  // namespace
