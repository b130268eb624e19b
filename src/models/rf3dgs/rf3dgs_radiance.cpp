// Stage 2 of RF-3DGS / RF-3DGS+: the radio radiance on frozen Gaussians, seen by an
// equirectangular camera on the spectrum grid at the station (docs/models.md).
//
// Our datasets hold the spatial spectrum at the station (the fixed end) for each position of
// the moving end; the paper's camera sits at the receiver with the transmitter fixed. By
// reciprocity a single-bounce path is the same either way round, so the camera goes where the
// spectrum is formed (the station), the moving end takes the other role, and the SH are
// evaluated along the direction from each Gaussian towards the moving end (the paper's
// "final directional gain"). Frozen geometry and a fixed camera make the projection, the
// per-pixel top Gaussian (pseudo-surface point) and l_vd constants of the run: they are
// computed once; a batch of B ≤ 16 spectra is one rasterisation with B channels.
#include <c10/util/Exception.h>

#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/splat/sh_constants.hpp"

namespace radiofield::models {
namespace {

struct SilentWarnings : c10::WarningHandler {
    void process(const c10::Warning&) override {}
};

splat::EquirectCamera station_camera(const data::SpectrumGrid& grid,
                                     const Vec3& station,
                                     const Quat& orientation) {
    return splat::EquirectCamera::for_grid(grid, orientation.to_matrix(), station);
}

}  // namespace

void Rf3dgsModel::radiance_cache() {
    // Rebuilt whenever the geometry changed since (an optimiser step or an edit in stage 1,
    // e.g. an evaluation during stage 1, or a loaded checkpoint).
    std::vector<std::int64_t> key;
    for (const auto* t : {&m_field.geometry.means, &m_field.geometry.log_scales,
                          &m_field.geometry.quats, &m_field.geometry.opacity_logits}) {
        key.push_back(t->defined() ? reinterpret_cast<std::intptr_t>(t->unsafeGetTensorImpl()) : 0);
        key.push_back(t->defined() ? static_cast<std::int64_t>(t->_version()) : 0);
    }
    if (m_proj && key == m_cache_key)
        return;
    m_proj.reset();
    m_cache_key = key;
    if (!m_prepared)
        fail("{}: no station yet; call prepare() or load a trained run", name());
    if (m_field.size() == 0)
        fail("{}: the Gaussian set is empty; stage 1 must leave at least one Gaussian", name());
    torch::NoGradGuard no_grad;
    const auto& g = m_field.geometry;
    const auto cam = station_camera(m_grid, m_station, m_orientation);
    const auto quats = g.quats / g.quats.norm(2, -1, true);
    m_proj =
        splat::project(g.means.detach(), torch::exp(g.log_scales.detach()), quats.detach(), cam);
    m_opacity = torch::sigmoid(g.opacity_logits.detach());
    const auto raster = splat::rasterize(m_proj->means2d, m_proj->conics,
                                         torch::ones({g.size(), 1}, g.means.options()), m_opacity,
                                         m_proj->radii, m_proj->depths, cam);
    const auto top = raster.top_gaussian;  // [H, W]
    m_hit = top >= 0;
    if (m_hit.sum().item<std::int64_t>() == 0) {
        fail(
            "{}: the station's camera sees none of the {} Gaussians; the spectra and the views "
            "come from different scenes, or the station lies outside the Gaussians",
            name(), g.size());
    }
    m_surface = g.means.detach()
                    .index_select(0, top.clamp_min(0).flatten())
                    .view({top.size(0), top.size(1), 3});  // [H, W, 3]
    m_station_t = m_station_t.to(m_device);
    const auto l_vd = (m_surface - m_station_t).norm(2, -1);  // [H, W]
    m_l_first = m_config.free_space == "path" ? l_vd : torch::zeros_like(l_vd);
}

void Rf3dgsModel::set_inference(const std::string& how) {
    if (how != "auto" && how != "operator" && how != "raster")
        fail("{}: inference must be auto, operator or raster, got '{}'", name(), how);
    m_config.inference = how;
}

bool Rf3dgsModel::use_operator() const {
    return m_config.inference != "raster";
}

namespace {

// y = W·x for a constant sparse W, with the gradient Wᵀ·∂y: both CSR products (cuSPARSE on
// CUDA), the transpose given rather than formed on each backward.
class SparseProduct : public torch::autograd::Function<SparseProduct> {
public:
    static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                  const torch::Tensor& x,
                                                  const torch::Tensor& w,
                                                  const torch::Tensor& wt) {
        ctx->saved_data["wt"] = wt;
        return {w.mm(x)};
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto wt = ctx->saved_data["wt"].toTensor();
        return {wt.mm(grads[0].contiguous()), torch::Tensor(), torch::Tensor()};
    }
};

torch::Tensor csr(const torch::Tensor& rows,
                  const torch::Tensor& cols,
                  const torch::Tensor& values,
                  std::int64_t n_rows,
                  std::int64_t n_cols) {
    const auto coo = torch::sparse_coo_tensor(
        torch::stack({rows, cols}), values, {n_rows, n_cols},
        torch::TensorOptions().dtype(values.scalar_type()).device(values.device()));
    // LibTorch says once per process that its CSR support is "beta"; a user of ours cannot
    // act on that, so it is not passed on.
    SilentWarnings silent;
    const c10::WarningUtils::WarningHandlerGuard guard(&silent);
    return coo.coalesce().to_sparse_csr();
}

}  // namespace

