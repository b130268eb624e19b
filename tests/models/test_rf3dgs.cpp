// RF-3DGS / RF-3DGS+: densification with Adam's moments following, stage 1 reconstructing
// held-out camera views of a room, stage 2 learning spectra on frozen Gaussians, and the
// bad inputs of the issue.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "../nn/single_thread.hpp"
#include "../train/scene_fixture.hpp"
#include "../train/torch_temp_dir.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/models/registry.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/rt/views.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/colmap.hpp"
#include "radiofield/splat/sh_constants.hpp"
#include "radiofield/train/checkpoint.hpp"

using namespace radiofield;
using models::Rf3dgsConfig;
using models::Rf3dgsModel;
namespace fs = std::filesystem;

namespace {

torch::Tensor param(torch::Tensor t) {
    return t.set_requires_grad(true);
}

// Runs `steps` steps of `phase` the way the training loop does (hooks, editor, Adam).
double run_phase(Rf3dgsModel& model,
                 const train::DataList& data,
                 const std::string& phase_name,
                 std::int64_t steps,
                 std::uint64_t seed = 0) {
    auto groups = model.parameter_groups();
    std::vector<std::string> names;
    std::vector<torch::optim::OptimizerParamGroup> adam_groups;
    train::Phase phase;
    for (const auto& p : model.phases())
        if (p.name == phase_name)
            phase = p;
    for (const auto& g : groups) {
        names.push_back(g.name);
        const bool on =
            std::find(phase.groups.begin(), phase.groups.end(), g.name) != phase.groups.end();
        for (auto p : g.params)
            p.requires_grad_(on);
        adam_groups.emplace_back(g.params, std::make_unique<torch::optim::AdamOptions>(*g.lr));
    }
    torch::optim::Adam adam(adam_groups, torch::optim::AdamOptions(1e-3));
    auto gen = at::detail::createCPUGenerator(seed);
    {
        train::ParameterEditor editor(&adam, names);
        train::StepContext ctx{0, 0, phase, data, editor};
        model.begin_phase(ctx);
    }
    double last = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
        adam.zero_grad();
        auto loss = model.training_loss(data, phase, gen);
        train::ParameterEditor editor(&adam, names);
        train::StepContext ctx{s, s, phase, data, editor};
        model.before_backward(ctx);
        loss.backward();
        model.after_backward(ctx);
        adam.step();
        model.after_step(ctx);
        last = loss.item<double>();
    }
    return last;
}

// A dataset context inside the meeting room (station and positions), no real spectra.
train::DataList room_data(const Vec3& station = {3, 2.5, 1.5}) {
    test::SceneSpec spec;
    spec.station = station;
    spec.grid = {.n_el = 6, .n_az = 12, .el0_deg = -75, .az0_deg = 15, .step_deg = 30};
    const auto positions = torch::tensor(
        {{station.x + 1, station.y, station.z}, {station.x - 1, station.y + 0.5, station.z}});
    data::Split split{{0}, {}, {1}};
    return {test::scene_from(torch::zeros({2, 6, 12}), positions, split, spec)};
}

fs::path room_views(const test::TorchTempDir& dir, int count, int width, int height, int points) {
    rt::ViewsFolderOptions o;
    o.poses.count = count;
    o.poses.width = width, o.poses.height = height;
    o.points = static_cast<std::size_t>(points);
    o.shading.texture = 0;  // tens of pixels a side resolve no pattern: flat colour
    rt::write_views_folder(scene::make_builtin_scene("meeting_room_v1"), dir / "views", o);
    return dir / "views";
}

Rf3dgsConfig views_config(const fs::path& views, std::int64_t geometry_steps) {
    return Rf3dgsConfig::from_json({{"views", views.string()},
                                    {"geometry_steps", geometry_steps},
                                    {"sh_degree", 1},
                                    {"densify", {{"max_gaussians", 3000}}}},
                                   true);
}

}  // namespace

