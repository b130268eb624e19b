// NeRF2's configuration and network (public model.py), with the fast split used in training.
#include <algorithm>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/nn/encoding.hpp"
#include "radiofield/nn/fused.hpp"

namespace radiofield::models {

NeRF2Config NeRF2Config::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "nerf2 config";
    check_keys(
        j,
        {"depth", "width", "skips", "freqs_pts", "freqs_view", "freqs_tx", "n_samples", "near",
         "far", "lr", "weight_decay", "batch", "tf32", "cache_trunk", "chunk_rows", "clamp_output"},
        where);
    NeRF2Config c;
    c.depth = get_or(j, "depth", c.depth, where);
    c.width = get_or(j, "width", c.width, where);
    c.skips = get_or(j, "skips", c.skips, where);
    c.freqs_pts = get_or(j, "freqs_pts", c.freqs_pts, where);
    c.freqs_view = get_or(j, "freqs_view", c.freqs_view, where);
    c.freqs_tx = get_or(j, "freqs_tx", c.freqs_tx, where);
    c.n_samples = get_or(j, "n_samples", c.n_samples, where);
    c.near = get_or(j, "near", c.near, where);
    c.far = get_or(j, "far", c.far, where);
    c.lr = get_or(j, "lr", c.lr, where);
    c.weight_decay = get_or(j, "weight_decay", c.weight_decay, where);
    c.batch = get_or(j, "batch", c.batch, where);
    c.tf32 = get_or(j, "tf32", c.tf32, where);
    c.cache_trunk = get_or(j, "cache_trunk", c.cache_trunk, where);
    c.chunk_rows = get_or(j, "chunk_rows", c.chunk_rows, where);
    c.clamp_output = get_or(j, "clamp_output", c.clamp_output, where);

    if (c.depth < 2)
        fail("nerf2: depth must be at least 2, got {}", c.depth);
    if (c.width < 2 || c.width % 2)
        fail("nerf2: width must be even and ≥ 2, got {}", c.width);
    for (int s : c.skips) {
        if (s < 0 || s > c.depth - 2) {
            fail("nerf2: skip {} is outside 0..depth−2 = 0..{} (the skip feeds the next layer)", s,
                 c.depth - 2);
        }
    }
    for (int f : {c.freqs_pts, c.freqs_view, c.freqs_tx}) {
        if (f < 0 || f > 20)
            fail("nerf2: encoding frequencies must be in 0..20, got {}", f);
    }
    if (c.n_samples < 3)
        fail("nerf2: n_samples must be at least 3, got {}", c.n_samples);
    if (c.near < 0)
        fail("nerf2: near must be ≥ 0, got {}", c.near);
    if (c.far >= 0 && c.far <= c.near) {
        fail("nerf2: far ({}) must exceed near ({}); use far < 0 for the scene diagonal", c.far,
             c.near);
    }
    if (!(c.lr > 0))
        fail("nerf2: lr must be positive, got {}", c.lr);
    if (c.batch < 1)
        fail("nerf2: batch (rays per step) must be at least 1, got {}", c.batch);
    if (c.chunk_rows < c.n_samples) {
        fail("nerf2: chunk_rows ({}) must hold at least one ray (n_samples = {})", c.chunk_rows,
             c.n_samples);
    }
    return c;
}

nlohmann::json NeRF2Config::to_json() const {
    return {{"depth", depth},
            {"width", width},
            {"skips", skips},
            {"freqs_pts", freqs_pts},
            {"freqs_view", freqs_view},
            {"freqs_tx", freqs_tx},
            {"n_samples", n_samples},
            {"near", near},
            {"far", far},
            {"lr", lr},
            {"weight_decay", weight_decay},
            {"batch", batch},
            {"tf32", tf32},
            {"cache_trunk", cache_trunk},
            {"chunk_rows", chunk_rows},
            {"clamp_output", clamp_output}};
}