const torch::Tensor& Rf3dgsModel::radiance_operator() {
    radiance_cache();
    if (m_operator.defined() && m_operator_key == m_cache_key)
        return m_operator;
    m_operator = torch::Tensor();
    m_compact = {};
    torch::NoGradGuard no_grad;
    // The image is Σ_k f_k α_k T_k per pixel, and α_k, T_k depend on the frozen geometry only:
    // one pass of the compositing writes them out. Culled Gaussians (radii 0) have none.
    const auto cam = station_camera(m_grid, m_station, m_orientation);
    m_weights = splat::composite_weights(m_proj->means2d, m_proj->conics, m_opacity, m_proj->radii,
                                         m_proj->depths, cam);
    const auto pixels = static_cast<std::int64_t>(m_grid.n_el) * m_grid.n_az;
    m_operator = csr(m_weights.pixel, m_weights.gaussian, m_weights.weight, pixels, m_field.size());
    m_operator_key = m_cache_key;
    return m_operator;
}

const Rf3dgsModel::CompactOperator& Rf3dgsModel::compact_operator() {
    radiance_operator();
    if (m_compact.w.defined())
        return m_compact;
    torch::NoGradGuard no_grad;
    const auto pixels = static_cast<std::int64_t>(m_grid.n_el) * m_grid.n_az;
    const auto& wt = m_weights;
    m_compact.visible = std::get<0>(torch::_unique(wt.gaussian, /*sorted=*/true));
    const auto col = torch::searchsorted(m_compact.visible, wt.gaussian);
    const auto v = m_compact.visible.size(0);
    m_compact.w = csr(wt.pixel, col, wt.weight, pixels, v);
    m_compact.wt = csr(col, wt.pixel, wt.weight, v, pixels);
    return m_compact;
}

torch::Tensor Rf3dgsModel::draw(const torch::Tensor& features, bool linear) {  // [N or V, B]
    const auto b = features.size(1);
    if (linear) {
        const auto& op = compact_operator();
        return SparseProduct::apply(features, op.w, op.wt)[0].view({m_grid.n_el, m_grid.n_az, b});
    }
    const auto cam = station_camera(m_grid, m_station, m_orientation);
    return splat::rasterize(m_proj->means2d, m_proj->conics, features, m_opacity, m_proj->radii,
                            m_proj->depths, cam)
        .image;
}

torch::Tensor Rf3dgsModel::render_spectra(const torch::Tensor& positions,  // [B, 3]
                                          torch::Tensor* raw_mean) {
    return render_spectra(positions, raw_mean, use_operator());
}

