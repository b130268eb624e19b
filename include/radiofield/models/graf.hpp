#pragma once
// GRaF (DESIGN.md §6.3): the spatial spectrum at a new moving-end position P from its L
// nearest measured neighbours, in scenes the model never saw.
//
//   neighbours      the L nearest samples of the query's support set (never the query itself)
//   spectrum token  each neighbour spectrum [1, H, W] → ResNet-18 trunk (nn::ResNet), its
//                   feature map average-pooled to trunk_cells (3 × 12) and flattened → Linear
//   geometry token  γ((P_i − P)/ℓ) → MLP;  token = Linear([spectrum token, geometry token])
//   target token    γ((P − R)/ℓ) → MLP        (R: the station, the receiver of the spectrum)
//   transformer     blocks of cross-attention (query: the target token; keys and values: the
//                   neighbour tokens) — or, as the paper's ablation, self-attention over
//                   [target, neighbours] read out at the target — then an MLP to Z ∈ ℝ^d
//   ray tracing     from R, one ray per grid direction u, S points x_s = R + t_s u,
//                   t_s = near + (s + ½)(far − near)/S; voxel feature
//                   [γ((x_s − R)/ℓ), γ((x_s − P)/ℓ), γ(u), Z] → MLP → complex radiance
//                   s = I + jQ and complex attenuation a = e^{−softplus(α)} e^{jβ} (|a| < 1
//                   keeps the product over S voxels bounded);
//                   y = Σ_s (Π_{k<s} a_k) s_s (λ/4πd_s) e^{−j2πf d_s/c},  d_s = t_s,
//                   spectrum = g·|y|², g = (4π·near/λ)² (the free-space term at the nearest
//                   sample is 1: spectra are normalised per sample, so the absolute level is
//                   not observable; the distance and phase dependence stay).
//                   Ablation "real": NeRF2-style two real scalars per voxel, radiance r ≥ 0 and
//                   density σ ≥ 0: y = Σ_s e^{−Σ_{k<s} σ_k δ} r_s (near/d_s), spectrum = y².
//   loss            ray-wise L2 on `rays` random directions per target, `batch` targets per
//                   step drawn over the training datasets (each from its own support set).
//
// ℓ (length scale) is the training data's typical extent, fixed at training and kept with
// the weights, so offsets are scene-size invariant; every input is relative to the station or
// the target and expressed in the station's frame (the frame its spectra are drawn in), so the
// model sees the same thing wherever a room puts and turns its reader. The frequency comes from
// each query's dataset: one model serves several bands (frequency adaptation).
//
// Profiles: "quick" (CPU, 2 cores: minutes) and "full" (GPU, the paper's ResNet-18 width)
// set every size at once; any key given beside "profile" overrides it. See docs/models.md.

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "radiofield/data/dataset.hpp"
#include "radiofield/nn/attention.hpp"
#include "radiofield/nn/resnet.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {

struct GrafConfig {
    std::string profile = "quick";  // quick | full: the sizes below
    int neighbours = 8;             // L
    // latent radiance field
    int trunk_width = 16;      // ResNet-18 width (64 = torchvision's)
    int trunk_downsample = 2;  // average-pool the neighbour spectra by this before the trunk
    // The trunk's feature map is pooled to this many cells (elevation × azimuth) and flattened,
    // so a neighbour's token keeps where its power comes from; {1, 1} = torchvision's global
    // average pool (direction-blind).
    std::vector<int> trunk_cells{3, 12};
    int dim = 64;  // token width
    int heads = 4;
    int blocks = 1;
    int latent = 64;                  // d, the width of Z
    std::string attention = "cross";  // cross | self (the ablation)
    int freqs_offset = 6;             // γ frequencies of neighbour / target offsets
    // neural ray tracing
    std::string ray_tracing = "complex";  // complex | real (the ablation)
    int samples = 24;                     // S per ray
    int voxel_width = 64;
    int voxel_depth = 3;  // Linear layers before the heads
    int freqs_point = 6;  // γ frequencies of sample points (x − R, x − P)
    int freqs_dir = 4;    // γ frequencies of ray directions
    double near = 0.05;   // metres from the station
    double far = -1.0;    // < 0: the training data's extent (positions and station)
    // training
    int rays = 512;  // random rays per target per step
    int batch = 8;   // targets per step
    double lr = 5e-4;
    // inference
    // Ray samples per inference chunk (bounds memory); 0: 2^21 on the CPU, 2^20 on CUDA.
    std::int64_t chunk_samples = 0;
    bool tf32 = true;  // TF32 tensor-core matmuls on CUDA
    // CUDA inference: the ray MLP of full spectra in bf16 (its weights, encodings and
    // activations; fp32 accumulation); the neighbour encoding and the aggregation stay fp32. `bench
    // graf --precision bf16` measures its distance from fp32's spectra. Off by default.
    bool bf16_inference = false;
    // CUDA inference: the ray MLP of full spectra as one fused kernel (nn::fused_mlp: fp16
    // tensor cores, fp32 accumulation, activations kept on chip) where its sizes fit (voxel
    // width 128, as the full profile); `bench graf --precision fp16` measures it against fp32.
    // Takes precedence over bf16_inference.
    bool fused_inference = true;

