#pragma once
// RF-3DGS and RF-3DGS+ (DESIGN.md §6.4; docs/models.md): a scene's geometry as 3D Gaussians
// learnt from camera images (stage 1: L1 + D-SSIM through a pinhole camera, densify / prune /
// opacity reset), then, with the geometry frozen, the radio radiance on them (stage 2) seen by
// an equirectangular camera at the station of the spectrum dataset.
//  - rf3dgs:      the spectrum value of a ray is Σ_k f_k α_k T_k, f_k = max(0, SH_k(d) + ½).
//  - rf3dgs_plus: p = (l_ref / (l_prev + l_vd))² · Σ_k A_k(d) α_k T_k — the free-space factor
//                 (λ / 4π(l_prev + l_vd))² relative to its value at l_ref = 1 m — with the ray's
//                 pseudo-surface point x* = centre of its top Gaussian (largest α_k T_k),
//                 l_vd = |x_station − x*|, l_prev = |x_moving − x*|, A_k(d) = exp(SH_k(d))
//                 (a log-gain: scatterers' gains span decades; default rf_lr 0.2,
//                 rf_sh_degree 2); free_space "scatter" drops l_vd from the factor;
//                 each spectrum then min–max normalised, as the datasets' spectra are.
// d is the unit direction from a Gaussian's centre to the moving end of the link.

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/scene/render.hpp"
#include "radiofield/splat/camera.hpp"
#include "radiofield/splat/render.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {

// ---- densification (3DGS's adaptive density control, through the core's ParameterEditor) ----

struct DensifyConfig {
    std::int64_t start = 100;         // first stage-1 step that may densify
    std::int64_t stop = 15000;        // no densification from here on
    std::int64_t every = 100;         // densify / prune every this many steps
    std::int64_t reset_every = 3000;  // opacity reset period (0 = never)
    // Mean ‖∂L/∂(u, v)‖ per view above which a Gaussian is densified, in units of half the
    // image's larger side (3DGS's NDC threshold 0.0002).
    double grad_threshold = 0.0002;
    double percent_dense = 0.01;   // clone if max scale ≤ this × scene extent, else split
    double split_shrink = 1.6;     // a split Gaussian's children have scale / this
    double prune_opacity = 0.005;  // prune below this opacity
    double prune_scale = 0.1;      // prune max scale above this × scene extent (after a reset)
    double reset_opacity = 0.01;   // opacities are clamped to this at a reset
    std::int64_t max_gaussians = 1'000'000;  // no densification beyond this count

    static DensifyConfig from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// Every per-Gaussian tensor of the model, [N, ...] each, kept row-aligned.
struct GaussianField {
    splat::Gaussians geometry;  // means, log_scales, quats, opacity_logits, sh (RGB, [N, K, 3])
    torch::Tensor rf_sh;        // [N, K_rf, 1] radio SH