torch::Tensor Rf3dgsModel::render_spectra(const torch::Tensor& positions,
                                          torch::Tensor* raw_mean,
                                          bool linear,
                                          bool unclamped) {
    radiance_cache();
    const auto& g = m_field.geometry;
    const auto b = positions.size(0);
    if (b < 1 || (b > 16 && !linear))
        fail("{}: render_spectra rasterises 1..16 spectra at a time, got {}", name(), b);
    const auto pos = positions.to(m_device, torch::kFloat32);
    if (linear && !unclamped && use_fused(b)) {
        m_last_inference = "fused";
        return fused_spectra(pos, raw_mean);
    }
    m_last_inference = linear ? "operator" : "raster";
    // Through the operator only the Gaussians it reaches need features (V of N).
    auto means = g.means.detach();
    auto rf_sh = m_field.rf_sh;
    if (linear) {
        const auto& visible = compact_operator().visible;
        means = means.index_select(0, visible);
        rf_sh = rf_sh.index_select(0, visible);
    }
    const auto m = means.size(0);
    const auto dirs = torch::nn::functional::normalize(
        pos.unsqueeze(0) - means.unsqueeze(1),
        torch::nn::functional::NormalizeFuncOptions().dim(-1).eps(1e-12));  // [M, B, 3]
    const auto k = rf_sh.size(1);
    const auto sh = rf_sh.unsqueeze(1).expand({m, b, k, 1}).reshape({m * b, k, 1});
    const auto value =
        splat::eval_sh(sh, dirs.reshape({m * b, 3}), m_config.rf_sh_degree).view({m, b});
    // RF-3DGS+: the SH give the final directional gain on a log scale, A_N = exp(SH(d)) (a
    // gain of 1 where they are 0). Scatterers' gains differ by decades (the lobby's rough
    // concrete, wood and metal), and behind the free-space factor the rendered spectrum is
    // dominated by whichever gain is too large; a linear or softplus gain moves by a fixed
    // amount per Adam step and stays near its start (docs/models.md). RF-3DGS: 3DGS's colour.
    const auto features = m_config.plus ? torch::exp(torch::clamp(value, -30.0, 30.0))
                                        : torch::clamp_min(value + 0.5, 0.0);
    auto image = draw(features, linear);  // [H, W, B]
    if (m_config.plus) {
        // Free-space factor of the single-bounce path through the ray's pseudo-surface point,
        // (λ/4π(l_prev + l_vd))² (free_space "scatter": (λ/4π l_prev)²): relative to its value at 1
        // m for min–max spectra (the min–max removes the constant), whole for path-gain dB spectra,
        // whose level it sets.
        const auto l_prev =
            (m_surface.unsqueeze(2) - pos.view({1, 1, b, 3})).norm(2, -1);  // [H, W, B]
        const auto l = torch::clamp_min(m_l_first.unsqueeze(2) + l_prev, 1e-3);
        const double at_1m = m_db_range ? m_free_space_1m : 1.0;
        image = image * torch::where(m_hit.unsqueeze(2), at_1m / (l * l), torch::zeros_like(l));
        const auto flat = image.reshape({-1, b});
        if (raw_mean != nullptr)
            *raw_mean = flat.mean(0);
        if (m_db_range) {
            // path_gain_db: the cell's power in dB by the dataset's one range. Below the range
            // a training pixel keeps 1 % of its gradient (a clamp would leave a gain that fell
            // under it there for good); predictions are clamped to 0..1 as the data are.
            const auto [lo, hi] = *m_db_range;
            auto v = (10.0 * torch::log10(torch::clamp_min(image, 1e-30)) - lo) / (hi - lo);
            if (!unclamped) {
                v = torch::GradMode::is_enabled() ? torch::where(v < 0, 0.01 * v, v)
                                                  : torch::clamp(v, 0.0, 1.0);
            }
            image = torch::where(m_hit.unsqueeze(2), v, torch::zeros_like(v));
            return image.permute({2, 0, 1});  // [B, H, W]
        }
        // aminmax (one pass) has no derivative; training takes min and max.
        const auto [lo, hi] = torch::GradMode::is_enabled()
                                  ? std::tuple{std::get<0>(flat.min(0)), std::get<0>(flat.max(0))}
                                  : torch::aminmax(flat, 0);
        image = (image - lo) / torch::clamp_min(hi - lo, 1e-30);
    }
    return image.permute({2, 0, 1});  // [B, H, W]
}

