// Spectrum metrics: MSE, PSNR, GRaF's SSIM and scikit-image's SSIM match the float64
// references of scripts/metrics_reference.py; edge cases; batches; CUDA = CPU.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics_fixture.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/metrics.hpp"

namespace {

namespace rt = radiofield::train;
using radiofield::train::test::load_fixture;

constexpr double kInf = std::numeric_limits<double>::infinity();

double one(const torch::Tensor& t) {
    EXPECT_EQ(t.numel(), 1);
    return t.item<double>();
}

// A smooth image in [0, 1] (a few Gaussian blobs), like a normalised spectrum. [H, W]
torch::Tensor blobs(int64_t h, int64_t w, uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto yy = torch::arange(h, torch::kFloat64).view({h, 1});
    const auto xx = torch::arange(w, torch::kFloat64).view({1, w});
    auto img = torch::zeros({h, w}, torch::kFloat64);
    const auto p = torch::rand({6, 4}, gen, torch::kFloat64);
    for (int64_t i = 0; i < 6; ++i) {
        const double cy = p[i][0].item<double>() * h, cx = p[i][1].item<double>() * w;
        const double s = 3.0 + 10.0 * p[i][2].item<double>();
        img += p[i][3] * torch::exp(-((yy - cy).square() + (xx - cx).square()) / (2 * s * s));
    }
    return img / img.max();
}

TEST(Metrics, AllFourMatchTheScikitImageAndPytorchSsimFixtureTo1e4) {
    const auto pairs = load_fixture();
    ASSERT_GE(pairs.size(), 8u);
    for (const auto& p : pairs) {
        SCOPED_TRACE(p.name);
        EXPECT_NEAR(one(rt::mse(p.pred, p.target)), p.mse, 1e-4);
        if (std::isinf(p.psnr)) {
            EXPECT_EQ(one(rt::psnr(p.pred, p.target)), kInf);
        } else {
            EXPECT_NEAR(one(rt::psnr(p.pred, p.target)), p.psnr, 1e-4);
        }
        EXPECT_NEAR(one(rt::ssim(p.pred, p.target)), p.ssim, 1e-4);
        EXPECT_NEAR(one(rt::ssim_skimage(p.pred, p.target)), p.ssim_skimage, 1e-4);
    }
}

TEST(Metrics, TheTwoSsimConventionsGiveDifferentNumbersOnTheSameSpectra) {
    // Guards against one convention silently standing in for the other.
    for (const auto& p : load_fixture()) {
        if (p.mse == 0.0)
            continue;
        SCOPED_TRACE(p.name);
        EXPECT_GT(
            std::abs(one(rt::ssim(p.pred, p.target)) - one(rt::ssim_skimage(p.pred, p.target))),
            1e-3);
    }
}

TEST(Metrics, IdenticalImagesGiveZeroMseInfinitePsnrAndSsimOne) {
    const auto img = blobs(90, 360, 3);
    EXPECT_EQ(one(rt::mse(img, img)), 0.0);
    EXPECT_EQ(one(rt::psnr(img, img)), kInf);
    EXPECT_NEAR(one(rt::ssim(img, img)), 1.0, 1e-12);
    EXPECT_NEAR(one(rt::ssim_skimage(img, img)), 1.0, 1e-12);
    const auto dark = torch::zeros({32, 48});  // all-zero: C1, C2 keep SSIM defined
    EXPECT_NEAR(one(rt::ssim(dark, dark)), 1.0, 1e-12);
    EXPECT_NEAR(one(rt::ssim_skimage(dark, dark)), 1.0, 1e-12);
}

TEST(Metrics, SsimFallsAndMseRisesMonotonicallyWithNoise) {
    const auto clean = blobs(90, 360, 5);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    const auto noise = torch::randn({90, 360}, gen, torch::kFloat64);
    double last_ssim = 1.0, last_sk = 1.0, last_mse = 0.0;
    for (const double sigma : {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4}) {
        SCOPED_TRACE(sigma);
        const auto noisy = clean + sigma * noise;
        const double s = one(rt::ssim(noisy, clean));
        const double sk = one(rt::ssim_skimage(noisy, clean));
        const double m = one(rt::mse(noisy, clean));
        EXPECT_LT(s, last_ssim);
        EXPECT_LT(sk, last_sk);
        EXPECT_GT(m, last_mse);
        last_ssim = s, last_sk = sk, last_mse = m;
    }
    EXPECT_LT(last_ssim, 0.2);
}

TEST(Metrics, BatchResultsEqualThePerImageLoop) {
    std::vector<torch::Tensor> preds, targets;
    for (const auto& p : load_fixture()) {
        if (p.pred.size(0) == 90 && p.pred.size(1) == 360) {
            preds.push_back(p.pred);
            targets.push_back(p.target);
        }
    }
    ASSERT_GE(preds.size(), 2u);
    preds.push_back(blobs(90, 360, 7));  // an identical pair inside the batch
    targets.push_back(preds.back());
    const auto pred = torch::stack(preds), target = torch::stack(targets);  // [N, 90, 360]
    using Metric = torch::Tensor (*)(const torch::Tensor&, const torch::Tensor&);
    for (const Metric metric :
         {Metric(rt::mse), Metric(rt::psnr), Metric(rt::ssim), Metric(rt::ssim_skimage)}) {
        const auto batch = metric(pred, target);
        ASSERT_EQ(batch.sizes(), torch::IntArrayRef({pred.size(0)}));
        EXPECT_EQ(batch.scalar_type(), torch::kFloat64);
        for (int64_t i = 0; i < pred.size(0); ++i) {
            const double single = one(metric(pred[i], target[i]));
            if (std::isinf(single)) {
                EXPECT_EQ(batch[i].item<double>(), single);
            } else {
                EXPECT_NEAR(batch[i].item<double>(), single, 1e-12);
            }
        }
    }
}

TEST(Metrics, Float32InputsAgreeWithFloat64) {
    const auto a = blobs(90, 360, 1), b = blobs(90, 360, 2);
    const auto af = a.to(torch::kFloat32), bf = b.to(torch::kFloat32);
    EXPECT_NEAR(one(rt::ssim(af, bf)), one(rt::ssim(a, b)), 1e-6);
    EXPECT_NEAR(one(rt::ssim_skimage(af, bf)), one(rt::ssim_skimage(a, b)), 1e-6);
    EXPECT_NEAR(one(rt::psnr(af, bf)), one(rt::psnr(a, b)), 1e-4);
}

TEST(Metrics, BadInputsFailWithAClearError) {
    const auto img = torch::rand({90, 360});
    EXPECT_THROW(rt::mse(img, torch::rand({90, 359})), radiofield::Error);
    EXPECT_THROW(rt::ssim(torch::rand({2, 1, 9, 9}), torch::rand({2, 1, 9, 9})), radiofield::Error);
    EXPECT_THROW(rt::psnr(torch::ones({9, 9}, torch::kUInt8), torch::ones({9, 9}, torch::kUInt8)),
                 radiofield::Error);
    try {
        rt::ssim_skimage(torch::rand({6, 40}), torch::rand({6, 40}));
        FAIL() << "a 6-row image must be rejected by the 7x7 window";
    } catch (const radiofield::Error& e) {
        EXPECT_NE(std::string(e.what()).find("7x7"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(rt::ssim(torch::rand({6, 40}), torch::rand({6, 40})));  // zero padding
}

TEST(MetricsSummary, InfiniteValuesAreCountedAndLeftOutOfTheMean) {
    const std::vector<double> psnr = {20.0, kInf, 30.0, 40.0, kInf};
    const auto s = rt::summarize(psnr);
    EXPECT_EQ(s.count, 5);
    EXPECT_EQ(s.n_infinite, 2);
    EXPECT_DOUBLE_EQ(s.mean, 30.0);
    EXPECT_DOUBLE_EQ(s.median, 40.0);  // 20, 30, 40, inf, inf
    const auto even = rt::summarize(torch::tensor({1.0, 4.0, 2.0, 3.0}));
    EXPECT_DOUBLE_EQ(even.median, 2.5);
    EXPECT_DOUBLE_EQ(even.mean, 2.5);
    EXPECT_EQ(even.n_infinite, 0);
    const auto all_inf = rt::summarize(std::vector<double>{kInf, kInf});
    EXPECT_TRUE(std::isnan(all_inf.mean));
    EXPECT_EQ(all_inf.median, kInf);
    EXPECT_TRUE(std::isnan(rt::summarize(std::vector<double>{}).median));
    EXPECT_THROW(rt::summarize(std::vector<double>{1.0, std::nan("")}), radiofield::Error);
}

TEST(Metrics, CudaGivesTheSameValuesAsCpu) {
    if (!torch::cuda::is_available())
        GTEST_SKIP() << "no CUDA device";
    const auto pred = torch::stack({blobs(90, 360, 1), blobs(90, 360, 2)});
    const auto target = torch::stack({blobs(90, 360, 3), pred[1]});
    const auto pc = pred.to(torch::kCUDA), tc = target.to(torch::kCUDA);
    EXPECT_TRUE(rt::ssim(pc, tc).is_cuda());
    EXPECT_TRUE(torch::allclose(rt::mse(pc, tc).cpu(), rt::mse(pred, target), 0, 1e-12));
    EXPECT_TRUE(torch::equal(rt::psnr(pc, tc).cpu().isinf(), rt::psnr(pred, target).isinf()));
    EXPECT_TRUE(torch::allclose(rt::ssim(pc, tc).cpu(), rt::ssim(pred, target), 0, 1e-10));
    EXPECT_TRUE(
        torch::allclose(rt::ssim_skimage(pc, tc).cpu(), rt::ssim_skimage(pred, target), 0, 1e-10));
    EXPECT_EQ(rt::summarize(rt::psnr(pc, tc)).n_infinite, 1);
}

}  // namespace
