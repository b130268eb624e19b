#pragma once
// Neural ray tracers as trainable models (DESIGN.md §6.5, docs/models.md): GeNeRT ("genert")
// and its baselines WiNeRT ("winert") and LWDT ("lwdt"). All three launch rays through the
// same engine (models/genert.hpp) in the scene embedded in each dataset and differ only in
// the interaction model at a ray–surface hit:
//  - genert: the outgoing-ray network (relative features, TE/TM branches, fusion), trained
//    in two stages — module-wise pre-training on the per-interaction records of the CIRs,
//    then end-to-end on the CIRs with only the fusion module learning;
//  - winert: MLPs on the absolute incident direction, the surface normal and the material
//    → outgoing direction and complex coefficient (no polarisation structure);
//  - lwdt: one small MLP per scene object on relative features (incidence angle and
//    polarisation offset) → outgoing angle and complex coefficient.
// End-to-end training (every model): the engine traces each training link, predicted paths
// are matched to the true ones by the Hungarian algorithm on delay + AoA (train/path_metrics),
// and the loss is the NMSE of the matched coefficients. The engine does not differentiate
// through ray directions, so each model first fits its outgoing direction from the CIRs'
// per-interaction records (GeNeRT: the paper's angle pre-training).

#include <torch/torch.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "radiofield/models/genert.hpp"
#include "radiofield/train/model.hpp"
#include "radiofield/train/path_metrics.hpp"

namespace radiofield::models {

// Settings every neural ray tracer shares (model config keys of the same names).
struct NeuralRtSettings {
    std::int64_t rays_per_tx = 100'000;  // rays per transmitter (Fibonacci lattice)
    int max_interactions = 2;            // reflections per path
    double min_power_db = -80;           // a ray ends below this interaction loss
    double reception_scale = 1.25;       // reception sphere margin (genert::EngineOptions)
    std::string polarization = "V";      // the data's antenna polarisation (ψ's reference)
    int batch = 8;                       // links per end-to-end step
    int records_batch = 64;              // interaction records per record-fitting step
    double delay_scale_ns = 1;           // matching: a delay difference of this costs 1
    double angle_scale_deg = 1;          // matching: an AoA difference of this costs 1
    double max_cost = 10;                // matching: dearer pairs stay unmatched

    // Reads the shared keys of `j`; Error on bad values, and on a key that is neither shared
    // nor one of the model's `own` keys (naming the valid ones).
    void read(const nlohmann::json& j,
              std::initializer_list<std::string_view> own,
              std::string_view where);
    void write(nlohmann::json& j) const;
    static std::vector<std::string_view> keys();
    train::PathMatchOptions match_options() const;
    genert::EngineOptions engine_options(double frequency_hz) const;
};

// The semantic class of a material (what the networks' class index stands for): its material
// family, so that classes mean the same thing across scenes of one family and across humidity
// variants. ITU materials: their ITU type, with the ground types (very_dry_ground,
// medium_dry_ground, wet_ground) one class "ground"; custom materials: their name.
std::string material_class(const scene::Material& material);

// Scene material index → class index under `classes` (the model's class names, extended with
// the scene's new classes when `extend`). Error naming the source when the scene has a class
// the model does not know (and `extend` is false) or two materials of one class.
std::vector<std::int64_t> class_indices(const scene::Scene& scene,
                                        std::vector<std::string>& classes,
                                        bool extend,
                                        std::string_view model,
                                        std::string_view source);

// One reflection of a true path, as the CIR records it: the incidence angle, the material,
// the exact TE/TM coefficients, and the geometry rebuilt from the path's vertices.
struct InteractionRecords {
    torch::Tensor theta;               // [N] float32 incidence angle, rad
    torch::Tensor classes;             // [N] int64 semantic class (material_class)
    torch::Tensor psi;                 // [N] float32 polarisation offset (engine convention)
    torch::Tensor r_perp;              // [N] complex64 R_⊥ = c_te
    torch::Tensor r_par;               // [N] complex64 R_∥ = c_tm
    torch::Tensor direction;           // [N, 3] float32 incoming direction
    torch::Tensor normal;              // [N, 3] float32 face normal on the incoming side
    torch::Tensor outgoing;            // [N, 3] float32 outgoing direction
    torch::Tensor outgoing_angle;      // [N, 2] float32 (cos θₒ, sin θₒ) = (d·n, |d × n|)
    torch::Tensor faces;               // [N] int64 face (SceneTensors row)
    std::vector<std::string> sources;  // the datasets they came from
    std::int64_t size() const { return theta.defined() ? theta.size(0) : 0; }
};

// The shared machinery: engines per dataset scene, records, the end-to-end loss, predict.
class NeuralRtModel : public train::Model {
public:
    explicit NeuralRtModel(NeuralRtSettings settings) : m_settings(std::move(settings)) {}

