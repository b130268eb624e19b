// RF-3DGS / RF-3DGS+ as a train::Model: configuration, seeding, stage 1 (geometry from camera
// images with densification through the core's hooks), checkpoints and registration. Stage 2
// (the radio radiance) is rf3dgs_radiance.cpp.
#include <cmath>
#include <limits>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/splat/sh_constants.hpp"

namespace radiofield::models {
namespace {

constexpr double kShC0 = splat::sh::kC0;  // Y_00
constexpr double kPlusRfLr = 0.2;         // RF-3DGS+'s default rf_lr (docs/models.md)
constexpr int kPlusRfShDegree = 2;        // and rf_sh_degree (docs/models.md)

// Mean distance of each point to its 3 nearest others, [P] (3DGS's initial scale).
torch::Tensor nearest3(const torch::Tensor& points) {
    const auto p = points.size(0);
    if (p < 2)
        return torch::full({p}, 0.1, points.options());
    const int k = static_cast<int>(std::min<std::int64_t>(4, p));
    std::vector<torch::Tensor> out;
    for (std::int64_t i = 0; i < p; i += 2048) {
        const auto rows = points.narrow(0, i, std::min<std::int64_t>(2048, p - i));
        const auto d = torch::cdist(rows, points);                       // [r, P]
        const auto near = std::get<0>(d.topk(k, 1, /*largest=*/false));  // self first
        out.push_back(near.narrow(1, 1, k - 1).mean(1));
    }
    return torch::clamp_min(torch::cat(out), 1e-4);
}

}  // namespace

Rf3dgsConfig Rf3dgsConfig::from_json(const nlohmann::json& j, bool plus) {
    const std::string where = plus ? "rf3dgs_plus config" : "rf3dgs config";
    check_keys(j, {"views",          "downscale",       "holdout_every",   "geometry_steps",
                   "radiance_steps", "random_points",   "max_seed_points", "sh_degree",
                   "sh_every",       "rf_sh_degree",    "ssim_weight",     "background",
                   "means_lr",       "scales_lr",       "quats_lr",        "opacity_lr",
                   "colour_lr",      "rf_lr",           "batch",           "densify",
                   "inference",      "fused_inference", "rf_start_level",  "free_space"},
               where);
    Rf3dgsConfig c;
    c.plus = plus;
    c.views = get_or(j, "views", c.views, where);
    c.downscale = get_or(j, "downscale", c.downscale, where);
    c.holdout_every = get_or(j, "holdout_every", c.holdout_every, where);
    c.geometry_steps = get_or(j, "geometry_steps", c.geometry_steps, where);
    c.radiance_steps = get_or(j, "radiance_steps", c.radiance_steps, where);
    c.random_points = get_or(j, "random_points", c.random_points, where);
    c.max_seed_points = get_or(j, "max_seed_points", c.max_seed_points, where);
    c.sh_degree = get_or(j, "sh_degree", c.sh_degree, where);
    c.sh_every = get_or(j, "sh_every", c.sh_every, where);
    // exp(SH) of degree 3 fits lobes sharp enough to overfit the training receivers.
    c.rf_sh_degree = get_or(j, "rf_sh_degree", plus ? kPlusRfShDegree : c.rf_sh_degree, where);
    c.ssim_weight = get_or(j, "ssim_weight", c.ssim_weight, where);
    c.background = get_or(j, "background", c.background, where);
    c.means_lr = get_or(j, "means_lr", c.means_lr, where);
    c.scales_lr = get_or(j, "scales_lr", c.scales_lr, where);
    c.quats_lr = get_or(j, "quats_lr", c.quats_lr, where);
    c.opacity_lr = get_or(j, "opacity_lr", c.opacity_lr, where);
    c.colour_lr = get_or(j, "colour_lr", c.colour_lr, where);
    // RF-3DGS+'s SH are a log-gain: Adam moves it by about rf_lr per step, and the quick
    // study's 200 stage-2 steps must span decades of gain (rf3dgs_radiance.cpp).
    c.rf_lr = get_or(j, "rf_lr", plus ? kPlusRfLr : c.rf_lr, where);
    c.batch = get_or(j, "batch", c.batch, where);
    c.inference = get_or(j, "inference", c.inference, where);
    c.fused_inference = get_or(j, "fused_inference", c.fused_inference, where);
    c.rf_start_level = get_or(j, "rf_start_level", c.rf_start_level, where);
    c.free_space = get_or(j, "free_space", c.free_space, where);
    if (c.free_space != "path" && c.free_space != "scatter")
        fail("{}: free_space must be path or scatter, got '{}'", where, c.free_space);
    if (c.inference != "auto" && c.inference != "operator" && c.inference != "raster")
        fail("{}: inference must be auto, operator or raster, got '{}'", where, c.inference);
    if (j.is_object() && j.contains("densify"))
        c.densify = DensifyConfig::from_json(j.at("densify"));
    if (c.sh_degree < 0 || c.sh_degree > 3 || c.rf_sh_degree < 0 || c.rf_sh_degree > 3)
        fail("{}: sh_degree and rf_sh_degree must be 0..3", where);
    if (c.batch < 1 || c.batch > 16) {
        fail("{}: batch must be 1..16 spectra (one rasterisation draws them as channels), got {}",
             where, c.batch);
    }
    if (c.background.size() != 3)
        fail("{}: background must be 3 numbers (RGB in [0, 1])", where);
    if (c.geometry_steps < 0)
        fail("{}: geometry_steps must be ≥ 0", where);
    if (c.random_points < 0 || c.max_seed_points < 1 || c.sh_every < 1 || c.holdout_every < 0)
        fail("{}: random_points ≥ 0, max_seed_points ≥ 1, sh_every ≥ 1, holdout_every ≥ 0", where);
    return c;
}

nlohmann::json Rf3dgsConfig::to_json() const {
    return {{"views", views},
            {"downscale", downscale},
            {"holdout_every", holdout_every},
            {"geometry_steps", geometry_steps},
            {"radiance_steps", radiance_steps},
            {"random_points", random_points},
            {"max_seed_points", max_seed_points},
            {"sh_degree", sh_degree},
            {"sh_every", sh_every},
            {"rf_sh_degree", rf_sh_degree},
            {"ssim_weight", ssim_weight},
            {"background", background},
            {"means_lr", means_lr},
            {"scales_lr", scales_lr},
            {"quats_lr", quats_lr},
            {"opacity_lr", opacity_lr},
            {"colour_lr", colour_lr},
            {"rf_lr", rf_lr},
            {"batch", batch},
            {"inference", inference},
            {"fused_inference", fused_inference},
            {"rf_start_level", rf_start_level},
            {"free_space", free_space},
            {"densify", densify.to_json()}};
}

Rf3dgsModel::Rf3dgsModel(Rf3dgsConfig config) : m_config(std::move(config)) {}

void Rf3dgsModel::seed(const torch::Tensor& points_in, const torch::Tensor& colours_in) {
    auto points = points_in, colours = colours_in;
    auto gen = at::detail::createCPUGenerator(1);
    if (points.size(0) > m_config.max_seed_points) {
        const auto pick = torch::randperm(points.size(0), gen, torch::kLong)
                              .narrow(0, 0, m_config.max_seed_points);
        points = points.index_select(0, pick), colours = colours.index_select(0, pick);
    }
    const auto n = points.size(0);
    if (n == 0) {
        fail(
            "{}: no Gaussian to start from: the views' points3D.txt is empty and random_points "
            "is 0; set random_points > 0",
            name());
    }
    const auto f = torch::TensorOptions().dtype(torch::kFloat32);
    auto& g = m_field.geometry;
    g.means = points.to(torch::kFloat32).clone();
    g.log_scales = torch::log(nearest3(g.means)).unsqueeze(1).repeat({1, 3});
    g.quats = torch::zeros({n, 4}, f);
    g.quats.select(1, 0).fill_(1.0);
    g.opacity_logits = torch::full({n}, std::log(0.1 / 0.9), f);
    g.sh = torch::zeros({n, splat::sh_coefficients(m_config.sh_degree), 3}, f);
    g.sh.select(1, 0).copy_((colours.to(torch::kFloat32) - 0.5) / kShC0);
    m_field.rf_sh = torch::zeros({n, splat::sh_coefficients(m_config.rf_sh_degree), 1}, f);
    for (torch::Tensor* t : m_field.rows())
        *t = t->to(m_device).set_requires_grad(true);
    const auto lo = std::get<0>(g.means.min(0)).cpu(), hi = std::get<0>(g.means.max(0)).cpu();
    m_lo = {lo[0].item<double>(), lo[1].item<double>(), lo[2].item<double>()};
    m_hi = {hi[0].item<double>(), hi[1].item<double>(), hi[2].item<double>()};
}

void Rf3dgsModel::check_scene(const train::SceneContext& c) const {
    // The station and the positions must lie in the Gaussians' scene (its box with a margin).
    const Vec3 size = m_hi - m_lo;
    const double margin = 0.1 * norm(size) + 0.5;
    const auto inside = [&](const Vec3& p) {
        return p.x >= m_lo.x - margin && p.x <= m_hi.x + margin && p.y >= m_lo.y - margin &&
               p.y <= m_hi.y + margin && p.z >= m_lo.z - margin && p.z <= m_hi.z + margin;
    };
    if (!inside(c.lo) || !inside(c.hi)) {
        fail(
            "{}: '{}' lies outside the Gaussians' scene: its station and positions span "
            "({:.3g}, {:.3g}, {:.3g})…({:.3g}, {:.3g}, {:.3g}) m, the Gaussians "
            "({:.3g}, {:.3g}, {:.3g})…({:.3g}, {:.3g}, {:.3g}) m; the spectra and the views come "
            "from different scenes — render the views of the dataset's scene",
            name(), c.source, c.lo.x, c.lo.y, c.lo.z, c.hi.x, c.hi.y, c.hi.z, m_lo.x, m_lo.y,
            m_lo.z, m_hi.x, m_hi.y, m_hi.z);
    }
}

void Rf3dgsModel::prepare(const std::vector<train::SceneContext>& contexts,
                          const train::DataList* data) {
    if (contexts.empty())
        fail("{}: no training dataset to take the station from", name());
    const auto& first = contexts.front();
    m_grid = first.grid;
    m_station = first.station_position;
    m_orientation = first.station_orientation;
    m_station_t = torch::tensor({m_station.x, m_station.y, m_station.z}, torch::kFloat32);
    m_db_range.reset();
    if (first.convention == "path_gain_db") {
        if (!first.db_range)
            fail("{}: '{}' holds path_gain_db spectra without their dB range; re-simulate it",
                 name(), first.source);
        m_db_range = first.db_range;
        m_free_space_1m = std::pow(wavelength(first.frequency_hz) / (4 * kPi), 2);
    }
    m_proj.reset();
    m_data_key = nullptr;
    m_prepared = true;
    if (data == nullptr)
        return;  // a trained run: the Gaussians come from its checkpoint
    if (m_config.views.empty() && m_config.geometry_steps > 0) {
        fail(
            "{}: stage 1 learns the geometry from camera images: set \"views\": DIR (made by "
            "`radiofield render-views --scene NAME --out DIR`, or a COLMAP model of photographs "
            "beside their images/ folder), or \"geometry_steps\": 0 to keep the Gaussians where "
            "they are seeded",
            name());
    }
    torch::Tensor points, colours;
    std::optional<std::pair<Vec3, Vec3>> random_box;
    if (!m_config.views.empty()) {
        m_views = read_view_set(m_config.views, m_config.downscale);
        points = m_views.points, colours = m_views.colours;
        m_train_views.clear(), m_test_views.clear();
        const auto v = static_cast<std::int64_t>(m_views.cameras.size());
        for (std::int64_t i = 0; i < v; ++i) {
            const bool held =
                m_config.holdout_every > 0 && v > 1 && i % m_config.holdout_every == 0;
            (held ? m_test_views : m_train_views).push_back(i);
        }
        Vec3 mean{0, 0, 0};
        for (const auto& c : m_views.cameras)
            mean = mean + c.centre() * (1.0 / v);
        double r = 0;
        for (const auto& c : m_views.cameras)
            r = std::max(r, norm(c.centre() - mean));
        m_extent = 1.1 * std::max(r, 0.1);
    }
    if (!points.defined() || points.size(0) == 0) {
        // Uniform in the box of the datasets' stations and positions (or the cameras').
        Vec3 lo = first.lo, hi = first.hi;
        for (const auto& c : contexts)
            lo = min(lo, c.lo), hi = max(hi, c.hi);
        for (const auto& c : m_views.cameras)
            lo = min(lo, c.centre()), hi = max(hi, c.centre());
        auto gen = at::detail::createCPUGenerator(2);
        const auto lo_t = torch::tensor({lo.x, lo.y, lo.z}, torch::kFloat32);
        const auto hi_t = torch::tensor({hi.x, hi.y, hi.z}, torch::kFloat32);
        points =
            lo_t + torch::rand({m_config.random_points, 3}, gen, torch::kFloat32) * (hi_t - lo_t);
        colours = torch::rand({m_config.random_points, 3}, gen, torch::kFloat32);
        random_box = {lo, hi};
    }
    seed(points, colours);
    if (random_box)
        std::tie(m_lo, m_hi) = *random_box;  // the scene is the box the seeds were drawn in
    if (m_views.cameras.empty())
        m_extent = std::max(0.5 * norm(m_hi - m_lo), 0.1);
    for (const auto& c : contexts)
        check_scene(c);
    // Every camera must see some of the scene.
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < m_views.cameras.size(); ++i) {
        const auto proj =
            splat::project(m_field.geometry.means, torch::exp(m_field.geometry.log_scales),
                           m_field.geometry.quats, m_views.cameras[i]);
        if ((proj.radii.select(1, 0) > 0).sum().item<std::int64_t>() == 0) {
            fail(
                "{}: the camera of '{}' sees none of the {} seed points of the scene; check its "
                "pose in images.txt (world → camera rotation and translation) or drop the image",
                name(), m_views.names[i], m_field.size());
        }
    }
    m_stats = {};
    m_reset_done = false;
}

