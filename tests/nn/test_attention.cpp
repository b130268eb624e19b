// Multi-head attention and the transformer block: against per-head float64 loops and a
// by-hand one-head case, masking, symmetry, and a retrieval task it has to learn.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/attention.hpp"
#include "single_thread.hpp"

namespace {

using radiofield::nn::MultiHeadAttention;
using radiofield::nn::MultiHeadAttentionConfig;
using radiofield::nn::TransformerBlock;
using radiofield::nn::TransformerBlockConfig;

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// y = W x + b for one row, in float64.
std::vector<double> affine(const torch::nn::Linear& layer,
                           const torch::TensorAccessor<double, 1>& x) {
    const auto w = layer->weight.detach().to(torch::kFloat64),
               b = layer->bias.detach().to(torch::kFloat64);
    auto wa = w.accessor<double, 2>();
    auto ba = b.accessor<double, 1>();
    std::vector<double> y(w.size(0));
    for (int64_t r = 0; r < w.size(0); ++r) {
        y[r] = ba[r];
        for (int64_t c = 0; c < w.size(1); ++c) {
            y[r] += wa[r][c] * x[c];
        }
    }
    return y;
}

// The attention of attention.hpp written out: per batch, head and query, in float64 loops.
// Returns the output [B, Q, dim] and the weights [B, h, Q, K].
std::pair<torch::Tensor, torch::Tensor> loops(MultiHeadAttention& mha,
                                              const torch::Tensor& query,
                                              const torch::Tensor& key,
                                              const torch::Tensor& value,
                                              const torch::Tensor& mask) {
    const auto dim = mha->config().dim, h = mha->config().heads, d = dim / h;
    const auto b = query.size(0), nq = query.size(1), nk = key.size(1);
    const auto qd = query.to(torch::kFloat64), kd = key.to(torch::kFloat64),
               vd = value.to(torch::kFloat64);
    auto qa = qd.accessor<double, 3>(), ka = kd.accessor<double, 3>(),
         va = vd.accessor<double, 3>();
    auto out = torch::zeros({b, nq, dim}, torch::kFloat64);
    auto weights = torch::zeros({b, h, nq, nk}, torch::kFloat64);
    auto oa = out.accessor<double, 3>();
    auto wa = weights.accessor<double, 4>();
    for (int64_t bi = 0; bi < b; ++bi) {
        std::vector<std::vector<double>> ks, vs;
        for (int64_t j = 0; j < nk; ++j) {
            ks.push_back(affine(mha->k_proj, ka[bi][j]));
            vs.push_back(affine(mha->v_proj, va[bi][j]));
        }
        for (int64_t i = 0; i < nq; ++i) {
            const auto q = affine(mha->q_proj, qa[bi][i]);
            auto concat = torch::zeros({dim}, torch::kFloat64);
            auto ca = concat.accessor<double, 1>();
            for (int64_t hh = 0; hh < h; ++hh) {
                std::vector<double> s(nk, -std::numeric_limits<double>::infinity());
                double top = -std::numeric_limits<double>::infinity();
                for (int64_t j = 0; j < nk; ++j) {
                    if (mask.defined() && mask[bi][j].item<bool>()) {
                        continue;
                    }
                    double dot = 0;
                    for (int64_t e = hh * d; e < (hh + 1) * d; ++e) {
                        dot += q[e] * ks[j][e];
                    }
                    s[j] = dot / std::sqrt(static_cast<double>(d));
                    top = std::max(top, s[j]);
                }
                double total = 0;
                for (int64_t j = 0; j < nk; ++j) {
                    total += std::isinf(s[j]) ? 0.0 : std::exp(s[j] - top);
                }
                for (int64_t j = 0; j < nk; ++j) {
                    const double a = std::isinf(s[j]) ? 0.0 : std::exp(s[j] - top) / total;
                    wa[bi][hh][i][j] = a;
                    for (int64_t e = hh * d; e < (hh + 1) * d; ++e) {
                        ca[e] += a * vs[j][e];
                    }
                }
            }
            const auto o = affine(mha->out_proj, ca);
            for (int64_t e = 0; e < dim; ++e) {
                oa[bi][i][e] = o[e];
            }
        }
    }
    return {out, weights};
}

// Biases drawn too (they start at zero), so the loops check them.
void randomise(torch::nn::Module& m) {
    torch::NoGradGuard no_grad;
    for (auto& p : m.parameters()) {
        p.normal_(0.0, 0.5);
    }
}

TEST(MultiHeadAttention, MatchesPerHeadFloat64LoopsWithAMask) {
    torch::manual_seed(30);
    MultiHeadAttention mha(MultiHeadAttentionConfig{8, 2, 6});
    randomise(*mha);
    const auto q = torch::randn({2, 3, 8}), k = torch::randn({2, 5, 6}),
               v = torch::randn({2, 5, 6});
    auto mask = torch::zeros({2, 5}, torch::kBool);
    mask[0][1] = true;
    mask[1][0] = mask[1][4] = true;
    for (const auto& m : {torch::Tensor(), mask}) {
        const auto got = mha(q, k, v, m);
        const auto [out, weights] = loops(mha, q, k, v, m);
        EXPECT_EQ(got.sizes(), (std::vector<int64_t>{2, 3, 8}));
        EXPECT_EQ(mha->last_weights().sizes(), (std::vector<int64_t>{2, 2, 3, 5}));
        EXPECT_LT(max_abs_diff(got, out), 1e-5) << "mask " << m.defined();
        EXPECT_LT(max_abs_diff(mha->last_weights(), weights), 1e-6) << "mask " << m.defined();
    }
}

TEST(MultiHeadAttention, WeightsSumToOneOverKeysAndMaskedKeysGetNone) {
    torch::manual_seed(31);
    MultiHeadAttention mha(MultiHeadAttentionConfig{16, 4, 10});
    randomise(*mha);
    const auto q = torch::randn({3, 2, 16}), k = torch::randn({3, 7, 10});
    auto v = torch::randn({3, 7, 10});
    auto mask = torch::zeros({3, 7}, torch::kBool);
    mask[1][3] = true;
    const auto out = mha(q, k, v, mask);
    const auto w = mha->last_weights();  // [3, 4, 2, 7]
    EXPECT_LT(max_abs_diff(w.sum(-1), torch::ones({3, 4, 2})), 1e-6);
    EXPECT_EQ(w.select(0, 1).select(-1, 3).abs().max().item<float>(), 0.0f);
    EXPECT_GT(w.select(0, 0).select(-1, 3).min().item<float>(), 0.0f);  // unmasked elsewhere

    // The masked key's value (and key) may be anything: the output does not move.
    auto k2 = k.clone();
    v[1][3] += 100.0;
    k2[1][3] -= 50.0;
    EXPECT_LT(max_abs_diff(mha(q, k2, v, mask), out), 1e-6);
    // Unmasked, the same change does move it.
    EXPECT_GT(max_abs_diff(mha(q, k2, v), out), 1e-2);
}

TEST(MultiHeadAttention, OneHeadWithIdentityProjectionsIsSoftmaxOfQKtOverRootDTimesV) {
    torch::manual_seed(32);
    const int64_t d = 4;
    MultiHeadAttention mha(MultiHeadAttentionConfig{d, 1});
    {
        torch::NoGradGuard no_grad;
        for (auto* layer : {&mha->q_proj, &mha->k_proj, &mha->v_proj, &mha->out_proj}) {
            (*layer)->weight.copy_(torch::eye(d));
            (*layer)->bias.zero_();
        }
    }
    const auto q = torch::randn({1, 3, d}), k = torch::randn({1, 5, d}),
               v = torch::randn({1, 5, d});
    const auto qd = q[0].to(torch::kFloat64), kd = k[0].to(torch::kFloat64),
               vd = v[0].to(torch::kFloat64);
    const auto a = torch::softmax(qd.mm(kd.t()) / std::sqrt(static_cast<double>(d)), 1);  // [3, 5]
    EXPECT_LT(max_abs_diff(mha(q, k, v)[0], a.mm(vd)), 1e-6);
    EXPECT_LT(max_abs_diff(mha->last_weights()[0][0], a), 1e-6);
}

TEST(MultiHeadAttention, QueryWithEveryKeyMaskedAttendsToNothingWithoutNaN) {
    torch::manual_seed(33);
    MultiHeadAttention mha(MultiHeadAttentionConfig{8, 2});
    randomise(*mha);
    auto q = torch::randn({2, 1, 8}).requires_grad_();
    const auto kv = torch::randn({2, 3, 8});
    auto mask = torch::zeros({2, 3}, torch::kBool);
    mask[1].fill_(true);
    const auto out = mha(q, kv, kv, mask);
    EXPECT_EQ(mha->last_weights()[1].abs().max().item<float>(), 0.0f);
    EXPECT_LT(max_abs_diff(out[1][0].detach(), mha->out_proj->bias.detach()), 1e-6);
    out.sum().backward();
    EXPECT_FALSE(q.grad().isnan().any().item<bool>());
    for (const auto& p : mha->parameters()) {
        EXPECT_FALSE(p.grad().isnan().any().item<bool>());
    }
}

TEST(MultiHeadAttention, SelfAttentionIsPermutationEquivariant) {
    torch::manual_seed(34);
    MultiHeadAttention mha(MultiHeadAttentionConfig{12, 3});
    randomise(*mha);
    const auto x = torch::randn({2, 6, 12});
    const auto perm = torch::tensor({3, 0, 5, 1, 4, 2});
    const auto y = mha(x, x, x);
    EXPECT_EQ(mha->last_weights().sizes(), (std::vector<int64_t>{2, 3, 6, 6}));
    const auto xp = x.index_select(1, perm);
    EXPECT_LT(max_abs_diff(mha(xp, xp, xp), y.index_select(1, perm)), 1e-5);
}

TEST(MultiHeadAttention, CrossAttentionIgnoresTheOrderOfKeyValuePairs) {
    torch::manual_seed(35);
    MultiHeadAttention mha(MultiHeadAttentionConfig{8, 2, 5});
    randomise(*mha);
    const auto q = torch::randn({2, 1, 8}), kv = torch::randn({2, 4, 5});
    auto mask = torch::zeros({2, 4}, torch::kBool);
    mask[0][2] = true;
    const auto perm = torch::tensor({2, 3, 1, 0});
    const auto kvp = kv.index_select(1, perm);
    EXPECT_LT(max_abs_diff(mha(q, kvp, kvp, mask.index_select(1, perm)), mha(q, kv, kv, mask)),
              1e-5);
}

TEST(MultiHeadAttention, RejectsBadShapesMasksAndConfigs) {
    using radiofield::Error;
    MultiHeadAttention mha(MultiHeadAttentionConfig{8, 2, 6});
    const auto q = torch::randn({2, 3, 8}), kv = torch::randn({2, 5, 6});
    EXPECT_THROW(mha(q, torch::randn({2, 5, 8}), kv), Error);   // key width
    EXPECT_THROW(mha(q, kv, torch::randn({2, 4, 6})), Error);   // value length
    EXPECT_THROW(mha(torch::randn({3, 3, 8}), kv, kv), Error);  // batch
    EXPECT_THROW(mha(q, kv, kv, torch::zeros({2, 5})), Error);  // not bool
    EXPECT_THROW(mha(q, kv, kv, torch::zeros({2, 4}, torch::kBool)), Error);
    EXPECT_THROW(MultiHeadAttention(MultiHeadAttentionConfig{10, 4}), Error);  // 10 % 4
    EXPECT_THROW(MultiHeadAttention(MultiHeadAttentionConfig{8, 2, 0, 1.0}), Error);
    EXPECT_THROW(MultiHeadAttentionConfig::from_json({{"dim", 8}, {"head", 2}}), Error);
    const auto c = MultiHeadAttentionConfig::from_json({{"dim", 8}, {"heads", 2}});
    EXPECT_EQ(c.key_dim(), 8);
    EXPECT_EQ(MultiHeadAttentionConfig::from_json(c.to_json()).to_json(), c.to_json());
}

// Query: one of four random unit keys plus noise; tokens: [key, one-hot class]; answer: the
// class stored with the matching key. Solvable only by matching query and key.
struct RetrievalImpl : torch::nn::Module {
    RetrievalImpl() {
        embed = register_module("embed", torch::nn::Linear(8, 32));
        attn = register_module("attn", MultiHeadAttention(MultiHeadAttentionConfig{32, 2, 12}));
        head = register_module("head", torch::nn::Linear(32, 4));
    }
    torch::Tensor forward(const torch::Tensor& query,
                          const torch::Tensor& tokens) {  // [B, 8], [B, 4, 12]
        return head(attn(embed(query).unsqueeze(1), tokens, tokens).squeeze(1));  // [B, 4] logits
    }
    torch::nn::Linear embed{nullptr}, head{nullptr};
    MultiHeadAttention attn{nullptr};
};

struct RetrievalBatch {
    torch::Tensor query, tokens, label;
};

RetrievalBatch retrieval_batch(int64_t n) {
    const auto keys = torch::nn::functional::normalize(
        torch::randn({n, 4, 8}), torch::nn::functional::NormalizeFuncOptions().dim(-1));
    const auto classes = torch::randint(0, 4, {n, 4}, torch::kLong);
    const auto pick = torch::randint(0, 4, {n}, torch::kLong);
    const auto rows = torch::arange(n);
    const auto query = keys.index({rows, pick}) + 0.05 * torch::randn({n, 8});
    const auto tokens = torch::cat({keys, torch::one_hot(classes, 4).to(torch::kFloat32)}, -1);
    return {query, tokens, classes.index({rows, pick})};
}

TEST(MultiHeadAttention, CrossAttentionLearnsToRetrieveTheValueOfTheMatchingKey) {
    const radiofield::test::SingleThread single_thread;
    torch::manual_seed(36);
    auto model = std::make_shared<RetrievalImpl>();
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(3e-3));
    for (int step = 0; step < 400; ++step) {
        const auto batch = retrieval_batch(128);
        opt.zero_grad();
        auto loss =
            torch::cross_entropy_loss(model->forward(batch.query, batch.tokens), batch.label);
        loss.backward();
        opt.step();
    }
    torch::NoGradGuard no_grad;
    const auto test = retrieval_batch(2000);
    const auto accuracy = (model->forward(test.query, test.tokens).argmax(-1) == test.label)
                              .to(torch::kFloat32)
                              .mean()
                              .item<float>();
    EXPECT_GE(accuracy, 0.9f);
    std::cout << "retrieval accuracy " << accuracy << " (chance: 0.25 plus the classes' repeats)\n";
}