    train::OutputKind output() const override { return train::OutputKind::PathSet; }
    // The interactions are learnt at one carrier frequency.
    train::DataNeeds needs() const override {
        return {{train::DataView::Paths}, {train::ContextField::Frequency}};
    }
    void prepare(const std::vector<train::SceneContext>& contexts,
                 const train::DataList* data) override;
    train::Prediction predict(const train::Query& query) override;
    void set_device(torch::Device device) override;

    // The engine of a dataset's scene (read from the dataset file once and kept), its faces'
    // classes mapped to the model's (material_class). Error when the file embeds no scene, or
    // its scene has a material class the training scenes lacked.
    const genert::Engine& engine_for(const train::SceneData& scene);
    // The model's interaction for rays in `engine`'s scene.
    virtual genert::InteractionFn interaction(const genert::Engine& engine) = 0;
    // Traces links of `scene` whose moving ends are at `positions` [B, 3].
    genert::EnginePaths trace(const train::SceneData& scene, const torch::Tensor& positions);
    // NMSE of matched coefficients over `batch` training links drawn with `gen`.
    torch::Tensor end_to_end_loss(const train::DataList& data, torch::Generator& gen);
    // The interaction records of the training splits (built once, on the model's device).
    const InteractionRecords& records(const train::DataList& data);
    // `n` record indices drawn with `gen`.
    torch::Tensor draw_records(const train::DataList& data, torch::Generator& gen);

    // Σ|p − t|² / Σ|t|² over a batch of complex values.
    static torch::Tensor complex_nmse(const torch::Tensor& p, const torch::Tensor& t);
    // A zero loss with a graph through `params` (a batch where no path matched).
    static torch::Tensor zero_through(const std::vector<torch::Tensor>& params);

    const NeuralRtSettings& settings() const { return m_settings; }
    torch::Device device() const { return m_device; }
    // The semantic classes the model was trained with (class i = classes()[i], a
    // material_class); saved with it.
    const std::vector<std::string>& classes() const { return m_classes; }

protected:
    // True when a phase with steps fits from the records (prepare() then checks there are some).
    virtual bool needs_records() const = 0;
    void save_common(torch::serialize::OutputArchive& archive) const;
    void load_common(torch::serialize::InputArchive& archive);

