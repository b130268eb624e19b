// RF-3DGS's fused CUDA inference (src/models/rf3dgs/fused_spectra_cuda.cu) against the LibTorch
// operator path it stands in for, both variants (RF-3DGS+ on min–max and on path_gain_db
// spectra, with either free-space law), one and many spectra; and the switch that turns it off,
// which the CPU ignores.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>
#include <memory>
#include <string>

#include "../nn/single_thread.hpp"
#include "../train/scene_fixture.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/nn/device.hpp"

using namespace radiofield;
using models::Rf3dgsConfig;
using models::Rf3dgsModel;

namespace {

// `count` moving-end positions 1–3 m from the origin in random directions, [count, 3].
torch::Tensor positions_around(std::int64_t count, std::uint64_t seed) {
    auto gen = at::detail::createCPUGenerator(seed);
    auto dir = torch::randn({count, 3}, gen, torch::kFloat32);
    dir = dir / dir.norm(2, 1, true);
    return dir * (1 + 2 * torch::rand({count, 1}, gen, torch::kFloat32));
}

// The station at the origin with `grid`, 32 positions around it (no spectra: the test draws);
// with `db` the data say path_gain_db spectra by −80 … −20 dB (the range RF-3DGS+ at 1 GHz
// draws these Gaussians in: (λ/4π)² is −32 dB, 1/l² at 2–6 m −6 … −16 dB).
train::DataList sphere_data(const data::SpectrumGrid& grid, bool db = false) {
    test::SceneSpec spec;
    spec.grid = grid;
    if (db) {
        spec.convention = "path_gain_db";
        spec.db_range = {-80.0, -20.0};
    }
    const auto positions = positions_around(32, 3);
    data::Split split;
    for (int i = 0; i < 32; ++i)
        split.train.push_back(i);
    return {test::scene_from(torch::zeros({32, grid.n_el, grid.n_az}), positions, split, spec)};
}

// A model with Gaussians seeded in the box of `data`, drawing through the operator, with
// random radio SH (every degree's terms matter) on `device`.
std::unique_ptr<Rf3dgsModel> seeded_model(const train::DataList& data,
                                          bool plus,
                                          int degree,
                                          std::int64_t gaussians,
                                          torch::Device device,
                                          const std::string& free_space = "path") {
    auto model =
        std::make_unique<Rf3dgsModel>(Rf3dgsConfig::from_json({{"geometry_steps", 0},
                                                               {"random_points", gaussians},
                                                               {"rf_sh_degree", degree},
                                                               {"inference", "operator"},
                                                               {"free_space", free_space}},
                                                              plus));
    model->prepare(train::contexts(data), &data);
    auto& sh = model->field().rf_sh;
    auto gen = at::detail::createCPUGenerator(9);
    sh = (0.4 * torch::randn(sh.sizes(), gen, torch::kFloat32)).set_requires_grad(true);
    model->set_device(device);
    return model;
}

}  // namespace

