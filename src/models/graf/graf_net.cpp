// GRaF's configuration, network and ray aggregation (include/radiofield/models/graf.hpp).
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/models/graf.hpp"
#include "radiofield/nn/encoding.hpp"

namespace radiofield::models {

GrafConfig GrafConfig::for_profile(const std::string& profile) {
    GrafConfig c;  // the defaults are the quick profile
    if (profile == "quick")
        return c;
    if (profile != "full")
        fail("graf: profile must be quick or full, got '{}'", profile);
    c.profile = "full";
    c.neighbours = 8;
    c.trunk_width = 64;  // ResNet-18 as torchvision's
    c.trunk_downsample = 1;
    c.dim = 256;
    c.heads = 8;
    c.blocks = 2;
    c.latent = 256;
    c.freqs_offset = 10;
    c.samples = 32;
    c.voxel_width = 128;
    c.voxel_depth = 3;
    c.freqs_point = 10;
    c.freqs_dir = 4;
    c.rays = 2048;
    c.batch = 16;
    c.lr = 5e-4;
    return c;
}

GrafConfig GrafConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "graf config";
    check_keys(j,
               {"profile",
                "neighbours",
                "trunk_width",
                "trunk_downsample",
                "trunk_cells",
                "dim",
                "heads",
                "blocks",
                "latent",
                "attention",
                "freqs_offset",
                "ray_tracing",
                "samples",
                "voxel_width",
                "voxel_depth",
                "freqs_point",
                "freqs_dir",
                "near",
                "far",
                "rays",
                "batch",
                "lr",
                "chunk_samples",
                "tf32",
                "bf16_inference",
                "fused_inference"},
               where);
    GrafConfig c = for_profile(get_or<std::string>(j, "profile", "quick", where));
    c.neighbours = get_or(j, "neighbours", c.neighbours, where);
    c.trunk_width = get_or(j, "trunk_width", c.trunk_width, where);
    c.trunk_downsample = get_or(j, "trunk_downsample", c.trunk_downsample, where);
    c.trunk_cells = get_or(j, "trunk_cells", c.trunk_cells, where);
    c.dim = get_or(j, "dim", c.dim, where);
    c.heads = get_or(j, "heads", c.heads, where);
    c.blocks = get_or(j, "blocks", c.blocks, where);
    c.latent = get_or(j, "latent", c.latent, where);
    c.attention = get_or(j, "attention", c.attention, where);
    c.freqs_offset = get_or(j, "freqs_offset", c.freqs_offset, where);
    c.ray_tracing = get_or(j, "ray_tracing", c.ray_tracing, where);
    c.samples = get_or(j, "samples", c.samples, where);
    c.voxel_width = get_or(j, "voxel_width", c.voxel_width, where);
    c.voxel_depth = get_or(j, "voxel_depth", c.voxel_depth, where);
    c.freqs_point = get_or(j, "freqs_point", c.freqs_point, where);
    c.freqs_dir = get_or(j, "freqs_dir", c.freqs_dir, where);
    c.near = get_or(j, "near", c.near, where);
    c.far = get_or(j, "far", c.far, where);
    c.rays = get_or(j, "rays", c.rays, where);
    c.batch = get_or(j, "batch", c.batch, where);
    c.lr = get_or(j, "lr", c.lr, where);
    c.chunk_samples = get_or(j, "chunk_samples", c.chunk_samples, where);
    c.tf32 = get_or(j, "tf32", c.tf32, where);
    c.bf16_inference = get_or(j, "bf16_inference", c.bf16_inference, where);
    c.fused_inference = get_or(j, "fused_inference", c.fused_inference, where);
    c.validate();
    return c;
}