TEST(Rf3dgsDensify, ClonesSmallSplitsLargePrunesTransparentAndAdamStateFollows) {
    const std::int64_t n = 6;
    models::GaussianField f;
    auto& g = f.geometry;
    g.means = param(torch::arange(n * 3, torch::kFloat32).view({n, 3}));
    g.log_scales =
        param(torch::tensor({-7.0, -7.0, 0.5, 0.5, -7.0, -7.0}).unsqueeze(1).repeat({1, 3}));
    g.quats = param(torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).repeat({n, 1}));
    g.opacity_logits = param(torch::tensor({0.0f, 0.0f, 0.0f, 0.0f, -10.0f, 0.0f}));
    g.sh = param(torch::randn({n, 4, 3}));
    f.rf_sh = param(torch::randn({n, 4, 1}));
    std::vector<torch::optim::OptimizerParamGroup> groups;
    for (auto* t : f.rows())
        groups.emplace_back(std::vector<torch::Tensor>{*t},
                            std::make_unique<torch::optim::AdamOptions>(1e-3));
    torch::optim::Adam adam(groups, torch::optim::AdamOptions(1e-3));
    torch::Tensor loss = torch::zeros({});
    for (auto* t : f.rows())
        loss = loss + t->pow(2).sum();
    loss.backward();
    adam.step();
    // Label the moments of each row by its index, to follow them.
    auto moment = [&](const torch::Tensor& p) -> torch::optim::AdamParamState& {
        return static_cast<torch::optim::AdamParamState&>(
            *adam.state().at(p.unsafeGetTensorImpl()));
    };
    const auto ids = torch::arange(n, torch::kFloat32);
    moment(g.means).exp_avg(ids.unsqueeze(1).repeat({1, 3}).contiguous());
    moment(f.rf_sh).exp_avg_sq(ids.view({n, 1, 1}).repeat({1, 4, 1}).contiguous());

    splat::DensifyStats stats;
    stats.grad_norm_sum = torch::tensor({1.0, 0.0, 1.0, 0.0, 0.0, 0.0});
    stats.count = torch::ones({n}, torch::kInt32);
    stats.max_radius = torch::ones({n}, torch::kInt32);
    models::DensifyConfig config;  // threshold 0.0002 in half-sides: 1 px on a 100 px image
    train::ParameterEditor editor(&adam, {"means", "scales", "quats", "opacities", "colour", "rf"});
    auto gen = at::detail::createCPUGenerator(5);
    const auto counts = models::densify_and_prune(f, stats, config, /*extent=*/1.0,
                                                  /*image_side=*/100, false, editor, gen);
    EXPECT_EQ(counts.cloned, 1);  // row 0: small (e^−7 m ≤ 1% of 1 m)
    EXPECT_EQ(counts.split, 1);   // row 2: large
    EXPECT_EQ(counts.pruned, 1);  // row 4: opacity 4.5e-5
    // 6 + 1 clone + 2 children − split parent − pruned = 7, in the order: kept originals
    // (0, 1, 3, 5), the clone of 0, the children of 2.
    ASSERT_EQ(f.size(), 7);
    for (auto* t : f.rows())
        EXPECT_EQ(t->size(0), 7);
    const auto m = moment(g.means).exp_avg().select(1, 0);
    const std::vector<float> expect_ids{0, 1, 3, 5, 0, 0, 0};  // new rows start at zero
    for (int i = 0; i < 7; ++i)
        EXPECT_EQ(m[i].item<float>(), expect_ids[i]) << "row " << i;
    const auto v = moment(f.rf_sh).exp_avg_sq().select(1, 0).select(1, 0);
    EXPECT_EQ(v[3].item<float>(), 5.0f);
    EXPECT_EQ(v[4].item<float>(), 0.0f);
    EXPECT_TRUE(torch::equal(g.means[4], g.means[0]));  // the clone of row 0
    for (int c : {5, 6}) {
        EXPECT_NEAR(g.log_scales[c][0].item<double>(), 0.5 - std::log(1.6),
                    2e-3);  // Adam moved 1e-3
        const double off = (g.means[c] - torch::tensor({6.0f, 7.0f, 8.0f})).norm().item<double>();
        EXPECT_GT(off, 0.0);
        EXPECT_LT(off, 6 * std::exp(0.5));  // drawn from the parent's Gaussian
    }
    EXPECT_FALSE(torch::equal(g.means[5], g.means[6]));
    // Each optimiser parameter is the field's tensor, with moments of its shape; a further step
    // runs.
    for (std::size_t i = 0; i < f.rows().size(); ++i) {
        const auto& p = adam.param_groups()[i].params()[0];
        EXPECT_TRUE(p.is_same(*f.rows()[i]));
        EXPECT_EQ(moment(p).exp_avg().sizes(), p.sizes());
    }
    adam.zero_grad();
    (g.means.pow(2).sum() + f.rf_sh.sum()).backward();
    adam.step();

    // Opacity reset: clamped to 0.01, moments restarted.
    models::reset_opacity(f, 0.01, editor);
    EXPECT_LE(torch::sigmoid(g.opacity_logits).max().item<double>(), 0.01 + 1e-6);
    EXPECT_EQ(moment(g.opacity_logits).exp_avg().abs().sum().item<double>(), 0.0);
    EXPECT_TRUE(adam.param_groups()[3].params()[0].is_same(g.opacity_logits));

    // Nothing left after pruning is an error, not an empty scene.
    stats = {};
    EXPECT_THROW(
        {
            try {
                config.prune_opacity = 0.5;
                config.reset_opacity = 0.6;
                models::densify_and_prune(f, stats, config, 1.0, 100, false, editor, gen);
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find("pruned every Gaussian"), std::string::npos);
                throw;
            }
        },
        Error);
}

TEST(Rf3dgsStage1, ReconstructsHeldOutViewsOfARoom) {
    test::SingleThread one;  // small images: threads only contend
    test::TorchTempDir dir;
    const auto views = room_views(dir, 16, 32, 24, 1500);
    Rf3dgsModel model(views_config(views, 300));
    const auto data = room_data();
    model.prepare(train::contexts(data), &data);
    ASSERT_EQ(model.held_out_views().size(), 2u);  // views 0 and 8
    auto mean_psnr = [&] {
        double s = 0;
        for (auto i : model.held_out_views())
            s += model.view_psnr(i);
        return s / static_cast<double>(model.held_out_views().size());
    };
    const double before = mean_psnr();
    const auto n0 = model.field().size();
    run_phase(model, data, "geometry", 300);
    const double after = mean_psnr();
    std::cout << "held-out PSNR " << before << " dB → " << after << " dB; Gaussians " << n0 << " → "
              << model.field().size() << "\n";
    EXPECT_GT(after, 18.0);  // 19.8 dB measured; the seeded, untrained set: 14.4 dB
    EXPECT_GT(after, before + 4.0);
    EXPECT_NE(model.field().size(), n0);  // densification ran
    // The geometry RF-3DGS+ reads its path lengths from: the top Gaussians' depth against
    // render-views' depth images of the held-out views.
    for (auto i : model.held_out_views()) {
        const auto e = model.view_depth_error(i);
        ASSERT_TRUE(e.has_value());
        std::cout << "view " << i << ": pseudo-surface depth error median " << e->median_m << " m, "
                  << 100 * e->within_10cm << " % within 0.1 m, " << 100 * e->covered
                  << " % covered\n";
        EXPECT_GT(e->pixels, 32 * 24 * 9 / 10);  // a closed room: (nearly) every pixel is a surface
        EXPECT_GT(e->covered, 0.9);
        EXPECT_LT(e->median_m, 0.6);  // 0.47 and 0.41 m measured (one thread)
    }
}

// The depth error is measured, not assumed: the Gaussians seeded on the room's surfaces
// (render-views' points) sit near them; each moved 1.5 m further along its ray from the
// camera (the same pixel, a deeper point) puts the pseudo-surface about that much behind the
// true one. A folder without depth images has no depth error.
TEST(Rf3dgsStage1, PseudoSurfaceDepthErrorFollowsTheGaussians) {
    test::SingleThread one;
    test::TorchTempDir dir;
    const auto views = room_views(dir, 4, 32, 24, 1500);
    Rf3dgsModel model(views_config(views, 0));
    const auto data = room_data();
    model.prepare(train::contexts(data), &data);
    const auto e0 = model.view_depth_error(1);
    ASSERT_TRUE(e0.has_value());
    const Vec3 c = model.views().cameras.at(1).centre();
    const auto centre = torch::tensor({c.x, c.y, c.z}, torch::kFloat32);
    {
        torch::NoGradGuard no_grad;
        auto& means = model.field().geometry.means;
        const auto ray = means - centre;
        means.copy_(centre + ray * (1 + 1.5 / ray.norm(2, 1, true)));
    }
    const auto e1 = model.view_depth_error(1);
    ASSERT_TRUE(e1.has_value());
    std::cout << "seeded: median " << e0->median_m << " m, " << 100 * e0->within_10cm
              << " % within 0.1 m; moved 1.5 m: " << e1->median_m << " m, " << 100 * e1->within_10cm
              << " %\n";
    EXPECT_LT(e0->median_m, 0.6);
    EXPECT_GT(e1->median_m, e0->median_m + 0.5);
    EXPECT_LT(e1->within_10cm, e0->within_10cm);
    remove_tree(views / "depth");
    Rf3dgsModel photos(views_config(views, 0));
    photos.prepare(train::contexts(data), &data);
    EXPECT_FALSE(photos.view_depth_error(1).has_value());
}

