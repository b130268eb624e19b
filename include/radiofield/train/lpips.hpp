#pragma once
// LPIPS (Zhang et al., CVPR 2018), as the `lpips` Python package computes it with
// net="alex", version="0.1" — the variant GRaF reports. docs/metrics.md has the details.
//
// The weights cannot be downloaded here, so they come from a file the user supplies,
// made by scripts/export_lpips_weights.py from the official lpips alex.pth (linear heads)
// and torchvision's ImageNet AlexNet (trunk). Without that file the metric is
// *unavailable* (LpipsMetric returns std::nullopt) — it never reports a made-up number.
//
// Weights file format: a LibTorch serialize archive (what torch::save / OutputArchive
// writes; a TorchScript module zip), each tensor stored under its lpips state_dict name,
// the dots being nested archives ("net.slice1.0.weight" = archive net / slice1 / 0, tensor
// weight) — exactly what torch.jit.script(<module tree>).save() writes in Python. Tensors:
//   net.slice1.0.{weight,bias}  conv1 [64, 3, 11, 11], [64]     stride 4, padding 2
//   net.slice2.3.{weight,bias}  conv2 [192, 64, 5, 5], [192]    padding 2 (after maxpool 3/2)
//   net.slice3.6.{weight,bias}  conv3 [384, 192, 3, 3], [384]   padding 1 (after maxpool 3/2)
//   net.slice4.8.{weight,bias}  conv4 [256, 384, 3, 3], [256]   padding 1
//   net.slice5.10.{weight,bias} conv5 [256, 256, 3, 3], [256]   padding 1
//   lin{0..4}.model.1.weight    [1, C, 1, 1], C = 64, 192, 384, 256, 256, all >= 0
// Optional scaling_layer.{shift,scale} [1, 3, 1, 1] must equal the lpips constants.
// Other entries are ignored.

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace radiofield::train {

using NamedTensors = std::map<std::string, torch::Tensor>;

// The tensors an LPIPS-alex weights file must hold, with their shapes.
struct LpipsTensorSpec {
    std::string name;
    std::vector<int64_t> shape;
};
const std::vector<LpipsTensorSpec>& lpips_alex_tensor_specs();

// Read and validate a weights file: every tensor of lpips_alex_tensor_specs() present with
// its shape, heads non-negative. Errors name the file and the offending tensor.
NamedTensors load_lpips_weights(const std::filesystem::path& path);
// Write weights in the format above (nested archives); tensors are stored on the CPU.
void save_lpips_weights(const std::filesystem::path& path, const NamedTensors& weights);
// Random weights of the right names and shapes, from a seed. For testing the plumbing
// only: distances computed with them mean nothing perceptually.
NamedTensors random_lpips_weights(uint64_t seed);

// The LPIPS-alex network with given weights.
class LpipsAlex {
public:
    // Validates names, shapes and signs (same errors as load_lpips_weights).
    explicit LpipsAlex(const NamedTensors& weights, torch::Device device = torch::kCPU);
    static LpipsAlex load(const std::filesystem::path& path, torch::Device device = torch::kCPU);

    // Distance per image pair, images in [0, 1] (mapped to [-1, 1] as lpips'
    // normalize=True does), one channel repeated to RGB; H, W >= 31 (AlexNet's smallest
    // input). Computed in float32 like lpips, returned as float64; on CUDA with TF32 off
    // for the call (so CUDA and CPU agree to ~1e-6). Inputs must be on device().
    // -> [N] float64 ([1] for [H, W] inputs)
    torch::Tensor operator()(const torch::Tensor& pred,           // [N, H, W] or [H, W]
                             const torch::Tensor& target) const;  // same shape

    torch::Device device() const { return m_device; }

private:
    NamedTensors m_weights;  // float32 on m_device, names as in the file
    torch::Device m_device;
};

// LPIPS as a reported metric: available only when a weights file was given.
class LpipsMetric {
public:
    LpipsMetric() = default;  // unavailable
    // No path -> unavailable; a path -> loaded (errors as load_lpips_weights).
    static LpipsMetric from_file(const std::optional<std::filesystem::path>& path,
                                 torch::Device device = torch::kCPU);

    bool available() const { return m_net.has_value(); }
    // "LPIPS alex v0.1, weights <path>" or why it is unavailable and how to enable it.
    std::string status() const;
    // Distances [N] float64, or std::nullopt when unavailable.
    std::optional<torch::Tensor> operator()(const torch::Tensor& pred,
                                            const torch::Tensor& target) const;

private:
    std::optional<LpipsAlex> m_net;
    std::filesystem::path m_source;
};

}  // namespace radiofield::train