    static GrafConfig for_profile(const std::string& profile);  // Error on an unknown one
    static GrafConfig from_json(const nlohmann::json& j);       // unknown keys → Error
    nlohmann::json to_json() const;
    void validate() const;
};

// The aggregation along rays, shared by the model and its tests.
// Complex: s, a [R, S] complex64, d [S] metres → y [R] complex:
//   y = Σ_s (Π_{k<s} a_k) s_s (λ/4πd_s) e^{−j2πf d_s/c}.
torch::Tensor graf_aggregate_complex(const torch::Tensor& s,
                                     const torch::Tensor& a,
                                     const torch::Tensor& d,
                                     double frequency_hz);
// The same with a given as log a = −softplus(α) + jβ ([R, S] each, real): stable for long rays.
torch::Tensor graf_aggregate_log(const torch::Tensor& s,
                                 const torch::Tensor& log_mag,
                                 const torch::Tensor& phase,
                                 const torch::Tensor& d,
                                 double frequency_hz);

struct GrafNetImpl : torch::nn::Module {
    explicit GrafNetImpl(const GrafConfig& config);

    // Z for targets: neighbour spectra [B, L, H, W], neighbour offsets (P_i − P)/ℓ [B, L, 3],
    // target offsets (P − R)/ℓ [B, 3] → [B, latent]. With `index` [B, L] (int64), spectra
    // are the distinct neighbours [U, H, W] and index says which of them each target's l-th
    // neighbour is: each spectrum goes through the trunk once, however many targets share it.
    torch::Tensor latent(const torch::Tensor& spectra,
                         const torch::Tensor& offsets,
                         const torch::Tensor& target,
                         const torch::Tensor& index = {});
    // The attention weights of the last latent() over the neighbours, [B, L] (mean over heads
    // and blocks; for the report's "who was listened to").
    torch::Tensor last_attention() const { return m_last_attention; }

    // Per-voxel raw outputs [B, R, S, 4]: (radiance re, im, attenuation α, β) or, for "real",
    // (radiance, –, density, –). Inputs: ray directions [B, R, 3] (unit), t [S] (metres),
    // target offsets from the station (P − R) [B, 3] (metres), Z [B, latent], ℓ.
    torch::Tensor voxels(const torch::Tensor& dirs,
                         const torch::Tensor& t,
                         const torch::Tensor& target_m,
                         const torch::Tensor& z,
                         double length_scale);

    GrafConfig config;
    nn::ResNet trunk{nullptr};
    torch::nn::Linear trunk_proj{nullptr};
    torch::nn::Sequential geometry{nullptr}, target_embed{nullptr}, to_latent{nullptr};
    torch::nn::Linear token_mix{nullptr};
    torch::nn::ModuleList transformer{nullptr};
    torch::nn::LayerNorm out_norm{nullptr};
    // ray MLP: the first layer split by input (point terms per sample, direction per ray, Z per
    // target — the same sum as one Linear over the concatenation)
    torch::nn::Linear voxel_point{nullptr}, voxel_dir{nullptr}, voxel_latent{nullptr};
    torch::nn::ModuleList voxel_hidden{nullptr};
    torch::nn::Linear voxel_out{nullptr};

private:
    torch::Tensor m_last_attention;
};
TORCH_MODULE(GrafNet);