std::vector<train::ParamGroup> Rf3dgsModel::parameter_groups() {
    auto& g = m_field.geometry;
    const double wd = 0;
    return {{"means", {g.means}, m_config.means_lr * m_extent, wd, "cosine"},
            {"scales", {g.log_scales}, m_config.scales_lr, wd, "constant"},
            {"quats", {g.quats}, m_config.quats_lr, wd, "constant"},
            {"opacities", {g.opacity_logits}, m_config.opacity_lr, wd, "constant"},
            {"colour", {g.sh}, m_config.colour_lr, wd, "constant"},
            {"rf", {m_field.rf_sh}, m_config.rf_lr, wd}};
}

std::vector<train::Phase> Rf3dgsModel::phases() const {
    std::vector<train::Phase> out;
    if (m_config.geometry_steps > 0) {
        out.emplace_back(
            "geometry", m_config.geometry_steps,
            std::vector<std::string>{"means", "scales", "quats", "opacities", "colour"});
    }
    out.emplace_back("radiance", m_config.radiance_steps, std::vector<std::string>{"rf"});
    return out;
}

splat::RenderOptions Rf3dgsModel::image_options(std::int64_t phase_step) const {
    splat::RenderOptions o;
    o.sh_degree = static_cast<int>(
        std::min<std::int64_t>(m_config.sh_degree, phase_step / m_config.sh_every));
    o.background = m_config.background;
    return o;
}