namespace {

// A full-sphere 12×24 grid at the origin, 48 moving-end positions 1–3 m away; each spectrum
// is a lobe towards the moving end, weaker with distance (min–max normalised per sample).
train::DataList lobe_data() {
    test::SceneSpec spec;
    spec.grid = {.n_el = 12, .n_az = 24, .el0_deg = -82.5, .az0_deg = 7.5, .step_deg = 15};
    spec.station = {0, 0, 0};
    const int n = 48;
    auto gen = at::detail::createCPUGenerator(11);
    auto dir = torch::randn({n, 3}, gen, torch::kFloat32);
    dir = dir / dir.norm(2, 1, true);
    const auto dist = 1 + 2 * torch::rand({n, 1}, gen, torch::kFloat32);
    const auto positions = dir * dist;
    std::vector<float> cells;
    for (int r = 0; r < 12; ++r)
        for (int c = 0; c < 24; ++c) {
            const Vec3 d = spec.grid.local_direction(r, c);
            cells.insert(cells.end(), {float(d.x), float(d.y), float(d.z)});
        }
    const auto grid_dirs = torch::tensor(cells).view({-1, 3});  // [P, 3]
    const auto cosang = torch::mm(dir, grid_dirs.t());          // [N, P]
    auto s = (0.5 * (cosang + 1)).pow(4) + 0.3 * (0.5 * (cosang + 1)).pow(1) / dist;
    const auto lo = std::get<0>(s.min(1, true)), hi = std::get<0>(s.max(1, true));
    s = ((s - lo) / (hi - lo)).view({n, 12, 24});
    data::Split split;
    for (int i = 0; i < n; ++i)
        (i < 40 ? split.train : split.test).push_back(i);
    return {test::scene_from(s, positions, split, spec)};
}

double full_loss(Rf3dgsModel& model, const train::DataList& data, const std::string& split) {
    const auto idx = data[0]->split_indices(split);
    const auto index = torch::tensor(idx, torch::kLong);
    const auto pred = model.predict_positions(data[0]->positions.index_select(0, index));
    return torch::mse_loss(pred, data[0]->spectra.index_select(0, index)).item<double>();
}

}  // namespace

TEST(Rf3dgsStage2, BothVariantsCutTheirSpectrumLossOnFrozenGaussians) {
    test::SingleThread one;
    const auto data = lobe_data();
    for (const bool plus : {true, false}) {
        // Gaussians seeded at random in the box of the station and positions, never moved.
        Rf3dgsModel model(Rf3dgsConfig::from_json(
            {{"geometry_steps", 0}, {"random_points", 200}, {"rf_lr", 0.03}}, plus));
        model.prepare(train::contexts(data), &data);
        const auto means = model.field().geometry.means.detach().clone();
        const double train0 = full_loss(model, data, "train"),
                     test0 = full_loss(model, data, "test");
        run_phase(model, data, "radiance", 120, 3);
        const double train1 = full_loss(model, data, "train"),
                     test1 = full_loss(model, data, "test");
        std::cout << model.name() << ": train MSE " << train0 << " → " << train1 << ", test MSE "
                  << test0 << " → " << test1 << "\n";
        // measured: rf3dgs_plus train 10.6×, test 3.0×; rf3dgs train 8.7×, test 1.8×
        EXPECT_LT(train1, train0 / 4) << model.name();
        EXPECT_LT(test1, test0 / 1.5) << model.name();
        EXPECT_TRUE(torch::equal(model.field().geometry.means, means)) << "geometry is frozen";
        // predict: a spectrum at any position, on the grid, in [0, 1].
        const auto q = train::Query::at(*data[0], torch::tensor({{0.5f, -1.0f, 0.2f}}));
        const auto p = model.predict(q);
        ASSERT_EQ(p.spectra.sizes(), (std::vector<std::int64_t>{1, 12, 24}));
        EXPECT_GE(p.spectra.min().item<float>(), 0.0f);
        EXPECT_LE(p.spectra.max().item<float>(), 1.0f);
    }
}

TEST(Rf3dgsStage2, TheLinearOperatorDrawsWhatTheRasteriserDraws) {
    test::SingleThread one;
    const auto data = lobe_data();
    for (const bool plus : {true, false}) {
        Rf3dgsModel model(
            Rf3dgsConfig::from_json({{"geometry_steps", 0}, {"random_points", 200}}, plus));
        model.prepare(train::contexts(data), &data);
        run_phase(model, data, "radiance", 20, 3);                   // SH away from their start
        const auto positions = data[0]->positions.narrow(0, 0, 40);  // more than 16 at once
        torch::Tensor raw_r, raw_o;
        model.set_inference("raster");
        const auto raster = model.predict_positions(positions, plus ? &raw_r : nullptr);
        model.set_inference("operator");
        const auto op = model.predict_positions(positions, plus ? &raw_o : nullptr);
        ASSERT_EQ(op.sizes(), raster.sizes());
        ASSERT_GT(raster.std().item<double>(), 0.01) << model.name();  // spectra with structure
        EXPECT_TRUE(torch::allclose(op, raster, 1e-4, 1e-5))
            << model.name() << ": max |diff| " << (op - raster).abs().max().item<double>();
        if (plus)
            EXPECT_TRUE(torch::allclose(raw_o, raw_r, 1e-4, 1e-12));
        torch::NoGradGuard no_grad;  // one call draws all 40 through the operator
        EXPECT_EQ(model.render_spectra(positions).size(0), 40);
        EXPECT_ANY_THROW(model.set_inference("fast"));
    }
}

