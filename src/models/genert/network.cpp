// GeNeRT's outgoing-ray network (include/radiofield/models/genert.hpp; paper §III-B, §IV-B1).
#include <array>

#include "radiofield/core/error.hpp"
#include "radiofield/models/genert.hpp"
#include "radiofield/nn/encoding.hpp"

namespace radiofield::models::genert {
namespace {

torch::nn::Linear xavier_linear(std::int64_t in, std::int64_t out) {
    torch::nn::Linear l(in, out);
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_uniform_(l->weight);
    torch::nn::init::zeros_(l->bias);
    return l;
}

torch::Tensor as_complex(const torch::Tensor& pair) {  // [N, 2] → [N] complex
    return torch::complex(pair.select(1, 0), pair.select(1, 1));
}

}  // namespace

FfnBlockImpl::FfnBlockImpl(std::int64_t width, std::int64_t hidden, bool residual)
    : m_in(register_module("in", xavier_linear(width, hidden))),
      m_out(register_module("out", xavier_linear(hidden, width))),
      m_residual(residual) {}

torch::Tensor FfnBlockImpl::forward(const torch::Tensor& x) {
    const auto y = m_out(torch::relu(m_in(x)));
    return torch::relu(m_residual ? x + y : y);
}

TowerImpl::TowerImpl(std::int64_t in, std::int64_t out, const NetConfig& c) {
    if (in != c.wide)
        m_lift = register_module("lift", xavier_linear(in, c.wide));
    m_wide = register_module("wide", FfnBlock(c.wide, c.wide_hidden, c.residual));
    m_squeeze = register_module("squeeze", xavier_linear(c.wide, c.narrow));
    m_narrow = register_module("narrow", FfnBlock(c.narrow, c.narrow_hidden, c.residual));
    m_head = register_module("head", xavier_linear(c.narrow, out));
}

torch::Tensor TowerImpl::forward(torch::Tensor x) {
    if (m_lift)
        x = torch::relu(m_lift(x));
    x = m_wide(x);
    x = m_narrow(torch::relu(m_squeeze(x)));
    return m_head(x);
}

OutgoingRayNetImpl::OutgoingRayNetImpl(const NetConfig& c) : m_config(c) {
    if (c.num_classes < 1 || c.angle_freqs < 0 || c.class_dim < 1 || c.latent_hidden < 1 ||
        c.wide < 1 || c.wide_hidden < 1 || c.narrow < 1 || c.narrow_hidden < 1)
        fail("genert::NetConfig: every size must be positive (angle_freqs ≥ 0)");
    const auto enc = nn::positional_encoding_dims(1, c.angle_freqs);
    m_embedding = register_module("embedding", torch::nn::Embedding(c.num_classes, c.class_dim));
    {
        torch::NoGradGuard no_grad;
        torch::nn::init::xavier_uniform_(m_embedding->weight);
    }
    m_latent1 = register_module("latent1", xavier_linear(enc + c.class_dim, c.latent_hidden));
    m_latent2 = register_module("latent2", xavier_linear(c.latent_hidden, c.wide));
    m_angle = register_module("angle", Tower(c.wide, 2, c));
    m_r_par = register_module("r_par", Tower(c.wide, 2, c));
    m_r_perp = register_module("r_perp", Tower(c.wide, 2, c));
    m_fusion = register_module("fusion", Tower(2 + 2 + 2 + enc, 2, c));
}

InteractionOutput OutgoingRayNetImpl::forward(const InteractionInput& in) {
    const auto opts = m_embedding->weight.options();
    const auto classes = in.classes.to(opts.device(), torch::kInt64);
    if (classes.numel() > 0 && classes.max().item<std::int64_t>() >= m_config.num_classes)
        fail("GeNeRT network: semantic class {} out of range; the network has num_classes = {}",
             classes.max().item<std::int64_t>(), m_config.num_classes);
    const auto theta = in.theta_i.to(opts).unsqueeze(1);  // [N, 1]
    const auto psi = in.psi.to(opts).unsqueeze(1);        // [N, 1]
    const auto features =
        torch::cat({nn::positional_encoding(theta, m_config.angle_freqs), m_embedding(classes)}, 1);
    const auto latent = torch::relu(m_latent2(torch::relu(m_latent1(features))));  // [N, wide]

    InteractionOutput out;
    const auto angle = m_angle(latent);
    out.outgoing = angle / angle.norm(2, 1, true).clamp_min(1e-12);
    const auto r_par = m_r_par(latent);    // [N, 2]
    const auto r_perp = m_r_perp(latent);  // [N, 2]
    const auto cumulative =
        torch::view_as_real(in.cumulative.to(torch::kComplexFloat)).to(opts.device());  // [N, 2]
    const auto fused = m_fusion(torch::cat(
        {r_par, r_perp, cumulative, nn::positional_encoding(psi, m_config.angle_freqs)}, 1));
    out.r_par = as_complex(r_par);
    out.r_perp = as_complex(r_perp);
    out.coefficient = as_complex(fused);
    return out;
}

const std::vector<std::string_view>& OutgoingRayNetImpl::module_names() {
    static const std::vector<std::string_view> names{"embedding", "latent", "angle",
                                                     "r_par",     "r_perp", "fusion"};
    return names;
}

std::vector<torch::Tensor> OutgoingRayNetImpl::module_parameters(std::string_view name) const {
    auto of = [](const torch::nn::Module& m) { return m.parameters(); };
    if (name == "embedding")
        return of(*m_embedding);
    if (name == "latent") {
        auto p = of(*m_latent1);
        for (auto& t : of(*m_latent2))
            p.push_back(t);
        return p;
    }
    if (name == "angle")
        return of(*m_angle);
    if (name == "r_par")
        return of(*m_r_par);
    if (name == "r_perp")
        return of(*m_r_perp);
    if (name == "fusion")
        return of(*m_fusion);
    fail(
        "GeNeRT network: no module '{}'; the modules are embedding, latent, angle, r_par, "
        "r_perp, fusion",
        name);
}

}  // namespace radiofield::models::genert
