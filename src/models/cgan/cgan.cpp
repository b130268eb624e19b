// The CGAN baseline (include/radiofield/models/cgan.hpp has the architecture).
#include "radiofield/models/cgan.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield::models {
namespace F = torch::nn::functional;

CganConfig CganConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "cgan config";
    check_keys(j, {"channels", "noise_dim", "l1_weight", "lr", "batch"}, where);
    CganConfig c;
    c.channels = get_or(j, "channels", c.channels, where);
    c.noise_dim = get_or(j, "noise_dim", c.noise_dim, where);
    c.l1_weight = get_or(j, "l1_weight", c.l1_weight, where);
    c.lr = get_or(j, "lr", c.lr, where);
    c.batch = get_or(j, "batch", c.batch, where);
    if (c.channels < 1 || c.noise_dim < 0 || c.batch < 1 || !(c.l1_weight >= 0) || !(c.lr > 0))
        fail("{}: need channels ≥ 1, noise_dim ≥ 0, batch ≥ 1, l1_weight ≥ 0, lr > 0", where);
    return c;
}

nlohmann::json CganConfig::to_json() const {
    return {{"channels", channels},
            {"noise_dim", noise_dim},
            {"l1_weight", l1_weight},
            {"lr", lr},
            {"batch", batch}};
}

CganGeneratorImpl::CganGeneratorImpl(const CganConfig& config, int height, int width)
    : height(height), width(width), h0((height + 7) / 8), w0((width + 7) / 8) {
    const int c = config.channels;
    c0 = 4 * c;
    input = register_module("input", torch::nn::Linear(3 + config.noise_dim, c0 * h0 * w0));
    auto up = [](int in, int out) {
        return torch::nn::ConvTranspose2d(
            torch::nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1));
    };
    body = register_module(
        "body",
        torch::nn::Sequential(up(c0, 2 * c), torch::nn::ReLU(), up(2 * c, c), torch::nn::ReLU(),
                              up(c, c), torch::nn::ReLU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(c, 1, 3).padding(1)),
                              torch::nn::Sigmoid()));
}

torch::Tensor CganGeneratorImpl::forward(const torch::Tensor& position, const torch::Tensor& z) {
    const auto x = torch::relu(input->forward(torch::cat({position, z}, 1))).view({-1, c0, h0, w0});
    return body->forward(x).squeeze(1).narrow(1, 0, height).narrow(2, 0, width);  // [B, H, W]
}

CganDiscriminatorImpl::CganDiscriminatorImpl(const CganConfig& config) {
    const int c = config.channels;
    auto down = [](int in, int out) {
        return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 4).stride(2).padding(1));
    };
    auto leaky = [] {
        return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2));
    };
    body = register_module(
        "body", torch::nn::Sequential(
                    down(4, c), leaky(), down(c, 2 * c), leaky(), down(2 * c, 4 * c), leaky(),
                    torch::nn::Conv2d(torch::nn::Conv2dOptions(4 * c, 1, 3).padding(1))));
}

torch::Tensor CganDiscriminatorImpl::forward(const torch::Tensor& spectra,
                                             const torch::Tensor& position) {
    const auto b = spectra.size(0), h = spectra.size(1), w = spectra.size(2);
    const auto planes = position.view({b, 3, 1, 1}).expand({b, 3, h, w});
    return body->forward(torch::cat({spectra.unsqueeze(1), planes}, 1)).squeeze(1);
}

CganModel::CganModel(CganConfig config) : m_config(std::move(config)) {}

void CganModel::prepare(const std::vector<train::SceneContext>& contexts, const train::DataList*) {
    if (contexts.empty())
        fail("cgan: no training dataset to take the spectrum grid from");
    m_grid = contexts.front().grid;
    if (m_grid.n_el < 8 || m_grid.n_az < 8)
        fail("cgan: the spectrum grid {}x{} is too small for the patch discriminator (≥ 8x8)",
             m_grid.n_el, m_grid.n_az);
    Vec3 lo = contexts.front().lo, hi = contexts.front().hi;
    for (const auto& c : contexts)
        lo = min(lo, c.lo), hi = max(hi, c.hi);
    m_lo = torch::tensor({lo.x, lo.y, lo.z}, torch::kFloat32).to(m_device);
    m_hi = torch::tensor({hi.x, hi.y, hi.z}, torch::kFloat32).to(m_device);
    m_g = CganGenerator(m_config, m_grid.n_el, m_grid.n_az);
    m_d = CganDiscriminator(m_config);
    m_g->to(m_device), m_d->to(m_device);
    m_data_key = nullptr;
}

torch::Tensor CganModel::scaled(const torch::Tensor& positions) const {
    const auto p = positions.to(m_device, torch::kFloat32);
    return 2 * (p - m_lo) / torch::clamp_min(m_hi - m_lo, 1e-6) - 1;
}

std::vector<train::ParamGroup> CganModel::parameter_groups() {
    if (!m_g)
        fail("cgan: call prepare() before training");
    return {{"generator", m_g->parameters(), m_config.lr, 0.0},
            {"discriminator", m_d->parameters(), m_config.lr, 0.0}};
}