// Stage 2 trains through the extracted weights (W·f, gradient Wᵀ·∂): the loss and the radio
// SH's gradient of one batch must be the rasteriser's, forward and backward, on `device`.
void expect_operator_training_matches_raster(torch::Device device) {
    const auto data = lobe_data();
    for (const bool plus : {true, false}) {
        Rf3dgsModel model(
            Rf3dgsConfig::from_json({{"geometry_steps", 0}, {"random_points", 200}}, plus));
        model.prepare(train::contexts(data), &data);
        run_phase(model, data, "radiance", 10, 3);  // SH away from their start
        model.set_device(device);
        const auto positions = data[0]->positions.narrow(0, 0, 12);
        const auto target = data[0]->spectra.narrow(0, 0, 12).to(device, torch::kFloat32);
        std::vector<torch::Tensor> losses, grads;
        for (const char* how : {"raster", "operator"}) {
            model.set_inference(how);
            auto& sh = model.field().rf_sh;
            sh.mutable_grad() = torch::Tensor();
            const auto loss = torch::mse_loss(model.render_spectra(positions), target);
            loss.backward();
            ASSERT_TRUE(sh.grad().defined()) << how;
            losses.push_back(loss.detach().cpu());
            grads.push_back(sh.grad().cpu().clone());
        }
        EXPECT_EQ(model.last_inference(), "operator");
        ASSERT_GT(grads[0].abs().max().item<double>(), 0) << model.name();
        EXPECT_TRUE(torch::allclose(losses[1], losses[0], 1e-5, 1e-9)) << model.name();
        const double scale = grads[0].abs().max().item<double>();
        EXPECT_LT((grads[1] - grads[0]).abs().max().item<double>(), 1e-4 * scale) << model.name();
    }
}

TEST(Rf3dgsStage2, TrainingThroughTheOperatorTakesTheRasterisersGradient) {
    test::SingleThread one;
    expect_operator_training_matches_raster(torch::kCPU);
}

TEST(Rf3dgsStage2, CudaTrainingThroughTheOperatorTakesTheRasterisersGradient) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    expect_operator_training_matches_raster(torch::Device(torch::kCUDA));
}

TEST(Rf3dgsPlus, PseudoSurfacePathLengthSetsTheFreeSpaceFactor) {
    // One opaque Gaussian straight ahead of the station at 2 m: every pixel it covers has
    // l_vd = 2 m; moving the other end from 1 m to 3 m behind the point changes nothing after
    // min–max, but a second Gaussian further away, sharing the spectrum, must dim by the ratio
    // of the free-space factors.
    Rf3dgsModel model(Rf3dgsConfig::from_json(
        {{"geometry_steps", 0}, {"random_points", 2}, {"rf_sh_degree", 0}}, true));
    const auto data = lobe_data();
    model.prepare(train::contexts(data), &data);
    auto& g = model.field().geometry;
    g.means = torch::tensor({{2.0f, 0.0f, 0.0f}, {0.0f, 4.0f, 0.0f}});
    // the same angular size seen from the station: 0.3 m at 2 m, 0.6 m at 4 m
    g.log_scales = torch::tensor({std::log(0.3f), std::log(0.6f)}).unsqueeze(1).repeat({1, 3});
    g.quats = torch::tensor({{1.0f, 0.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 0.0f, 0.0f}});
    g.opacity_logits = torch::full({2}, 8.0f);
    model.field().rf_sh = torch::zeros({2, 1, 1});
    const auto x = torch::tensor({{0.0f, 0.0f, 3.0f}});
    const auto s = model.predict_positions(x)[0];  // [12, 24]
    // Centre pixels: azimuth 0° ↔ column with az closest to 0 (7.5° → 0 or 352.5° → 23),
    // elevation 0° ↔ row 5 or 6 (−7.5°, 7.5°); azimuth 90° ↔ column 5 or 6.
    const double a = s.index({torch::indexing::Slice(5, 7), 0}).max().item<double>();
    const double b =
        s.index({torch::indexing::Slice(5, 7), torch::indexing::Slice(5, 7)}).max().item<double>();
    const double la = 2 + std::sqrt(4.0 + 9.0), lb = 4 + std::sqrt(16.0 + 9.0);
    EXPECT_NEAR(a, 1.0, 1e-5);  // the brightest
    EXPECT_NEAR(b / a, (la * la) / (lb * lb), 0.02);
}

namespace {

// A single-bounce scene of known scatterers: 160 opaque Gaussians on shells 2–6 m around the
// station, each with an isotropic gain drawn log-uniform over 10^±1.5 (rough concrete, wood
// and metal differ by decades), and 64 moving-end positions 0.3–1.8 m from the station. The
// spectrum of a position is, per pixel, Σ_k α_k T_k g_k / (l_vd + l_prev)² through the pixel's
// top Gaussian, min–max normalised — rendered here with the splatting op itself, not the model.
struct ScatterScene {
    train::DataList data;
    torch::Tensor path_gain;  // PathGainDb: each spectrum's mean path gain over its cells [M]
    torch::Tensor means, log_scales, quats, opacity_logits;  // [N, …]
};

enum class Spectra { MinMax, Linear, PathGainDb };

// Linear: the spectra in W (× 1e-9, before the min–max), so the data keeps each spectrum's
// power, and the positions reach out to 12 m. PathGainDb: the path gain with (λ/4π)² at
// 30 GHz in dB, mapped by one range for all (path_gain_db), positions out to 12 m too.
// gain_db moves every scatterer's gain by that many decibels. scatter_law: each pixel falls as
// 1 / l_prev² (diffuse scattering through a pixel, free_space "scatter") instead of
// 1 / (l_vd + l_prev)².
ScatterScene scatter_scene(Spectra kind = Spectra::MinMax,
                           double gain_db = 0,
                           bool scatter_law = false) {
    const bool linear = kind != Spectra::MinMax;
    ScatterScene s;
    test::SceneSpec spec;
    if (kind == Spectra::Linear)
        spec.power_unit = "linear";
    spec.grid = {.n_el = 12, .n_az = 24, .el0_deg = -82.5, .az0_deg = 7.5, .step_deg = 15};
    const int n = 160, m = 64;
    auto gen = at::detail::createCPUGenerator(5);
    auto dir = torch::randn({n, 3}, gen, torch::kFloat32);
    dir = dir / dir.norm(2, 1, true);
    const auto radius = 2 + 4 * torch::rand({n, 1}, gen, torch::kFloat32);
    s.means = dir * radius;
    s.log_scales = torch::log(0.3 * radius).repeat({1, 3});
    s.quats = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).repeat({n, 1});
    s.opacity_logits = torch::full({n}, 4.0f);
    const auto gains =
        torch::pow(10.0, 3 * torch::rand({n, 1}, gen, torch::kFloat32) - 1.5 + gain_db / 10);
    auto pos = torch::randn({m, 3}, gen, torch::kFloat32);
    pos = pos / pos.norm(2, 1, true) * (0.3 + 1.5 * torch::rand({m, 1}, gen, torch::kFloat32));
    if (linear)  // out to 12 m: the powers then span decades
        pos = pos * (1 + 7 * torch::rand({m, 1}, gen, torch::kFloat32));