class GrafModel final : public train::Model {
public:
    explicit GrafModel(GrafConfig config = {});
    std::string name() const override { return "graf"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    nlohmann::json train_defaults() const override { return {{"lr", m_config.lr}}; }
    // Neighbour spectra feed the trunk: every dataset must share the grid. Frequency, station
    // and scene may differ (that is the point).
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
    void cast_weights_for_storage(torch::Dtype dtype) override;

    // Predicted spectrum values of rays: pixels [B, R] int64 of the query's grid, for the
    // query's targets; differentiable, on the model's device.
    torch::Tensor render(const train::Query& query, const torch::Tensor& pixels);
    // Whole spectra [B, H, W] (no grad, chunked). The fast path (default) folds the
    // target-relative encoding into per-target first-layer weights: with u = x_s − R and
    // q = P − R, sin(2^k(u − q)) = sin(2^k u)cos(2^k q) − cos(2^k u)sin(2^k q) (and the cos
    // alike), so W·γ(u − q) = W'(q)·γ(u): the per-voxel encoding γ(u) is the same for every
    // target (cached per grid), and all targets' first layers are one GEMM. Exact up to float
    // rounding; fast = false renders through voxels() as training does.
    torch::Tensor render_full(const train::Query& query, bool fast = true);
    // The latent Z [B, latent] of the query's targets: their neighbours gathered, encoded by
    // the trunk and attended to (no grad) — the part of a prediction before any ray.
    torch::Tensor latent(const train::Query& query);

    GrafNet& net() { return m_net; }
    double length_scale() const { return m_net_scale.item<double>(); }
    double far() const { return m_far.item<double>(); }
    torch::Device device() const { return m_device; }

private:
    struct Conditioning {
        torch::Tensor z;         // [B, latent]
        torch::Tensor target_m;  // [B, 3] P − R, metres, on the device
    };
    // The network's inputs for a query: its L nearest measured spectra and their offsets.
    struct Inputs {
        torch::Tensor neighbours;  // [B, L, H, W] on the device, or [U, H, W] with index
        torch::Tensor offsets;     // [B, L, 3] (P_i − P) / scale, station frame, on the device
        torch::Tensor target_m;    // [B, 3] P − R, metres, station frame, on the device
        torch::Tensor index = {};  // undefined, or [B, L] into the U distinct neighbours
    };
    Inputs gather(const train::Query& query);
    Conditioning condition(const Inputs& inputs);
    Conditioning condition(const train::Query& query) { return condition(gather(query)); }
    torch::Tensor spectrum_from_voxels(const torch::Tensor& raw,  // [B, R, S, 4]
                                       double frequency_hz) const;
    const torch::Tensor& directions(const train::SceneContext& context);  // [P, 3] on device
    torch::Tensor sample_t() const;                                       // [S] on the device
    void check_query(const train::Query& query) const;

    GrafConfig m_config;
    GrafNet m_net;
    torch::Dtype m_storage_dtype =
        torch::kFloat32;  // what save() writes (cast_weights_for_storage)
    torch::Device m_device = torch::kCPU;
    torch::Tensor m_net_scale = torch::ones({1}, torch::kFloat64);  // ℓ, saved
    torch::Tensor m_far = torch::full({1}, 5.0, torch::kFloat64);   // saved
    std::map<std::string, torch::Tensor> m_dirs;                    // by grid + orientation
    // The fast path's [γ(u/ℓ), 1] per (grid ray, sample): [P, S, E + 1], for one grid key.
    std::string m_encoded_key;
    torch::Tensor m_encoded;
    // [P, S, E + D]: γ(u) of every sample point u = x − R (in units of ℓ) beside γ of its
    // ray's direction, for the full-spectrum fast path; cached per grid, device and dtype.
    // `columns` > 0: zero-padded to that many features (the fused kernel's multiple of 16).
    const torch::Tensor& encoded_points(const train::SceneContext& context,
                                        torch::ScalarType dtype,
                                        std::int64_t columns = 0);
    torch::Tensor render_full_fast(const train::Query& query);
    // The fast path's ray MLP as nn::fused_mlp (CUDA, fused_inference): w_target [B, w, E]
    // and bias [B, w] are the per-target first layer render_full_fast derives.
    torch::Tensor render_full_fused(const train::Query& query,
                                    const torch::Tensor& w_target,
                                    const torch::Tensor& bias);
    std::vector<double> m_train_frequencies;
    std::set<std::string> m_warned;  // datasets already warned about
};

// Registers "graf" with train::register_model (called by register_builtin_models).
void register_graf();

}  // namespace radiofield::models