torch::Tensor Rf3dgsModel::image_loss(std::int64_t index) {
    const auto& cam = m_views.cameras.at(static_cast<std::size_t>(index));
    auto result = splat::render(m_field.geometry, cam, image_options(m_geometry_step));
    const auto target = m_views.images[static_cast<std::size_t>(index)].to(m_device);
    const auto l1 = (result.image - target).abs().mean();
    const auto loss =
        (1 - m_config.ssim_weight) * l1 + m_config.ssim_weight * (1 - ssim(result.image, target));
    m_image_side = std::max(cam.width, cam.height);
    m_last = std::move(result);
    return loss;
}

double Rf3dgsModel::view_psnr(std::int64_t index) {
    torch::NoGradGuard no_grad;
    const auto i = static_cast<std::size_t>(index);
    return image_psnr(
        splat::render(m_field.geometry, m_views.cameras.at(i), image_options(m_geometry_step))
            .image,
        i);
}

double Rf3dgsModel::image_psnr(const torch::Tensor& image, std::size_t view) const {
    const auto target = m_views.images[view].to(m_device);
    const double mse = (image.clamp(0, 1) - target).pow(2).mean().item<double>();
    return -10 * std::log10(std::max(mse, 1e-12));
}

std::optional<Rf3dgsModel::DepthError> Rf3dgsModel::view_depth_error(std::int64_t index) {
    const auto i = static_cast<std::size_t>(index);
    if (i >= m_views.depths.size() || !m_views.depths[i].defined())
        return std::nullopt;
    torch::NoGradGuard no_grad;
    return depth_error(
        splat::render(m_field.geometry, m_views.cameras.at(i), image_options(m_geometry_step)), i);
}