    const auto cam =
        splat::EquirectCamera::for_grid(spec.grid, spec.orientation.to_matrix(), spec.station);
    const auto proj = splat::project(s.means, torch::exp(s.log_scales), s.quats, cam);
    const auto raster =
        splat::rasterize(proj.means2d, proj.conics, gains, torch::sigmoid(s.opacity_logits),
                         proj.radii, proj.depths, cam);
    const auto top = raster.top_gaussian;  // [H, W]
    const auto surface = s.means.index_select(0, top.clamp_min(0).flatten()).view({12, 24, 3});
    const auto l_first = scatter_law ? torch::zeros({12, 24}) : surface.norm(2, -1);
    const auto l = torch::clamp_min(
        l_first.unsqueeze(0) + (surface.unsqueeze(0) - pos.view({m, 1, 1, 3})).norm(2, -1),
        1e-3);  // [M, H, W]
    auto spectra = raster.image.squeeze(-1).unsqueeze(0) / (l * l) * (top >= 0).unsqueeze(0);
    if (kind == Spectra::PathGainDb) {
        spec.frequency_hz = 30e9;
        spec.convention = "path_gain_db";
        const double at_1m = std::pow(kSpeedOfLight / 30e9 / (4 * kPi), 2);
        const double hi = 10 * std::ceil(std::log10(spectra.max().item<double>() * at_1m));
        spec.db_range = {hi - 60, hi};
        s.path_gain = (spectra * at_1m).mean({1, 2}).to(torch::kFloat64);
        const auto db = 10 * torch::log10(torch::clamp_min(spectra * at_1m, 1e-30));
        spectra = torch::where(top.unsqueeze(0) >= 0, torch::clamp((db - (hi - 60)) / 60, 0, 1),
                               torch::zeros_like(db));
    }
    if (linear) {
        data::Split split;
        for (int i = 0; i < m; ++i)
            (i < 48 ? split.train : split.test).push_back(i);
        s.data = {
            test::scene_from(kind == Spectra::Linear ? spectra * 1e-9 : spectra, pos, split, spec)};
        return s;
    }
    const auto flat = spectra.view({m, -1});
    const auto lo = std::get<0>(flat.min(1)).view({m, 1, 1}),
               hi = std::get<0>(flat.max(1)).view({m, 1, 1});
    spectra = (spectra - lo) / (hi - lo);
    data::Split split;
    for (int i = 0; i < m; ++i)
        (i < 48 ? split.train : split.test).push_back(i);
    s.data = {test::scene_from(spectra, pos, split, spec)};
    return s;
}

// A model of either variant at its defaults, prepared on the scene and holding its Gaussians
// (the radio SH still to learn).
std::unique_ptr<Rf3dgsModel> on_known_gaussians(const ScatterScene& scene,
                                                bool plus,
                                                const std::string& free_space = "path") {
    auto model = std::make_unique<Rf3dgsModel>(Rf3dgsConfig::from_json(
        {{"geometry_steps", 0}, {"random_points", 160}, {"free_space", free_space}}, plus));
    model->prepare(train::contexts(scene.data), &scene.data);
    auto& g = model->field().geometry;
    g.means = scene.means.clone(), g.log_scales = scene.log_scales.clone();
    g.quats = scene.quats.clone(), g.opacity_logits = scene.opacity_logits.clone();
    return model;
}

// Stage 2 at the defaults on the scene's own Gaussians (200 steps, 4 spectra a step), with the
// held-out MSE before and after.
struct Fitted {
    std::unique_ptr<Rf3dgsModel> model;
    double test_before = 0, test_after = 0;
};
Fitted fit_radiance(const ScatterScene& scene, bool plus, const std::string& free_space = "path") {
    Fitted f;
    f.model = on_known_gaussians(scene, plus, free_space);
    f.test_before = full_loss(*f.model, scene.data, "test");
    run_phase(*f.model, scene.data, "radiance", 200, 4);
    f.test_after = full_loss(*f.model, scene.data, "test");
    return f;
}

}  // namespace

TEST(Rf3dgsPlus, LearnsScatterersWhoseGainsSpanDecadesBetterThanRf3dgs) {
    // Regression (RF-3DGS+ below RF-3DGS on the lobby, barely better with more receivers):
    // the gain was softplus(SH) from 0 at rf_lr, which in the quick profile's 200 steps moves
    // a gain by tens of percent, not the decades between a lobby's scatterers; with the
    // free-space factor in front, the spectra stayed the seeded geometry's (1/l² of the
    // nearest surfaces). With the model's defaults, RF-3DGS+ must fit held-out positions of a
    // scene it can represent exactly far better than where it starts and than RF-3DGS.
    test::SingleThread one;
    const auto scene = scatter_scene();
    const auto& data = scene.data;
    double test_mse[2] = {0, 0};
    for (const bool plus : {true, false}) {
        const Fitted f = fit_radiance(scene, plus);
        const double test0 = f.test_before;
        test_mse[plus ? 0 : 1] = f.test_after;
        std::cout << f.model->name() << ": test MSE " << test0 << " → " << f.test_after
                  << " (train " << full_loss(*f.model, data, "train") << ")\n";
        if (plus)
            EXPECT_LT(test_mse[0], test0 / 50) << "RF-3DGS+ stays near its seeded gains";
    }
    // measured (one thread, rf_lr 0.2, rf_sh_degree 2): RF-3DGS+ 0.198 → 0.0015 (0.0035 at
    // degree 3; softplus gain at rf_lr 5e-3: → 0.0132), RF-3DGS 0.140 → 0.0080
    EXPECT_LT(test_mse[0], test_mse[1] / 2) << "RF-3DGS+ no better than RF-3DGS where the "
                                               "spectra follow the path length";
}
// RF-3DGS+'s path-loss spectra (path_gain_db): the rendered path gain, its free-space factor
// whole, in dB by the dataset's one range. On a scene it can represent exactly it fits
// held-out receivers far better than where it starts and than RF-3DGS on the same data.
TEST(Rf3dgsPlus, LearnsPathGainDbSpectraBetterThanRf3dgs) {
    test::SingleThread one;
    const auto scene = scatter_scene(Spectra::PathGainDb);
    const auto& data = scene.data;
    ASSERT_TRUE(data.front()->context.db_range.has_value());
    double test_mse[2] = {0, 0};
    for (const bool plus : {true, false}) {
        const Fitted f = fit_radiance(scene, plus);
        Rf3dgsModel& model = *f.model;
        const double test0 = f.test_before;
        test_mse[plus ? 0 : 1] = f.test_after;
        std::cout << model.name() << ": path_gain_db test MSE " << test0 << " → " << f.test_after
                  << "\n";
        if (plus)
            EXPECT_LT(test_mse[0], test0 / 8) << "RF-3DGS+ stays near its seeded gains";
        const auto pred = model.predict_positions(data[0]->positions.narrow(0, 0, 4));
        EXPECT_GE(pred.min().item<double>(), 0.0);
        EXPECT_LE(pred.max().item<double>(), 1.0);
        if (plus) {
            // The rendered path gain is absolute: the power map needs no calibration, and at
            // held-out receivers it follows the true mean path gain.
            const auto test = torch::tensor(data[0]->split.test, torch::kLong);
            const auto power =
                model.predict_power(data[0]->positions.index_select(0, test), *data[0]);
            const auto err_db =
                (10 * torch::log10(power / scene.path_gain.index_select(0, test))).abs();
            std::cout << "held-out mean path gain: median |error| "
                      << err_db.median().item<double>() << " dB\n";
            EXPECT_LT(err_db.median().item<double>(), 1.0);
        }
    }
    // measured (one thread, rf_lr 0.2, degree 2): RF-3DGS+ 0.0080 → 4.6e-5, RF-3DGS 0.0158 → 0.0033
    EXPECT_LT(test_mse[0], test_mse[1] / 2) << "RF-3DGS+ no better than RF-3DGS on path-loss "
                                               "spectra";
}

