// "knn_dl": GRaF's KNN-DL baseline — per-pixel interpolation weights of the L nearest
// training spectra, predicted by a small CNN from each neighbour's spectrum and offset.
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/knn.hpp"

namespace radiofield::models {
namespace {
constexpr int kInputChannels = 10;
}

KnnDlConfig KnnDlConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "knn_dl config";
    check_keys(j, {"k", "channels", "layers", "batch"}, where);
    KnnDlConfig c;
    c.k = get_or(j, "k", c.k, where);
    c.channels = get_or(j, "channels", c.channels, where);
    c.layers = get_or(j, "layers", c.layers, where);
    c.batch = get_or(j, "batch", c.batch, where);
    if (c.k < 1)
        fail("knn_dl: k must be at least 1, got {}", c.k);
    if (c.channels < 1)
        fail("knn_dl: channels must be at least 1, got {}", c.channels);
    if (c.layers < 2)
        fail("knn_dl: layers must be at least 2, got {}", c.layers);
    if (c.batch < 1)
        fail("knn_dl: batch must be at least 1, got {}", c.batch);
    return c;
}

nlohmann::json KnnDlConfig::to_json() const {
    return {{"k", k}, {"channels", channels}, {"layers", layers}, {"batch", batch}};
}

KnnDlNetImpl::KnnDlNetImpl(const KnnDlConfig& config) {
    namespace nn = torch::nn;
    body = nn::Sequential();
    int in = kInputChannels;
    for (int i = 0; i + 1 < config.layers; ++i) {
        body->push_back(nn::Conv2d(nn::Conv2dOptions(in, config.channels, 3).padding(1)));
        body->push_back(nn::ReLU());
        in = config.channels;
    }
    auto last = nn::Conv2d(nn::Conv2dOptions(in, 1, 3).padding(1));
    {
        torch::NoGradGuard no_grad;
        last->weight.zero_();  // start from equal weights: softmax of equal logits
        last->bias.zero_();
    }
    body->push_back(last);
    register_module("body", body);
    position_scale = register_buffer("position_scale", torch::ones({1}));
}

torch::Tensor KnnDlNetImpl::forward(const torch::Tensor& x) {
    return body->forward(x);
}

KnnDlModel::KnnDlModel(KnnDlConfig config) : m_config(config), m_net(config) {}

void KnnDlModel::prepare(const std::vector<train::SceneContext>& contexts,
                         const train::DataList* data) {
    if (!data)
        return;  // a trained run: the length scale comes with the weights (load)
    // Offsets are measured in units of the typical neighbour distance of the training data.
    double scale = 0, weight = 0;
    for (const auto& d : *data) {
        const auto n = static_cast<double>(d->support().size());
        if (n < 2)
            continue;
        scale += d->support().mean_spacing(m_config.k) * n, weight += n;
    }
    torch::NoGradGuard no_grad;
    const bool one = data->size() == 1 && data->front()->support().size() >= 2;
    m_net->position_scale.fill_(one ? data->front()->support().mean_spacing(m_config.k)
                                    : (weight > 0 ? scale / weight : 1.0));
}

const std::pair<torch::Tensor, torch::Tensor>& KnnDlModel::pixel_inputs(
    const train::SceneContext& context) {
    const auto& g = context.grid;
    const Quat& q = context.station_orientation;
    const std::string key = context.describe(train::ContextField::Grid) +
                            fmt::format(" {} {} {} {}", q.x, q.y, q.z, q.w);
    auto& entry = m_pixels[key];
    if (entry.first.defined())
        return entry;
    // Pixel directions as NeRF2 defines them: (cos el·cos az, cos el·sin az, sin el) in the
    // station's array frame, rotated to the world by the station quaternion.
    const double deg = std::numbers::pi / 180.0;
    const auto az = ((g.az0_deg + torch::arange(g.n_az, torch::kFloat64) * g.step_deg) * deg)
                        .expand({g.n_el, g.n_az});
    const auto el = ((g.el0_deg + torch::arange(g.n_el, torch::kFloat64) * g.step_deg) * deg)
                        .unsqueeze(1)
                        .expand({g.n_el, g.n_az});
    const auto local = torch::stack({el.cos() * az.cos(), el.cos() * az.sin(), el.sin()})
                           .view({3, -1});  // [3, H·W]
    const Mat3 r = q.to_matrix();
    const auto rot =
        torch::tensor(std::vector<double>(r.m.begin(), r.m.end()), torch::kFloat64).view({3, 3});
    const auto angles = torch::stack({az.cos(), az.sin(), el / (90.0 * deg)})
                            .to(torch::kFloat32)
                            .to(m_device);  // [3, H, W]
    const auto directions =
        torch::matmul(rot, local).view({3, g.n_el, g.n_az}).to(torch::kFloat32).to(m_device);
    entry = {angles, directions};
    return entry;
}