Rf3dgsModel::DepthError Rf3dgsModel::depth_error(const splat::RenderResult& r,
                                                 std::size_t view) const {
    const auto truth = m_views.depths[view];
    const auto top = r.top_gaussian.cpu();
    const auto seen = truth > 0;
    DepthError e;
    e.pixels = seen.sum().item<std::int64_t>();
    if (e.pixels == 0)
        return e;
    const auto covered = seen & (top >= 0);
    e.covered = covered.sum().item<double>() / static_cast<double>(e.pixels);
    // A seen pixel without a top Gaussian counts as infinitely far from its surface.
    auto err = torch::full_like(truth, std::numeric_limits<float>::infinity());
    const auto z = r.depths.cpu().to(torch::kFloat32).index_select(0, top.clamp_min(0).flatten());
    err = torch::where(covered, (z.view_as(truth) - truth).abs(), err);
    const auto seen_err = err.masked_select(seen);
    e.median_m = seen_err.median().item<double>();
    e.within_10cm = (seen_err <= 0.1f).sum().item<double>() / static_cast<double>(e.pixels);
    return e;
}

torch::Tensor Rf3dgsModel::training_loss(const train::DataList& data,
                                         const train::Phase& phase,
                                         torch::Generator& gen) {
    if (phase.name == "radiance")
        return radiance_loss(data, gen);
    if (m_train_views.empty())
        fail("{}: stage 1 has no training view (every view is held out); raise holdout_every",
             name());
    const auto pick =
        torch::randint(static_cast<std::int64_t>(m_train_views.size()), {1}, gen, torch::kLong);
    return image_loss(m_train_views[static_cast<std::size_t>(pick.item<std::int64_t>())]);
}