// free_space: each law fits held-out receivers of a scene that follows it far better than the
// other law does. The paper's path law is a specular reflection's; diffuse scattering seen
// through a pixel follows the scatter law, whose l_prev alone moves a pixel by many dB where
// the path law's l_vd + l_prev moves it by few, a change the direction-only SH cannot make up.
TEST(Rf3dgsPlus, EachFreeSpaceLawFitsTheScenesThatFollowItBest) {
    test::SingleThread one;
    double mse[2][2] = {{0, 0}, {0, 0}};  // [scene's law][model's law], path 0, scatter 1
    for (const int scene_law : {0, 1}) {
        const auto scene = scatter_scene(Spectra::PathGainDb, 0, scene_law == 1);
        for (const int law : {0, 1}) {
            const Fitted f = fit_radiance(scene, true, law == 0 ? "path" : "scatter");
            mse[scene_law][law] = f.test_after;
            EXPECT_EQ(f.model->config()["free_space"], law == 0 ? "path" : "scatter");
        }
        std::cout << (scene_law == 0 ? "path" : "scatter") << "-law scene: held-out MSE "
                  << mse[scene_law][0] << " (path law), " << mse[scene_law][1]
                  << " (scatter law)\n";
    }
    EXPECT_LT(mse[0][0], mse[0][1] / 2) << "the path law no better on its own scene";
    EXPECT_LT(mse[1][1], mse[1][0] / 2) << "the scatter law no better on its own scene";
    EXPECT_THROW(Rf3dgsConfig::from_json({{"free_space", "mirror"}}, true), Error);
}

// rf_start_level: where the scatterers send 30 dB less than a mirror (exp(SH) = 1), a fresh
// stage 2 starts every gain at the training spectra's level, once, and learns the held-out
// receivers better in the same steps; RF-3DGS, and a stage 2 already under way, are left as
// they are.
TEST(Rf3dgsPlus, StartLevelPutsAFreshStage2AtTheTrainingSpectrasLevel) {
    test::SingleThread one;
    const auto scene = scatter_scene(Spectra::PathGainDb, -30);
    const auto& data = scene.data;
    const auto radiance = [](Rf3dgsModel& m) {
        for (const auto& p : m.phases()) {
            if (p.name == "radiance")
                return p;
        }
        return train::Phase{};
    };
    const auto start_db = [](Rf3dgsModel& m) {  // the DC band's gain, dB
        return m.field().rf_sh.select(1, 0).select(1, 0) * splat::sh::kC0 * 10 / std::log(10.0);
    };
    const auto begin = [&](Rf3dgsModel& m) {  // what the training loop does as stage 2 begins
        const train::Phase phase = radiance(m);
        train::ParameterEditor editor(nullptr, {});
        train::StepContext ctx{0, 0, phase, data, editor};
        m.begin_phase(ctx);
    };
    double test_after[2] = {0, 0};
    for (const bool level : {true, false}) {
        auto model = on_known_gaussians(scene, true);
        model->set_rf_start_level(level);
        const double before = full_loss(*model, data, "test");
        begin(*model);
        const auto db = start_db(*model);
        const double after = full_loss(*model, data, "test");
        std::cout << "start level " << level << ": " << db.mean().item<double>()
                  << " dB; held-out MSE " << before << " → " << after << "\n";
        if (level) {
            EXPECT_NEAR(db.mean().item<double>(), -30, 6);
            EXPECT_EQ((db - db[0]).abs().max().item<double>(), 0.0) << "one level for all";
            const auto higher = model->field().rf_sh.narrow(1, 1, model->field().rf_sh.size(1) - 1);
            EXPECT_EQ(higher.abs().max().item<double>(), 0.0);
            EXPECT_LT(after, before / 4);
            // Once: a stage 2 that starts from trained gains keeps them.
            auto dc = model->field().rf_sh.select(1, 0).select(1, 0);
            {
                torch::NoGradGuard no_grad;
                dc[0] += 0.5;
            }
            const auto moved = model->field().rf_sh.detach().clone();
            begin(*model);
            EXPECT_TRUE(torch::equal(model->field().rf_sh.detach(), moved));
            {
                torch::NoGradGuard no_grad;
                dc[0] -= 0.5;
            }
        } else {
            EXPECT_EQ(db.abs().max().item<double>(), 0.0);
            EXPECT_EQ(after, before);
        }
        run_phase(*model, data, "radiance", 60, 4);
        test_after[level ? 0 : 1] = full_loss(*model, data, "test");
    }
    std::cout << "held-out MSE after 60 steps: " << test_after[0] << " with the start level, "
              << test_after[1] << " without\n";
    EXPECT_LT(test_after[0], test_after[1]);

    // RF-3DGS learns the mapped values themselves: nothing to start.
    auto rf3dgs = on_known_gaussians(scene, false);
    rf3dgs->set_rf_start_level(true);
    begin(*rf3dgs);
    EXPECT_EQ(rf3dgs->field().rf_sh.abs().max().item<double>(), 0.0);
}

