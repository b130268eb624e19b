// Positional encoding: the layout against the formula in plain loops, the CPU kernel against
// the LibTorch reference, the reference's gradient against finite differences, and the CUDA
// kernel against the CPU one where there is a GPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/nn/encoding.hpp"

namespace {

using radiofield::nn::positional_encoding;
using radiofield::nn::positional_encoding_dims;
using radiofield::nn::positional_encoding_reference;

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64).cpu() - b.to(torch::kFloat64).cpu()).abs().max().item<double>();
}

TEST(PositionalEncoding, LayoutIsXThenSinCosBlocksOfDCoordinatesWithoutPi) {
    torch::manual_seed(10);
    for (int d : {3, 2}) {
        const int l = 3;
        const auto x = torch::randn({5, d});
        const auto y = positional_encoding(x, l);  // the CPU kernel
        ASSERT_EQ(y.sizes(), (std::vector<int64_t>{5, d * (1 + 2 * l)}));
        auto xa = x.accessor<float, 2>();
        auto ya = y.accessor<float, 2>();
        for (int i = 0; i < 5; ++i) {
            for (int c = 0; c < d; ++c) {
                const double v = xa[i][c];
                EXPECT_EQ(ya[i][c], xa[i][c]);
                for (int k = 0; k < l; ++k) {
                    EXPECT_NEAR(ya[i][d + 2 * d * k + c], std::sin(std::ldexp(v, k)), 1e-6)
                        << d << " " << k;
                    EXPECT_NEAR(ya[i][2 * d + 2 * d * k + c], std::cos(std::ldexp(v, k)), 1e-6)
                        << d << " " << k;
                }
            }
        }
    }
    EXPECT_EQ(positional_encoding_dims(3, 10), 63);  // NeRF2's width
}

TEST(PositionalEncoding, CpuKernelMatchesTheReference) {
    torch::manual_seed(11);
    for (int d : {3, 2, 1}) {
        for (int l : {0, 1, 10}) {
            const auto x = torch::randn({5000, d}) * 3.0;  // several parallel_for chunks
            const auto got = positional_encoding(x, l);
            const auto want = positional_encoding_reference(x, l);
            ASSERT_EQ(got.sizes(), want.sizes()) << "D " << d << " L " << l;
            ASSERT_EQ(got.size(1), positional_encoding_dims(d, l));
            EXPECT_LE(max_abs_diff(got, want), 1e-6) << "D " << d << " L " << l;
        }
    }
}

TEST(PositionalEncoding, NonContiguousAndEmptyInputs) {
    torch::manual_seed(12);
    const auto base = torch::randn({3, 40});
    const auto x = base.t();  // [40, 3], not contiguous
    EXPECT_LE(
        max_abs_diff(positional_encoding(x, 4), positional_encoding_reference(x.contiguous(), 4)),
        1e-6);
    EXPECT_EQ(positional_encoding(torch::zeros({0, 3}), 4).sizes(), (std::vector<int64_t>{0, 27}));
}

TEST(PositionalEncoding, GradientMatchesFiniteDifferencesInFloat64) {
    torch::manual_seed(13);
    const int l = 5;  // frequencies up to 16
    const auto x0 = torch::randn({4, 3}, torch::kFloat64);
    const auto w = torch::randn({4, 3 * (1 + 2 * l)}, torch::kFloat64);
    auto loss = [&](const torch::Tensor& x) { return (positional_encoding(x, l) * w).sum(); };
    auto x = x0.clone().requires_grad_();
    loss(x).backward();
    const auto analytic = x.grad();
    auto numeric = torch::empty_like(x0);
    const double eps = 1e-6;
    for (int64_t i = 0; i < x0.numel(); ++i) {
        auto plus = x0.clone(), minus = x0.clone();
        plus.view(-1)[i] += eps;
        minus.view(-1)[i] -= eps;
        numeric.view(-1)[i] = (loss(plus) - loss(minus)).item<double>() / (2 * eps);
    }
    EXPECT_LE(max_abs_diff(analytic, numeric), 1e-6 * (1 + numeric.abs().max().item<double>()));
}

TEST(PositionalEncoding, InputThatRequiresGradGetsAGraphWithTheKernelsValues) {
    torch::manual_seed(14);
    const auto x0 = torch::randn({64, 3});
    auto x = x0.clone().requires_grad_();
    const auto y = positional_encoding(x, 6);
    ASSERT_TRUE(y.requires_grad());
    EXPECT_LE(max_abs_diff(y.detach(), positional_encoding(x0, 6)), 1e-6);
    y.sum().backward();
    EXPECT_TRUE(x.grad().defined());
}

TEST(PositionalEncoding, RejectsBadShapesTypesAndFrequencies) {
    using radiofield::Error;
    EXPECT_THROW(positional_encoding(torch::zeros({5}), 2), Error);
    EXPECT_THROW(positional_encoding(torch::zeros({5, 0}), 2), Error);
    EXPECT_THROW(positional_encoding(torch::zeros({2, 5, 3}), 2), Error);
    EXPECT_THROW(positional_encoding(torch::zeros({5, 3}, torch::kInt32), 2), Error);
    EXPECT_THROW(positional_encoding(torch::zeros({5, 3}), -1), Error);
    EXPECT_THROW(positional_encoding_reference(torch::zeros({5, 3}), 65), Error);
}

TEST(Cuda, PositionalEncodingKernelMatchesTheCpuKernel) {
    if (!radiofield::nn::cuda_available()) {
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    }
    torch::manual_seed(15);
    for (int d : {3, 2}) {
        for (int l : {0, 1, 10}) {
            const auto x = torch::randn({100'003, d}) * 3.0;
            const auto cpu = positional_encoding(x, l);
            const auto gpu = positional_encoding(x.cuda(), l);
            ASSERT_TRUE(gpu.is_cuda());
            EXPECT_LE(max_abs_diff(gpu, cpu), 1e-6) << "D " << d << " L " << l;
        }
    }
}

}  // namespace
