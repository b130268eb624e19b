// "knn_dl": GRaF's KNN-DL baseline — per-pixel interpolation weights of the L nearest
// training spectra, predicted by a small CNN from each neighbour's spectrum and offset.
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/models/knn.hpp"
#include "radiofield/train/json_config.hpp"

namespace radiofield::models {
namespace {
constexpr int kInputChannels = 10;
}

KnnDlConfig KnnDlConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "knn_dl config";
    train::check_keys(j, {"k", "channels", "layers", "batch"}, where);
    KnnDlConfig c;
    c.k = train::get_or(j, "k", c.k, where);
    c.channels = train::get_or(j, "channels", c.channels, where);
    c.layers = train::get_or(j, "layers", c.layers, where);
    c.batch = train::get_or(j, "batch", c.batch, where);
    if (c.k < 1) fail("knn_dl: k must be at least 1, got {}", c.k);
    if (c.channels < 1) fail("knn_dl: channels must be at least 1, got {}", c.channels);
    if (c.layers < 2) fail("knn_dl: layers must be at least 2, got {}", c.layers);
    if (c.batch < 1) fail("knn_dl: batch must be at least 1, got {}", c.batch);
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

torch::Tensor KnnDlNetImpl::forward(const torch::Tensor& x) { return body->forward(x); }

KnnDlModel::KnnDlModel(KnnDlConfig config) : m_config(config), m_net(config) {}

void KnnDlModel::prepare(const train::SpectrumData& train_data) {
    m_pool.build(train_data, m_config.k);
    {
        // Offsets are measured in units of the typical neighbour distance of the training
        // data; load() replaces it with the value the weights were trained with.
        torch::NoGradGuard no_grad;
        m_net->position_scale.fill_(m_pool.mean_neighbor_distance(m_config.k));
    }
    // Pixel directions as NeRF2 defines them: (cos el·cos az, cos el·sin az, sin el) in the
    // station's array frame, rotated to the world by the station quaternion.
    const auto& g = train_data.grid;
    const double deg = std::numbers::pi / 180.0;
    const auto az = ((g.az0_deg + torch::arange(g.n_az, torch::kFloat64) * g.step_deg) * deg).expand({g.n_el, g.n_az});
    const auto el = ((g.el0_deg + torch::arange(g.n_el, torch::kFloat64) * g.step_deg) * deg).unsqueeze(1).expand({g.n_el, g.n_az});
    const auto local = torch::stack({el.cos() * az.cos(), el.cos() * az.sin(), el.sin()}).view({3, -1});  // [3, H·W]
    const Mat3 r = train_data.station_orientation.to_matrix();
    const auto rot = torch::tensor(std::vector<double>(r.m.begin(), r.m.end()), torch::kFloat64).view({3, 3});
    m_directions = torch::matmul(rot, local).view({3, g.n_el, g.n_az}).to(torch::kFloat32).to(m_device);  // [3, H, W]
    m_angles = torch::stack({az.cos(), az.sin(), el / (90.0 * deg)}).to(torch::kFloat32).to(m_device);  // [3, H, W]
    m_pool.to(m_device);
}

void KnnDlModel::set_device(torch::Device device) {
    m_device = device;
    m_net->to(device);
    m_pool.to(device);
    if (m_angles.defined()) m_angles = m_angles.to(device);
    if (m_directions.defined()) m_directions = m_directions.to(device);
}

torch::Tensor KnnDlModel::forward(const torch::Tensor& positions, const torch::Tensor& exclude) {
    const int k = m_config.k;
    const auto found = m_pool.query(positions, exclude, k);  // [B, L], [B, L, 3]
    const auto& pool = m_pool.spectra();                     // [N, H, W]
    const auto b = found.index.size(0), h = pool.size(1), w = pool.size(2);
    const auto nb = pool.index_select(0, found.index.flatten().to(m_device)).view({b, k, h, w});  // [B, L, H, W]
    const auto target = positions.to(torch::kCPU, torch::kFloat64).unsqueeze(1);                  // [B, 1, 3]
    const auto offset = ((found.position - target).to(torch::kFloat32).to(m_device)) /
                        m_net->position_scale;                                                    // [B, L, 3]
    const auto dist = offset.norm(2, 2, true);                                                    // [B, L, 1]
    const auto geo = torch::cat({offset, dist}, 2).view({b, k, 4, 1, 1}).expand({b, k, 4, h, w});
    // How far each neighbour moved along each pixel's viewing direction: [B, L, 1, H, W].
    const auto along = torch::einsum("blc,chw->blhw", {offset, m_directions}).unsqueeze(2);
    const auto mean = nb.mean(1, true).unsqueeze(2).expand({b, k, 1, h, w});  // [B, L, 1, H, W]
    const auto ang = m_angles.view({1, 1, 3, h, w}).expand({b, k, 3, h, w});
    const auto x = torch::cat({nb.unsqueeze(2), mean, geo, along, ang}, 2).view({b * k, kInputChannels, h, w});
    const auto logits = m_net->forward(x).view({b, k, h, w}).to(torch::kFloat32);  // autocast-safe
    const auto weights = torch::softmax(logits, 1);                                 // over neighbours
    return (weights * nb).sum(1);                                                   // [B, H, W]
}

torch::Tensor KnnDlModel::training_loss(const train::SpectrumData& data, torch::Generator& gen) {
    const auto& train = m_pool.train_indices();
    if (train.empty()) fail("knn_dl: prepare() was not called with training data");
    const auto pick = torch::randint(static_cast<std::int64_t>(train.size()), {m_config.batch}, gen,
                                     torch::TensorOptions().dtype(torch::kInt64));  // [B] into train
    const auto train_t = torch::tensor(train, torch::kInt64);
    const auto index = train_t.index_select(0, pick);  // [B] sample indices
    const auto positions = data.positions.index_select(0, index);  // [B, 3]
    const auto target = m_pool.spectra().index_select(0, index.to(m_device));  // [B, H, W]
    m_net->train();
    return torch::mse_loss(forward(positions, index), target);
}

torch::Tensor KnnDlModel::predict(const torch::Tensor& positions, const torch::Tensor& exclude) {
    torch::NoGradGuard no_grad;
    m_net->eval();
    return forward(positions, exclude).clamp(0.0, 1.0);
}

void KnnDlModel::save(torch::serialize::OutputArchive& archive) const { m_net->save(archive); }

void KnnDlModel::load(torch::serialize::InputArchive& archive) {
    m_net->load(archive);
    m_net->to(m_device);
}

}  // namespace radiofield::models