void KnnDlModel::set_device(torch::Device device) {
    m_device = device;
    m_net->to(device);
    m_pixels.clear();
}

torch::Tensor KnnDlModel::forward(const train::Query& query) {
    const int k = m_config.k;
    const auto found =
        query.support->nearest(query.positions, k, query.exclude);          // [B, L], [B, L, 3]
    const auto& pool = query.scene->spectra_on(m_device);                   // [N, H, W]
    const auto& [angles, directions] = pixel_inputs(query.scene->context);  // [3, H, W] each
    const auto b = found.index.size(0), h = pool.size(1), w = pool.size(2);
    const auto nb = pool.index_select(0, found.index.flatten().to(m_device))
                        .view({b, k, h, w});  // [B, L, H, W]
    const auto target = query.positions.to(torch::kCPU, torch::kFloat64).unsqueeze(1);  // [B, 1, 3]
    const auto offset = ((found.position - target).to(torch::kFloat32).to(m_device)) /
                        m_net->position_scale;  // [B, L, 3]
    const auto dist = offset.norm(2, 2, true);  // [B, L, 1]
    const auto geo = torch::cat({offset, dist}, 2).view({b, k, 4, 1, 1}).expand({b, k, 4, h, w});
    // How far each neighbour moved along each pixel's viewing direction: [B, L, 1, H, W].
    const auto along = torch::einsum("blc,chw->blhw", {offset, directions}).unsqueeze(2);
    const auto mean = nb.mean(1, true).unsqueeze(2).expand({b, k, 1, h, w});  // [B, L, 1, H, W]
    const auto ang = angles.view({1, 1, 3, h, w}).expand({b, k, 3, h, w});
    const auto x =
        torch::cat({nb.unsqueeze(2), mean, geo, along, ang}, 2).view({b * k, kInputChannels, h, w});
    const auto logits = m_net->forward(x).view({b, k, h, w}).to(torch::kFloat32);  // autocast-safe
    const auto weights = torch::softmax(logits, 1);  // over neighbours
    return (weights * nb).sum(1);                    // [B, H, W]
}

torch::Tensor KnnDlModel::training_loss(const train::DataList& data,
                                        const train::Phase&,
                                        torch::Generator& gen) {
    const auto per_dataset = train::draw_training_batch(data, m_config.batch, gen);
    m_net->train();
    std::vector<torch::Tensor> preds, targets;
    for (std::size_t d = 0; d < data.size(); ++d) {
        if (per_dataset[d].empty())
            continue;
        const auto query =
            train::Query::samples(*data[d], per_dataset[d]);  // each excluded from its neighbours
        preds.push_back(forward(query));
        targets.push_back(data[d]->spectra_on(m_device).index_select(
            0, query.exclude.to(m_device)));  // [b, H, W]
    }
    return torch::mse_loss(torch::cat(preds), torch::cat(targets));
}

train::Prediction KnnDlModel::predict(const train::Query& query) {
    torch::NoGradGuard no_grad;
    m_net->eval();
    return train::Prediction::of_spectra(forward(query).clamp(0.0, 1.0));
}

void KnnDlModel::save(torch::serialize::OutputArchive& archive) const {
    m_net->save(archive);
}

void KnnDlModel::load(torch::serialize::InputArchive& archive) {
    m_net->load(archive);
    m_net->to(m_device);
}

}  // namespace radiofield::models