    NeuralRtSettings m_settings;
    torch::Device m_device = torch::kCPU;
    std::vector<std::string> m_classes;

private:
    scene::Scene scene_of(const train::SceneData& data) const;
    std::map<std::string, std::unique_ptr<genert::Engine>> m_engines;  // by dataset source
    std::map<std::string, std::vector<std::int64_t>> m_class_of;  // by source: material → class
    std::unique_ptr<InteractionRecords> m_records;
};

// ---- GeNeRT ---------------------------------------------------------------------------------

struct GenertConfig {
    NeuralRtSettings rt;
    genert::NetConfig net;
    // Steps of each phase (−1: the run's --steps; 0 skips the phase: "without pre-training").
    std::int64_t pretrain_te_steps = 2000, pretrain_tm_steps = 2000, pretrain_angle_steps = 1000;
    std::int64_t end_to_end_steps = -1;
    double pretrain_lr = 1e-3;  // learning rate of the pre-trained modules
    // What the end-to-end phase trains: "fusion" (the paper's second stage, on top of the
    // pre-trained modules) or "all" (every module; with pretrain_te/tm_steps = 0 the paper's
    // "without pre-training"; the angle module gets no gradient, as ray directions are not
    // differentiable, so it needs its own pre-training for any reflected path to be found).
    std::string end_to_end_trains = "fusion";
    static GenertConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// Phases (greedy, layer-wise: each stage trains only its new modules, on top of the
// frozen earlier ones, and is never revisited):
//   pretrain_te    embedding + latent + r_perp   NMSE of R_⊥ against the records' c_te
//   pretrain_tm    r_par (trunk frozen)          NMSE of R_∥ against the records' c_tm
//   pretrain_angle angle (trunk frozen)          MSE of (cos θₒ, sin θₒ) against the records'
//                                                outgoing angle
//   end_to_end     fusion (end_to_end_trains = "all": every module)
//                                                NMSE of the matched path coefficients
class GenertModel final : public NeuralRtModel {
public:
    explicit GenertModel(GenertConfig config);
    std::string name() const override { return "genert"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    std::vector<train::ParamGroup> parameter_groups() override;
    std::vector<train::Phase> phases() const override;
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    genert::InteractionFn interaction(const genert::Engine& engine) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

    genert::OutgoingRayNet& net() { return m_net; }
    // The pre-training losses on given records (no grad is forced either way): NMSE of R_⊥,
    // NMSE of R_∥, MSE of (cos, sin) of the outgoing angle.
    torch::Tensor te_loss(const InteractionRecords& r, const torch::Tensor& index);
    torch::Tensor tm_loss(const InteractionRecords& r, const torch::Tensor& index);
    torch::Tensor angle_loss(const InteractionRecords& r, const torch::Tensor& index);

protected:
    bool needs_records() const override;

private:
    GenertConfig m_config;
    genert::OutgoingRayNet m_net;
};

// ---- WiNeRT ---------------------------------------------------------------------------------

struct WinertConfig {
    NeuralRtSettings rt;
    std::int64_t num_classes = 16;  // materials (one-hot)
    std::int64_t hidden = 64;       // width of both MLPs (3 hidden layers, ReLU)
    std::int64_t direction_steps = 1000, end_to_end_steps = -1;
    static WinertConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// Two MLPs on [incident direction (3), surface normal on the incident side (3), one-hot
// material]: "direction" → the outgoing direction (global frame), "coefficient" → one complex
// coefficient. Phases: fit_direction (MSE against the records' outgoing directions), then
// end_to_end (coefficient MLP).
class WinertModel final : public NeuralRtModel {
public:
    explicit WinertModel(WinertConfig config);
    std::string name() const override { return "winert"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    std::vector<train::ParamGroup> parameter_groups() override;
    std::vector<train::Phase> phases() const override;
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    genert::InteractionFn interaction(const genert::Engine& engine) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

protected:
    bool needs_records() const override { return m_config.direction_steps != 0; }

private:
    torch::Tensor features(const torch::Tensor& direction,
                           const torch::Tensor& normal,
                           const torch::Tensor& classes) const;
    WinertConfig m_config;
    torch::nn::Sequential m_direction{nullptr}, m_coefficient{nullptr};
};

// ---- LWDT -----------------------------------------------------------------------------------

struct LwdtConfig {
    NeuralRtSettings rt;
    int angle_freqs = 4;       // positional encoding of θᵢ and ψ
    std::int64_t hidden = 32;  // per-object MLP width (2 hidden layers, ReLU)
    std::int64_t objects = 0;  // scene objects (0: from the training scene)
    std::int64_t direction_steps = 1000, end_to_end_steps = -1;
    static LwdtConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// One MLP per scene object (mesh) on relative features [γ(θᵢ), γ(ψ)]: a direction head
// (cos θₒ, sin θₒ) in the plane of incidence and a coefficient head (one complex value),
// as two per-object MLPs. Phases: fit_direction, then end_to_end (coefficient MLPs). The
// objects are the training scene's, so the model belongs to that scene.
class LwdtModel final : public NeuralRtModel {
public:
    explicit LwdtModel(LwdtConfig config);
    std::string name() const override { return "lwdt"; }
    nlohmann::json config() const override { return m_config.to_json(); }
    void prepare(const std::vector<train::SceneContext>& contexts,
                 const train::DataList* data) override;
    std::vector<train::ParamGroup> parameter_groups() override;
    std::vector<train::Phase> phases() const override;
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    genert::InteractionFn interaction(const genert::Engine& engine) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

protected:
    bool needs_records() const override { return m_config.direction_steps != 0; }

private:
    void build(std::int64_t objects);
    // Per-object MLP `w` ([O, in, h], ...) on rows x [N, in] of objects obj [N] → [N, 2].
    torch::Tensor apply(const std::vector<torch::Tensor>& w,
                        const torch::Tensor& x,
                        const torch::Tensor& obj) const;
    torch::Tensor features(const torch::Tensor& theta, const torch::Tensor& psi) const;
    torch::Tensor objects_of(const genert::Engine& engine, const torch::Tensor& faces);
    LwdtConfig m_config;
    std::vector<torch::Tensor> m_direction, m_coefficient;  // W1, b1, W2, b2, W3, b3
    std::map<const genert::Engine*, torch::Tensor> m_face_object;
};

void register_neural_rt();  // genert, winert, lwdt

}  // namespace radiofield::models
