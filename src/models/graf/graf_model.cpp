// GRaF as a train::Model: neighbours from the query's support set, Z from the latent radiance
// field, complex neural ray tracing from the station over the query's spectrum grid.
#include <ATen/Context.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/models/graf.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/nn/encoding.hpp"
#include "radiofield/nn/fused.hpp"
#include "radiofield/nn/module.hpp"

namespace radiofield::models {
namespace {

constexpr double kSpeedOfLight = 299'792'458.0;

torch::Tensor position_tensor(const Vec3& v) {
    return torch::tensor({v.x, v.y, v.z}, torch::kFloat64);
}

}  // namespace

GrafModel::GrafModel(GrafConfig config) : m_config(std::move(config)), m_net(m_config) {
    m_config.validate();
}

void GrafModel::prepare(const std::vector<train::SceneContext>& contexts,
                        const train::DataList* data) {
    if (contexts.empty())
        fail("graf: no training dataset to take the length scale from");
    // ℓ: half the typical extent of the training scenes (positions and station); far: the
    // largest extent, so every ray reaches across the biggest room it was trained on.
    double extent_sum = 0, extent_max = 0;
    m_train_frequencies.clear();
    for (const auto& c : contexts) {
        const double e = norm(c.hi - c.lo);
        extent_sum += e;
        extent_max = std::max(extent_max, e);
        m_train_frequencies.push_back(c.frequency_hz);
    }
    const double extent = extent_sum / static_cast<double>(contexts.size());
    if (data) {  // training: a loaded run takes both from its checkpoint
        m_net_scale.fill_(extent > 0 ? 0.5 * extent : 1.0);
        m_far.fill_(m_config.far >= 0 ? m_config.far : std::max(extent_max, m_config.near + 1.0));
    }
    m_dirs.clear();
    m_encoded = torch::Tensor();
}

void GrafModel::set_device(torch::Device device) {
    device = torch::empty({0}, torch::TensorOptions().device(device)).device();
    m_device = device;
    m_net->to(device);
    m_dirs.clear();
    m_encoded = torch::Tensor();
    if (device.is_cuda())
        at::globalContext().setAllowTF32CuBLAS(m_config.tf32);
}

// Weights are stored in float32, or in float16 by pack-model --weights-dtype float16; the
// archive says which ("graf_weights_dtype", absent in float32 checkpoints of older runs).
void GrafModel::save(torch::serialize::OutputArchive& archive) const {
    m_net->save(archive);
    if (m_storage_dtype != torch::kFloat32)
        archive.write("graf_weights_dtype",
                      torch::tensor(static_cast<std::int64_t>(m_storage_dtype)));
    archive.write("graf_length_scale", m_net_scale);
    archive.write("graf_far", m_far);
}

void GrafModel::load(torch::serialize::InputArchive& archive) {
    torch::Tensor stored;
    if (archive.try_read("graf_weights_dtype", stored)) {
        const auto dtype = static_cast<torch::Dtype>(stored.item<std::int64_t>());
        if (dtype != torch::kFloat16 && dtype != torch::kBFloat16)
            fail("graf: the checkpoint stores its weights in an unknown type ({})",
                 stored.item<std::int64_t>());
        nn::cast_floating(*m_net, dtype);  // loading into tensors of the stored type
    }
    m_net->load(archive);
    nn::cast_floating(*m_net, torch::kFloat32);  // computed in float32 whatever was stored
    archive.read("graf_length_scale", m_net_scale);
    archive.read("graf_far", m_far);
    m_net->to(m_device);
}

void GrafModel::cast_weights_for_storage(torch::Dtype dtype) {
    if (dtype != torch::kFloat32 && dtype != torch::kFloat16 && dtype != torch::kBFloat16)
        fail("graf: weights can be stored in float32, float16 or bfloat16");
    nn::cast_floating(*m_net, dtype);
    m_storage_dtype = dtype;
}

const torch::Tensor& GrafModel::directions(const train::SceneContext& context) {
    // In the station's frame (see condition): the grid's own directions.
    auto& entry = m_dirs[context.describe(train::ContextField::Grid)];
    if (!entry.defined())
        entry = grid_directions(context.grid, Quat{}).to(m_device);
    return entry;
}

torch::Tensor GrafModel::sample_t() const {
    const double near = m_config.near, far = this->far();
    const auto s = m_config.samples;
    return (near + (torch::arange(s, torch::kFloat32) + 0.5) * ((far - near) / s)).to(m_device);
}

void GrafModel::check_query(const train::Query& query) const {
    if (!query.support || query.support->size() == 0)
        fail(
            "graf: '{}' has no measured positions to condition on (its training split is empty); "
            "GRaF synthesises a spectrum from the {} nearest measured ones: give a dataset with a "
            "training split",
            query.scene->source(), m_config.neighbours);
    const auto have = static_cast<std::int64_t>(query.support->size());
    if (have > m_config.neighbours)
        return;  // enough even when a query's own sample is among them
    // A query's own sample is never its neighbour: count what is left for the worst query.
    std::int64_t usable = have;
    if (query.exclude.defined()) {
        const auto& members = query.support->indices();
        const auto ex = query.exclude.to(torch::kCPU, torch::kLong).contiguous();
        for (std::int64_t i = 0; i < ex.numel(); ++i)
            if (std::find(members.begin(), members.end(), ex.data_ptr<std::int64_t>()[i]) !=
                members.end())
                usable = have - 1;
    }
    if (usable < m_config.neighbours)
        fail(
            "graf: '{}' has {} measured position(s) to condition on but the model uses {} "
            "neighbours; measure more positions or train with --set neighbours={}",
            query.scene->source(), usable, m_config.neighbours, std::max<std::int64_t>(1, usable));
}

GrafModel::Inputs GrafModel::gather(const train::Query& query) {
    check_query(query);
    const int l = m_config.neighbours;
    const auto found = query.support->nearest(query.positions, l, query.exclude);  // CPU
    const auto& pool = query.scene->spectra_on(m_device);                          // [N, H, W]
    const auto b = found.index.size(0);
    const auto target = query.positions.to(torch::kCPU, torch::kFloat64);  // [B, 3]
    const double scale = length_scale();
    // Every geometric input in the station's frame, the frame its spectra are drawn in
    // (local = Rᵀ·world; for row vectors v·R): the model sees the same thing wherever a room
    // puts and turns its reader.
    const Mat3 r = query.scene->context.station_orientation.to_matrix();
    const auto rot =
        torch::tensor(std::vector<double>(r.m.begin(), r.m.end()), torch::kFloat64).view({3, 3});
    const auto offsets =
        (torch::matmul(found.position - target.unsqueeze(1), rot) / scale).to(torch::kFloat32);
    const auto target_m =
        torch::matmul(target - position_tensor(query.scene->context.station_position), rot);
    Inputs in;
    if (m_net->is_training()) {
        // Every (target, neighbour) image, as a batch: the trunk's batch norm sees what it
        // saw in every earlier step.
        in.neighbours = pool.index_select(0, found.index.flatten().to(m_device))
                            .view({b, l, pool.size(1), pool.size(2)});
    } else {
        // Targets close together share neighbours (a grid of positions shares most): each
        // distinct measured spectrum goes through the trunk once.
        const auto [distinct, inverse] =
            at::_unique(found.index.flatten(), /*sorted=*/true, /*return_inverse=*/true);
        in.neighbours = pool.index_select(0, distinct.to(m_device));
        in.index = inverse.view({b, l}).to(m_device);
    }
    in.offsets = offsets.to(m_device);
    in.target_m = target_m.to(torch::kFloat32).to(m_device);
    return in;
}

GrafModel::Conditioning GrafModel::condition(const Inputs& in) {
    Conditioning c;
    c.target_m = in.target_m;
    c.z = m_net->latent(in.neighbours, in.offsets, in.target_m / length_scale(), in.index);
    return c;
}

torch::Tensor GrafModel::latent(const train::Query& query) {
    torch::NoGradGuard no_grad;
    m_net->eval();
    return condition(query).z;
}

torch::Tensor GrafModel::spectrum_from_voxels(const torch::Tensor& raw,  // [B, R, S, 4]
                                              double frequency_hz) const {
    const auto t = sample_t();
    // g: the free-space term normalised to unit mean power over the ray's samples.
    const double lambda = kSpeedOfLight / frequency_hz;
    const auto fs = (lambda / (4 * std::numbers::pi)) / t;  // [S]
    const auto g = static_cast<double>(m_config.samples) / fs.square().sum();
    const auto raw32 = raw.to(torch::kFloat32);  // autocast-safe
    if (m_config.ray_tracing == "complex") {
        const auto s = torch::complex(raw32.select(-1, 0), raw32.select(-1, 1));
        const auto log_mag = -torch::nn::functional::softplus(raw32.select(-1, 2));
        const auto y = graf_aggregate_log(s, log_mag, raw32.select(-1, 3), t, frequency_hz);
        return (y.abs().square() * g);  // [B, R]
    }
    // NeRF2-style: real radiance r ≥ 0 and density σ ≥ 0 per voxel, no phase, volume
    // rendering weights w_s = T_s (1 − e^{−σ_s δ}) (they sum to at most 1), the free-space
    // term normalised to unit mean over the ray, so y starts in the targets' range (a plain
    // sum of S terms started tens of times too bright and the ablation never left it).
    const double delta = (far() - m_config.near) / m_config.samples;
    const auto r = torch::nn::functional::softplus(raw32.select(-1, 0));
    const auto sigma = torch::nn::functional::softplus(raw32.select(-1, 2)) * delta;
    const auto before = torch::exp(-(torch::cumsum(sigma, -1) - sigma));
    const auto w = before * (1 - torch::exp(-sigma));
    const auto y = (w * r * (fs / fs.mean())).sum(-1);
    return y.square();
}

torch::Tensor GrafModel::render(const train::Query& query, const torch::Tensor& pixels) {
    const auto cond = condition(query);
    const auto& dirs = directions(query.scene->context);  // [P, 3]
    const auto b = pixels.size(0), r = pixels.size(1);
    const auto d = dirs.index_select(0, pixels.flatten().to(m_device)).view({b, r, 3});
    const auto raw = m_net->voxels(d, sample_t(), cond.target_m, cond.z, length_scale());
    return spectrum_from_voxels(raw, query.scene->context.frequency_hz);
}

const torch::Tensor& GrafModel::encoded_points(const train::SceneContext& context,
                                               torch::ScalarType dtype,
                                               std::int64_t columns) {
    const auto& dirs = directions(context);  // [P, 3]
    const std::string key = context.describe(train::ContextField::Grid) +
                            fmt::format(" {} {} {} {} {}", length_scale(), far(), m_device.str(),
                                        c10::toString(dtype), columns);
    if (key == m_encoded_key && m_encoded.defined())
        return m_encoded;
    m_encoded = torch::Tensor();  // free the old one first: it can be hundreds of MB
    const auto p = dirs.size(0), s = static_cast<std::int64_t>(m_config.samples);
    const auto u = (dirs.unsqueeze(1) * sample_t().view({1, s, 1})) / length_scale();  // [P, S, 3]
    const auto enc =
        nn::positional_encoding(u.reshape({-1, 3}), m_config.freqs_point).view({p, s, -1});
    const auto dir_enc = nn::positional_encoding(dirs, m_config.freqs_dir);  // [P, D]
    auto all = torch::cat({enc, dir_enc.unsqueeze(1).expand({p, s, dir_enc.size(1)})}, 2);
    if (columns > all.size(2))
        all = torch::constant_pad_nd(all, {0, columns - all.size(2)});
    m_encoded = all.to(dtype).contiguous();
    m_encoded_key = key;
    return m_encoded;
}

torch::Tensor GrafModel::render_full_fast(const train::Query& query) {
    torch::NoGradGuard no_grad;
    const auto cond = condition(query);
    const auto& ctx = query.scene->context;
    auto& net = *m_net;
    const auto w = static_cast<std::int64_t>(m_config.voxel_width);
    const auto e = nn::positional_encoding_dims(3, m_config.freqs_point);  // 3(1 + 2K)
    const auto d = nn::positional_encoding_dims(3, m_config.freqs_dir);
    const bool fused = m_config.fused_inference && m_device.is_cuda() &&
                       nn::fused_mlp_fits(e + d, w, 4, net.voxel_hidden->size());
    const bool bf16 = m_config.bf16_inference && m_device.is_cuda() && !fused;
    const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat32;
    const auto& points = encoded_points(ctx, fused ? torch::kHalf : dtype,
                                        fused ? (e + d + 15) / 16 * 16 : 0);  // [P, S, ·]
    const auto b = query.size(), p = points.size(0), s = points.size(1);
    const int k_freqs = m_config.freqs_point;
    const double scale = length_scale();

    // Per-target first-layer weights on γ(u): W_R + W'(q), and per-target biases.
    const auto weight = net.voxel_point->weight;  // [w, 2E]: γ(x − R) columns, then γ(x − P)
    const auto w_r = weight.narrow(1, 0, e), w_p = weight.narrow(1, e, e);
    const auto q = cond.target_m / scale;  // [B, 3]
    const auto lin = w_p.narrow(1, 0, 3);  // [w, 3]
    // Every frequency at once: the sin and cos columns of 2^k are w_p[:, 3 + 6k : 9 + 6k].
    const auto trig = w_p.narrow(1, 3, 6 * k_freqs).reshape({1, w, k_freqs, 2, 3});
    const auto ws = trig.select(3, 0), wc = trig.select(3, 1);  // [1, w, K, 3]
    std::vector<double> scales(k_freqs);
    for (int k = 0; k < k_freqs; ++k)
        scales[k] = std::ldexp(1.0, k);  // exact
    const auto pow2 = torch::tensor(scales, torch::kFloat64).to(q.options());
    const auto arg = (q.unsqueeze(1) * pow2.view({1, -1, 1})).unsqueeze(1);  // [B, 1, K, 3]
    const auto cq = torch::cos(arg), sq = torch::sin(arg);
    const auto rotated = torch::stack({ws * cq + wc * sq,   // multiplies sin(2^k u)
                                       wc * cq - ws * sq},  // multiplies cos(2^k u)
                                      3)
                             .reshape({b, w, 6 * k_freqs});
    const std::vector<torch::Tensor> blocks{lin.unsqueeze(0).expand({b, w, 3}), rotated};
    const auto w_target = torch::cat(blocks, 2) + w_r.unsqueeze(0);  // [B, w, E]
    const auto bias_f32 = net.voxel_point->bias.unsqueeze(0) - torch::matmul(q, lin.t()) +
                          net.voxel_latent->forward(cond.z);  // [B, w]
    if (fused)
        return render_full_fused(query, w_target, bias_f32);
    const auto bias = bias_f32.to(dtype);                         // [B, w]
    const auto w_dir = net.voxel_dir->weight.t().to(dtype);       // [D, w], the same for all
    const auto w_first = w_target.permute({2, 0, 1}).to(dtype);   // [E, B, w]
    std::vector<std::pair<torch::Tensor, torch::Tensor>> hidden;  // (Wᵀ, b) in dtype
    for (const auto& m : *net.voxel_hidden) {
        const auto* lin_k = m->as<torch::nn::LinearImpl>();
        hidden.emplace_back(lin_k->weight.t().to(dtype), lin_k->bias.to(dtype));
    }
    const auto w_out = net.voxel_out->weight.t().to(dtype), b_out = net.voxel_out->bias.to(dtype);

    // Chunks of n targets × r rays × S samples, at most `chunk` voxels each: one GEMM with a
    // fused bias + ReLU per layer (cuBLASLt's epilogue on CUDA, which takes at most about 2M
    // rows — hence 2^20 there), the first layer of all n targets in one GEMM.
    std::int64_t chunk = m_config.chunk_samples;
    if (chunk <= 0)
        chunk = m_device.is_cuda() ? (1LL << 20) : (1LL << 21);
    const std::int64_t group =
        std::clamp<std::int64_t>(chunk / s, 1, std::min<std::int64_t>(b, 32));
    const std::int64_t rays = std::clamp<std::int64_t>(chunk / (s * group), 1, p);
    auto out = torch::empty({b, p}, torch::TensorOptions().device(m_device));
    for (std::int64_t i = 0; i < b; i += group) {
        const auto n = std::min(group, b - i);
        // [E + D, n·w]: every target of the group side by side.
        const auto wt =
            torch::cat({w_first.narrow(1, i, n).reshape({e, n * w}), w_dir.repeat({1, n})}, 0);
        const auto bt = bias.narrow(0, i, n).reshape({n * w});
        for (std::int64_t j = 0; j < p; j += rays) {
            const auto r = std::min(rays, p - j);
            auto h = at::_addmm_activation(bt, points.narrow(0, j, r).reshape({r * s, -1}), wt)
                         .view({r * s * n, w});
            for (const auto& [wk, bk] : hidden)
                h = at::_addmm_activation(bk, h, wk);
            const auto raw = at::addmm(b_out, h, w_out).view({r, s, n, 4}).permute({2, 0, 1, 3});
            out.narrow(0, i, n).narrow(1, j, r).copy_(spectrum_from_voxels(raw, ctx.frequency_hz));
        }
    }
    return out.view({b, ctx.grid.n_el, ctx.grid.n_az});
}

torch::Tensor GrafModel::render_full_fused(const train::Query& query,
                                           const torch::Tensor& w_target,  // [B, w, E]
                                           const torch::Tensor& bias) {    // [B, w]
    auto& net = *m_net;
    const auto& ctx = query.scene->context;
    const auto b = w_target.size(0), w = w_target.size(1);
    const auto& dir_w = net.voxel_dir->weight;  // [w, D]
    const auto k = w_target.size(2) + dir_w.size(1), kp = (k + 15) / 16 * 16;
    const auto& points = encoded_points(ctx, torch::kHalf, kp);  // the same cache entry
    const auto p = points.size(0), s = points.size(1);
    // [B, w, kp]: each target's weights on γ(u), the shared ones on γ(direction), zeros.
    const auto w1 = torch::constant_pad_nd(
        torch::cat({w_target, dir_w.unsqueeze(0).expand({b, w, dir_w.size(1)})}, 2), {0, kp - k});
    std::vector<std::pair<torch::Tensor, torch::Tensor>> hidden;
    for (const auto& m : *net.voxel_hidden) {
        const auto* lin = m->as<torch::nn::LinearImpl>();
        hidden.emplace_back(lin->weight, lin->bias);
    }
    // Targets per kernel call: its output and the aggregation's temporaries take about 100
    // bytes per voxel, so about 3 GB at 2^25 voxels.
    const auto voxels = p * s;
    const std::int64_t group = std::clamp<std::int64_t>((1LL << 25) / voxels, 1, b);
    const auto x = points.view({voxels, kp});
    auto out = torch::empty({b, p}, torch::TensorOptions().device(m_device));
    for (std::int64_t i = 0; i < b; i += group) {
        const auto n = std::min(group, b - i);
        const auto raw = nn::fused_mlp(x, w1.narrow(0, i, n), bias.narrow(0, i, n), hidden,
                                       net.voxel_out->weight, net.voxel_out->bias)
                             .view({n, p, s, 4});
        out.narrow(0, i, n).copy_(spectrum_from_voxels(raw, ctx.frequency_hz));
    }
    return out.view({b, ctx.grid.n_el, ctx.grid.n_az});
}

torch::Tensor GrafModel::render_full(const train::Query& query, bool fast) {
    if (fast)
        return render_full_fast(query);
    torch::NoGradGuard no_grad;
    const auto cond = condition(query);
    const auto& ctx = query.scene->context;
    const auto& dirs = directions(ctx);  // [P, 3]
    const auto b = query.size(), p = dirs.size(0), s = static_cast<std::int64_t>(m_config.samples);
    const auto t = sample_t();
    const double scale = length_scale();
    auto out = torch::empty({b, p}, torch::TensorOptions().device(m_device));
    // Chunks of (target, ray) pairs of at most chunk_samples ray samples.
    const std::int64_t chunk = m_config.chunk_samples > 0
                                   ? m_config.chunk_samples
                                   : (m_device.is_cuda() ? (1LL << 25) : (1LL << 21));
    const std::int64_t rays_per_chunk = std::max<std::int64_t>(1, chunk / s);
    if (p <= rays_per_chunk) {
        const std::int64_t group = std::max<std::int64_t>(1, rays_per_chunk / p);
        for (std::int64_t i = 0; i < b; i += group) {
            const auto n = std::min(group, b - i);
            const auto raw =
                m_net->voxels(dirs.unsqueeze(0).expand({n, p, 3}), t, cond.target_m.narrow(0, i, n),
                              cond.z.narrow(0, i, n), scale);
            out.narrow(0, i, n).copy_(spectrum_from_voxels(raw, ctx.frequency_hz));
        }
    } else {
        for (std::int64_t i = 0; i < b; ++i) {
            for (std::int64_t j = 0; j < p; j += rays_per_chunk) {
                const auto n = std::min(rays_per_chunk, p - j);
                const auto raw =
                    m_net->voxels(dirs.narrow(0, j, n).unsqueeze(0), t,
                                  cond.target_m.narrow(0, i, 1), cond.z.narrow(0, i, 1), scale);
                out.narrow(0, i, 1).narrow(1, j, n).copy_(
                    spectrum_from_voxels(raw, ctx.frequency_hz));
            }
        }
    }
    return out.view({b, ctx.grid.n_el, ctx.grid.n_az});
}

torch::Tensor GrafModel::training_loss(const train::DataList& data,
                                       const train::Phase&,
                                       torch::Generator& gen) {
    const auto per_dataset = train::draw_training_batch(data, m_config.batch, gen);
    m_net->train();
    // One pass for the whole batch, whichever datasets its targets come from (a batch drawn
    // from hundreds of rooms would otherwise be as many small passes): the inputs of every
    // dataset's targets are gathered, then go through the network together. The datasets
    // share the grid (the model's needs); their frequencies may differ.
    std::vector<torch::Tensor> neighbours, offsets, target_m, dirs, targets;
    std::vector<std::pair<std::int64_t, double>> rows;  // (targets, frequency) per dataset
    for (std::size_t k = 0; k < data.size(); ++k) {
        if (per_dataset[k].empty())
            continue;
        const auto& scene = *data[k];
        const auto query = train::Query::samples(scene, per_dataset[k]);  // never its own neighbour
        const auto b = query.size();
        const auto& pool = scene.spectra_on(m_device);
        const auto p = pool.size(1) * pool.size(2);
        const auto pixels = torch::randint(p, {b, m_config.rays}, gen, torch::kLong).to(m_device);
        auto in = gather(query);
        neighbours.push_back(in.neighbours);
        offsets.push_back(in.offsets);
        target_m.push_back(in.target_m);
        dirs.push_back(
            directions(scene.context).index_select(0, pixels.flatten()).view({b, -1, 3}));
        targets.push_back(
            pool.view({-1, p}).index_select(0, query.exclude.to(m_device)).gather(1, pixels));
        rows.emplace_back(b, scene.context.frequency_hz);
    }
    const Conditioning cond =
        condition(Inputs{torch::cat(neighbours), torch::cat(offsets), torch::cat(target_m)});
    const auto raw = m_net->voxels(torch::cat(dirs), sample_t(), cond.target_m, cond.z,
                                   length_scale());  // [B, R, S, 4]
    // The free-space term and phase per frequency: runs of equal frequency together.
    std::vector<torch::Tensor> preds;
    std::int64_t start = 0;
    for (std::size_t i = 0; i < rows.size();) {
        std::int64_t n = 0;
        const double f = rows[i].second;
        for (; i < rows.size() && rows[i].second == f; ++i)
            n += rows[i].first;
        preds.push_back(spectrum_from_voxels(raw.narrow(0, start, n), f));
        start += n;
    }
    return torch::mse_loss(torch::cat(preds).flatten(), torch::cat(targets).flatten());
}

train::Prediction GrafModel::predict(const train::Query& query) {
    m_net->eval();
    const auto& ctx = query.scene->context;
    // What a user should know about this query, once per dataset.
    if (m_warned.insert(ctx.source).second) {
        const bool known =
            std::any_of(m_train_frequencies.begin(), m_train_frequencies.end(),
                        [&](double f) { return std::abs(f - ctx.frequency_hz) <= 1e-6 * f; });
        if (!known && !m_train_frequencies.empty())
            log::warn(
                "graf: '{}' is at {}, a frequency the model was not trained at ({}); "
                "expect lower quality (frequency adaptation)",
                ctx.source, ctx.describe(train::ContextField::Frequency),
                fmt::join(m_train_frequencies, ", "));
    }
    if (query.support && query.support->size() > static_cast<std::size_t>(m_config.neighbours)) {
        const auto nearest = query.support->nearest(query.positions, 1, query.exclude).distance;
        const double spacing = query.support->mean_spacing(m_config.neighbours);
        const auto far_mask = nearest.select(1, 0) > 3.0 * spacing;
        const auto n_far = far_mask.sum().item<std::int64_t>();
        if (n_far > 0)
            log::warn(
                "graf: {} of {} position(s) lie far from the measured positions of '{}' (up to "
                "{:.2f} m from the nearest; their typical spacing is {:.2f} m): outside the "
                "measured area the synthesis extrapolates, expect lower quality",
                n_far, query.size(), ctx.source, nearest.max().item<double>(), spacing);
    }
    return train::Prediction::of_spectra(render_full(query).clamp(0.0, 1.0).to(torch::kFloat32));
}

void register_graf() {
    train::register_model(
        "graf",
        "GRaF: spectrum at a new position from its L nearest measured ones (ResNet-18 + "
        "geometry-aware transformer + complex neural ray tracing); works in unseen scenes",
        [](const nlohmann::json& c) {
            return std::make_unique<GrafModel>(GrafConfig::from_json(c));
        });
}

}  // namespace radiofield::models