void Rf3dgsModel::radiance_data(const train::DataList& data) {
    if (m_data_key != static_cast<const void*>(data.data())) {
        std::vector<torch::Tensor> spectra, positions;
        std::vector<std::int64_t> train;
        std::int64_t offset = 0;
        for (const auto& d : data) {
            if (!(d->context.grid == m_grid))
                fail("{}: '{}' has another spectrum grid than the prepared one", name(),
                     d->source());
            check_scene(d->context);
            spectra.push_back(d->spectra);
            positions.push_back(d->positions);
            for (auto i : d->split.train)
                train.push_back(i + offset);
            offset += d->size();
        }
        if (train.empty())
            fail("{}: the training split is empty", name());
        m_spectra = torch::cat(spectra).to(m_device, torch::kFloat32);
        m_positions = torch::cat(positions).to(m_device, torch::kFloat32);
        m_train = torch::tensor(train, torch::kLong);
        m_data_key = data.data();
        log::info("{}: stage 2 learns the radio radiance of {} Gaussians from {} spectra", name(),
                  m_field.size(), m_train.size(0));
    }
}

torch::Tensor Rf3dgsModel::radiance_loss(const train::DataList& data, torch::Generator& gen) {
    radiance_data(data);
    const auto b = std::min<std::int64_t>(m_config.batch, m_train.size(0));
    const auto pick = torch::randperm(m_train.size(0), gen, torch::kLong).narrow(0, 0, b);
    const auto sample = m_train.index_select(0, pick).to(m_device);
    const auto pred = render_spectra(m_positions.index_select(0, sample));
    return torch::mse_loss(pred, m_spectra.index_select(0, sample));
}

void Rf3dgsModel::start_radiance_level() {
    if (!m_config.plus || !m_config.rf_start_level || !m_db_range)
        return;
    auto& rf = m_field.rf_sh;
    if (rf.numel() == 0 || rf.abs().max().item<double>() != 0.0)
        return;  // trained already: a run started from a trained stage 2
    const auto [lo, hi] = *m_db_range;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> gaps;
    const auto n = std::min<std::int64_t>(m_train.size(0), 4 * m_config.batch);
    for (std::int64_t i = 0; i < n; i += m_config.batch) {
        const auto rows =
            m_train.narrow(0, i, std::min<std::int64_t>(m_config.batch, n - i)).to(m_device);
        const auto v = render_spectra(m_positions.index_select(0, rows), nullptr, use_operator(),
                                      /*unclamped=*/true);
        const auto target = m_spectra.index_select(0, rows);
        const auto lit = m_hit.unsqueeze(0).expand_as(target) & (target > 0);
        gaps.push_back((target - v).masked_select(lit));
    }
    const auto all = torch::cat(gaps);
    if (all.numel() == 0)
        return;
    const double db = all.median().item<double>() * (hi - lo);
    // exp(SH): a gain of db decibels is a log-gain of db·ln 10 / 10, the DC band times Y_00.
    rf.select(1, 0).fill_(db * std::log(10.0) / 10.0 / splat::sh::kC0);
    log::info("{}: stage 2 starts every radio gain at {:+.1f} dB, the training spectra's level",
              name(), db);
}