// The channel map: RF-3DGS+ keeps the path loss, so one constant fitted on the training
// receivers turns its rendered spectra into powers; on held-out positions they follow the
// measured power (8 dB apart here) far closer than the best constant does.
TEST(Rf3dgsPlus, PredictsReceivedPowerAtHeldOutPositions) {
    test::SingleThread one;
    const auto scene = scatter_scene(Spectra::Linear);
    const auto& data = scene.data;
    const auto& d = *data.front();
    ASSERT_TRUE(d.power.defined());
    auto model_ptr = on_known_gaussians(scene, true);
    Rf3dgsModel& model = *model_ptr;
    run_phase(model, data, "radiance", 200, 4);
    const auto held = torch::tensor(d.split.test, torch::kLong);
    const auto truth_db = 10 * d.power.index_select(0, held).log10();
    const auto pred_db = 10 * model.predict_power(d.positions.index_select(0, held), d).log10();
    const auto train_db = 10 * d.power.index_select(0, torch::tensor(d.split.train)).log10();
    const double error = (pred_db - truth_db).abs().mean().item<double>();
    const double constant = (truth_db - train_db.median()).abs().mean().item<double>();
    std::cout << "held-out power: mean |error| " << error << " dB (best constant " << constant
              << " dB; measured spread " << (truth_db.max() - truth_db.min()).item<double>()
              << " dB)\n";
    EXPECT_LT(error, 1.5);
    EXPECT_LT(error, constant / 2);  // measured (one thread, degree 2): 0.31 dB against 2.0
    // The same through predict(): asked for, the power comes with the spectra.
    auto q = train::Query::samples(d, d.split.test);
    q.power = true;
    const auto p = model.predict(q);
    ASSERT_TRUE(p.power.defined());
    EXPECT_TRUE(torch::allclose(10 * p.power.log10(), pred_db, 1e-6, 1e-6));
    EXPECT_FALSE(model.predict(train::Query::samples(d, d.split.test)).power.defined());
    // RF-3DGS keeps no path loss: no power, a clear error.
    Rf3dgsModel plain(Rf3dgsConfig::from_json({{"geometry_steps", 0}}, false));
    plain.prepare(train::contexts(data), &data);
    EXPECT_THROW(plain.predict_power(d.positions.narrow(0, 0, 2), d), Error);
}

namespace {

// The message of the Error `f` throws (empty when it throws none).
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

void prepare_with(const fs::path& views,
                  const train::DataList& data,
                  const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json c = {{"views", views.string()}, {"geometry_steps", 10}};
    c.update(extra);
    Rf3dgsModel model(Rf3dgsConfig::from_json(c, true));
    model.prepare(train::contexts(data), &data);
}

}  // namespace

TEST(Rf3dgsBadInput, ViewsAndDatasetsThatDoNotFitAreClearErrors) {
    test::TorchTempDir dir;
    const auto views = room_views(dir, 4, 24, 16, 200);
    const auto data = room_data();
    const auto original = scene::read_colmap_text(views);
    const auto sparse = views / "sparse" / "0";
    EXPECT_EQ(error_of([&] { prepare_with(views, data); }), "");  // the good case

    // No views but a stage 1 to run (the default config alone is fine: `radiofield models`
    // builds every model with it).
    models::register_builtin_models();
    EXPECT_NO_THROW(train::make_model("rf3dgs_plus"));
    EXPECT_NO_THROW(train::make_model("rf3dgs"));
    EXPECT_NE(error_of([&] {
                  Rf3dgsModel m(Rf3dgsConfig::from_json({{"geometry_steps", 5}}, true));
                  m.prepare(train::contexts(data), &data);
              }).find("set \"views\": DIR"),
              std::string::npos);
    // A spectrum dataset of another scene: its station is far outside the room.
    EXPECT_NE(error_of([&] {
                  prepare_with(views, room_data({300, 300, 1}));
              }).find("lies outside the Gaussians' scene"),
              std::string::npos);
    // An empty Gaussian set: no points3D and no random seeds.
    {
        auto model = original;
        model.points.clear();
        scene::write_colmap_text(model, sparse);
        EXPECT_NE(error_of([&] {
                      prepare_with(views, data, {{"random_points", 0}});
                  }).find("no Gaussian to start from"),
                  std::string::npos);
        EXPECT_EQ(error_of([&] { prepare_with(views, data, {{"random_points", 500}}); }), "");
    }
    const auto images = views / "images";
    const std::string first = original.images[0].name;
    // A camera that sees nothing: the first one looking along +z from 1 km above the room.
    {
        auto model = original;
        model.images[0].qw = 1, model.images[0].qx = model.images[0].qy = model.images[0].qz = 0;
        model.images[0].translation = {0, 0, -1000};
        scene::write_colmap_text(model, sparse);
        const auto e = error_of([&] { prepare_with(views, data); });
        EXPECT_NE(e.find("sees none of the"), std::string::npos) << e;
        EXPECT_NE(e.find(first), std::string::npos) << e;
    }
    scene::write_colmap_text(original, sparse);
    // An image of the wrong size.
    fs::copy_file(images / first, dir / "keep.png");
    scene::Image small;
    small.width = 12, small.height = 8;
    small.rgb.assign(12 * 8 * 3, 128);
    scene::write_png(small, images / first);
    {
        const auto e = error_of([&] { prepare_with(views, data); });
        EXPECT_NE(e.find("is 12x8 pixels but its camera"), std::string::npos) << e;
    }
    // A COLMAP model naming a missing image.
    fs::remove(images / first);
    {
        const auto e = error_of([&] { prepare_with(views, data); });
        EXPECT_NE(e.find("is missing"), std::string::npos) << e;
    }
    // More images than the model poses.
    fs::copy_file(dir / "keep.png", images / first);
    fs::copy_file(dir / "keep.png", images / "extra.png");
    {
        const auto e = error_of([&] { prepare_with(views, data); });
        EXPECT_NE(e.find("image(s) the COLMAP model does not pose (first: 'extra.png')"),
                  std::string::npos)
            << e;
    }
}

// Resuming or evaluating on a GPU reads the archive onto it: the scene block, read on the
// host, must not be dereferenced where it lies.
TEST(Rf3dgsCheckpoint, AnArchiveReadOntoTheGpuLoadsAndPredictsAsOnTheCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto data = lobe_data();
    const auto config =
        Rf3dgsConfig::from_json({{"geometry_steps", 0}, {"random_points", 150}}, true);
    Rf3dgsModel model(config);
    model.prepare(train::contexts(data), &data);
    const auto at = torch::tensor({{0.3f, 1.2f, -0.4f}, {-2.0f, 0.1f, 0.5f}});
    const auto before = model.predict_positions(at);
    std::stringstream buffer;
    torch::serialize::OutputArchive out;
    model.save(out);
    out.save_to(buffer);
    Rf3dgsModel loaded(config);
    loaded.set_device(torch::kCUDA);
    loaded.prepare(train::contexts(data), nullptr);
    torch::serialize::InputArchive in;
    in.load_from(buffer, torch::Device(torch::kCUDA));
    loaded.load(in);
    EXPECT_EQ(loaded.field().size(), model.field().size());
    EXPECT_TRUE(torch::allclose(loaded.predict_positions(at).cpu(), before, 1e-4, 1e-5));
}

