#pragma once
// NeRF2 (Zhao et al., MobiCom 2023), matching the public implementation
// (github.com/XPengZhao/NeRF2: model.py, renderer.py, configs/rfid-spectrum.yml) so our numbers
// stand for it (DESIGN.md §6.2). A per-scene model: rays leave the station (the fixed end) in
// every direction of the spectrum grid; the network is conditioned on the moving end's position.
//
// Network (690,564 parameters with the defaults):
//   γ(·): positional encoding (nn::positional_encoding), 3 + 3·2·L dims (L = 10 → 63):
//         [x, sin(2^0 x), cos(2^0 x), …, sin(2^{L−1} x), cos(2^{L−1} x)] — frequencies 2^k
//         WITHOUT π, as the public Embedder.
//   attenuation_linears: 63→256, then 7 × 256→256 with ReLU; after layer 4 the encoded point
//         is concatenated in front ([γ(p), x]), so layer 5 takes 63+256.
//   attenuation_output: 256→2 (amplitude, phase);  feature_layer: 256→256 (no activation)
//   signal_linears: [feature ⊕ γ(view) ⊕ γ(tx)] 382→256 → 128 with ReLU; signal_output 128→2.
// Renderer: see nerf2_render.cpp (the formula with shapes) and render_reference below.

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/data/dataset.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {

struct NeRF2Config {
    // network (public: D, W, skips, multires)
    int depth = 8;
    int width = 256;
    std::vector<int> skips{4};
    int freqs_pts = 10, freqs_view = 10, freqs_tx = 10;
    // rendering (public render: near 0, far 5, n_samples 64); far < 0 = the scene diagonal
    int n_samples = 64;
    double near = 0.0;
    double far = -1.0;
    // training (public train: lr, weight_decay, batch_size); the run's schedule and steps
    // come from `radiofield train` (cosine to 0 over --steps)
    double lr = 8e-4;
    double weight_decay = 5e-5;
    int batch = 8192;  // rays per training step, uniform over (train sample, pixel)
    // speed switches
    // TF32 tensor-core matmuls on CUDA (process-wide): twice as fast as fp32, with the same
    // test quality after 5,000 steps (docs/models.md); false for strict fp32.
    bool tf32 = true;
    bool cache_trunk = true;            // predict: keep the tx-independent part of every grid ray
    std::int64_t chunk_rows = 1 << 20;  // samples per inference chunk (bounds memory)
    bool clamp_output = false;          // the public code does not clamp predictions to [0,1]

    static NeRF2Config from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
};

// Ray directions of the spectrum grid in world coordinates, [n_el·n_az, 3] float32, row-major
// over (elevation, azimuth): R(q)·(cos el cos az, cos el sin az, sin el) (NeRF2 dataloader).
torch::Tensor grid_directions(const data::SpectrumGrid& grid, const Quat& orientation);

// The network, with the public module names (its state_dict keys).
struct NeRF2NetImpl : torch::nn::Module {
    explicit NeRF2NetImpl(const NeRF2Config& config);

    // Plain forward of the public model: pts, view, tx [..., 3] → raw [..., 4]
    // (attenuation amplitude, phase, signal amplitude, phase before activations).
    torch::Tensor forward(const torch::Tensor& pts,
                          const torch::Tensor& view,
                          const torch::Tensor& tx);

    // The fast path splits the network where its inputs change:
    // trunk: encoded points [M, 63] → (attenuation raw [M, 2], signal-layer-1 pre-activation
    // from the feature [M, 256]); the feature layer and the feature block of signal layer 1
    // are composed into one 256×256 matrix (both are linear).
    std::pair<torch::Tensor, torch::Tensor> trunk(const torch::Tensor& pts_enc);
    // The per-ray parts of signal layer 1: γ(view) [R, 63] → [R, 256] (bias in), and
    // γ(tx) [R, 63] → [R, 256].
    torch::Tensor view_term(const torch::Tensor& view_enc);
    torch::Tensor tx_term(const torch::Tensor& tx_enc);
    // Signal head: pre-activation h [*, 256] → raw signal [*, 2].
    torch::Tensor signal_head(const torch::Tensor& pre);

    NeRF2Config config;
    torch::nn::ModuleList attenuation_linears{nullptr};
    torch::nn::ModuleList signal_linears{nullptr};
    torch::nn::Linear attenuation_output{nullptr}, feature_layer{nullptr}, signal_output{nullptr};
};
TORCH_MODULE(NeRF2Net);

// Line-by-line port of the public Renderer.raw2outputs (all samples, cumprod with +1e-10,
// dists padded with 1e10, phase cumsum starting at 1): raw [R, K, 4], t [K] → |signal| [R].
torch::Tensor render_reference(const torch::Tensor& raw, const torch::Tensor& t);
// The renderer we train with, split where its inputs change (nerf2_render.cpp has the math).
// It uses the first K' = K−1 samples: the public code weights the last one by a path loss of
// 0.025/1e10 and uses its attenuation nowhere.
// Tx-independent per-sample weights w = T·pathloss·e^{jΦ}: att_raw [R, K', 2], t [K] → [R, K', 2]
// (re, im).
torch::Tensor render_weights(const torch::Tensor& att_raw, const torch::Tensor& t);
// |Σ_k s_k e^{jψ_k} w_k|: sig_raw [R, K', 2], w [R, K', 2] → [R].
torch::Tensor render_signal(const torch::Tensor& sig_raw, const torch::Tensor& w);

class NeRF2Model final : public train::Model {
public:
    explicit NeRF2Model(NeRF2Config config = {});
    std::string name() const override { return "nerf2"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    // The public code's Adam: lr 8e-4, weight decay 5e-5 (the config's "lr", "weight_decay").
    nlohmann::json train_defaults() const override {
        return {{"lr", m_config.lr}, {"weight_decay", m_config.weight_decay}};
    }
    // A per-scene model: rays leave one station, so every dataset must share it (and the
    // frequency and grid it learnt).
    train::DataNeeds needs() const override {
        return {{train::DataView::Spectra},
                {train::ContextField::Frequency, train::ContextField::Grid,
                 train::ContextField::Station}};
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
    // Spectra [B, n_el, n_az] at moving-end positions [B, 3] (no grad; CPU).
    torch::Tensor predict_positions(const torch::Tensor& positions);
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

    // Predicted magnitudes of rays (pixel indices [R] int64, moving-end positions [R, 3]),
    // differentiable; both on the model's device.
    torch::Tensor render_rays(const torch::Tensor& pixels, const torch::Tensor& positions);
    // The same rays through the plain public pipeline (NeRF2NetImpl::forward + render_reference).
    torch::Tensor render_rays_reference(const torch::Tensor& pixels,
                                        const torch::Tensor& positions);

    NeRF2Net& net() { return m_net; }
    double near() const { return m_near; }
    double far() const { return m_far; }
    torch::Device device() const { return m_device; }
    // True when predict() would reuse the inference cache (built, on this device, and the
    // parameters unchanged since).
    bool trunk_cache_ready() const { return cache_valid(); }

private:
    void require_prepared(const char* what) const;
    void set_pose(const data::SpectrumGrid& grid,
                  const Vec3& origin,
                  const Quat& orientation,
                  double near,
                  double far);
    torch::Tensor sample_t() const;  // [K] float32 on the device
    // For unique pixels [U]: encoded sample points [M, 63] and, per (ray, sample), the row
    // of the trunk output [R, K−1] for rays with pixel index inverse [R].
    std::pair<torch::Tensor, torch::Tensor> trunk_rows(const torch::Tensor& unique_pixels,
                                                       const torch::Tensor& inverse) const;
    void build_cache();
    bool cache_valid() const;
    std::int64_t parameter_version() const;
    // Tx-independent part of grid pixels [Pc]: signal-layer-1 pre-activation without the tx
    // term [Pc, K', W] and render weights [Pc, K', 2] (no grad).
    std::pair<torch::Tensor, torch::Tensor> grid_part(const torch::Tensor& pixels);

    NeRF2Config m_config;
    NeRF2Net m_net;
    torch::Device m_device = torch::kCPU;
    bool m_prepared = false;
    data::SpectrumGrid m_grid;
    Vec3 m_origin;
    Quat m_orientation;
    double m_near = 0, m_far = 5;
    torch::Tensor m_dirs;      // [P, 3] on the device
    torch::Tensor m_origin_t;  // [3] the station, on the device
    // Training data on the device (every dataset's samples, concatenated), keyed by the list.
    const void* m_data_key = nullptr;
    torch::Tensor m_spectra;    // [N, P]
    torch::Tensor m_positions;  // [N, 3]
    torch::Tensor m_train;      // [N_train] int64 (CPU): training samples, offset per dataset
    // Inference cache (cache_trunk): per grid ray and sample, tx-independent tensors.
    torch::Tensor m_cache_pre;  // [P, K−1, 256] signal-layer-1 pre-activation minus the tx term
    torch::Tensor m_cache_w;    // [P, K−1, 2] render weights (re, im)
    std::int64_t m_cache_version = -1;
};

// Registers "nerf2" with train::register_model (called by register_builtin_models).
void register_nerf2();

}  // namespace radiofield::models