    std::int64_t size() const { return geometry.size(); }
    std::vector<torch::Tensor*> rows();  // the six tensors, in a fixed order
};

struct DensifyCounts {
    std::int64_t cloned = 0, split = 0, pruned = 0;
};

// One densify-and-prune step: clone small / split large Gaussians whose mean view-space
// gradient exceeds the threshold, then prune transparent (and, if `prune_large`, huge) ones;
// every tensor of `field` and its Adam moments follow through `editor`. `image_side` is the
// larger image side in pixels, `extent` the scene extent in metres. Throws Error when no
// Gaussian survives.
DensifyCounts densify_and_prune(GaussianField& field,
                                const splat::DensifyStats& stats,
                                const DensifyConfig& config,
                                double extent,
                                int image_side,
                                bool prune_large,
                                train::ParameterEditor& editor,
                                torch::Generator& gen);
// Opacities clamped to at most `max_opacity` (their Adam moments reset).
void reset_opacity(GaussianField& field, double max_opacity, train::ParameterEditor& editor);

// ---- camera images (stage 1) ----

// A views folder as `radiofield render-views` writes it (COLMAP layout: images/, sparse/0/),
// or a COLMAP text model of photographs beside their images folder.
struct ViewSet {
    std::vector<splat::PinholeCamera> cameras;  // [V]
    std::vector<torch::Tensor> images;          // [V] × [H, W, 3] float32 in [0, 1]
    std::vector<std::string> names;             // [V] image file names
    torch::Tensor points;                       // [P, 3] float32 seed points (may be empty)
    torch::Tensor colours;                      // [P, 3] float32 in [0, 1]
    // [V] × [H, W] float32 metres along the optical axis, 0 = nothing there (render-views'
    // depth/NAME.npy beside the images, downsampled by taking each block's centre pixel);
    // an undefined tensor where the folder has none (photographs).
    std::vector<torch::Tensor> depths;
};
// Reads `dir` (sparse model from dir/sparse/0, images from dir/images), every image
// downsampled by `downscale` (box filter, cameras alike). Errors name the file: a missing or
// unreadable image, an image whose size is not its camera's, images in the folder the model
// does not name, no image at all.
ViewSet read_view_set(const std::string& dir, int downscale = 1);

// Mean SSIM of two images [H, W, C] (11×11 Gaussian window, σ = 1.5, C1 = 0.01², C2 = 0.03²;
// valid region), differentiable.
torch::Tensor ssim(const torch::Tensor& image, const torch::Tensor& target);

// ---- the model ----

struct Rf3dgsConfig {
    bool plus = true;                    // RF-3DGS+ (full path length) or RF-3DGS
    std::string views;                   // views folder (stage 1); empty: no stage 1
    int downscale = 1;                   // image downsampling for stage 1
    int holdout_every = 8;               // every n-th view is held out of stage 1 (0 = none)
    std::int64_t geometry_steps = 3000;  // stage 1
    std::int64_t radiance_steps = -1;    // stage 2; < 0 = the run's --steps
    std::int64_t random_points = 5000;   // seeds when the views hold no points3D (or no views)
    std::int64_t max_seed_points = 20000;
    int sh_degree = 3;  // stage 1 colour SH (raised by one every sh_every steps)
    std::int64_t sh_every = 1000;
    int rf_sh_degree = 3;  // stage 2 radio SH; from_json: 2 for RF-3DGS+
    double ssim_weight = 0.2;
    std::vector<double> background{0, 0, 0};
    // learning rates (3DGS's; means × scene extent, cosine-decayed over stage 1)
    double means_lr = 1.6e-4, scales_lr = 5e-3, quats_lr = 1e-3, opacity_lr = 5e-2,
           colour_lr = 2.5e-3, rf_lr = 5e-3;  // from_json: rf_lr 0.2 for RF-3DGS+
    int batch = 16;  // spectra per stage-2 step (≤ 16: one rasterisation, one channel each)
    // How stage 2 draws spectra, in training and without gradients alike: "operator" — frozen
    // geometry and a fixed camera make each pixel a fixed weighted sum of the Gaussians'
    // features, so the weights are extracted once per geometry (a sparse [pixels, Gaussians]
    // matrix, one rasterisation pass: splat::composite_weights) and a batch of spectra is one
    // sparse product (its gradient the transposed product); "raster" — a rasterisation per 16
    // spectra, forward and backward through the splatting op (the reference the operator is
    // tested against); "auto" — the operator.
    std::string inference = "auto";
    // On CUDA, the operator's spectra through fused kernels (rf3dgs/fused_spectra_cuda.cu:
    // three launches — the features, the sparse product with the free-space factor and each
    // spectrum's min / max / sum, the min–max) instead of about 35 LibTorch ops and cuSPARSE;
    // false keeps the LibTorch path, the reference the kernels are tested against.
    bool fused_inference = true;
    // RF-3DGS+ on path-gain dB spectra: stage 2 starts its radio gains at the training
    // spectra's level (one log-gain for every Gaussian in the DC coefficient: the median over
    // the first training receivers' lit cells of measured − rendered dB) instead of exp(SH) = 1,
    // a mirror of the free-space path. Only a fresh stage 2 (radio SH all zero) is moved.
    bool rf_start_level = true;
    // RF-3DGS+'s free-space factor: "path" — (λ/4π(l_prev + l_vd))², the unfolded single-bounce
    // path, as the paper has it (a specular reflection's law); "scatter" — (λ/4π l_prev)², the
    // law of diffuse scattering seen through a pixel: a surface element scatters ∝ its area /
    // (l_vd² l_prev²), and the area a pixel sees grows as l_vd², so only l_prev is left.
    std::string free_space = "path";
    DensifyConfig densify;