torch::Tensor CganModel::training_loss(const train::DataList& data,
                                       const train::Phase&,
                                       torch::Generator& gen) {
    if (m_data_key != static_cast<const void*>(data.data())) {
        std::vector<torch::Tensor> spectra, positions;
        std::vector<std::int64_t> train;
        std::int64_t offset = 0;
        for (const auto& d : data) {
            if (!(d->context.grid == m_grid))
                fail("cgan: '{}' has another spectrum grid than the prepared one", d->source());
            spectra.push_back(d->spectra), positions.push_back(d->positions);
            for (auto i : d->split.train)
                train.push_back(i + offset);
            offset += d->size();
        }
        if (train.empty())
            fail("cgan: the training split is empty");
        m_spectra = torch::cat(spectra).to(m_device, torch::kFloat32);
        m_positions = torch::cat(positions).to(m_device, torch::kFloat32);
        m_train = torch::tensor(train, torch::kLong);
        m_data_key = data.data();
    }
    const auto b = m_config.batch;
    const auto pick = torch::randint(m_train.size(0), {b}, gen, torch::kLong);
    const auto sample = m_train.index_select(0, pick).to(m_device);
    const auto real = m_spectra.index_select(0, sample);
    const auto pos = scaled(m_positions.index_select(0, sample));
    const auto z = torch::randn({b, m_config.noise_dim}, gen, torch::kFloat32).to(m_device);
    const auto fake = m_g->forward(pos, z);
    // Discriminator: its own loss and gradient, kept for after_backward.
    const auto real_logit = m_d->forward(real, pos);
    const auto fake_logit = m_d->forward(fake.detach(), pos);
    const auto d_loss =
        0.5 * (F::binary_cross_entropy_with_logits(real_logit, torch::ones_like(real_logit)) +
               F::binary_cross_entropy_with_logits(fake_logit, torch::zeros_like(fake_logit)));
    m_d_grads = torch::autograd::grad({d_loss}, m_d->parameters());
    m_d_loss = d_loss.item<double>();
    // Generator: fool the discriminator, stay close to the measurement.
    const auto judged = m_d->forward(fake, pos);
    return F::binary_cross_entropy_with_logits(judged, torch::ones_like(judged)) +
           m_config.l1_weight * (fake - real).abs().mean();
}

void CganModel::after_backward(train::StepContext&) {
    // The generator's loss left gradients on the discriminator: replace them by its own.
    auto params = m_d->parameters();
    for (std::size_t i = 0; i < params.size() && i < m_d_grads.size(); ++i)
        params[i].mutable_grad() = m_d_grads[i].detach();
    m_d_grads.clear();
}

torch::Tensor CganModel::predict_positions(const torch::Tensor& positions) {
    if (!m_g)
        fail("cgan: call prepare() or load a trained run before predicting");
    torch::NoGradGuard no_grad;
    const auto z = torch::zeros({positions.size(0), m_config.noise_dim},
                                torch::TensorOptions().device(m_device));
    return m_g->forward(scaled(positions), z).cpu();
}

train::Prediction CganModel::predict(const train::Query& query) {
    if (query.scene != nullptr && !(query.scene->context.grid == m_grid))
        fail("cgan: '{}' has another spectrum grid than the trained one", query.scene->source());
    return train::Prediction::of_spectra(predict_positions(query.positions));
}

void CganModel::set_device(torch::Device device) {
    device = torch::empty({0}, torch::TensorOptions().device(device)).device();
    m_device = device;
    if (m_g)
        m_g->to(device), m_d->to(device);
    if (m_lo.defined())
        m_lo = m_lo.to(device), m_hi = m_hi.to(device);
    m_data_key = nullptr;
}

void CganModel::save(torch::serialize::OutputArchive& archive) const {
    torch::serialize::OutputArchive g, d;
    m_g->save(g);
    m_d->save(d);
    archive.write("generator", g);
    archive.write("discriminator", d);
    archive.write("box", torch::cat({m_lo, m_hi}).cpu());
}

void CganModel::load(torch::serialize::InputArchive& archive) {
    if (!m_g)
        fail("cgan: call prepare() before loading a checkpoint");
    torch::serialize::InputArchive g, d;
    archive.read("generator", g);
    archive.read("discriminator", d);
    m_g->load(g);
    m_d->load(d);
    torch::Tensor box;
    archive.read("box", box);
    m_lo = box.narrow(0, 0, 3).to(m_device), m_hi = box.narrow(0, 3, 3).to(m_device);
    m_g->to(m_device), m_d->to(m_device);
}

void register_cgan() {
    train::register_model("cgan",
                          "CGAN baseline: a conditional GAN from the moving end's position to the "
                          "spectrum (transposed-convolution generator, patch discriminator)",
                          [](const nlohmann::json& c) {
                              return std::make_unique<CganModel>(CganConfig::from_json(c));
                          });
}

}  // namespace radiofield::models