TEST(TransformerBlock, CrossAndSelfAttentionShapesAndContextRules) {
    torch::manual_seed(37);
    TransformerBlock cross(TransformerBlockConfig{16, 4, 24});
    const auto x = torch::randn({2, 1, 16}), context = torch::randn({2, 8, 24});
    auto mask = torch::zeros({2, 8}, torch::kBool);
    mask[0][7] = true;
    EXPECT_EQ(cross(x, context, mask).sizes(), (std::vector<int64_t>{2, 1, 16}));
    EXPECT_EQ(cross->attn->last_weights().sizes(), (std::vector<int64_t>{2, 4, 1, 8}));
    EXPECT_THROW(cross(x), radiofield::Error);  // cross-attention needs its context

    TransformerBlockConfig self_config{16, 4};
    self_config.cross_attention = false;
    TransformerBlock self(self_config);
    const auto tokens = torch::randn({2, 9, 16});
    EXPECT_EQ(self(tokens).sizes(), (std::vector<int64_t>{2, 9, 16}));
    EXPECT_EQ(self->attn->last_weights().sizes(), (std::vector<int64_t>{2, 4, 9, 9}));
    EXPECT_THROW(self(tokens, tokens), radiofield::Error);
    EXPECT_FALSE(self->norm_kv);  // no unused parameters in self-attention
    const auto hidden = self->named_parameters()["mlp.0.weight"];
    EXPECT_EQ(hidden.size(0), 64);  // mlp_ratio 4
}