    static Rf3dgsConfig from_json(const nlohmann::json& j, bool plus);  // unknown keys → Error
    nlohmann::json to_json() const;
};

class Rf3dgsModel final : public train::Model {
public:
    explicit Rf3dgsModel(Rf3dgsConfig config);
    std::string name() const override { return m_config.plus ? "rf3dgs_plus" : "rf3dgs"; }
    // Both variants hold the same Gaussians: either starts from the other's (the paper's
    // RF-3DGS and RF-3DGS+ share one stage 1).
    bool starts_from(const std::string& model) const override {
        return model == "rf3dgs" || model == "rf3dgs_plus";
    }
    // A run starting from another's Gaussians may choose its own rf_sh_degree (load() cuts or
    // pads the radio SH bands); a resumed run of its own may not.
    void initialising_from(const std::string&) override { m_initial_load = true; }
    void initialised_from(const std::string& model) override;
    nlohmann::json config() const override { return m_config.to_json(); }
    nlohmann::json train_defaults() const override {
        return {{"lr", m_config.rf_lr}, {"weight_decay", 0.0}};
    }
    train::DataNeeds needs() const override {
        return {{train::DataView::Spectra},
                {train::ContextField::Grid, train::ContextField::Station,
                 train::ContextField::Frequency, train::ContextField::Convention}};
    }
    void prepare(const std::vector<train::SceneContext>& contexts,
                 const train::DataList* data) override;
    std::vector<train::ParamGroup> parameter_groups() override;
    // "geometry" (images; the views folder of the config — the core holds no camera
    // images, so the phase's data view is the spectra it does not read) and "radiance".
    std::vector<train::Phase> phases() const override;
    torch::Tensor training_loss(const train::DataList& data,
                                const train::Phase& phase,
                                torch::Generator& gen) override;
    // "radiance": the start level (Rf3dgsConfig::rf_start_level) from the training spectra.
    void begin_phase(train::StepContext& step) override;
    void after_backward(train::StepContext& step) override;
    void after_step(train::StepContext& step) override;
    train::Prediction predict(const train::Query& query) override;
    void set_device(torch::Device device) override;
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