void Rf3dgsModel::begin_phase(train::StepContext& step) {
    if (step.phase.name != "radiance")
        return;
    radiance_data(step.data);
    start_radiance_level();
}

void Rf3dgsModel::after_backward(train::StepContext& step) {
    if (step.phase.name != "geometry" || !m_last)
        return;
    if (m_stats.grad_norm_sum.defined() && m_stats.grad_norm_sum.size(0) != m_field.size())
        m_stats = {};
    m_stats.accumulate(*m_last);
    m_last.reset();
}

void Rf3dgsModel::after_step(train::StepContext& step) {
    if (step.phase.name != "geometry")
        return;
    const auto s = step.phase_step + 1;  // steps done in stage 1
    m_geometry_step = s;
    const auto& d = m_config.densify;
    if (s >= d.start && s < d.stop && s % d.every == 0) {
        const auto counts = densify_and_prune(m_field, m_stats, d, m_extent, m_image_side,
                                              m_reset_done, step.editor, m_gen);
        m_stats = {};
        log::debug("{}: step {}: {} cloned, {} split, {} pruned → {} Gaussians", name(), s,
                   counts.cloned, counts.split, counts.pruned, m_field.size());
    }
    if (d.reset_every > 0 && s < d.stop && s % d.reset_every == 0) {
        reset_opacity(m_field, d.reset_opacity, step.editor);
        m_reset_done = true;
    }
    if (s == m_config.geometry_steps)
        log_geometry();
}

