// Multi-head attention and the pre-norm transformer block (see attention.hpp for the maths).
#include "radiofield/nn/attention.hpp"

#include <ATen/Dispatch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield::nn {
namespace {

namespace tnn = torch::nn;

// The most negative finite value of `t`'s type: masked scores take it, so that softmax gives
// them exactly 0 and a row with every key masked stays finite (no NaN in either pass).
double lowest(const torch::Tensor& t) {
    double value = 0;
    AT_DISPATCH_FLOATING_TYPES_AND2(
        at::kHalf, at::kBFloat16, t.scalar_type(), "attention_mask",
        [&] { value = static_cast<double>(std::numeric_limits<scalar_t>::lowest()); });
    return value;
}

void check_dropout(double p, std::string_view where) {
    if (!(p >= 0.0 && p < 1.0)) {
        fail("{}: dropout must be in [0, 1), got {}", where, p);
    }
}

}  // namespace

// ---- MultiHeadAttention ----

MultiHeadAttentionConfig MultiHeadAttentionConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "attention config";
    check_keys(j, {"dim", "heads", "kv_dim", "dropout"}, where);
    MultiHeadAttentionConfig c;
    c.dim = get_or(j, "dim", c.dim, where);
    c.heads = get_or(j, "heads", c.heads, where);
    c.kv_dim = get_or(j, "kv_dim", c.kv_dim, where);
    c.dropout = get_or(j, "dropout", c.dropout, where);
    c.validate();
    return c;
}

nlohmann::json MultiHeadAttentionConfig::to_json() const {
    return {{"dim", dim}, {"heads", heads}, {"kv_dim", kv_dim}, {"dropout", dropout}};
}

void MultiHeadAttentionConfig::validate() const {
    if (heads < 1) {
        fail("attention: heads must be at least 1, got {}", heads);
    }
    if (dim < 1 || dim % heads != 0) {
        fail("attention: dim ({}) must be a positive multiple of heads ({})", dim, heads);
    }
    if (kv_dim < 0) {
        fail("attention: kv_dim must be ≥ 0 (0 = dim), got {}", kv_dim);
    }
    check_dropout(dropout, "attention");
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(const MultiHeadAttentionConfig& config)
    : m_config(config) {
    config.validate();
    const auto dim = config.dim, kv = config.key_dim();
    q_proj = register_module("q_proj", tnn::Linear(dim, dim));
    k_proj = register_module("k_proj", tnn::Linear(kv, dim));
    v_proj = register_module("v_proj", tnn::Linear(kv, dim));
    out_proj = register_module("out_proj", tnn::Linear(dim, dim));
    // As torch.nn.MultiheadAttention: Xavier-uniform input projections, zero biases.
    for (auto* p : {&q_proj, &k_proj, &v_proj}) {
        tnn::init::xavier_uniform_((*p)->weight);
        tnn::init::zeros_((*p)->bias);
    }
    tnn::init::zeros_(out_proj->bias);
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::forward_with_weights(
    const torch::Tensor& query,               // [B, Q, dim]
    const torch::Tensor& key,                 // [B, K, kv_dim]
    const torch::Tensor& value,               // [B, K, kv_dim]
    const torch::Tensor& key_padding_mask) {  // [B, K] bool, true = ignore
    const auto dim = m_config.dim, kv = m_config.key_dim(), h = m_config.heads, d = dim / h;
    if (query.dim() != 3 || query.size(2) != dim || key.dim() != 3 || key.size(2) != kv ||
        !value.sizes().equals(key.sizes()) || key.size(0) != query.size(0)) {
        fail("attention: expected query [B, Q, {}], key and value [B, K, {}]; got {}, {}, {}", dim,
             kv, c10::str(query.sizes()), c10::str(key.sizes()), c10::str(value.sizes()));
    }
    const auto b = query.size(0), nq = query.size(1), nk = key.size(1);
    const bool masked = key_padding_mask.defined();
    if (masked && (key_padding_mask.scalar_type() != torch::kBool ||
                   !key_padding_mask.sizes().equals({b, nk}))) {
        fail(
            "attention: key_padding_mask must be bool [B, K] = [{}, {}] (true = ignore), got {} {}",
            b, nk, c10::toString(key_padding_mask.scalar_type()),
            c10::str(key_padding_mask.sizes()));
    }
    auto heads = [&](const torch::Tensor& t, std::int64_t n) {  // [B, n, dim] → [B, h, n, d]
        return t.view({b, n, h, d}).transpose(1, 2);
    };
    const auto q = heads(q_proj(query), nq);  // [B, h, Q, d]
    const auto k = heads(k_proj(key), nk);    // [B, h, K, d]
    const auto v = heads(v_proj(value), nk);  // [B, h, K, d]
    auto scores =
        torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d));  // [B, h, Q, K]
    torch::Tensor weights;
    if (masked) {
        const auto m = key_padding_mask.view({b, 1, 1, nk});  // broadcast over heads and queries
        weights = torch::softmax(scores.masked_fill(m, lowest(scores)), -1).masked_fill(m, 0.0);
    } else {
        weights = torch::softmax(scores, -1);  // [B, h, Q, K]
    }
    const auto attended =
        m_config.dropout > 0 ? torch::dropout(weights, m_config.dropout, is_training()) : weights;
    const auto out =
        torch::matmul(attended, v).transpose(1, 2).reshape({b, nq, dim});  // [B, Q, dim]
    return {out_proj(out), weights};
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& key,
                                              const torch::Tensor& value,
                                              const torch::Tensor& key_padding_mask) {
    auto [out, weights] = forward_with_weights(query, key, value, key_padding_mask);
    m_last_weights = weights.detach();  // [B, h, Q, K]
    return out;                         // [B, Q, dim]
}

