// LPIPS-alex v0.1: the AlexNet trunk and linear heads, and the metric wrapper.
// Reference: lpips 0.1.4 (lpips/lpips.py, lpips/pretrained_networks.py).
#include "radiofield/train/lpips.hpp"

#include <torch/torch.h>

#include <algorithm>

#include "lpips_alex.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::train {
namespace {

namespace F = torch::nn::functional;
using detail::kLpipsConvs;
using detail::kLpipsScale;
using detail::kLpipsShift;
using detail::lpips_lin_name;

// Image pairs per forward chunk (bounds activation memory).
constexpr int64_t kChunk = 32;
// AlexNet's smallest input: conv1 (11/4, pad 2) and two 3/2 max-pools leave >= 1 pixel.
constexpr int64_t kMinSide = 31;

// Full float32 convolutions on CUDA while alive (cuDNN's default TF32 moves LPIPS by ~1e-3
// relative), restoring the previous setting. The setting is process-global.
class NoTf32Convolutions {
public:
    explicit NoTf32Convolutions(bool active) : m_active(active) {
        if (!m_active)
            return;
        m_previous = ctx().float32Precision(at::Float32Backend::CUDA, at::Float32Op::CONV);
        ctx().setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::CONV,
                                  at::Float32Precision::IEEE);
    }
    ~NoTf32Convolutions() {
        if (m_active)
            ctx().setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::CONV, m_previous);
    }
    NoTf32Convolutions(const NoTf32Convolutions&) = delete;
    NoTf32Convolutions& operator=(const NoTf32Convolutions&) = delete;

private:
    static at::Context& ctx() { return at::globalContext(); }
    bool m_active;
    at::Float32Precision m_previous = at::Float32Precision::NONE;
};

}  // namespace

LpipsAlex::LpipsAlex(const NamedTensors& weights, torch::Device device) : m_device(device) {
    detail::validate_lpips_weights(weights, "weights");
    for (const auto& spec : lpips_alex_tensor_specs()) {
        m_weights[spec.name] = weights.at(spec.name).detach().to(device, torch::kFloat32);
    }
    // The concrete device: "cuda" becomes "cuda:0", which is what input tensors report.
    m_device = m_weights.begin()->second.device();
}

LpipsAlex LpipsAlex::load(const std::filesystem::path& path, torch::Device device) {
    return LpipsAlex(load_lpips_weights(path), device);
}

torch::Tensor LpipsAlex::operator()(const torch::Tensor& pred, const torch::Tensor& target) const {
    if (!pred.defined() || !target.defined() || (pred.dim() != 2 && pred.dim() != 3) ||
        !pred.sizes().equals(target.sizes())) {
        fail("lpips: prediction and target must both be [N, H, W] or [H, W] of one shape");
    }
    if (pred.device() != m_device || target.device() != m_device) {
        fail("lpips: the network is on {} but the images on {} and {}; load it on their device",
             m_device.str(), pred.device().str(), target.device().str());
    }
    if (pred.size(-1) < kMinSide || pred.size(-2) < kMinSide) {
        fail("lpips: images of {}x{} are too small for AlexNet (needs at least {}x{})",
             pred.size(-2), pred.size(-1), kMinSide, kMinSide);
    }
    torch::NoGradGuard no_grad;
    const NoTf32Convolutions ieee(m_device.is_cuda());
    const auto x = (pred.dim() == 2 ? pred.unsqueeze(0) : pred).to(torch::kFloat32);  // [N,H,W]
    const auto y = (target.dim() == 2 ? target.unsqueeze(0) : target).to(torch::kFloat32);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(m_device);
    const auto shift =
        torch::tensor({kLpipsShift[0], kLpipsShift[1], kLpipsShift[2]}, opts).view({1, 3, 1, 1});
    const auto scale =
        torch::tensor({kLpipsScale[0], kLpipsScale[1], kLpipsScale[2]}, opts).view({1, 3, 1, 1});
    const auto w = [this](const std::string& name) -> const torch::Tensor& {
        return m_weights.at(name);
    };

    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < x.size(0); start += kChunk) {
        const int64_t n = std::min(kChunk, x.size(0) - start);
        // Both images of each pair in one batch: [2n, 3, H, W], [0,1] -> [-1,1] -> scaled.
        auto h = torch::cat({x.narrow(0, start, n), y.narrow(0, start, n)}).unsqueeze(1);
        h = ((2.0 * h.expand({-1, 3, -1, -1}) - 1.0) - shift) / scale;
        auto total = torch::zeros({n}, opts);
        for (int k = 0; k < 5; ++k) {
            const auto& c = kLpipsConvs[k];
            if (k == 1 || k == 2)
                h = F::max_pool2d(h, F::MaxPool2dFuncOptions(3).stride(2));
            h = torch::relu(F::conv2d(h, w(std::string(c.prefix) + ".weight"),
                                      F::Conv2dFuncOptions()
                                          .bias(w(std::string(c.prefix) + ".bias"))
                                          .stride(c.stride)
                                          .padding(c.padding)));  // relu{k+1}: [2n, C, h, w]
            const auto unit = h / (torch::sqrt(h.square().sum(1, true)) + 1e-10);
            const auto pair = unit.chunk(2, 0);
            const auto diff = (pair[0] - pair[1]).square();                         // [n, C, h, w]
            total = total + F::conv2d(diff, w(lpips_lin_name(k))).mean({1, 2, 3});  // [n]
        }
        parts.push_back(total);
    }
    if (parts.empty())
        return torch::empty({0}, opts.dtype(torch::kFloat64));
    return torch::cat(parts).to(torch::kFloat64);
}

LpipsMetric LpipsMetric::from_file(const std::optional<std::filesystem::path>& path,
                                   torch::Device device) {
    LpipsMetric metric;
    if (!path)
        return metric;
    metric.m_net.emplace(LpipsAlex::load(*path, device));
    metric.m_source = *path;
    return metric;
}

std::string LpipsMetric::status() const {
    if (!m_net) {
        return "LPIPS unavailable: no weights file given (export one with "
               "scripts/export_lpips_weights.py, see docs/metrics.md)";
    }
    return "LPIPS alex v0.1, weights " + m_source.string();
}

std::optional<torch::Tensor> LpipsMetric::operator()(const torch::Tensor& pred,
                                                     const torch::Tensor& target) const {
    if (!m_net)
        return std::nullopt;
    return (*m_net)(pred, target);
}

}  // namespace radiofield::train