nlohmann::json GrafConfig::to_json() const {
    return {{"profile", profile},
            {"neighbours", neighbours},
            {"trunk_width", trunk_width},
            {"trunk_downsample", trunk_downsample},
            {"trunk_cells", trunk_cells},
            {"dim", dim},
            {"heads", heads},
            {"blocks", blocks},
            {"latent", latent},
            {"attention", attention},
            {"freqs_offset", freqs_offset},
            {"ray_tracing", ray_tracing},
            {"samples", samples},
            {"voxel_width", voxel_width},
            {"voxel_depth", voxel_depth},
            {"freqs_point", freqs_point},
            {"freqs_dir", freqs_dir},
            {"near", near},
            {"far", far},
            {"rays", rays},
            {"batch", batch},
            {"lr", lr},
            {"chunk_samples", chunk_samples},
            {"tf32", tf32},
            {"bf16_inference", bf16_inference},
            {"fused_inference", fused_inference}};
}

void GrafConfig::validate() const {
    auto at_least = [](const char* key, long long v, long long lo) {
        if (v < lo)
            fail("graf: {} must be at least {}, got {}", key, lo, v);
    };
    at_least("neighbours", neighbours, 1);
    at_least("trunk_width", trunk_width, 1);
    at_least("trunk_downsample", trunk_downsample, 1);
    at_least("dim", dim, 1);
    if (trunk_cells.size() != 2 || trunk_cells[0] < 1 || trunk_cells[1] < 1 ||
        trunk_cells[0] * trunk_cells[1] > 1024)
        fail(
            "graf: trunk_cells must be two counts [elevation, azimuth], each ≥ 1 and at most "
            "1024 cells in all (e.g. [3, 12]; [1, 1] = global pooling), got {}",
            nlohmann::json(trunk_cells).dump());
    at_least("heads", heads, 1);
    at_least("blocks", blocks, 1);
    at_least("latent", latent, 1);
    at_least("samples", samples, 1);
    at_least("voxel_width", voxel_width, 1);
    at_least("voxel_depth", voxel_depth, 1);
    at_least("rays", rays, 1);
    at_least("batch", batch, 1);
    at_least("chunk_samples", chunk_samples, 0);
    for (auto [key, v] : {std::pair{"freqs_offset", freqs_offset},
                          {"freqs_point", freqs_point},
                          {"freqs_dir", freqs_dir}})
        if (v < 0 || v > 16)
            fail("graf: {} must be in 0..16, got {}", key, v);
    if (dim % heads != 0)
        fail("graf: dim ({}) must be a multiple of heads ({})", dim, heads);
    if (attention != "cross" && attention != "self")
        fail("graf: attention must be 'cross' or 'self' (the ablation), got '{}'", attention);
    if (ray_tracing != "complex" && ray_tracing != "real")
        fail("graf: ray_tracing must be 'complex' or 'real' (the ablation), got '{}'", ray_tracing);
    if (!(std::isfinite(near) && near > 0))
        fail("graf: near must be a positive distance in metres, got {}", near);
    if (!std::isfinite(far) || (far >= 0 && far <= near))
        fail("graf: far must exceed near ({} m) or be negative (the data's extent), got {}", near,
             far);
    if (!(std::isfinite(lr) && lr > 0))
        fail("graf: lr must be positive, got {}", lr);
}

namespace {

constexpr double kSpeedOfLight = 299'792'458.0;

// Exclusive prefix sum along the last dim: out[..., 0] = 0, out[..., k] = Σ_{j<k} x[..., j].
torch::Tensor exclusive_cumsum(const torch::Tensor& x) {
    return torch::cumsum(x, -1) - x;
}

// λ/(4πd) e^{−j2πfd/c} for distances d [S] → complex [S].
torch::Tensor free_space(const torch::Tensor& d, double frequency_hz) {
    const double lambda = kSpeedOfLight / frequency_hz;
    const auto amp = (lambda / (4 * std::numbers::pi)) / d;
    const auto ph = d * (-2 * std::numbers::pi / lambda);
    return torch::polar(amp, ph);
}

torch::nn::Sequential mlp(std::int64_t in, std::int64_t hidden, std::int64_t out) {
    return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::ReLU(),
                                 torch::nn::Linear(hidden, out));
}

}  // namespace