    // Stage 1 pieces (tests): the loss of view `index` and the PSNR (dB) of a view's render.
    torch::Tensor image_loss(std::int64_t index);
    double view_psnr(std::int64_t index);
    // How far RF-3DGS+'s pseudo-surface (the centre of each ray's top Gaussian) lies from the
    // true surface in view `index`, over the pixels that see the scene in its depth image:
    // the median |depth of the top Gaussian − true depth| (m), the share within 0.1 m, and
    // the share with a top Gaussian at all. Empty when the view has no depth image.
    struct DepthError {
        double median_m = 0, within_10cm = 0, covered = 0;
        std::int64_t pixels = 0;
    };
    std::optional<DepthError> view_depth_error(std::int64_t index);
    const ViewSet& views() const { return m_views; }
    const std::vector<std::int64_t>& train_views() const { return m_train_views; }
    const std::vector<std::int64_t>& held_out_views() const { return m_test_views; }
    // Stage 2: spectra [B, n_el, n_az] at moving-end positions [B, 3] (B ≤ 16 when rasterised,
    // any B through the operator), graph kept.
    // RF-3DGS+ with `raw_mean`: each spectrum's mean before the min–max, [B] (the rendered
    // gain-weighted free-space power, up to one constant).
    torch::Tensor render_spectra(const torch::Tensor& positions, torch::Tensor* raw_mean = nullptr);
    torch::Tensor predict_positions(const torch::Tensor& positions,
                                    torch::Tensor* raw_mean = nullptr);  // no grad, any B
    // RF-3DGS+: the mean of the station's linear spectrum at `positions` [B, 3] as [B] float64
    // in `scene`'s unit (W): the rendered raw mean times one constant, the median over (up to
    // 64 of) the scene's training receivers of measured / rendered. Error for RF-3DGS (its
    // spectra keep no path loss) and for a scene of normalised spectra.
    torch::Tensor predict_power(const torch::Tensor& positions, const train::SceneData& scene);
    // A top view of `scene` with the Gaussians (opacity ≥ 0.1, at most 50,000) drawn over it,
    // coloured by the power each sends towards the moving end on average (RF-3DGS+: opacity ×
    // direction-mean gain / l_vd² (free_space "scatter": no l_vd²), RF-3DGS: opacity ×
    // direction-mean value; dB below the strongest), the highest drawn last; the station marked.
    scene::Image gaussians_top_view(const scene::Scene& scene, int width_px = 900);
    // Rf3dgsConfig::inference ("auto", "operator" or "raster") for the spectra drawn from now
    // on (bench and tests compare the two in one run).
    void set_inference(const std::string& how);
    // Rf3dgsConfig::fused_inference for the spectra drawn from now on (bench and tests).
    void set_fused_inference(bool on) { m_config.fused_inference = on; }
    // Rf3dgsConfig::rf_start_level for a stage 2 not started yet (tests).
    void set_rf_start_level(bool on) { m_config.rf_start_level = on; }
    // How the last spectra were drawn: "fused" (the CUDA kernels on the operator), "operator"
    // (LibTorch ops and the sparse product) or "raster"; empty before any.
    const std::string& last_inference() const { return m_last_inference; }
    GaussianField& field() { return m_field; }
    const splat::DensifyStats& densify_stats() const { return m_stats; }
    double extent() const { return m_extent; }

private:
    void seed(const torch::Tensor& points, const torch::Tensor& colours);
    void check_scene(const train::SceneContext& context) const;
    splat::RenderOptions image_options(std::int64_t phase_step) const;
    void radiance_cache();
    // The sparse CSR [H·W, N] weights α_k·T_k of the frozen rasterisation (rebuilt with the
    // cache; what the fused kernels read), and whether spectra are drawn through it now.
    const torch::Tensor& radiance_operator();
    bool use_operator() const;
    // The operator on the Gaussians it reaches only (those with a weight somewhere), for
    // drawing and training: W [H·W, V] and its transpose [V, H·W] (the gradient's product), CSR.
    struct CompactOperator {
        torch::Tensor visible;  // [V] int64 Gaussian ids, ascending
        torch::Tensor w, wt;
    };
    const CompactOperator& compact_operator();
    // The raw image [H, W, B] of per-Gaussian features [N, B]: the operator or a rasterisation.
    torch::Tensor draw(const torch::Tensor& features, bool linear);
    // `unclamped` (RF-3DGS+ on path-gain dB spectra, no fused kernels): each cell's dB by the
    // dataset's range as it is, below 0 and above 1 too (the start level reads it).
    torch::Tensor render_spectra(const torch::Tensor& positions,
                                 torch::Tensor* raw_mean,
                                 bool linear,
                                 bool unclamped = false);
    // The operator as the fused kernels read it (rf3dgs_fused.cpp), rebuilt with the operator.
    struct FusedOperator {
        torch::Tensor crow, cols, values;  // [P + 1], [E] int32; [E] float32 (undefined: unfit)
        torch::Tensor pixels;              // [P, 4] float32: x*, l_vd (−1 where nothing is hit)
        std::vector<std::int64_t> key;     // the operator key it was built for
    };
    const FusedOperator& fused_operator();
    // Whether `count` spectra drawn through the operator now take the fused kernels: CUDA,
    // fused_inference, no grad, float32, fewer than 2³¹ weights.
    bool use_fused(std::int64_t count);
    void log_geometry();
    // A view's PSNR and depth error from its render (view_psnr, view_depth_error render it).
    double image_psnr(const torch::Tensor& image, std::size_t view) const;
    DepthError depth_error(const splat::RenderResult& render, std::size_t view) const;
    torch::Tensor fused_spectra(const torch::Tensor& positions,  // [B, 3] on the device
                                torch::Tensor* raw_mean);
    // Stage 2's training spectra, positions and split from `data` (once per data list).
    void radiance_data(const train::DataList& data);
    torch::Tensor radiance_loss(const train::DataList& data, torch::Generator& gen);
    void start_radiance_level();                        // Rf3dgsConfig::rf_start_level
    double power_scale(const train::SceneData& scene);  // predict_power's constant, cached