TEST(TransformerBlock, IsPreNormResidualAttentionThenMlp) {
    torch::manual_seed(38);
    TransformerBlock block(TransformerBlockConfig{8, 2, 6});
    randomise(*block);
    const auto x = torch::randn({3, 2, 8}), c = torch::randn({3, 5, 6});
    torch::NoGradGuard no_grad;
    // Written out with the block's own layers: pre-norm, residual, GELU MLP.
    const auto h = torch::layer_norm(x, {8}, block->norm_q->weight, block->norm_q->bias);
    const auto cn = torch::layer_norm(c, {6}, block->norm_kv->weight, block->norm_kv->bias);
    const auto y = x + block->attn(h, cn, cn);
    const auto m = torch::layer_norm(y, {8}, block->norm_mlp->weight, block->norm_mlp->bias);
    auto lin = [&](int i, const torch::Tensor& t) {
        const auto& l = block->mlp[i]->as<torch::nn::Linear>();
        return torch::nn::functional::linear(t, l->weight, l->bias);
    };
    const auto want = y + lin(2, torch::gelu(lin(0, m)));
    EXPECT_LT(max_abs_diff(block(x, c), want), 1e-5);
    // With the branches' last layers zeroed the block is the identity.
    block->attn->out_proj->weight.zero_();
    block->attn->out_proj->bias.zero_();
    block->mlp[2]->as<torch::nn::Linear>()->weight.zero_();
    block->mlp[2]->as<torch::nn::Linear>()->bias.zero_();
    EXPECT_TRUE(torch::equal(block(x, c), x));
}

TEST(TransformerBlock, ConfigReadsJson) {
    const auto c = TransformerBlockConfig::from_json(
        {{"dim", 32}, {"heads", 4}, {"cross_attention", false}, {"mlp_ratio", 2.0}});
    EXPECT_FALSE(c.cross_attention);
    EXPECT_EQ(TransformerBlockConfig::from_json(c.to_json()).to_json(), c.to_json());
    EXPECT_THROW(TransformerBlockConfig::from_json({{"dim", 32}, {"ratio", 2}}), radiofield::Error);
    EXPECT_THROW(TransformerBlockConfig::from_json({{"dim", 32}, {"mlp_ratio", 0}}),
                 radiofield::Error);
}

}  // namespace