torch::Tensor graf_aggregate_complex(const torch::Tensor& s,  // [R, S] complex
                                     const torch::Tensor& a,  // [R, S] complex
                                     const torch::Tensor& d,  // [S]
                                     double frequency_hz) {
    const auto ones = torch::ones_like(a.narrow(-1, 0, 1));
    const auto before = torch::cumprod(torch::cat({ones, a.narrow(-1, 0, a.size(-1) - 1)}, -1), -1);
    return (before * s * free_space(d, frequency_hz)).sum(-1);
}

torch::Tensor graf_aggregate_log(const torch::Tensor& s,        // [..., S] complex
                                 const torch::Tensor& log_mag,  // [..., S] ≤ 0
                                 const torch::Tensor& phase,    // [..., S]
                                 const torch::Tensor& d,        // [S]
                                 double frequency_hz) {
    // Π_{k<s} a_k = exp(Σ_{k<s} log|a_k|) · e^{jΣ_{k<s} arg a_k}, folded with the free-space
    // term into one polar factor per voxel.
    const double lambda = kSpeedOfLight / frequency_hz;
    const auto mag =
        torch::exp(exclusive_cumsum(log_mag)) * ((lambda / (4 * std::numbers::pi)) / d);
    const auto ph = exclusive_cumsum(phase) + d * (-2 * std::numbers::pi / lambda);
    return (torch::polar(mag, ph) * s).sum(-1);
}

GrafNetImpl::GrafNetImpl(const GrafConfig& c) : config(c) {
    namespace tnn = torch::nn;
    const std::int64_t off_dims = nn::positional_encoding_dims(3, c.freqs_offset);
    trunk = register_module("trunk", nn::ResNet(nn::ResNetConfig{1, c.trunk_width, 0}));
    trunk_proj = register_module(
        "trunk_proj",
        tnn::Linear(trunk->feature_dim() * c.trunk_cells.at(0) * c.trunk_cells.at(1), c.dim));
    geometry = register_module("geometry", mlp(off_dims, c.dim, c.dim));
    token_mix = register_module("token_mix", tnn::Linear(2 * c.dim, c.dim));
    target_embed = register_module("target_embed", mlp(off_dims, c.dim, c.dim));
    transformer = register_module("transformer", tnn::ModuleList());
    for (int i = 0; i < c.blocks; ++i) {
        nn::TransformerBlockConfig b;
        b.dim = c.dim;
        b.heads = c.heads;
        b.cross_attention = c.attention == "cross";
        transformer->push_back(nn::TransformerBlock(b));
    }
    out_norm = register_module("out_norm", tnn::LayerNorm(tnn::LayerNormOptions({c.dim})));
    to_latent = register_module("to_latent", mlp(c.dim, c.latent, c.latent));

    const std::int64_t pt_dims = nn::positional_encoding_dims(3, c.freqs_point);
    const std::int64_t dir_dims = nn::positional_encoding_dims(3, c.freqs_dir);
    const std::int64_t w = c.voxel_width;
    voxel_point = register_module("voxel_point", tnn::Linear(2 * pt_dims, w));
    voxel_dir =
        register_module("voxel_dir", tnn::Linear(tnn::LinearOptions(dir_dims, w).bias(false)));
    voxel_latent =
        register_module("voxel_latent", tnn::Linear(tnn::LinearOptions(c.latent, w).bias(false)));
    voxel_hidden = register_module("voxel_hidden", tnn::ModuleList());
    for (int i = 1; i < c.voxel_depth; ++i)
        voxel_hidden->push_back(tnn::Linear(w, w));
    voxel_out = register_module("voxel_out", tnn::Linear(w, 4));
    {
        // Start nearly transparent: attenuation magnitude e^{−softplus(−5)} ≈ 0.993 per voxel
        // (real: density softplus(−5) ≈ 0.007 per metre).
        torch::NoGradGuard no_grad;
        voxel_out->weight.mul_(0.1);
        voxel_out->bias.zero_();
        voxel_out->bias[2] = -5.0;
    }
}

