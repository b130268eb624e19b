#pragma once
// GRaF's neighbour baselines (DESIGN.md §6.1). GRaF's interpolation theorem:
// SS(P) ≈ Σ_i w_i SS_i over the L nearest measured positions P_i, error ≤ Kδ².
//  - "knn":    fixed weights (equal — GRaF's KNN —, inverse-distance, or barycentric);
//              nothing to learn.
//  - "knn_dl": a small CNN looks at each neighbour's spectrum and its offset P_i − P and
//              outputs per-pixel weights, softmax over the neighbours.
// Neighbours are the L nearest samples of the query's support set (by default the training
// split of the query's own dataset), never the query itself; so both work in any scene.

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "radiofield/train/model.hpp"

namespace radiofield::models {

enum class KnnWeights { Equal, InverseDistance, Barycentric };
KnnWeights parse_knn_weights(
    const std::string& name);  // "equal" | "inverse_distance" | "barycentric"
std::string to_string(KnnWeights weights);

// Interpolation weights w [B, L] (each row sums to 1) of target [B, 3] from neighbours
// [B, L, 3] (float64).
//  - Equal: 1/L.
//  - InverseDistance: w_i ∝ d_i^−power; a neighbour at distance < 1e-9 m takes all weight.
//  - Barycentric (generalised): the minimum-norm affine weights, argmin ‖w‖ subject to
//    Σw = 1 and Σ w_i P_i = the projection of P onto the neighbours' affine hull:
//    w = 1/L + D (DᵀD)⁺ (P − P̄), D = [P_i − P̄] (L×3). For L = r+1 affinely independent
//    points (r = the hull's dimension) these are the exact barycentric coordinates of the
//    simplex; coplanar or collinear neighbours are handled by the pseudo-inverse (eigenvalues
//    below 1e-6 × the largest count as zero). Weights may be negative when P lies outside the
//    hull. Degenerate neighbourhoods (L = 1, or all neighbours at one point) fall back to
//    inverse distance. As with inverse distance, a neighbour at the target itself takes all
//    the weight (interpolation is exact at the samples even when L > r + 1).
torch::Tensor knn_weights(KnnWeights kind,
                          const torch::Tensor& target,
                          const torch::Tensor& neighbors,
                          double power = 1.0);

struct KnnConfig {
    int k = 8;  // L, GRaF's neighbour count
    KnnWeights weights = KnnWeights::Equal;
    double power = 1.0;  // inverse-distance exponent
    static KnnConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

class KnnModel final : public train::Model {
public:
    explicit KnnModel(KnnConfig config) : m_config(config) {}
    std::string name() const override { return "knn"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    // Each query interpolates within its own dataset: nothing must agree across datasets.
    train::DataNeeds needs() const override { return {{train::DataView::Spectra}, {}}; }
    bool trainable() const override { return false; }
    train::Prediction predict(const train::Query& query) override;
    void set_device(torch::Device device) override { m_device = device; }

private:
    KnnConfig m_config;
    torch::Device m_device = torch::kCPU;
};

struct KnnDlConfig {
    int k = 8;          // L
    int channels = 32;  // width of the hidden convolutions
    int layers = 3;     // 3×3 convolutions (≥ 2)
    int batch = 16;     // target samples per training step
    static KnnDlConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// Per-neighbour weight network: input [B·L, 10, H, W] = own spectrum, mean neighbour
// spectrum, (P_i − P)/scale (3 constant maps), |P_i − P|/scale, (P_i − P)/scale · the
// pixel's viewing direction (world frame), cos az, sin az, elevation/90° → logits
// [B·L, 1, H, W]. The last layer starts at zero: equal weights (GRaF's KNN) at step 0.
struct KnnDlNetImpl : torch::nn::Module {
    explicit KnnDlNetImpl(const KnnDlConfig& config);
    torch::Tensor forward(const torch::Tensor& x);  // [M, 9, H, W] → [M, 1, H, W]
    torch::nn::Sequential body{nullptr};
    torch::Tensor position_scale;  // buffer [1]: metres per unit of the offset channels
};
TORCH_MODULE(KnnDlNet);

class KnnDlModel final : public train::Model {
public:
    explicit KnnDlModel(KnnDlConfig config);
    std::string name() const override { return "knn_dl"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    // One network over the spectra of every dataset: they must share a grid.
    train::DataNeeds needs() const override {
        return {{train::DataView::Spectra}, {train::ContextField::Grid}};
    }
    void prepare(const std::vector<train::SceneContext>& contexts,
                 const train::DataList* data) override;
    std::vector<train::ParamGroup> parameter_groups() override {
        return {{"net", m_net->parameters()}};
    }
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    train::Prediction predict(const train::Query& query) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

private:
    // Interpolated spectra [B, n_el, n_az] for a query (differentiable).
    torch::Tensor forward(const train::Query& query);
    // Per-pixel inputs of a scene: cos az, sin az, elevation/90° [3, n_el, n_az] and the unit
    // viewing direction in the world frame [3, n_el, n_az], on the device (kept per context).
    const std::pair<torch::Tensor, torch::Tensor>& pixel_inputs(const train::SceneContext& context);

    KnnDlConfig m_config;
    KnnDlNet m_net;
    std::map<std::string, std::pair<torch::Tensor, torch::Tensor>>
        m_pixels;  // per grid + orientation
    torch::Device m_device = torch::kCPU;
};

struct KnnPathsConfig {
    int max_depth = 3;  // interactions with a learnt gain; deeper paths share the last one
    int batch = 16;     // links per training step
    static KnnPathsConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// "knn_paths": the nearest-neighbour baseline for path sets. A query's paths are those of the
// nearest measured link of its support set, moved to the query: each delay shifted by the
// change of the direct distance to the station, each coefficient scaled by the free-space
// ratio of the path lengths and by a learnt gain e^{g_d} per interaction depth d (trained on
// matched paths with NMSE). Geometry-free, so it works in any scene — and a floor for the
// neural ray tracers.
class KnnPathsModel final : public train::Model {
public:
    explicit KnnPathsModel(KnnPathsConfig config);
    std::string name() const override { return "knn_paths"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    train::OutputKind output() const override { return train::OutputKind::PathSet; }
    // The learnt gains belong to a frequency.
    train::DataNeeds needs() const override {
        return {{train::DataView::Paths}, {train::ContextField::Frequency}};
    }
    std::vector<train::ParamGroup> parameter_groups() override { return {{"gain", {m_log_gain}}}; }
    std::vector<train::Phase> phases() const override {
        return {{"train", -1, {}, train::DataView::Paths}};
    }
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    train::Prediction predict(const train::Query& query) override;
    nlohmann::json train_defaults() const override { return {{"lr", 0.05}}; }
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

    torch::Tensor& log_gain() { return m_log_gain; }  // [max_depth + 1]: g_d

private:
    KnnPathsConfig m_config;
    torch::Tensor m_log_gain;
};

}  // namespace radiofield::models
