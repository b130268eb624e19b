// NeRF2: the public network's size, its encoding and renderer in closed form, the fast
// training/inference paths against a line-by-line port of the public pipeline, learning on a
// tiny synthetic scene, and checkpoints.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <sstream>

#include "../train/scene_fixture.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/models/registry.hpp"
#include "radiofield/train/model.hpp"

using namespace radiofield;
using models::NeRF2Config;
using models::NeRF2Model;

namespace {

NeRF2Config tiny_config() {
    NeRF2Config c;
    c.depth = 5;
    c.width = 32;
    c.skips = {2};
    c.freqs_pts = c.freqs_view = c.freqs_tx = 4;
    c.n_samples = 8;
    c.far = 4.0;
    c.batch = 256;
    c.chunk_rows = 7 * 40;  // several chunks on the 8×16 grid
    return c;
}

// 8×16 grid, station at (0.5, −0.3, 1.0), 24 moving-end positions; the spectra are a smooth
// function of direction and position (a lobe towards the moving end), values in [0, 1].
train::DataList tiny_data() {
    test::SceneSpec spec;
    // elevation 5°..83.75°, azimuth 11.25°..180° in 11.25° steps
    spec.grid = {.n_el = 8, .n_az = 16, .el0_deg = 5, .az0_deg = 11.25, .step_deg = 11.25};
    spec.station = {0.5, -0.3, 1.0};
    spec.orientation = {0, 0, std::sin(0.25), std::cos(0.25)};
    const int n = 24;
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(7);
    const auto positions = torch::rand({n, 3}, gen, torch::kFloat32) * 3.0 - 1.5;
    const auto dirs = models::grid_directions(spec.grid, spec.orientation);  // [P, 3]
    const auto origin = torch::tensor({0.5f, -0.3f, 1.0f});
    const auto to_tx = torch::nn::functional::normalize(
        positions - origin, torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto cosang = torch::mm(to_tx, dirs.t());  // [N, P]
    const auto spectra = (0.5 * (cosang + 1.0)).pow(2).view({n, spec.grid.n_el, spec.grid.n_az});
    data::Split split;
    for (int i = 0; i < n; ++i)
        (i < 20 ? split.train : split.test).push_back(i);
    return {test::scene_from(spectra, positions, split, spec)};
}

void prepare(train::Model& model, const train::DataList& data) {
    model.prepare(train::contexts(data), &data);
}
const torch::Tensor& positions(const train::DataList& data) {
    return data.front()->positions;
}

}  // namespace

TEST(NeRF2, DefaultNetworkHasThePublicModelsParameterCount) {
    models::NeRF2Net net(NeRF2Config{});
    std::int64_t count = 0;
    for (const auto& p : net->parameters())
        count += p.numel();
    // attenuation 63·256+256 + 6·(256·256+256) + (319·256+256) = 493,056; signal 382·256+256 +
    // 256·128+128 = 130,944; heads 256·2+2 + 256·256+256 + 128·2+2 = 66,564.
    EXPECT_EQ(count, 690564);
    EXPECT_EQ(net->attenuation_linears[5]->as<torch::nn::Linear>()->weight.size(1), 256 + 63);
}

TEST(NeRF2, GridDirectionsFollowTheNeRF2DataloaderConvention) {
    const data::SpectrumGrid grid;  // 90×360 from 1°
    const auto d = models::grid_directions(grid, Quat{});
    const double deg = std::numbers::pi / 180;
    // row 0, column 0: el = az = 1°
    EXPECT_NEAR(d[0][0].item<double>(), std::cos(deg) * std::cos(deg), 1e-6);
    EXPECT_NEAR(d[0][1].item<double>(), std::cos(deg) * std::sin(deg), 1e-6);
    EXPECT_NEAR(d[0][2].item<double>(), std::sin(deg), 1e-6);
    // a quarter turn about z maps the azimuth-90° ray of elevation 1° to −x
    const double s = std::sqrt(0.5);
    const auto r = models::grid_directions(grid, Quat{0, 0, s, s});
    EXPECT_NEAR(r[89][0].item<double>(), -std::cos(deg), 1e-6);
    EXPECT_NEAR(r[89][1].item<double>(), 0.0, 1e-6);
}

TEST(NeRF2, RendererOneSampleWithoutAttenuationGivesAmplitudeTimesPathLoss) {
    // K = 2 samples at t = 0, 2: only sample 0 counts, T = 1, path loss 0.025 / t_1.
    const auto t = torch::tensor({0.0f, 2.0f});
    const auto att = torch::tensor({-3.0f, 0.7f}).view({1, 1, 2});
    const auto sig = torch::tensor({3.0f, -0.4f}).view({1, 1, 2});
    const auto y = models::render_signal(sig, models::render_weights(att, t));
    EXPECT_NEAR(y.item<double>(), 3.0 * 0.025 / 2.0, 1e-7);
    // the public renderer on the same sample (its last sample's path loss is 0.025/1e10)
    const auto raw =
        torch::tensor({-3.0f, 0.7f, 3.0f, -0.4f, 1.0f, 1.0f, 5.0f, 1.0f}).view({1, 2, 4});
    EXPECT_NEAR(models::render_reference(raw, t).item<double>(), 3.0 * 0.025 / 2.0, 1e-7);
}

TEST(NeRF2, RendererAttenuatesAndRotatesLaterSamplesInClosedForm) {
    const auto t = torch::tensor({1.0f, 2.5f, 4.0f});  // δ = 1.5
    const float a0 = 0.8f, p0raw = 0.3f, s0 = 1.2f, s0p = -1.0f, s1 = 0.5f, s1p = 2.0f;
    const auto att = torch::tensor({a0, p0raw, -2.0f, 0.1f}).view({1, 2, 2});
    const auto sig =
        torch::tensor({s0, s0p, -s1 * 100, s1p}).view({1, 2, 2});  // |leaky(−50)| = 0.5
    const auto y = models::render_signal(sig, models::render_weights(att, t)).item<double>();
    const auto sigm = [](double x) { return 2 * std::numbers::pi / (1 + std::exp(-x)); };
    const std::complex<double> j(0, 1);
    const auto expect = std::abs(double(s0) * std::exp(j * sigm(s0p)) * (0.025 / 2.5) +
                                 double(s1) * std::exp(j * sigm(s1p)) * std::exp(-a0 * 1.5) *
                                     std::exp(j * sigm(p0raw) * 1.5) * (0.025 / 4.0));
    EXPECT_NEAR(y, expect, 1e-7);
}

TEST(NeRF2, FastTrainingPathMatchesThePublicPipelineValuesAndGradients) {
    for (double near : {0.0, 0.5}) {
        auto cfg = tiny_config();
        cfg.near = near;
        NeRF2Model model(cfg);
        prepare(model, tiny_data());
        const auto pixels =
            torch::tensor({3, 77, 3, 127, 0, 64, 77, 5}, torch::kLong);  // repeats on purpose
        const auto pos = torch::randn({8, 3});
        const auto fast = model.render_rays(pixels, pos);
        const auto ref = model.render_rays_reference(pixels, pos);
        EXPECT_TRUE(torch::allclose(fast, ref, 1e-4, 1e-7)) << "near " << near << "\n"
                                                            << fast << ref;
        auto params = model.net()->parameters();
        const auto g_fast = torch::autograd::grad({fast.pow(2).sum()}, params);
        const auto g_ref = torch::autograd::grad({ref.pow(2).sum()}, params);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const double scale = g_ref[i].abs().max().item<double>() + 1e-12;
            EXPECT_LT((g_fast[i] - g_ref[i]).abs().max().item<double>() / scale, 1e-3)
                << "parameter " << i;
        }
    }
}