// Stage 1's result in the run's log: the Gaussian count, the held-out views' PSNR and, where
// the views have depth images, how far the pseudo-surface is from the true one.
void Rf3dgsModel::log_geometry() {
    std::string held;
    if (!m_test_views.empty()) {
        double psnr = 0, median = 0, within = 0, covered = 0;
        int with_depth = 0;
        torch::NoGradGuard no_grad;
        for (auto v : m_test_views) {  // one render a view serves both measures
            const auto i = static_cast<std::size_t>(v);
            const auto r = splat::render(m_field.geometry, m_views.cameras.at(i),
                                         image_options(m_geometry_step));
            psnr += image_psnr(r.image, i);
            if (!m_views.depths.at(i).defined())
                continue;
            if (const auto e = depth_error(r, i); e.pixels > 0) {
                median += e.median_m, within += e.within_10cm, covered += e.covered;
                ++with_depth;
            }
        }
        const auto n = static_cast<double>(m_test_views.size());
        held = fmt::format("; {} held-out views: PSNR {:.2f} dB", m_test_views.size(), psnr / n);
        if (with_depth > 0)
            held += fmt::format(
                ", pseudo-surface depth error median {:.3f} m, {:.1f} % of pixels within 0.1 m, "
                "{:.1f} % with a Gaussian",
                median / with_depth, 100 * within / with_depth, 100 * covered / with_depth);
    }
    log::info("{}: stage 1 ends with {} Gaussians{}", name(), m_field.size(), held);
}

void Rf3dgsModel::set_device(torch::Device device) {
    device = torch::empty({0}, torch::TensorOptions().device(device)).device();
    m_device = device;
    for (torch::Tensor* t : m_field.rows()) {
        if (t->defined())
            *t = t->detach().to(device).set_requires_grad(t->requires_grad());
    }
    m_proj.reset();
    m_data_key = nullptr;
    m_stats = {};
}

void Rf3dgsModel::save(torch::serialize::OutputArchive& archive) const {
    const auto& g = m_field.geometry;
    archive.write("means", g.means.detach().cpu());
    archive.write("log_scales", g.log_scales.detach().cpu());
    archive.write("quats", g.quats.detach().cpu());
    archive.write("opacity_logits", g.opacity_logits.detach().cpu());
    archive.write("sh", g.sh.detach().cpu());
    archive.write("rf_sh", m_field.rf_sh.detach().cpu());
    archive.write("scene",
                  torch::tensor({m_lo.x, m_lo.y, m_lo.z, m_hi.x, m_hi.y, m_hi.z, m_extent,
                                 static_cast<double>(m_geometry_step), m_reset_done ? 1.0 : 0.0},
                                torch::kFloat64));
}