// ---- TransformerBlock ----

TransformerBlockConfig TransformerBlockConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "transformer block config";
    check_keys(j, {"dim", "heads", "kv_dim", "cross_attention", "mlp_ratio", "dropout"}, where);
    TransformerBlockConfig c;
    c.dim = get_or(j, "dim", c.dim, where);
    c.heads = get_or(j, "heads", c.heads, where);
    c.kv_dim = get_or(j, "kv_dim", c.kv_dim, where);
    c.cross_attention = get_or(j, "cross_attention", c.cross_attention, where);
    c.mlp_ratio = get_or(j, "mlp_ratio", c.mlp_ratio, where);
    c.dropout = get_or(j, "dropout", c.dropout, where);
    c.validate();
    return c;
}

nlohmann::json TransformerBlockConfig::to_json() const {
    return {{"dim", dim},
            {"heads", heads},
            {"kv_dim", kv_dim},
            {"cross_attention", cross_attention},
            {"mlp_ratio", mlp_ratio},
            {"dropout", dropout}};
}

void TransformerBlockConfig::validate() const {
    MultiHeadAttentionConfig{dim, heads, kv_dim, dropout}.validate();
    if (!cross_attention && kv_dim != 0 && kv_dim != dim) {
        fail("transformer block: self-attention takes kv_dim = dim ({}), got {}; set kv_dim to 0",
             dim, kv_dim);
    }
    if (!(mlp_ratio > 0)) {
        fail("transformer block: mlp_ratio must be positive, got {}", mlp_ratio);
    }
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerBlockConfig& config)
    : m_config(config) {
    config.validate();
    const auto dim = config.dim;
    const auto kv = config.cross_attention && config.kv_dim > 0 ? config.kv_dim : dim;
    const auto hidden =
        std::max<std::int64_t>(1, std::llround(config.mlp_ratio * static_cast<double>(dim)));
    norm_q = register_module("norm_q", tnn::LayerNorm(tnn::LayerNormOptions({dim})));
    if (config.cross_attention) {
        norm_kv = register_module("norm_kv", tnn::LayerNorm(tnn::LayerNormOptions({kv})));
    }
    attn = register_module("attn", MultiHeadAttention(MultiHeadAttentionConfig{
                                       dim, config.heads, kv, config.dropout}));
    norm_mlp = register_module("norm_mlp", tnn::LayerNorm(tnn::LayerNormOptions({dim})));
    mlp = register_module(
        "mlp", tnn::Sequential(tnn::Linear(dim, hidden), tnn::GELU(), tnn::Linear(hidden, dim),
                               tnn::Dropout(config.dropout)));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x,        // [B, Q, dim]
                                            const torch::Tensor& context,  // [B, K, kv_dim]
                                            const torch::Tensor& mask) {   // [B, K] bool
    if (m_config.cross_attention != context.defined()) {
        fail("transformer block: {}",
             m_config.cross_attention
                 ? "cross-attention needs a context [B, K, kv_dim]"
                 : "self-attention takes no context (cross_attention is false)");
    }
    const auto h = norm_q(x);                                 // [B, Q, dim]
    const auto c = context.defined() ? norm_kv(context) : h;  // [B, K, kv_dim]
    const auto y = x + attn(h, c, c, mask);                   // [B, Q, dim]
    return y + mlp->forward(norm_mlp(y));                     // [B, Q, dim]
}

}  // namespace radiofield::nn