TEST(NeRF2, PredictWithAndWithoutTheCacheEqualsRenderingEveryRay) {
    auto cfg = tiny_config();
    const auto data = tiny_data();
    const auto pos = positions(data).narrow(0, 20, 3);
    NeRF2Model cached(cfg);
    cfg.cache_trunk = false;
    NeRF2Model direct(cfg);
    prepare(cached, data);
    prepare(direct, data);
    torch::NoGradGuard no_grad;
    for (auto p : direct.net()->parameters())
        p.copy_(torch::randn_like(p) * 0.2 + p);  // fresh values…
    auto src = direct.net()->parameters(), dst = cached.net()->parameters();
    for (std::size_t i = 0; i < src.size(); ++i)
        dst[i].copy_(src[i]);  // …shared by both
    const auto a = cached.predict_positions(pos), b = direct.predict_positions(pos);
    ASSERT_EQ(a.sizes(), (torch::IntArrayRef{3, 8, 16}));
    // A pixel is |Σ_k …|, which can nearly cancel: its float32 rounding (which depends on the
    // summation order the CPU's threads take) is bounded relative to the spectrum's peak.
    const double atol = 1e-5 * b.abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(a, b, 1e-5, atol));
    const auto all = torch::arange(128, torch::kLong);
    const auto rays = direct.render_rays(all, pos[1].expand({128, 3}));
    EXPECT_TRUE(torch::allclose(b[1].flatten(), rays, 1e-5, atol));
    // the cache follows in-place parameter updates (an optimizer step)
    for (auto p : dst)
        p.mul_(0.9);
    for (auto p : src)
        p.mul_(0.9);
    EXPECT_TRUE(
        torch::allclose(cached.predict_positions(pos), direct.predict_positions(pos), 1e-5, atol));
}

