// GRaF: the complex aggregation in closed form, the latent field's shapes and attention, the
// support set never holding the query, bad input, checkpoints, learning a handful of spectra
// on the CPU, and CUDA agreeing with the CPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <sstream>

#include "../nn/single_thread.hpp"
#include "../train/scene_fixture.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/models/graf.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/train/model.hpp"

using namespace radiofield;
using models::GrafConfig;
using models::GrafModel;

namespace {

constexpr double kC = 299'792'458.0;

torch::Tensor complex_tensor(std::initializer_list<std::complex<double>> values) {
    std::vector<double> re, im;
    for (const auto& v : values)
        re.push_back(v.real()), im.push_back(v.imag());
    return torch::complex(torch::tensor(re, torch::kFloat64), torch::tensor(im, torch::kFloat64));
}

std::complex<double> value(const torch::Tensor& t) {  // a one-element complex tensor
    return {torch::real(t).item<double>(), torch::imag(t).item<double>()};
}

GrafConfig tiny_config() {
    GrafConfig c;
    c.neighbours = 3;
    c.trunk_width = 4;
    c.trunk_downsample = 1;
    c.dim = 16;
    c.heads = 2;
    c.blocks = 1;
    c.latent = 16;
    c.freqs_offset = 3;
    c.samples = 8;
    c.voxel_width = 32;
    c.voxel_depth = 2;
    c.freqs_point = 3;
    c.freqs_dir = 2;
    c.rays = 64;
    c.batch = 4;
    c.chunk_samples = 8 * 40;  // several chunks on an 8×16 grid
    return c;
}

// 8×16 grid, station at (0.5, −0.3, 1.0); spectra a lobe towards the moving end, in [0, 1].
train::DataList tiny_data(int n = 24, std::uint64_t seed = 7) {
    test::SceneSpec spec;
    spec.grid = {.n_el = 8, .n_az = 16, .el0_deg = 5, .az0_deg = 11.25, .step_deg = 11.25};
    spec.station = {0.5, -0.3, 1.0};
    spec.frequency_hz = 915e6;
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(seed);
    const auto positions = torch::rand({n, 3}, gen, torch::kFloat32) * 3.0 - 1.5;
    const auto dirs = models::grid_directions(spec.grid, spec.orientation);  // [P, 3]
    const auto to_tx =
        torch::nn::functional::normalize(positions - torch::tensor({0.5f, -0.3f, 1.0f}),
                                         torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto spectra =
        (0.5 * (torch::mm(to_tx, dirs.t()) + 1.0)).pow(3).view({n, spec.grid.n_el, spec.grid.n_az});
    data::Split split;
    for (int i = 0; i < n; ++i)
        (i < n - 4 ? split.train : split.test).push_back(i);
    return {test::scene_from(spectra, positions, split, spec)};
}

std::unique_ptr<GrafModel> prepared(const GrafConfig& c, const train::DataList& data) {
    torch::manual_seed(3);
    auto m = std::make_unique<GrafModel>(c);
    m->prepare(train::contexts(data), &data);
    return m;
}

}  // namespace

TEST(Graf, ComplexAggregationOfTwoVoxelsEqualsTheHandComputedSum) {
    test::SingleThread one_thread;
    // y = s0·F(d0) + a0·s1·F(d1), F(d) = λ/(4πd)·e^{−j2πfd/c}.
    const double f = 2.4e9, lambda = kC / f;
    const std::complex<double> s0(0.3, -0.2), s1(-0.5, 0.7), a0(0.6, 0.25), a1(0.1, 0.9);
    const double d0 = 1.25, d1 = 2.0;
    auto F = [&](double d) {
        return lambda / (4 * std::numbers::pi * d) *
               std::exp(std::complex<double>(0, -2 * std::numbers::pi * d / lambda));
    };
    const auto expected = s0 * F(d0) + a0 * s1 * F(d1);
    const auto s = complex_tensor({s0, s1}).view({1, 2});
    const auto a = complex_tensor({a0, a1}).view({1, 2});
    const auto d = torch::tensor({d0, d1}, torch::kFloat64);
    const auto y = value(models::graf_aggregate_complex(s, a, d, f));
    EXPECT_NEAR(y.real(), expected.real(), 1e-12);
    EXPECT_NEAR(y.imag(), expected.imag(), 1e-12);
    // The log-domain form the model uses gives the same: log a = log|a| + j·arg a.
    const auto ylog =
        value(models::graf_aggregate_log(s, torch::log(a.abs()), torch::angle(a), d, f));
    EXPECT_NEAR(ylog.real(), expected.real(), 1e-12);
    EXPECT_NEAR(ylog.imag(), expected.imag(), 1e-12);
}

TEST(Graf, LaterVoxelsSeeTheProductOfEveryAttenuationBeforeThem) {
    test::SingleThread one_thread;
    const double f = 915e6;
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(1);
    const auto s = torch::complex(torch::randn({5, 6}, gen, torch::kFloat64),
                                  torch::randn({5, 6}, gen, torch::kFloat64));
    const auto a = torch::polar(torch::rand({5, 6}, gen, torch::kFloat64),
                                torch::rand({5, 6}, gen, torch::kFloat64) * 6.0);
    const auto d = torch::linspace(0.5, 3.0, 6, torch::kFloat64);
    const auto y = models::graf_aggregate_complex(s, a, d, f);
    // Plain loop reference.
    const double lambda = kC / f;
    for (int r = 0; r < 5; ++r) {
        std::complex<double> acc = 0, prod = 1;
        for (int k = 0; k < 6; ++k) {
            const double dk = d[k].item<double>();
            const auto sk = value(s[r][k]);
            const auto ak = value(a[r][k]);
            acc += prod * sk * lambda / (4 * std::numbers::pi * dk) *
                   std::exp(std::complex<double>(0, -2 * std::numbers::pi * dk / lambda));
            prod *= ak;
        }
        const auto yr = value(y[r]);
        EXPECT_NEAR(yr.real(), acc.real(), 1e-12);
        EXPECT_NEAR(yr.imag(), acc.imag(), 1e-12);
    }
}

TEST(Graf, LatentFieldShapesAndAttentionOverTheNeighbours) {
    test::SingleThread one_thread;
    for (const std::string attention : {"cross", "self"}) {
        auto c = tiny_config();
        c.attention = attention;
        c.blocks = 2;
        models::GrafNet net(c);
        net->eval();
        const auto z =
            net->latent(torch::rand({5, 3, 8, 16}), torch::randn({5, 3, 3}), torch::randn({5, 3}));
        EXPECT_EQ(z.sizes(), (std::vector<std::int64_t>{5, c.latent})) << attention;
        const auto w = net->last_attention();
        ASSERT_EQ(w.sizes(), (std::vector<std::int64_t>{5, 3})) << attention;
        if (attention == "cross") {  // the target attends over exactly its neighbours
            EXPECT_TRUE(torch::allclose(w.sum(1), torch::ones({5}), 1e-5, 1e-5));
        } else {  // the target's row also weighs itself: the neighbours' share is below 1
            EXPECT_TRUE((w.sum(1) < 1.0).all().item<bool>());
            EXPECT_TRUE((w.sum(1) > 0.0).all().item<bool>());
        }
        // Each target's Z depends on its own neighbours only.
        auto spectra = torch::rand({2, 3, 8, 16});
        const auto offsets = torch::randn({2, 3, 3}), target = torch::randn({2, 3});
        const auto z1 = net->latent(spectra, offsets, target);
        spectra[1] = torch::rand({3, 8, 16});
        const auto z2 = net->latent(spectra, offsets, target);
        EXPECT_TRUE(torch::equal(z1[0], z2[0])) << attention;
        EXPECT_FALSE(torch::allclose(z1[1], z2[1])) << attention;
        // Shared neighbours through the trunk once (index into the distinct ones): the same Z.
        const auto distinct = torch::rand({4, 8, 16});
        const auto index = torch::tensor({0, 2, 1, 2, 3, 0}, torch::kLong).view({2, 3});
        const auto gathered = distinct.index_select(0, index.flatten()).view({2, 3, 8, 16});
        EXPECT_TRUE(torch::allclose(net->latent(distinct, offsets, target, index),
                                    net->latent(gathered, offsets, target), 1e-5, 1e-6))
            << attention;
    }
}

TEST(Graf, ASampleNeverConditionsOnItsOwnSpectrum) {
    test::SingleThread one_thread;
    const auto data = tiny_data();
    auto model = prepared(tiny_config(), data);
    model->set_device(torch::kCPU);
    // The same scene with sample 5's spectrum replaced: predicting sample 5 from its
    // support set must not change (it is excluded), predicting a free position next to it must.
    auto spectra = data.front()->spectra.clone();
    spectra[5] = torch::rand({8, 16});
    test::SceneSpec spec;
    spec.grid = data.front()->context.grid;
    spec.station = data.front()->context.station_position;
    spec.frequency_hz = 915e6;
    const auto changed =
        test::scene_from(spectra, data.front()->positions, data.front()->split, spec);
    const auto a = model->predict(train::Query::samples(*data.front(), {5})).spectra;
    const auto b = model->predict(train::Query::samples(*changed, {5})).spectra;
    EXPECT_TRUE(torch::equal(a, b));
    const auto at = data.front()->positions.narrow(0, 5, 1) + 1e-3;
    const auto c = model->predict(train::Query::at(*data.front(), at)).spectra;
    const auto d = model->predict(train::Query::at(*changed, at)).spectra;
    EXPECT_FALSE(torch::allclose(c, d));
}

TEST(Graf, PredictionsDoNotDependOnWhereTheRoomPutsAndTurnsItsReader) {
    test::SingleThread one_thread;
    // The same measurements in a room moved and turned as a whole (positions, station and its
    // orientation): the spectra are drawn in the station's frame, so they and every prediction
    // must stay the same.
    const auto data = tiny_data();
    auto model = prepared(tiny_config(), data);
    const Quat turn{0.2, -0.3, 0.5, 0.7};  // normalised by to_matrix
    const Mat3 r = turn.to_matrix();
    const Vec3 shift{3.0, -7.0, 0.5};
    const auto& a = *data.front();
    std::vector<float> moved;
    for (std::int64_t i = 0; i < a.size(); ++i) {
        const Vec3 p{a.positions[i][0].item<double>(), a.positions[i][1].item<double>(),
                     a.positions[i][2].item<double>()};
        const Vec3 q = r * p + shift;
        moved.insert(moved.end(),
                     {static_cast<float>(q.x), static_cast<float>(q.y), static_cast<float>(q.z)});
    }
    test::SceneSpec spec;
    spec.grid = a.context.grid;
    spec.frequency_hz = a.context.frequency_hz;
    spec.station = r * a.context.station_position + shift;
    Mat3 orientation = a.context.station_orientation.to_matrix();
    Mat3 turned;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            turned(i, j) = 0;
            for (int k = 0; k < 3; ++k)
                turned(i, j) += r(i, k) * orientation(k, j);
        }
    spec.orientation = Quat::from_matrix(turned);
    const auto b = test::scene_from(a.spectra, torch::tensor(moved).view({-1, 3}), a.split, spec);
    const auto pa = model->predict(train::Query::samples(a, {20, 21, 22, 23})).spectra;
    const auto pb = model->predict(train::Query::samples(*b, {20, 21, 22, 23})).spectra;
    EXPECT_TRUE(torch::allclose(pa, pb, 1e-4, 1e-5))
        << "max |diff| " << (pa - pb).abs().max().item<double>();
}