torch::Tensor GrafNetImpl::latent(const torch::Tensor& spectra,  // [B, L, H, W] or [U, H, W]
                                  const torch::Tensor& offsets,  // [B, L, 3]
                                  const torch::Tensor& target,   // [B, 3]
                                  const torch::Tensor& index) {  // undefined or [B, L]
    const auto b = offsets.size(0), l = offsets.size(1);
    const auto h = spectra.size(-2), w = spectra.size(-1);
    auto images = spectra.reshape({-1, 1, h, w});
    if (config.trunk_downsample > 1)
        images = torch::avg_pool2d(images, config.trunk_downsample, config.trunk_downsample, 0,
                                   /*ceil_mode=*/true);
    const auto cells = torch::adaptive_avg_pool2d(
        trunk->feature_map(images), {config.trunk_cells.at(0), config.trunk_cells.at(1)});
    auto feat = trunk_proj(cells.flatten(1));  // [B·L or U, dim]
    if (index.defined())
        feat = feat.index_select(0, index.flatten());
    feat = feat.view({b, l, config.dim});
    const auto geo =
        geometry->forward(nn::positional_encoding(offsets.reshape({b * l, 3}), config.freqs_offset))
            .view({b, l, config.dim});
    const auto tokens = token_mix(torch::cat({feat, geo}, -1));  // [B, L, dim]
    auto query =
        target_embed->forward(nn::positional_encoding(target, config.freqs_offset)).unsqueeze(1);
    torch::Tensor attention;
    if (config.attention == "cross") {
        for (const auto& m : *transformer) {
            auto block = m->as<nn::TransformerBlockImpl>();
            query = block->forward(query, tokens);
            const auto w = block->attn->last_weights().mean(1).select(1, 0);  // [B, L]
            attention = attention.defined() ? attention + w : w;
        }
    } else {
        auto seq = torch::cat({query, tokens}, 1);  // [B, 1 + L, dim]
        for (const auto& m : *transformer) {
            auto block = m->as<nn::TransformerBlockImpl>();
            seq = block->forward(seq);
            const auto w = block->attn->last_weights().mean(1).select(1, 0).narrow(1, 1, l);
            attention = attention.defined() ? attention + w : w;
        }
        query = seq.narrow(1, 0, 1);
    }
    m_last_attention = attention / static_cast<double>(config.blocks);
    return to_latent->forward(out_norm(query.squeeze(1)));  // [B, latent]
}

torch::Tensor GrafNetImpl::voxels(const torch::Tensor& dirs,      // [B, R, 3]
                                  const torch::Tensor& t,         // [S]
                                  const torch::Tensor& target_m,  // [B, 3]
                                  const torch::Tensor& z,         // [B, latent]
                                  double length_scale) {
    const auto b = dirs.size(0), r = dirs.size(1), s = t.size(0);
    const auto from_station = dirs.unsqueeze(2) * t.view({1, 1, s, 1});          // [B, R, S, 3] m
    const auto from_target = from_station - target_m.view({b, 1, 1, 3});         // [B, R, S, 3] m
    const auto pts = torch::cat({from_station, from_target}, 0) / length_scale;  // [2B, R, S, 3]
    const auto enc =
        nn::positional_encoding(pts.reshape({-1, 3}), config.freqs_point).view({2, b * r * s, -1});
    const auto point_in = torch::cat({enc[0], enc[1]}, -1).view({b, r, s, -1});
    const auto dir_enc =
        nn::positional_encoding(dirs.reshape({-1, 3}), config.freqs_dir).view({b, r, 1, -1});
    auto h = voxel_point(point_in) + voxel_dir(dir_enc) + voxel_latent(z).view({b, 1, 1, -1});
    h = torch::relu(h);
    for (const auto& m : *voxel_hidden)
        h = torch::relu(m->as<torch::nn::LinearImpl>()->forward(h));
    return voxel_out(h);  // [B, R, S, 4]
}

}  // namespace radiofield::models