namespace {
int encoded_dims(int n_freqs) {
    return 3 + 3 * 2 * n_freqs;
}
bool contains(const std::vector<int>& v, int x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

NeRF2NetImpl::NeRF2NetImpl(const NeRF2Config& cfg) : config(cfg) {
    namespace nn = torch::nn;
    const int w = cfg.width, p = encoded_dims(cfg.freqs_pts);
    const int v = encoded_dims(cfg.freqs_view), t = encoded_dims(cfg.freqs_tx);
    attenuation_linears = register_module("attenuation_linears", nn::ModuleList());
    attenuation_linears->push_back(nn::Linear(p, w));
    for (int i = 0; i < cfg.depth - 1; ++i) {
        attenuation_linears->push_back(contains(cfg.skips, i) ? nn::Linear(w + p, w)
                                                              : nn::Linear(w, w));
    }
    signal_linears = register_module("signal_linears", nn::ModuleList());
    signal_linears->push_back(nn::Linear(w + v + t, w));
    signal_linears->push_back(nn::Linear(w, w / 2));
    attenuation_output = register_module("attenuation_output", nn::Linear(w, 2));
    feature_layer = register_module("feature_layer", nn::Linear(w, w));
    signal_output = register_module("signal_output", nn::Linear(w / 2, 2));
}

torch::Tensor NeRF2NetImpl::forward(const torch::Tensor& pts,   // [..., 3]
                                    const torch::Tensor& view,  // [..., 3]
                                    const torch::Tensor& tx) {  // [..., 3]
    const auto lead = pts.sizes().vec();
    auto flat = [](const torch::Tensor& a) { return a.reshape({-1, 3}); };
    const auto p = nn::positional_encoding(flat(pts), config.freqs_pts);  // [N, 63]
    const auto v = nn::positional_encoding(flat(view), config.freqs_view);
    const auto t = nn::positional_encoding(flat(tx), config.freqs_tx);
    auto x = p;
    for (std::size_t i = 0; i < attenuation_linears->size(); ++i) {
        x = torch::relu(attenuation_linears[i]->as<torch::nn::Linear>()->forward(x));
        if (contains(config.skips, static_cast<int>(i)))
            x = torch::cat({p, x}, -1);
    }
    const auto attn = attenuation_output->forward(x);  // [N, 2]
    x = torch::cat({feature_layer->forward(x), v, t}, -1);
    for (const auto& layer : *signal_linears)
        x = torch::relu(layer->as<torch::nn::Linear>()->forward(x));
    const auto signal = signal_output->forward(x);  // [N, 2]
    auto shape = lead;
    shape.back() = 4;
    return torch::cat({attn, signal}, -1).view(shape);
}

std::pair<torch::Tensor, torch::Tensor> NeRF2NetImpl::trunk(
    const torch::Tensor& pts_enc) {  // [M, 63]
    const auto p = pts_enc.size(1);
    auto x = pts_enc;
    bool skip_in = false;  // this layer's input is [γ(p), x]
    for (std::size_t i = 0; i < attenuation_linears->size(); ++i) {
        auto layer = attenuation_linears[i]->as<torch::nn::Linear>();
        if (skip_in) {
            // W·[γ(p); x] + b = W_p·γ(p) + b + W_x·x: no concatenated copy, and no gradient
            // is computed for γ(p) (it has none).
            const auto& wgt = layer->weight;  // [W, p + W]
            const auto pre = torch::addmm(torch::linear(pts_enc, wgt.narrow(1, 0, p), layer->bias),
                                          x, wgt.narrow(1, p, wgt.size(1) - p).t());
            x = pre.relu_();  // [M, W]; the matmuls' backward needs their inputs, not this output
        } else {
            x = nn::linear_relu(x, layer->weight, layer->bias);  // bias and ReLU fused on CUDA
        }
        skip_in = contains(config.skips, static_cast<int>(i));
    }
    const auto att = attenuation_output->forward(x);  // [M, 2]
    // signal layer 1 on [feature, view, tx]: its feature block composed with the feature
    // layer (both linear): W_f·(F·x + f) = (W_f·F)·x + W_f·f.
    const auto w = config.width;
    const auto w_f = signal_linears[0]->as<torch::nn::Linear>()->weight.narrow(1, 0, w);  // [W, W]
    const auto composed = torch::mm(w_f, feature_layer->weight);                          // [W, W]
    const auto composed_b = torch::mv(w_f, feature_layer->bias);                          // [W]
    return {att, torch::linear(x, composed, composed_b)};  // [M, 2], [M, W]
}

// Signal layer 1's input is [feature (W), γ(view) (63), γ(tx) (63)]: its weight's column blocks.
torch::Tensor NeRF2NetImpl::view_term(const torch::Tensor& view_enc) {  // [R, 63]
    auto first = signal_linears[0]->as<torch::nn::Linear>();
    return torch::linear(view_enc, first->weight.narrow(1, config.width, view_enc.size(1)),
                         first->bias);
}

torch::Tensor NeRF2NetImpl::tx_term(const torch::Tensor& tx_enc) {  // [R, 63]
    auto first = signal_linears[0]->as<torch::nn::Linear>();
    const auto offset = first->weight.size(1) - tx_enc.size(1);
    return torch::linear(tx_enc, first->weight.narrow(1, offset, tx_enc.size(1)));
}

torch::Tensor NeRF2NetImpl::signal_head(const torch::Tensor& h) {  // [*, W] after ReLU
    auto x = h;
    for (std::size_t i = 1; i < signal_linears->size(); ++i) {
        auto layer = signal_linears[i]->as<torch::nn::Linear>();
        x = nn::linear_relu(x, layer->weight, layer->bias);  // [*, W/2]
    }
    return signal_output->forward(x);  // [*, 2]
}

}  // namespace radiofield::models
