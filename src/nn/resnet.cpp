// ResNet-18 trunk as torchvision's resnet18 (models/resnet.py: BasicBlock, ResNet).
#include "radiofield/nn/resnet.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield::nn {
namespace {

namespace tnn = torch::nn;

tnn::Conv2d conv(std::int64_t in,
                 std::int64_t out,
                 std::int64_t kernel,
                 std::int64_t stride,
                 std::int64_t padding) {
    return tnn::Conv2d(
        tnn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// One stage: `blocks` BasicBlocks, the first with `stride` (torchvision _make_layer).
tnn::Sequential stage(std::int64_t in, std::int64_t out, std::int64_t stride, int blocks = 2) {
    tnn::Sequential s;
    s->push_back(BasicBlock(in, out, stride));
    for (int i = 1; i < blocks; ++i) {
        s->push_back(BasicBlock(out, out, 1));
    }
    return s;
}

}  // namespace

ResNetConfig ResNetConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "resnet config";
    check_keys(j, {"in_channels", "width", "out_features"}, where);
    ResNetConfig c;
    c.in_channels = get_or(j, "in_channels", c.in_channels, where);
    c.width = get_or(j, "width", c.width, where);
    c.out_features = get_or(j, "out_features", c.out_features, where);
    c.validate();
    return c;
}

nlohmann::json ResNetConfig::to_json() const {
    return {{"in_channels", in_channels}, {"width", width}, {"out_features", out_features}};
}

void ResNetConfig::validate() const {
    if (in_channels < 1) {
        fail("resnet: in_channels must be at least 1, got {}", in_channels);
    }
    if (width < 1) {
        fail("resnet: width must be at least 1 (torchvision: 64), got {}", width);
    }
    if (out_features < 0) {
        fail("resnet: out_features must be ≥ 0 (0 = no fc layer), got {}", out_features);
    }
}

BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride) {
    conv1 = register_module("conv1", conv(in, out, 3, stride, 1));
    bn1 = register_module("bn1", tnn::BatchNorm2d(out));
    conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
    bn2 = register_module("bn2", tnn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
        downsample = register_module(
            "downsample", tnn::Sequential(conv(in, out, 1, stride, 0), tnn::BatchNorm2d(out)));
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {  // [B, in, H, W]
    auto y = torch::relu(bn1(conv1(x)));                         // [B, out, H/s, W/s]
    y = bn2(conv2(y));
    const auto shortcut = downsample ? downsample->forward(x) : x;  // [B, out, H/s, W/s]
    return torch::relu(y + shortcut);
}

ResNetImpl::ResNetImpl(const ResNetConfig& config) : m_config(config) {
    config.validate();
    const std::int64_t w = config.width;
    conv1 = register_module("conv1", conv(config.in_channels, w, 7, 2, 3));
    bn1 = register_module("bn1", tnn::BatchNorm2d(w));
    maxpool =
        register_module("maxpool", tnn::MaxPool2d(tnn::MaxPool2dOptions(3).stride(2).padding(1)));
    layer1 = register_module("layer1", stage(w, w, 1));
    layer2 = register_module("layer2", stage(w, 2 * w, 2));
    layer3 = register_module("layer3", stage(2 * w, 4 * w, 2));
    layer4 = register_module("layer4", stage(4 * w, 8 * w, 2));
    if (config.out_features > 0) {
        fc = register_module("fc", tnn::Linear(8 * w, config.out_features));
    }

    // torchvision: kaiming_normal_(fan_out, relu) for convs; BN weight 1, bias 0.
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* c = module->as<tnn::Conv2d>()) {
            tnn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
        } else if (auto* bn = module->as<tnn::BatchNorm2d>()) {
            tnn::init::ones_(bn->weight);
            tnn::init::zeros_(bn->bias);
        }
    }
}

torch::Tensor ResNetImpl::features(const torch::Tensor& x) {  // [B, C, H, W]
    return feature_map(x).mean({2, 3});  // [B, 8w]: adaptive average pool to 1×1, flattened
}

torch::Tensor ResNetImpl::feature_map(const torch::Tensor& x) {  // [B, C, H, W]
    if (x.dim() != 4 || x.size(1) != m_config.in_channels) {
        fail(
            "resnet: expected input [B, {}, H, W], got {}; set in_channels to the input's channels",
            m_config.in_channels, c10::str(x.sizes()));
    }
    auto y = maxpool(torch::relu(bn1(conv1(x))));  // [B, w, H/4, W/4]
    return layer4->forward(
        layer3->forward(layer2->forward(layer1->forward(y))));  // [B, 8w, H/32, W/32]
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) {  // [B, C, H, W]
    const auto f = features(x);                              // [B, 8w]
    return fc ? fc(f) : f;                                   // [B, out_dim()]
}

}  // namespace radiofield::nn
