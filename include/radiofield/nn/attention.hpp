#pragma once
// Multi-head scaled dot-product attention (Vaswani et al. 2017) and a pre-norm transformer
// block, as cross-attention (GRaF's geometry-aware transformer: the query from the target
// position, keys and values from the L neighbour tokens, DESIGN.md §6.3) or self-attention
// (query = key = value; GRaF's ablation). Plain LibTorch ops (matmul, softmax), so they run
// and differentiate on every device; the tests check them against per-head float64 loops.
//
//   q = query·W_qᵀ + b_q, k = key·W_kᵀ + b_k, v = value·W_vᵀ + b_v, split into h heads of
//   d = dim/h; per head A = softmax(q kᵀ / √d) over keys (masked keys: weight 0);
//   out = concat_h(A v)·W_oᵀ + b_o.

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

namespace radiofield::nn {

struct MultiHeadAttentionConfig {
    std::int64_t dim = 0;  // query and output width; a multiple of heads
    std::int64_t heads = 1;
    std::int64_t kv_dim = 0;  // key/value width; 0 = dim
    double dropout = 0.0;     // on the attention weights, in training mode

    std::int64_t key_dim() const { return kv_dim > 0 ? kv_dim : dim; }
    static MultiHeadAttentionConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
    void validate() const;  // throws Error naming the bad value
};

struct MultiHeadAttentionImpl : torch::nn::Module {
    explicit MultiHeadAttentionImpl(const MultiHeadAttentionConfig& config);

    // query [B, Q, dim], key and value [B, K, kv_dim], key_padding_mask [B, K] bool (true =
    // ignore that key; undefined = none) → [B, Q, dim]. Keeps the weights (last_weights()).
    // A query whose keys are all masked attends to nothing: its weights are 0 and its output
    // is the output projection's bias.
    torch::Tensor forward(const torch::Tensor& query,
                          const torch::Tensor& key,
                          const torch::Tensor& value,
                          const torch::Tensor& key_padding_mask = {});

    // The same, returning the attention weights [B, heads, Q, K] too (before dropout;
    // differentiable, e.g. for a loss on them).
    std::pair<torch::Tensor, torch::Tensor> forward_with_weights(
        const torch::Tensor& query,
        const torch::Tensor& key,
        const torch::Tensor& value,
        const torch::Tensor& key_padding_mask = {});

    // The weights of the last forward(), detached: [B, heads, Q, K]; rows sum to 1 over keys.
    const torch::Tensor& last_weights() const { return m_last_weights; }
    const MultiHeadAttentionConfig& config() const { return m_config; }

    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};

private:
    MultiHeadAttentionConfig m_config;
    torch::Tensor m_last_weights;
};
TORCH_MODULE(MultiHeadAttention);

struct TransformerBlockConfig {
    std::int64_t dim = 0;
    std::int64_t heads = 1;
    std::int64_t kv_dim = 0;      // context width for cross-attention; 0 = dim
    bool cross_attention = true;  // false: self-attention over x (no context)
    double mlp_ratio = 4.0;       // MLP hidden width = round(mlp_ratio·dim)
    double dropout = 0.0;         // attention weights and MLP output, in training mode

    static TransformerBlockConfig from_json(const nlohmann::json& j);  // unknown keys → Error
    nlohmann::json to_json() const;
    void validate() const;
};

// Pre-norm block: x ← x + attn(LN(x), LN(c), LN(c)); x ← x + MLP(LN(x)), MLP = Linear →
// GELU → Linear. Cross-attention: c is the context; self-attention: c = x (one LN).
struct TransformerBlockImpl : torch::nn::Module {
    explicit TransformerBlockImpl(const TransformerBlockConfig& config);

    // x [B, Q, dim], context [B, K, kv_dim] (cross-attention; must be undefined for
    // self-attention), mask [B, K] bool over the context's tokens (self-attention: [B, Q]
    // over x's), true = ignore → [B, Q, dim]
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor& context = {},
                          const torch::Tensor& mask = {});

    const TransformerBlockConfig& config() const { return m_config; }

    torch::nn::LayerNorm norm_q{nullptr}, norm_kv{nullptr},
        norm_mlp{nullptr};  // norm_kv: cross only
    MultiHeadAttention attn{nullptr};
    torch::nn::Sequential mlp{nullptr};

private:
    TransformerBlockConfig m_config;
};
TORCH_MODULE(TransformerBlock);

}  // namespace radiofield::nn
