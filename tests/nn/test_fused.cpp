// Fused layers: linear_relu and its backward's elementwise pass against plain references
// (ATen ops on the CPU, float64 loops), on the CPU and, where there is one, the GPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "radiofield/nn/device.hpp"
#include "radiofield/nn/fused.hpp"

namespace {

using radiofield::nn::linear_relu;
using radiofield::nn::relu_bias_backward;

// ∂L/∂z = g where y > 0 else 0, and its column sums, in float64 loops.
std::pair<torch::Tensor, torch::Tensor> loops(const torch::Tensor& g, const torch::Tensor& y) {
    const auto gd = g.to(torch::kFloat64).contiguous(), yd = y.to(torch::kFloat64).contiguous();
    auto gz = torch::zeros_like(gd);
    auto gb = torch::zeros({g.size(1)}, torch::kFloat64);
    auto a = gd.accessor<double, 2>(), b = yd.accessor<double, 2>(), o = gz.accessor<double, 2>();
    auto s = gb.accessor<double, 1>();
    for (int64_t i = 0; i < g.size(0); ++i) {
        for (int64_t j = 0; j < g.size(1); ++j) {
            o[i][j] = b[i][j] > 0 ? a[i][j] : 0.0;
            s[j] += o[i][j];
        }
    }
    return {gz, gb};
}

double rel(const torch::Tensor& got, const torch::Tensor& want) {
    const auto w = want.to(torch::kFloat64).cpu();
    return ((got.to(torch::kFloat64).cpu() - w).norm() / w.norm()).item<double>();
}

TEST(LinearRelu, MatchesAddmmThenReluInValuesAndAllGradientsOnTheCpu) {
    torch::manual_seed(3);
    const auto x0 = torch::randn({37, 12}), w0 = torch::randn({9, 12}), b0 = torch::randn({9});
    const auto up = torch::randn({37, 9});
    auto run = [&](bool fused) {
        auto x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(),
             b = b0.clone().requires_grad_();
        auto y = fused ? linear_relu(x, w, b) : torch::relu(torch::addmm(b, x, w.t()));
        (y * up).sum().backward();
        return std::vector<torch::Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
    };
    const auto got = run(true), want = run(false);
    const auto active = (want[0] > 0).to(torch::kFloat32).mean().item<float>();
    ASSERT_GT(active, 0.2f);  // both sides of the ReLU are exercised
    ASSERT_LT(active, 0.8f);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(torch::allclose(got[i], want[i], 1e-5, 1e-6)) << "output/grad " << i;
    }
}

TEST(LinearRelu, RejectsMismatchedShapes) {
    EXPECT_ANY_THROW(linear_relu(torch::randn({4, 3}), torch::randn({5, 2}), torch::randn({5})));
    EXPECT_ANY_THROW(linear_relu(torch::randn({4, 3}), torch::randn({5, 3}), torch::randn({4})));
    EXPECT_ANY_THROW(relu_bias_backward(torch::randn({4, 3}), torch::randn({4, 2})));
}

TEST(ReluBiasBackward, CpuMasksWhereTheOutputIsZeroAndSumsColumns) {
    torch::manual_seed(4);
    const auto g = torch::randn({50, 7});
    const auto y = torch::relu(torch::randn({50, 7}));  // exact zeros where masked
    const auto [gz, gb] = relu_bias_backward(g, y);
    const auto [rz, rb] = loops(g, y);
    EXPECT_TRUE(torch::equal(gz.to(torch::kFloat64), rz));
    EXPECT_LT(rel(gb, rb), 1e-6);
}

TEST(Cuda, ReluBiasBackwardKernelMatchesPlainLoops) {
    if (!radiofield::nn::cuda_available())
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    torch::manual_seed(5);
    // Row counts around the kernel's 256-row slices; widths of the NeRF2 trunk (256) and
    // head (128), a narrow one, and one the vector kernel leaves to ATen (6).
    for (const auto& [m, n] : std::vector<std::pair<int64_t, int64_t>>{
             {100'003, 256}, {777, 128}, {256, 8}, {5, 1024}, {300, 6}}) {
        const auto g = torch::randn({m, n}), y = torch::relu(torch::randn({m, n}));
        const auto [gz, gb] = relu_bias_backward(g.cuda(), y.cuda());
        const auto [rz, rb] = loops(g, y);
        EXPECT_TRUE(torch::equal(gz.cpu().to(torch::kFloat64), rz)) << m << "x" << n;
        EXPECT_LT(rel(gb, rb), 1e-5) << m << "x" << n;
    }
}

TEST(Cuda, LinearReluMatchesAFloat64ReferenceInValuesAndGradients) {
    if (!radiofield::nn::cuda_available())
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    torch::manual_seed(6);
    const auto x0 = torch::randn({4099, 256}), w0 = torch::randn({256, 256}) / 16,
               b0 = torch::randn({256});
    const auto up = torch::randn({4099, 256});
    auto x = x0.cuda().requires_grad_(), w = w0.cuda().requires_grad_(),
         b = b0.cuda().requires_grad_();
    const auto y = linear_relu(x, w, b);
    (y * up.cuda()).sum().backward();
    auto xd = x0.to(torch::kFloat64).requires_grad_(), wd = w0.to(torch::kFloat64).requires_grad_();
    auto bd = b0.to(torch::kFloat64).requires_grad_();
    const auto yd = torch::relu(torch::addmm(bd, xd, wd.t()));
    (yd * up.to(torch::kFloat64)).sum().backward();
    EXPECT_LT(rel(y.detach(), yd.detach()), 1e-5);  // fp32 matmuls (TF32 is off by default)
    EXPECT_LT(rel(x.grad(), xd.grad()), 1e-5);
    EXPECT_LT(rel(w.grad(), wd.grad()), 1e-5);
    EXPECT_LT(rel(b.grad(), bd.grad()), 1e-5);
}

}  // namespace
