#pragma once
// The CGAN baseline of RF-3DGS's comparison (DESIGN.md §6.4): a conditional GAN from the
// moving end's position to the spatial spectrum, no geometry. pix2pix-style training: the
// generator minimises the adversarial loss plus λ·L1 to the measured spectrum, the patch
// discriminator the usual binary cross-entropy on (position, spectrum) pairs.
//
// Generator: [p̂ (3, the position scaled to [−1, 1] in the scene box), z (noise_dim)] →
//   Linear → [4·C, ⌈H/8⌉, ⌈W/8⌉] → 3 × (ConvTranspose 4×4 stride 2 + ReLU), channels 4C → 2C
//   → C → C → Conv 3×3 → sigmoid, cropped to H × W (the spectrum grid).
// Discriminator (PatchGAN): [spectrum, p̂ broadcast to 3 planes] → 3 × (Conv 4×4 stride 2 +
//   LeakyReLU 0.2), C → 2C → 4C → Conv 3×3 → one logit per patch.
// Both train from one optimiser step: the discriminator's gradient of its own loss is taken in
// training_loss and put in place of the one the generator's loss left (after_backward).

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "radiofield/train/model.hpp"

namespace radiofield::models {

struct CganConfig {
    int channels = 32;       // C
    int noise_dim = 8;       // z ~ N(0, I) in training, 0 when predicting
    double l1_weight = 100;  // λ (pix2pix)
    double lr = 2e-4;
    int batch = 16;

    static CganConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
};

struct CganGeneratorImpl : torch::nn::Module {
    CganGeneratorImpl(const CganConfig& config, int height, int width);
    torch::Tensor forward(const torch::Tensor& position, const torch::Tensor& z);  // → [B, H, W]
    int height, width, h0, w0, c0;
    torch::nn::Linear input{nullptr};
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(CganGenerator);

struct CganDiscriminatorImpl : torch::nn::Module {
    explicit CganDiscriminatorImpl(const CganConfig& config);
    // spectra [B, H, W], positions [B, 3] (scaled) → patch logits [B, h, w]
    torch::Tensor forward(const torch::Tensor& spectra, const torch::Tensor& position);
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(CganDiscriminator);

class CganModel final : public train::Model {
public:
    explicit CganModel(CganConfig config = {});
    std::string name() const override { return "cgan"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    nlohmann::json train_defaults() const override {
        return {{"lr", m_config.lr}, {"weight_decay", 0.0}};
    }
    train::DataNeeds needs() const override {
        return {{train::DataView::Spectra},
                {train::ContextField::Grid, train::ContextField::Station}};
    }
    void prepare(const std::vector<train::SceneContext>& contexts,
                 const train::DataList* data) override;
    std::vector<train::ParamGroup> parameter_groups() override;
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    void after_backward(train::StepContext& step) override;
    train::Prediction predict(const train::Query& query) override;
    torch::Tensor predict_positions(const torch::Tensor& positions);  // [B, 3] → [B, H, W]
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

    double last_discriminator_loss() const { return m_d_loss; }

private:
    torch::Tensor scaled(const torch::Tensor& positions) const;  // to [−1, 1] in the box

    CganConfig m_config;
    CganGenerator m_g{nullptr};
    CganDiscriminator m_d{nullptr};
    torch::Device m_device = torch::kCPU;
    data::SpectrumGrid m_grid;
    torch::Tensor m_lo, m_hi;  // [3] the scene box of the training contexts
    std::vector<torch::Tensor> m_d_grads;
    double m_d_loss = 0;
    const void* m_data_key = nullptr;
    torch::Tensor m_spectra, m_positions, m_train;
};

void register_cgan();

}  // namespace radiofield::models