TEST(Rf3dgsCheckpoint, ATrainedRunLoadsWithItsGaussianCountAndPredictsTheSame) {
    test::SingleThread one;
    const auto data = lobe_data();
    Rf3dgsModel model(
        Rf3dgsConfig::from_json({{"geometry_steps", 0}, {"random_points", 150}}, true));
    model.prepare(train::contexts(data), &data);
    run_phase(model, data, "radiance", 10, 1);
    // A densify-like change of count, as stage 1 leaves it.
    train::ParameterEditor no_optimizer(nullptr, {});
    auto keep = torch::ones({model.field().size()}, torch::kBool);
    keep.narrow(0, 0, 7).fill_(false);
    for (auto* t : model.field().rows())
        *t = no_optimizer.keep_rows(*t, keep);
    const auto at = torch::tensor({{0.3f, 1.2f, -0.4f}, {-2.0f, 0.1f, 0.5f}});
    const auto before = model.predict_positions(at);

    std::stringstream buffer;
    torch::serialize::OutputArchive out;
    model.save(out);
    out.save_to(buffer);
    Rf3dgsModel loaded(
        Rf3dgsConfig::from_json({{"geometry_steps", 0}, {"random_points", 150}}, true));
    loaded.prepare(train::contexts(data), nullptr);  // as `predict` does: no data, no seeding
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    loaded.load(in);
    EXPECT_EQ(loaded.field().size(), 143);
    EXPECT_TRUE(torch::allclose(loaded.predict_positions(at), before, 1e-5, 1e-6));
    // A query from a dataset of another scene is refused.
    test::SceneSpec far;
    far.grid = data[0]->context.grid;
    far.station = {0, 0, 0};
    const auto other =
        test::scene_from(torch::zeros({1, 12, 24}), torch::tensor({{90.0f, 0.0f, 0.0f}}),
                         data::Split{{0}, {}, {}}, far);
    EXPECT_THROW(loaded.predict(train::Query::at(*other, torch::zeros({1, 3}))), Error);
}

// RF-3DGS and RF-3DGS+ share a stage 1: either variant starts from the other's run with its
// Gaussians and fresh radio SH (a log-gain in one, an offset value in the other); its own
// variant keeps them. A run starting from another may choose its radio SH degree (the lower
// bands carry over, new ones start at zero); a resumed run's weights must match its settings.
TEST(Rf3dgsCheckpoint, EitherVariantStartsFromTheOthersGeometryWithFreshRadiance) {
    test::SingleThread one;
    test::TorchTempDir dir;
    const auto data = lobe_data();
    const nlohmann::json settings = {{"geometry_steps", 0}, {"random_points", 150}};
    Rf3dgsModel plus(Rf3dgsConfig::from_json(settings, true));
    plus.prepare(train::contexts(data), &data);
    run_phase(plus, data, "radiance", 5, 1);
    ASSERT_GT(plus.field().rf_sh.abs().max().item<double>(), 0.0);
    const auto path = dir.path() / "checkpoint.pt";
    train::save_checkpoint(path, {.model = plus.name()}, plus, nullptr, nullptr);

    Rf3dgsModel plain(Rf3dgsConfig::from_json(settings, false));
    plain.prepare(train::contexts(data), nullptr);
    EXPECT_EQ(train::load_initial_weights(path, plain, torch::kCPU).model, "rf3dgs_plus");
    EXPECT_TRUE(torch::equal(plain.field().geometry.means, plus.field().geometry.means));
    EXPECT_TRUE(
        torch::equal(plain.field().geometry.opacity_logits, plus.field().geometry.opacity_logits));
    EXPECT_EQ(plain.field().rf_sh.abs().max().item<double>(), 0.0);
    // RF-3DGS+'s radio SH are of degree 2 by default, RF-3DGS's of degree 3 (the study's case).
    ASSERT_EQ(plus.field().rf_sh.size(1), 9);
    EXPECT_EQ(plain.field().rf_sh.size(1), 16);

    Rf3dgsModel again(Rf3dgsConfig::from_json(settings, true));
    again.prepare(train::contexts(data), nullptr);
    train::load_initial_weights(path, again, torch::kCPU);
    EXPECT_TRUE(torch::equal(again.field().rf_sh, plus.field().rf_sh));

    auto low = settings;
    low["rf_sh_degree"] = 1;
    Rf3dgsModel other(Rf3dgsConfig::from_json(low, true));
    other.prepare(train::contexts(data), nullptr);
    train::load_initial_weights(path, other, torch::kCPU);
    ASSERT_EQ(other.field().rf_sh.size(1), 4);
    EXPECT_TRUE(torch::equal(other.field().rf_sh, plus.field().rf_sh.narrow(1, 0, 4)));
    EXPECT_TRUE(other.field().rf_sh.requires_grad());
    EXPECT_TRUE(torch::equal(other.field().geometry.means, plus.field().geometry.means));
    // … and back up: degree 1's four coefficients, zeros in the bands it never had.
    const auto low_path = dir.path() / "low.pt";
    train::save_checkpoint(low_path, {.model = other.name()}, other, nullptr, nullptr);
    auto three = settings;
    three["rf_sh_degree"] = 3;
    Rf3dgsModel high(Rf3dgsConfig::from_json(three, true));
    high.prepare(train::contexts(data), nullptr);
    train::load_initial_weights(low_path, high, torch::kCPU);
    ASSERT_EQ(high.field().rf_sh.size(1), 16);
    EXPECT_TRUE(torch::equal(high.field().rf_sh.narrow(1, 0, 4), other.field().rf_sh));
    EXPECT_EQ(high.field().rf_sh.narrow(1, 4, 12).abs().max().item<double>(), 0.0);

    // Resuming is not starting afresh: the checkpoint must be of the run's own settings.
    Rf3dgsModel resumed(Rf3dgsConfig::from_json(low, true));
    resumed.prepare(train::contexts(data), nullptr);
    const std::string e = error_of([&] { train::load_checkpoint(path, resumed, torch::kCPU); });
    EXPECT_NE(e.find("radio spherical harmonics have 9 coefficients per Gaussian, degree 1 has "
                     "4; set rf_sh_degree"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("was the model configuration changed"), std::string::npos) << e;
}
