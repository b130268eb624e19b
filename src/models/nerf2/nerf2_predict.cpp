// NeRF2 inference (full spectra, with the tx-independent cache), checkpoints, registration.
#include "radiofield/core/error.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/nn/encoding.hpp"

namespace radiofield::models {

std::int64_t NeRF2Model::parameter_version() const {
    // In-place updates (optimizer steps, load) bump a tensor's version counter.
    std::int64_t v = 0;
    for (const auto& p : m_net->parameters())
        v += static_cast<std::int64_t>(p._version());
    return v;
}

bool NeRF2Model::cache_valid() const {
    return m_cache_pre.defined() && m_cache_pre.device() == m_device &&
           m_cache_version == parameter_version();
}

std::pair<torch::Tensor, torch::Tensor> NeRF2Model::grid_part(
    const torch::Tensor& pixels) {  // [Pc]
    const std::int64_t pc = pixels.size(0), kp = m_config.n_samples - 1, w = m_config.width;
    const auto [enc, rows] =
        trunk_rows(pixels, torch::arange(pc, pixels.options()));  // [M, 63], [Pc, K']
    const auto [att, pre] = m_net->trunk(enc);                    // [M, 2], [M, W]
    const auto view = m_net->view_term(
        nn::positional_encoding(m_dirs.index_select(0, pixels), m_config.freqs_view));
    const auto flat = rows.flatten();
    auto a = pre.index_select(0, flat).view({pc, kp, w}).add_(view.unsqueeze(1));  // [Pc, K', W]
    auto weights =
        render_weights(att.index_select(0, flat).view({pc, kp, 2}), sample_t());  // [Pc, K', 2]
    return {a, weights};
}

void NeRF2Model::build_cache() {
    const std::int64_t n_pix = static_cast<std::int64_t>(m_grid.size()),
                       kp = m_config.n_samples - 1;
    const auto chunk = std::max<std::int64_t>(1, m_config.chunk_rows / kp);
    auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(m_device);
    m_cache_pre = torch::empty({n_pix, kp, m_config.width}, f32);
    m_cache_w = torch::empty({n_pix, kp, 2}, f32);
    for (std::int64_t p0 = 0; p0 < n_pix; p0 += chunk) {
        const auto pc = std::min(chunk, n_pix - p0);
        auto [a, w] = grid_part(torch::arange(p0, p0 + pc, f32.dtype(torch::kLong)));
        m_cache_pre.narrow(0, p0, pc).copy_(a);
        m_cache_w.narrow(0, p0, pc).copy_(w);
    }
    m_cache_version = parameter_version();
}

train::Prediction NeRF2Model::predict(const train::Query& query) {
    return train::Prediction::of_spectra(predict_positions(query.positions));
}

torch::Tensor NeRF2Model::predict_positions(const torch::Tensor& positions) {
    require_prepared("predict");
    if (positions.dim() != 2 || positions.size(1) != 3)
        fail("nerf2 predict: positions must be [B, 3], got {}", c10::str(positions.sizes()));
    torch::NoGradGuard no_grad;
    const bool was_training = m_net->is_training();
    m_net->eval();
    const std::int64_t b = positions.size(0), n_pix = static_cast<std::int64_t>(m_grid.size());
    const std::int64_t kp = m_config.n_samples - 1, w = m_config.width;
    const auto chunk = std::max<std::int64_t>(1, m_config.chunk_rows / kp);  // pixels per chunk
    auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(m_device);
    // Per position, the tx block of signal layer 1: [B, W].
    const auto tx = m_net->tx_term(nn::positional_encoding(positions.to(f32), m_config.freqs_tx));
    if (m_config.cache_trunk && !cache_valid())
        build_cache();
    auto out = torch::empty({b, n_pix}, f32);
    for (std::int64_t p0 = 0; p0 < n_pix; p0 += chunk) {
        const auto pc = std::min(chunk, n_pix - p0);
        torch::Tensor a, weights;  // [Pc, K', W], [Pc, K', 2]
        if (m_config.cache_trunk) {
            a = m_cache_pre.narrow(0, p0, pc);
            weights = m_cache_w.narrow(0, p0, pc);
        } else {
            std::tie(a, weights) = grid_part(torch::arange(p0, p0 + pc, f32.dtype(torch::kLong)));
        }
        for (std::int64_t i = 0; i < b; ++i) {
            const auto h = (a + tx[i]).relu_();  // [Pc, K', W]
            const auto sig = m_net->signal_head(h.view({pc * kp, w})).view({pc, kp, 2});
            out[i].narrow(0, p0, pc).copy_(render_signal(sig, weights));  // [Pc]
        }
    }
    m_net->train(was_training);
    if (m_config.clamp_output)
        out.clamp_(0.0, 1.0);
    return out.view({b, m_grid.n_el, m_grid.n_az}).cpu();
}

namespace {
// The settings that fix the parameter shapes: a checkpoint only loads into the same ones.
nlohmann::json architecture(const nlohmann::json& c) {
    return {{"depth", c.at("depth")},           {"width", c.at("width")},
            {"skips", c.at("skips")},           {"freqs_pts", c.at("freqs_pts")},
            {"freqs_view", c.at("freqs_view")}, {"freqs_tx", c.at("freqs_tx")}};
}
}  // namespace

void NeRF2Model::save(torch::serialize::OutputArchive& archive) const {
    torch::serialize::OutputArchive net;
    m_net->save(net);
    archive.write("nerf2_net", net);
    archive.write("nerf2_config", c10::IValue(m_config.to_json().dump()));
    if (m_prepared) {
        // [n_el, n_az, el0, az0, step, origin xyz, quaternion xyzw, near, far]
        const auto& g = m_grid;
        const auto& q = m_orientation;
        auto pose =
            torch::tensor({double(g.n_el), double(g.n_az), g.el0_deg, g.az0_deg, g.step_deg,
                           m_origin.x, m_origin.y, m_origin.z, q.x, q.y, q.z, q.w, m_near, m_far},
                          torch::kFloat64);
        archive.write("nerf2_pose", pose);
    }
}

void NeRF2Model::load(torch::serialize::InputArchive& archive) {
    c10::IValue stored;
    if (!archive.try_read("nerf2_config", stored))
        fail("nerf2 load: the checkpoint holds no NeRF2 model");
    const auto theirs = architecture(nlohmann::json::parse(stored.toStringRef()));
    const auto ours = architecture(m_config.to_json());
    if (theirs != ours) {
        fail(
            "nerf2 load: the checkpoint's network {} differs from this model's {}; build the model "
            "with "
            "the checkpoint's configuration",
            theirs.dump(), ours.dump());
    }
    torch::serialize::InputArchive net;
    archive.read("nerf2_net", net);
    m_net->load(net);
    m_net->to(m_device);
    torch::Tensor pose;
    if (archive.try_read("nerf2_pose", pose)) {
        const auto p = pose.to(torch::kCPU, torch::kFloat64).contiguous();  // read on the host
        const double* v = p.data_ptr<double>();
        data::SpectrumGrid g;
        g.n_el = static_cast<int>(v[0]);
        g.n_az = static_cast<int>(v[1]);
        g.el0_deg = v[2];
        g.az0_deg = v[3];
        g.step_deg = v[4];
        set_pose(g, {v[5], v[6], v[7]}, {v[8], v[9], v[10], v[11]}, v[12], v[13]);
    }
    m_cache_pre = m_cache_w = torch::Tensor();
    m_data_key = nullptr;
}

void register_nerf2() {
    train::register_model("nerf2",
                          "NeRF2 (public implementation's network and renderer): a per-scene radio "
                          "radiance field, rays from the station over the spectrum grid",
                          [](const nlohmann::json& c) {
                              return std::make_unique<NeRF2Model>(NeRF2Config::from_json(c));
                          });
}

}  // namespace radiofield::models