torch::Tensor Rf3dgsModel::predict_positions(const torch::Tensor& positions,
                                             torch::Tensor* raw_mean) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> out, raw;
    const auto n = positions.size(0);
    // The operator takes any count; 256 bounds the [N·B] direction and SH temporaries.
    const bool linear = use_operator();
    const std::int64_t per = linear ? 256 : 16;
    for (std::int64_t i = 0; i < n; i += per) {
        torch::Tensor r;
        out.push_back(render_spectra(positions.narrow(0, i, std::min<std::int64_t>(per, n - i)),
                                     raw_mean != nullptr ? &r : nullptr, linear));
        if (raw_mean != nullptr)
            raw.push_back(r.to(torch::kCPU, torch::kFloat64));
    }
    if (out.empty()) {
        if (raw_mean != nullptr)
            *raw_mean = torch::zeros({0}, torch::kFloat64);
        return torch::zeros({0, m_grid.n_el, m_grid.n_az}, torch::kFloat32);
    }
    if (raw_mean != nullptr)
        *raw_mean = torch::cat(raw);
    return torch::cat(out).clamp(0, 1).cpu();
}

double Rf3dgsModel::power_scale(const train::SceneData& scene) {
    if (!m_config.plus)
        fail(
            "rf3dgs: its spectra keep no path loss (the spherical harmonics give each value "
            "directly), so it predicts no received power; train rf3dgs_plus for a power map");
    // Trained on path-gain spectra (path_gain_db) it renders the path gain itself, (λ/4π)²
    // included: its mean over the directions needs no calibration.
    if (m_db_range)
        return 1.0;
    if (!scene.power.defined())
        fail(
            "{}: '{}' holds normalised spectra, so there is no measured power to calibrate a "
            "power map on; use a dataset of linear spectra or of path_gain_db spectra "
            "(radiofield simulate writes both)",
            name(), scene.source());
    radiance_cache();
    // Refitted when the scene, the geometry or the radio SH (a step, a load) changed.
    auto key = m_cache_key;
    key.push_back(reinterpret_cast<std::intptr_t>(m_field.rf_sh.unsafeGetTensorImpl()));
    key.push_back(static_cast<std::int64_t>(m_field.rf_sh._version()));
    if (m_scale_scene != static_cast<const void*>(&scene) || m_scale_key != key) {
        // One constant, fitted in dB: the median over the training receivers (up to 64, evenly
        // spread) of measured / rendered power. The spectra were fitted after a per-sample
        // min–max, so the model fixes each power only up to this common factor.
        const auto& train = scene.split.train;
        if (train.empty())
            fail("{}: '{}' has no training receivers to calibrate the power map on", name(),
                 scene.source());
        std::vector<std::int64_t> pick;
        const auto m = std::min<std::size_t>(64, train.size());
        for (std::size_t k = 0; k < m; ++k)
            pick.push_back(train[k * train.size() / m]);
        const auto index = torch::tensor(pick, torch::kLong);
        torch::Tensor raw;
        predict_positions(scene.positions.index_select(0, index), &raw);
        const auto measured = scene.power.index_select(0, index).to(torch::kFloat64);
        const auto ok = (raw > 0).logical_and(measured > 0);
        if (ok.sum().item<std::int64_t>() == 0)
            fail("{}: no training receiver of '{}' has a positive measured and rendered power",
                 name(), scene.source());
        const auto log_ratio = (measured.index({ok}).log() - raw.index({ok}).log());
        m_scale = std::exp(log_ratio.median().item<double>());
        m_scale_scene = &scene, m_scale_key = key;
    }
    return m_scale;
}

torch::Tensor Rf3dgsModel::predict_power(const torch::Tensor& positions,
                                         const train::SceneData& scene) {
    const double scale = power_scale(scene);
    torch::Tensor raw;
    predict_positions(positions, &raw);
    return raw * scale;
}

train::Prediction Rf3dgsModel::predict(const train::Query& query) {
    if (query.scene != nullptr) {
        if (!(query.scene->context.grid == m_grid))
            fail("{}: '{}' has another spectrum grid than the trained one", name(),
                 query.scene->source());
        check_scene(query.scene->context);
    }
    if (query.power && m_config.plus && query.scene != nullptr &&
        (m_db_range || query.scene->power.defined())) {
        torch::Tensor raw;
        auto p = train::Prediction::of_spectra(predict_positions(query.positions, &raw));
        p.power = raw * power_scale(*query.scene);
        return p;
    }
    return train::Prediction::of_spectra(predict_positions(query.positions));
}

}  // namespace radiofield::models
