#pragma once
// GRaF's neighbour baselines (DESIGN.md §6.1). GRaF's interpolation theorem:
// SS(P) ≈ Σ_i w_i SS_i over the L nearest measured positions P_i, error ≤ Kδ².
//  - "knn":    fixed weights (equal — GRaF's KNN —, inverse-distance, or barycentric);
//              nothing to learn.
//  - "knn_dl": a small CNN looks at each neighbour's spectrum and its offset P_i − P and
//              outputs per-pixel weights, softmax over the neighbours.
// Neighbours are the L nearest TRAINING samples of the same dataset (scene), never the
// query itself (Model::predict's `exclude`).

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "radiofield/data/neighbors.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {

// The neighbour pool: training spectra and a KD-tree per scene over its training split.
class NeighborPool {
public:
    // Keeps data.spectra (moved to `device` by to()) and indexes data.split.train per scene.
    // Throws Error if some scene has fewer than k + 1 training samples.
    void build(const train::SpectrumData& data, int k);
    void to(torch::Device device);

    struct Found {
        torch::Tensor index;     // [B, k] int64 (CPU): sample indices, nearest first
        torch::Tensor position;  // [B, k, 3] float64 (CPU): the neighbours' positions
    };
    // The k nearest training samples to each of positions [B, 3]; exclude [B] int64 (or
    // undefined): a sample index per query to skip, or −1. The scene searched is the one of
    // the excluded sample, else the only scene in the pool (else Error).
    Found query(const torch::Tensor& positions, const torch::Tensor& exclude, int k) const;

    const torch::Tensor& spectra() const { return m_spectra; }  // [N, n_el, n_az] on device
    const std::vector<std::int64_t>& train_indices() const { return m_train; }
    // Mean distance from a training sample to its k nearest others (a length scale).
    double mean_neighbor_distance(int k, int max_samples = 256) const;

private:
    torch::Tensor m_spectra;
    std::vector<Vec3> m_positions;
    std::vector<std::int64_t> m_scene;  // [N] dataset of each sample
    std::vector<std::int64_t> m_train;
    std::vector<std::unique_ptr<data::NeighborIndex>> m_index;  // per scene; null = no train samples
};

enum class KnnWeights { Equal, InverseDistance, Barycentric };
KnnWeights parse_knn_weights(const std::string& name);  // "equal" | "inverse_distance" | "barycentric"
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
torch::Tensor knn_weights(KnnWeights kind, const torch::Tensor& target, const torch::Tensor& neighbors,
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
    void prepare(const train::SpectrumData& train_data) override;
    bool trainable() const override { return false; }
    torch::Tensor predict(const torch::Tensor& positions, const torch::Tensor& exclude = {}) override;
    void set_device(torch::Device device) override;

private:
    KnnConfig m_config;
    NeighborPool m_pool;
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
    void prepare(const train::SpectrumData& train_data) override;
    std::vector<torch::Tensor> parameters() override { return m_net->parameters(); }
    torch::Tensor training_loss(const train::SpectrumData& data, torch::Generator& gen) override;
    torch::Tensor predict(const torch::Tensor& positions, const torch::Tensor& exclude = {}) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

private:
    // Interpolated spectra [B, n_el, n_az] at positions [B, 3] (exclude as in predict).
    torch::Tensor forward(const torch::Tensor& positions, const torch::Tensor& exclude);

    KnnDlConfig m_config;
    KnnDlNet m_net;
    NeighborPool m_pool;
    torch::Tensor m_angles;      // [3, n_el, n_az] cos az, sin az, elevation/90°
    torch::Tensor m_directions;  // [3, n_el, n_az] unit viewing direction per pixel, world frame
    torch::Device m_device = torch::kCPU;
};

}  // namespace radiofield::models
