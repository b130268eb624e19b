// Fused layers: linear_relu and its backward's elementwise pass against plain references
// (ATen ops on the CPU, float64 loops), on the CPU and, where there is one, the GPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "radiofield/nn/device.hpp"
#include "radiofield/nn/fused.hpp"

namespace {

using radiofield::nn::fused_mlp;
using radiofield::nn::linear_relu;
using Layers = std::vector<std::pair<torch::Tensor, torch::Tensor>>;
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

// An MLP with per-item first layers and `hidden` shared ones, in float64 item by item: the
// plain reference for fused_mlp.
struct RandomMlp {
    torch::Tensor x, w1, b1, w_out, b_out;
    Layers hidden;

    RandomMlp(std::int64_t m,
              std::int64_t k,
              std::int64_t items,
              std::int64_t n,
              int layers,
              std::int64_t o) {
        x = torch::randn({m, k});
        w1 = torch::randn({items, n, k}) / std::sqrt(static_cast<double>(k));
        b1 = torch::randn({items, n}) * 0.3;
        for (int i = 0; i < layers; ++i)
            hidden.emplace_back(torch::randn({n, n}) * (1.6 / std::sqrt(static_cast<double>(n))),
                                torch::randn({n}) * 0.1);
        w_out = torch::randn({o, n}) / std::sqrt(static_cast<double>(n));
        b_out = torch::randn({o});
    }

    torch::Tensor loops() const {
        const auto d = torch::kFloat64;
        std::vector<torch::Tensor> out;
        for (std::int64_t t = 0; t < w1.size(0); ++t) {
            auto h = torch::relu(torch::addmm(b1[t].to(d), x.to(d), w1[t].to(d).t()));
            for (const auto& [w, b] : hidden)
                h = torch::relu(torch::addmm(b.to(d), h, w.to(d).t()));
            out.push_back(torch::addmm(b_out.to(d), h, w_out.to(d).t()));
        }
        return torch::stack(out);
    }

    torch::Tensor run(const torch::Device& device) const {
        Layers h;
        for (const auto& [w, b] : hidden)
            h.emplace_back(w.to(device), b.to(device));
        return fused_mlp(x.to(device), w1.to(device), b1.to(device), h, w_out.to(device),
                         b_out.to(device));
    }
};

TEST(FusedMlp, CpuEqualsEachItemsLayersOneByOne) {
    torch::manual_seed(7);
    const RandomMlp mlp(53, 11, 3, 24, 2, 4);
    const auto got = mlp.run(torch::kCPU), want = mlp.loops();
    ASSERT_EQ(got.sizes(), (std::vector<std::int64_t>{3, 53, 4}));
    EXPECT_LT(rel(got, want), 1e-5);
    // Items differ: each has its own first layer.
    EXPECT_GT((want[0] - want[1]).abs().max().item<double>(), 1e-2);
}

TEST(FusedMlp, RejectsMismatchedShapes) {
    torch::manual_seed(8);
    const RandomMlp mlp(5, 6, 2, 8, 1, 3);
    EXPECT_ANY_THROW(fused_mlp(mlp.x, mlp.w1.narrow(2, 0, 5), mlp.b1, mlp.hidden, mlp.w_out,
                               mlp.b_out));  // K differs
    EXPECT_ANY_THROW(
        fused_mlp(mlp.x, mlp.w1, mlp.b1.narrow(0, 0, 1), mlp.hidden, mlp.w_out, mlp.b_out));
    EXPECT_ANY_THROW(fused_mlp(mlp.x, mlp.w1, mlp.b1, {{torch::randn({8, 7}), torch::randn({8})}},
                               mlp.w_out, mlp.b_out));
    EXPECT_ANY_THROW(fused_mlp(mlp.x, mlp.w1, mlp.b1, mlp.hidden, mlp.w_out, torch::randn({2})));
    if (radiofield::nn::cuda_available())  // weights on another device than x
        EXPECT_ANY_THROW(fused_mlp(mlp.x, mlp.w1.cuda(), mlp.b1, mlp.hidden, mlp.w_out, mlp.b_out));
    EXPECT_TRUE(radiofield::nn::fused_mlp_fits(90, 128, 4, 2));
    EXPECT_FALSE(radiofield::nn::fused_mlp_fits(90, 64, 4, 2));  // the kernel's width is 128
    EXPECT_FALSE(radiofield::nn::fused_mlp_fits(129, 128, 4, 2));
    EXPECT_FALSE(radiofield::nn::fused_mlp_fits(90, 128, 17, 2));
    EXPECT_FALSE(radiofield::nn::fused_mlp_fits(90, 128, 4, 4));
}

TEST(Cuda, FusedMlpKernelMatchesAFloat64ReferenceAtFp16Precision) {
    if (!radiofield::nn::cuda_available())
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    torch::manual_seed(9);
    // Rows that end mid-tile, K padded to 16 (90 → 96, 27 → 32, 128 as is), 0 to 3 hidden
    // layers, 1 to 16 outputs, one item and many (more items than blocks per item).
    struct Case {
        std::int64_t m, k, items;
        int layers;
        std::int64_t o;
    };
    for (const Case c : {Case{1000, 90, 3, 2, 4}, Case{129, 27, 1, 0, 1}, Case{4096, 128, 2, 3, 16},
                         Case{300, 90, 300, 2, 4}}) {
        const RandomMlp mlp(c.m, c.k, c.items, 128, c.layers, c.o);
        const auto want = mlp.loops();
        const auto got = mlp.run(torch::kCUDA).cpu();
        ASSERT_EQ(got.sizes(), want.sizes());
        // fp16 operands (11 significant bits) with fp32 sums: about 1e-3 relative.
        EXPECT_LT(rel(got, want), 4e-3) << c.m << " rows, K " << c.k << ", " << c.layers
                                        << " hidden, " << c.o << " out, " << c.items << " items";
        EXPECT_GT(want.abs().mean().item<double>(), 0.1);  // not a trivially small output
    }
    // Sizes the kernel does not take run as matmuls on the GPU, in fp32.
    const RandomMlp narrow(200, 20, 2, 64, 1, 4);
    EXPECT_LT(rel(narrow.run(torch::kCUDA).cpu(), narrow.loops()), 1e-5);
}

}  // namespace