    Rf3dgsConfig m_config;
    GaussianField m_field;
    torch::Device m_device = torch::kCPU;
    ViewSet m_views;
    std::vector<std::int64_t> m_train_views, m_test_views;
    double m_extent = 1;                // scene extent (radius of the seeds' bounding sphere)
    Vec3 m_lo{0, 0, 0}, m_hi{0, 0, 0};  // the seeds' box
    bool m_prepared = false;
    // stage 1 state
    splat::DensifyStats m_stats;
    std::optional<splat::RenderResult> m_last;
    int m_image_side = 1;
    bool m_reset_done = false;
    bool m_initial_load = false;       // between initialising_from and initialised_from
    std::int64_t m_geometry_step = 0;  // stage-1 steps done (the SH degree follows it)
    torch::Generator m_gen = at::detail::createCPUGenerator(3);  // split children's draws
    // stage 2: the station's camera and what frozen geometry fixes
    data::SpectrumGrid m_grid;
    // path_gain_db training data: their dB range, and RF-3DGS+'s (λ/4π)² (the free-space gain
    // at 1 m) that sets the rendered path gain's level.
    std::optional<std::array<double, 2>> m_db_range;
    double m_free_space_1m = 1.0;
    Vec3 m_station;
    Quat m_orientation;
    torch::Tensor m_station_t;  // [3]
    std::optional<splat::Projection> m_proj;
    std::vector<std::int64_t> m_cache_key;  // the geometry tensors (identity, version) it is of
    torch::Tensor m_opacity;                // [N] detached
    torch::Tensor m_surface;  // [H, W, 3] pseudo-surface point per pixel (zeros where none)
    torch::Tensor m_hit;      // [H, W] bool: a Gaussian covers the pixel
    // [H, W] what the free-space factor adds to l_prev: l_vd = |x_station − x*| (free_space
    // "path"), or 0 ("scatter")
    torch::Tensor m_l_first;
    torch::Tensor m_operator;                  // radiance_operator(), or undefined
    std::vector<std::int64_t> m_operator_key;  // the cache key it was built for
    CompactOperator m_compact;                 // compact_operator(), with the same key
    splat::CompositeWeights m_weights;         // the extraction both are built from
    FusedOperator m_fused;
    std::string m_last_inference;
    const void* m_data_key = nullptr;
    torch::Tensor m_spectra, m_positions, m_train;
    // power_scale's constant and what it was fitted for: the scene, the geometry and rf_sh
    const void* m_scale_scene = nullptr;
    std::vector<std::int64_t> m_scale_key;
    double m_scale = 0;
};

void register_rf3dgs();  // "rf3dgs_plus" and "rf3dgs"

}  // namespace radiofield::models