void Rf3dgsModel::load(torch::serialize::InputArchive& archive) {
    const char* names[] = {"means", "log_scales", "quats", "opacity_logits", "sh", "rf_sh"};
    const auto rows = m_field.rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        torch::Tensor t;
        archive.read(names[i], t);
        *rows[i] = t.to(m_device).set_requires_grad(true);
    }
    torch::Tensor s;
    archive.read("scene", s);
    s = s.to(torch::kCPU, torch::kFloat64);  // the archive may be read onto a GPU
    const auto a = s.accessor<double, 1>();
    m_lo = {a[0], a[1], a[2]}, m_hi = {a[3], a[4], a[5]};
    m_extent = a[6];
    m_geometry_step = static_cast<std::int64_t>(a[7]);
    m_reset_done = a[8] != 0;
    if (m_field.size() == 0)
        fail("{}: the checkpoint holds no Gaussian", name());
    const auto n = m_field.size();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i]->size(0) != n)
            fail("{}: the checkpoint's '{}' holds {} Gaussians, its means {}", name(), names[i],
                 rows[i]->size(0), n);
    }
    const auto check_sh = [&](const torch::Tensor& t, const char* what, int degree,
                              const char* key) {
        if (t.dim() != 3 || t.size(1) != splat::sh_coefficients(degree))
            fail(
                "{}: the checkpoint's {} have {} coefficients per Gaussian, degree {} has {}; set "
                "{} to the degree the weights were trained with",
                name(), what, t.dim() == 3 ? t.size(1) : 0, degree, splat::sh_coefficients(degree),
                key);
    };
    check_sh(m_field.geometry.sh, "colour spherical harmonics", m_config.sh_degree, "sh_degree");
    const auto k = splat::sh_coefficients(m_config.rf_sh_degree);
    auto& rf = m_field.rf_sh;
    if (m_initial_load && rf.dim() == 3 && rf.size(1) != k) {
        // Starting from another run's Gaussians (a shared stage 1) with another radio SH
        // degree: the bands are orthogonal, so the higher ones are cut off or start at zero.
        torch::NoGradGuard no_grad;
        auto sh = torch::zeros({n, k, rf.size(2)}, rf.options().requires_grad(false));
        const auto common = std::min<std::int64_t>(k, rf.size(1));
        sh.narrow(1, 0, common).copy_(rf.narrow(1, 0, common));
        rf = sh.set_requires_grad(true);
    }
    check_sh(rf, "radio spherical harmonics", m_config.rf_sh_degree, "rf_sh_degree");
    m_proj.reset();
    m_stats = {};
}

void Rf3dgsModel::initialised_from(const std::string& model) {
    m_initial_load = false;
    // The radio SH mean a log-gain in RF-3DGS+ and an offset value in RF-3DGS: the geometry
    // carries over between the variants, the radiance starts afresh.
    if (model != name()) {
        torch::NoGradGuard no_grad;
        m_field.rf_sh.zero_();
    }
}

void register_rf3dgs() {
    train::register_model(
        "rf3dgs_plus",
        "RF-3DGS+: Gaussians from camera images, then radio radiance with the "
        "full single-bounce path length (pseudo-surface point per ray)",
        [](const nlohmann::json& c) {
            return std::make_unique<Rf3dgsModel>(Rf3dgsConfig::from_json(c, true));
        });
    train::register_model(
        "rf3dgs",
        "RF-3DGS: Gaussians from camera images, then spherical harmonics give "
        "the received spectrum directly",
        [](const nlohmann::json& c) {
            return std::make_unique<Rf3dgsModel>(Rf3dgsConfig::from_json(c, false));
        });
}

}  // namespace radiofield::models