// The cache is built by the first predict, reused while the parameters stay, and dropped
// when an optimiser step changes them; on CUDA also when the device was named without an
// index ("cuda", as --device cuda gives), which once made every predict rebuild it.
TEST(NeRF2, InferenceCacheIsReusedUntilTheParametersChange) {
    std::vector<torch::Device> devices{torch::kCPU};
    if (torch::cuda::is_available())
        devices.emplace_back(torch::kCUDA);
    for (const auto& device : devices) {
        torch::manual_seed(3);
        NeRF2Model model(tiny_config());
        model.set_device(device);
        const auto data = tiny_data();
        prepare(model, data);
        EXPECT_FALSE(model.trunk_cache_ready());
        const auto first = model.predict_positions(positions(data).narrow(0, 0, 2));
        EXPECT_TRUE(model.trunk_cache_ready()) << device;
        EXPECT_TRUE(torch::equal(model.predict_positions(positions(data).narrow(0, 0, 2)), first));
        torch::optim::Adam opt(model.net()->parameters(), torch::optim::AdamOptions(1e-2));
        auto gen = torch::make_generator<at::CPUGeneratorImpl>(1);
        opt.zero_grad();
        model.training_loss(data, {}, gen).backward();
        opt.step();
        EXPECT_FALSE(model.trunk_cache_ready()) << device;
        EXPECT_FALSE(torch::equal(model.predict_positions(positions(data).narrow(0, 0, 2)), first));
    }
}

TEST(NeRF2, TrainingOnATinySceneCutsTheLossTenfoldIn300Steps) {
    torch::manual_seed(1);
    auto cfg = tiny_config();
    cfg.width = 64;
    cfg.lr = 3e-3;
    const auto data = tiny_data();
    NeRF2Model model(cfg);
    prepare(model, data);
    torch::optim::Adam opt(model.net()->parameters(),
                           torch::optim::AdamOptions(cfg.lr).weight_decay(cfg.weight_decay));
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(3);
    auto average = [&](int steps) {
        double sum = 0;
        for (int i = 0; i < steps; ++i) {
            auto loss = model.training_loss(data, {}, gen);
            opt.zero_grad();
            loss.backward();
            opt.step();
            sum += loss.item<double>();
        }
        return sum / steps;
    };
    const double first = average(10);
    average(280);
    const double last = average(10);
    std::printf("nerf2 tiny scene: loss %.5f (first 10 steps) -> %.5f (last 10 of 300)\n", first,
                last);
    EXPECT_LT(last, first / 10) << "first " << first << " last " << last;
}