TEST(Rf3dgsFused, CudaKernelsDrawTheSpectraOfTheLibTorchOperatorPath) {
    if (!nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    const torch::Device cuda(torch::kCUDA);
    const auto minmax = sphere_data(data::SpectrumGrid{});  // 90 × 360, the bench's
    const auto db = sphere_data(data::SpectrumGrid{}, true);
    struct Case {
        bool plus;
        const train::DataList* data;
        std::string free_space;
    };
    for (const auto& [plus, data, free_space] :
         {Case{true, &minmax, "path"}, Case{true, &db, "path"}, Case{true, &db, "scatter"},
          Case{false, &minmax, "path"}}) {
        const bool in_db = data == &db;
        for (const int degree : {3, 1}) {
            auto owner = seeded_model(*data, plus, degree, 600, cuda, free_space);
            auto& model = *owner;
            const std::string what = model.name() + (in_db ? " (path_gain_db)" : "") + " degree " +
                                     std::to_string(degree) + ", free_space " + free_space;
            torch::NoGradGuard no_grad;
            for (const std::int64_t b : {1, 7, 300}) {
                const auto positions = positions_around(b, 100 + b);
                torch::Tensor raw_ref, raw_fused;
                model.set_fused_inference(false);
                const auto ref = model.render_spectra(positions, &raw_ref).cpu();
                ASSERT_EQ(model.last_inference(), "operator");
                model.set_fused_inference(true);
                const auto fused = model.render_spectra(positions, &raw_fused).cpu();
                ASSERT_EQ(model.last_inference(), "fused");
                ASSERT_EQ(fused.sizes(), ref.sizes()) << what;
                ASSERT_GT(ref.std().item<double>(), 1e-3) << what << ": spectra with structure";
                if (in_db) {  // cells lit, and most of them inside the range, not at its top
                    const double lit = (ref > 0).sum().item<double>();
                    const double inside = (ref > 0).logical_and(ref < 1).sum().item<double>();
                    ASSERT_GT(lit, 0.05 * static_cast<double>(ref.numel())) << what;
                    ASSERT_GT(inside, 0.5 * lit) << what;
                }
                // |fused − reference| ≤ 1e-5·|reference| + 1e-5·(the batch's peak): float32
                // sums of the same terms in another order (RF-3DGS+'s spectra peak at 1).
                const double peak = ref.abs().max().item<double>();
                const double diff = (fused - ref).abs().max().item<double>();
                std::cout << what << ", B = " << b << ": max |diff| " << diff << " (peak " << peak
                          << ")\n";
                EXPECT_TRUE(torch::allclose(fused, ref, 1e-5, 1e-5 * peak))
                    << what << ", B = " << b << ": max |diff| " << diff;
                if (plus) {
                    ASSERT_TRUE(raw_fused.defined());
                    ASSERT_EQ(raw_fused.sizes(), raw_ref.sizes());
                    EXPECT_TRUE(torch::allclose(raw_fused.cpu(), raw_ref.cpu(), 1e-5, 0))
                        << what << ", B = " << b << ": raw means " << raw_fused.cpu() << " vs "
                        << raw_ref.cpu();
                } else {
                    EXPECT_FALSE(raw_fused.defined()) << "RF-3DGS keeps no raw mean";
                }
            }
            // predict_positions: 300 positions as 256 + 44, clamped, to the host.
            const auto positions = positions_around(300, 7);
            torch::Tensor raw_ref, raw_fused;
            model.set_fused_inference(false);
            const auto ref = model.predict_positions(positions, plus ? &raw_ref : nullptr);
            model.set_fused_inference(true);
            const auto fused = model.predict_positions(positions, plus ? &raw_fused : nullptr);
            EXPECT_EQ(model.last_inference(), "fused");
            const double peak = ref.abs().max().item<double>();
            EXPECT_TRUE(torch::allclose(fused, ref, 1e-5, 1e-5 * peak)) << what;
            if (plus)
                EXPECT_TRUE(torch::allclose(raw_fused, raw_ref, 1e-5, 0)) << what;
        }
    }
    // With gradients the fused kernels (forward only) stand aside, fused_inference or not:
    // the spectra go through the operator's sparse product, or the rasteriser when asked.
    auto owner = seeded_model(minmax, true, 3, 100, cuda);
    auto& model = *owner;
    model.set_fused_inference(true);
    const auto pred = model.render_spectra(positions_around(2, 1));
    EXPECT_EQ(model.last_inference(), "operator");
    EXPECT_TRUE(pred.requires_grad());
    model.set_inference("raster");
    const auto rastered = model.render_spectra(positions_around(2, 1));
    EXPECT_EQ(model.last_inference(), "raster");
    EXPECT_TRUE(rastered.requires_grad());
}

TEST(Rf3dgsFused, TheSwitchIsAConfigValueTheCpuPathIgnores) {
    test::SingleThread one;
    const Rf3dgsConfig on = Rf3dgsConfig::from_json({}, true);
    EXPECT_TRUE(on.fused_inference);
    const Rf3dgsConfig off = Rf3dgsConfig::from_json({{"fused_inference", false}}, true);
    EXPECT_FALSE(off.fused_inference);
    EXPECT_EQ(off.to_json().at("fused_inference"), false);
    EXPECT_ANY_THROW(Rf3dgsConfig::from_json({{"fused_inference", "yes"}}, true));

    // On the CPU the operator path draws, the switch on or off, and the spectra are the same.
    data::SpectrumGrid grid;
    grid.n_el = 12, grid.n_az = 24, grid.el0_deg = -82.5, grid.az0_deg = 7.5, grid.step_deg = 15;
    const auto data = sphere_data(grid);
    auto owner = seeded_model(data, true, 3, 60, torch::kCPU);
    auto& model = *owner;
    torch::NoGradGuard no_grad;
    const auto positions = positions_around(3, 5);
    torch::Tensor raw_on, raw_off;
    const auto with = model.render_spectra(positions, &raw_on);
    EXPECT_EQ(model.last_inference(), "operator");
    model.set_fused_inference(false);
    const auto without = model.render_spectra(positions, &raw_off);
    EXPECT_EQ(model.last_inference(), "operator");
    EXPECT_TRUE(torch::equal(with, without));
    EXPECT_TRUE(torch::equal(raw_on, raw_off));
}