TEST(Graf, FullSpectrumEqualsRenderingEveryRayAndIsChunkIndependent) {
    test::SingleThread one_thread;
    const auto data = tiny_data();
    auto c = tiny_config();
    auto model = prepared(c, data);
    model->net()->eval();
    const auto query = train::Query::samples(*data.front(), {20, 21, 22});
    torch::Tensor rays;
    {
        torch::NoGradGuard g;
        rays = model->render(query, torch::arange(128).expand({3, 128}).contiguous());
    }
    const auto plain = model->render_full(query, /*fast=*/false);
    EXPECT_TRUE(torch::allclose(plain.view({3, 128}), rays, 1e-5, 1e-6));
    // The fast path (per-target first-layer weights on the shared encoding) is the same sum.
    const auto fast = model->render_full(query);
    EXPECT_TRUE(torch::allclose(fast, plain, 1e-4, 1e-6))
        << "max |diff| " << (fast - plain).abs().max().item<double>();
    c.chunk_samples = 1 << 20;  // all three targets in one chunk
    auto one = prepared(c, data);
    one->net()->eval();
    EXPECT_TRUE(torch::allclose(one->render_full(query, false), plain, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(one->render_full(query), plain, 1e-4, 1e-6));
    // With many encoding frequencies (the full profile's 10) the rotation stays exact.
    c.freqs_point = 10;
    auto high = prepared(c, data);
    high->net()->eval();
    const auto hp = high->render_full(query, false), hf = high->render_full(query);
    EXPECT_TRUE(torch::allclose(hf, hp, 1e-3, 1e-5))
        << "max |diff| " << (hf - hp).abs().max().item<double>();
}

TEST(Graf, LearnsAHandfulOfSpectraOnTheCpu) {
    test::SingleThread one_thread;
    for (const std::string tracing : {"complex", "real"}) {
        const auto data = tiny_data(12);
        auto c = tiny_config();
        c.ray_tracing = tracing;
        c.rays = 128;  // every pixel
        c.batch = 8;
        auto model = prepared(c, data);
        std::vector<torch::Tensor> params;
        for (auto& g : model->parameter_groups())
            params.insert(params.end(), g.params.begin(), g.params.end());
        torch::optim::Adam opt(params, torch::optim::AdamOptions(3e-3));
        auto gen = torch::make_generator<at::CPUGeneratorImpl>(11);
        const std::vector<std::int64_t> train_idx{0, 1, 2, 3, 4, 5, 6, 7};
        auto mse = [&] {
            const auto pred =
                model->predict(train::Query::samples(*data.front(), train_idx)).spectra;
            return torch::mse_loss(pred,
                                   data.front()->spectra.index_select(0, torch::tensor(train_idx)))
                .item<double>();
        };
        const double before = mse();
        for (int step = 0; step < 250; ++step) {
            opt.zero_grad();
            const auto loss = model->training_loss(data, train::Phase{}, gen);
            loss.backward();
            opt.step();
        }
        const double after = mse();
        const double variance = data.front()->spectra.var().item<double>();
        EXPECT_LT(after, 0.25 * before) << tracing << ": " << before << " -> " << after;
        // The ablation (no phase) learns too, less well: below the spectra's own variance
        // (better than predicting their mean).
        EXPECT_LT(after, (tracing == "complex" ? 0.5 : 1.0) * variance)
            << tracing << ": variance " << variance << ", mse " << after;
    }
}

TEST(Graf, CheckpointRoundTripGivesTheSamePredictions) {
    test::SingleThread one_thread;
    const auto data = tiny_data();
    auto model = prepared(tiny_config(), data);
    const auto query = train::Query::samples(*data.front(), {20, 23});
    const auto a = model->predict(query).spectra;
    std::stringstream buffer;
    {
        torch::serialize::OutputArchive out;
        model->save(out);
        out.save_to(buffer);
    }
    torch::manual_seed(99);
    GrafModel loaded(tiny_config());
    loaded.prepare(train::contexts(data), nullptr);  // as a loaded run: ℓ and far from the file
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    loaded.load(in);
    EXPECT_DOUBLE_EQ(loaded.length_scale(), model->length_scale());
    EXPECT_DOUBLE_EQ(loaded.far(), model->far());
    EXPECT_TRUE(torch::equal(loaded.predict(query).spectra, a));
}

TEST(Graf, BadInputIsRefusedWithTheFix) {
    test::SingleThread one_thread;
    const auto data = tiny_data(6);              // 2 training positions
    auto model = prepared(tiny_config(), data);  // 3 neighbours
    try {
        model->predict(train::Query::samples(*data.front(), {4}));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("neighbours=2"), std::string::npos) << e.what();
    }
    // No training split at all.
    data::Split none;
    none.test = {0, 1, 2};
    const auto empty = test::scene_from(torch::rand({3, 8, 16}), torch::rand({3, 3}), none);
    try {
        model->predict(train::Query::samples(*empty, {0}));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no measured positions"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(GrafConfig::from_json({{"attention", "dot"}}), Error);
    EXPECT_THROW(GrafConfig::from_json({{"ray_tracing", "nerf"}}), Error);
    EXPECT_THROW(GrafConfig::from_json({{"neighbors", 4}}), Error);  // unknown key
    EXPECT_THROW(GrafConfig::from_json({{"profile", "huge"}}), Error);
    EXPECT_THROW(GrafConfig::from_json({{"dim", 30}, {"heads", 4}}), Error);
    EXPECT_THROW(GrafConfig::from_json({{"near", -1.0}}), Error);
    // Profiles set every size; keys beside them override.
    const auto full = GrafConfig::from_json({{"profile", "full"}, {"samples", 40}});
    EXPECT_EQ(full.trunk_width, 64);
    EXPECT_EQ(full.samples, 40);
}

TEST(Graf, CudaFusedRayNetworkMatchesTheMatmulPath) {
    test::SingleThread one_thread;
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto data = tiny_data();
    auto c = tiny_config();
    c.tf32 = false;
    c.voxel_width = 128;  // the fused kernel's width
    c.voxel_depth = 3;
    c.freqs_point = 10;  // 63 + 15 = 78 features, padded to 80
    auto model = prepared(c, data);
    model->set_device(torch::kCUDA);
    const auto query = train::Query::samples(*data.front(), {20, 21, 22, 23});
    const auto fused = model->predict(query).spectra.cpu();
    c.fused_inference = false;
    auto plain = prepared(c, data);
    {
        torch::NoGradGuard g;
        auto src = model->net()->parameters(), dst = plain->net()->parameters();
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i].copy_(src[i]);
    }
    plain->set_device(torch::kCUDA);
    const auto want = plain->predict(query).spectra.cpu();
    const double norm = want.norm().item<double>();
    ASSERT_GT(norm, 1e-6);  // spectra with something in them (this small model's are faint)
    // fp16 operands, fp32 sums: about 1e-3 of the spectra, far inside what training resolves.
    EXPECT_LT((fused - want).norm().item<double>() / norm, 5e-3)
        << "max |diff| " << (fused - want).abs().max().item<double>() << " of max "
        << want.max().item<double>();
    model->set_device(torch::kCPU);
    plain->set_device(torch::kCPU);
}

TEST(Graf, CudaAndCpuForwardPassesAgree) {
    test::SingleThread one_thread;
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto data = tiny_data();
    auto c = tiny_config();
    c.tf32 = false;
    auto model = prepared(c, data);
    const auto query = train::Query::samples(*data.front(), {20, 21, 22, 23});
    const auto cpu = model->predict(query).spectra;
    model->set_device(torch::kCUDA);
    const auto gpu = model->predict(query).spectra.cpu();
    EXPECT_TRUE(torch::allclose(cpu, gpu, 1e-4, 1e-5))
        << "max |diff| " << (cpu - gpu).abs().max().item<double>();
    model->set_device(torch::kCPU);
}
