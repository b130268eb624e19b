#pragma once
// ResNet-18 trunk (He et al., CVPR 2016), the torchvision resnet18 architecture with the
// torchvision module names (its state_dict keys: conv1, bn1, layer1.0.conv1, …, fc):
//
//   conv 7×7/2 (in → w) + BN + ReLU, max-pool 3×3/2
//   layer1..layer4: two BasicBlocks each, w, 2w, 4w, 8w channels; the first block of
//   layer2..4 has stride 2 and a 1×1/2 conv + BN shortcut ("downsample")
//   global average pool → [B, 8w], then optionally fc: 8w → out_features
//
// w = 64 is torchvision's resnet18 (11,689,512 parameters with 3 input channels and a
// 1000-way fc). GRaF feeds one-channel spectra [B, 1, 90, 360] (DESIGN.md §6.3); a smaller
// width (16, 32) gives a CPU-sized trunk. Init as torchvision: Kaiming-normal convs
// (fan_out, ReLU), BN weight 1 and bias 0, fc left at LibTorch's default.

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>

namespace radiofield::nn {

struct ResNetConfig {
    int in_channels = 1;   // 1 for spectra, 3 for RGB images
    int width = 64;        // channels of the stem and layer1 (torchvision: 64)
    int out_features = 0;  // 0 = no fc: forward returns the pooled [B, 8·width] feature

    static ResNetConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
    void validate() const;  // throws Error naming the bad value
};

// Two 3×3 convs with BN, ReLU between and after the residual sum (torchvision BasicBlock).
struct BasicBlockImpl : torch::nn::Module {
    BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride);

    torch::Tensor forward(const torch::Tensor& x);  // [B, in, H, W] → [B, out, H/s, W/s]

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Sequential downsample{nullptr};  // 1×1 conv + BN when the shape changes
};
TORCH_MODULE(BasicBlock);

struct ResNetImpl : torch::nn::Module {
    explicit ResNetImpl(const ResNetConfig& config = {});

    // x [B, in_channels, H, W] → [B, out_dim()] (any H, W ≥ 1: the pool is global)
    torch::Tensor forward(const torch::Tensor& x);
    // The pooled trunk feature, before fc: [B, in_channels, H, W] → [B, 8·width]
    torch::Tensor features(const torch::Tensor& x);
    // The trunk's last feature map, before pooling: [B, in_channels, H, W] → [B, 8·width,
    // ⌈H/32⌉, ⌈W/32⌉] (where in the input each feature is: what the global pool drops).
    torch::Tensor feature_map(const torch::Tensor& x);

    std::int64_t feature_dim() const { return 8 * static_cast<std::int64_t>(m_config.width); }
    std::int64_t out_dim() const {
        return m_config.out_features > 0 ? m_config.out_features : feature_dim();
    }
    const ResNetConfig& config() const { return m_config; }

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::MaxPool2d maxpool{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::Linear fc{nullptr};  // only when out_features > 0

private:
    ResNetConfig m_config;
};
TORCH_MODULE(ResNet);

}  // namespace radiofield::nn