TEST(NeRF2, SaveThenLoadReproducesPredictionsExactly) {
    const auto data = tiny_data();
    NeRF2Model model(tiny_config());
    prepare(model, data);
    const auto pos = positions(data).narrow(0, 0, 2);
    const auto before = model.predict_positions(pos);
    torch::serialize::OutputArchive out;
    model.save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    NeRF2Model restored(tiny_config());  // not prepared: the pose comes from the checkpoint
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    restored.load(in);
    EXPECT_TRUE(torch::equal(restored.predict_positions(pos), before));
    EXPECT_DOUBLE_EQ(restored.far(), model.far());
}

// Resuming or evaluating on a GPU reads the archive onto it: the pose block, read on the
// host, must not be dereferenced where it lies.
TEST(NeRF2, ACheckpointReadOntoTheGpuLoadsAndPredictsAsOnTheCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto data = tiny_data();
    NeRF2Model model(tiny_config());
    prepare(model, data);
    const auto pos = positions(data).narrow(0, 0, 2);
    const auto before = model.predict_positions(pos);
    torch::serialize::OutputArchive out;
    model.save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    auto config = tiny_config();
    config.tf32 = false;
    NeRF2Model restored(config);
    restored.set_device(torch::kCUDA);
    torch::serialize::InputArchive in;
    in.load_from(buffer, torch::Device(torch::kCUDA));
    restored.load(in);
    EXPECT_DOUBLE_EQ(restored.far(), model.far());
    EXPECT_TRUE(torch::allclose(restored.predict_positions(pos.cuda()).cpu(), before, 1e-4, 1e-5));
}

TEST(NeRF2, LoadRejectsACheckpointOfAnotherWidth) {
    NeRF2Model model(tiny_config());
    torch::serialize::OutputArchive out;
    model.save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    auto other = tiny_config();
    other.width = 16;
    NeRF2Model wrong(other);
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    EXPECT_THROW(wrong.load(in), Error);
}

TEST(NeRF2, ConfigReadsJsonAndRejectsUnknownKeys) {
    const auto c = NeRF2Config::from_json({{"width", 128}, {"far", 6.5}, {"tf32", false}});
    EXPECT_EQ(c.width, 128);
    EXPECT_DOUBLE_EQ(c.far, 6.5);
    EXPECT_FALSE(c.tf32);
    EXPECT_TRUE(NeRF2Config{}.tf32);  // the default on CUDA
    EXPECT_EQ(NeRF2Config::from_json(c.to_json()).to_json(), c.to_json());
    EXPECT_THROW(NeRF2Config::from_json({{"widht", 128}}), Error);
    EXPECT_THROW(NeRF2Config::from_json({{"skips", {7}}}), Error);
}

TEST(NeRF2, RegistryBuildsNerf2ByNameWithTheFarFromTheSceneDiagonal) {
    models::register_builtin_models();
    auto model = train::make_model("nerf2", {{"width", 16}, {"depth", 3}, {"skips", {1}}});
    EXPECT_EQ(model->name(), "nerf2");
    const auto data = tiny_data();
    prepare(*model, data);
    // The diagonal of the box holding every position and the station.
    const auto p = torch::cat({positions(data), torch::tensor({0.5f, -0.3f, 1.0f}).view({1, 3})})
                       .to(torch::kFloat64);
    const double diagonal = (std::get<0>(p.max(0)) - std::get<0>(p.min(0))).norm().item<double>();
    EXPECT_NEAR(dynamic_cast<NeRF2Model&>(*model).far(), diagonal, 1e-6);
}
