// "lwdt": the LWDT baseline (DESIGN.md §6.5) — one neural interaction per scene object on
// relative features (incidence angle and polarisation offset).
#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/neural_rt.hpp"
#include "radiofield/nn/encoding.hpp"

namespace radiofield::models {
namespace {

constexpr std::string_view kWhere = "lwdt config";

// Per-object weights [O, in, out] Xavier-uniform (per object) and biases [O, out] zero.
std::vector<torch::Tensor> per_object_mlp(std::int64_t objects,
                                          std::int64_t in,
                                          std::int64_t hidden,
                                          std::int64_t out) {
    std::vector<torch::Tensor> w;
    const std::int64_t sizes[] = {in, hidden, hidden, out};
    for (int l = 0; l < 3; ++l) {
        const double bound = std::sqrt(6.0 / static_cast<double>(sizes[l] + sizes[l + 1]));
        w.push_back(
            (torch::rand({objects, sizes[l], sizes[l + 1]}) * 2 - 1).mul(bound).requires_grad_());
        w.push_back(torch::zeros({objects, sizes[l + 1]}).requires_grad_());
    }
    return w;
}

}  // namespace

LwdtConfig LwdtConfig::from_json(const nlohmann::json& j) {
    LwdtConfig c;
    c.rt.read(j, {"angle_freqs", "hidden", "objects", "direction_steps", "end_to_end_steps"},
              kWhere);
    c.angle_freqs = get_or(j, "angle_freqs", c.angle_freqs, kWhere);
    c.hidden = get_or(j, "hidden", c.hidden, kWhere);
    c.objects = get_or(j, "objects", c.objects, kWhere);
    c.direction_steps = get_or(j, "direction_steps", c.direction_steps, kWhere);
    c.end_to_end_steps = get_or(j, "end_to_end_steps", c.end_to_end_steps, kWhere);
    if (c.angle_freqs < 0 || c.angle_freqs > 16 || c.hidden < 1 || c.objects < 0)
        fail("{}: angle_freqs must be in 0..16, hidden ≥ 1 and objects ≥ 0", kWhere);
    if (c.direction_steps < -1 || c.end_to_end_steps < -1)
        fail("{}: a phase's steps must be ≥ 0, or −1 for the run's --steps", kWhere);
    return c;
}

nlohmann::json LwdtConfig::to_json() const {
    nlohmann::json j = {{"angle_freqs", angle_freqs},
                        {"hidden", hidden},
                        {"objects", objects},
                        {"direction_steps", direction_steps},
                        {"end_to_end_steps", end_to_end_steps}};
    rt.write(j);
    return j;
}

LwdtModel::LwdtModel(LwdtConfig config) : NeuralRtModel(config.rt), m_config(std::move(config)) {
    build(std::max<std::int64_t>(1, m_config.objects));
}

void LwdtModel::build(std::int64_t objects) {
    const auto in = 2 * nn::positional_encoding_dims(1, m_config.angle_freqs);
    m_direction = per_object_mlp(objects, in, m_config.hidden, 2);
    m_coefficient = per_object_mlp(objects, in, m_config.hidden, 2);
    for (auto* w : {&m_direction, &m_coefficient})
        for (auto& t : *w)
            t = t.detach().to(m_device).requires_grad_();
    m_face_object.clear();
}

void LwdtModel::prepare(const std::vector<train::SceneContext>& contexts,
                        const train::DataList* data) {
    if (data && !data->empty() && m_config.objects == 0) {
        // One interaction per object of the training scene (all datasets share its family).
        const auto& engine = engine_for(*data->front());
        std::int64_t objects = 0;
        for (const auto o : engine.scene_tensors().object)
            objects = std::max<std::int64_t>(objects, o + 1);
        if (objects != m_direction.front().size(0))
            build(objects);
    }
    NeuralRtModel::prepare(contexts, data);
}

std::vector<train::ParamGroup> LwdtModel::parameter_groups() {
    return {{"direction", m_direction}, {"coefficient", m_coefficient}};
}

std::vector<train::Phase> LwdtModel::phases() const {
    const auto paths = train::DataView::Paths;
    return {{"fit_direction", m_config.direction_steps, {"direction"}, paths},
            {"end_to_end", m_config.end_to_end_steps, {"coefficient"}, paths}};
}

torch::Tensor LwdtModel::features(const torch::Tensor& theta, const torch::Tensor& psi) const {
    const auto opts = m_direction.front().options();
    return torch::cat({nn::positional_encoding(theta.to(opts).unsqueeze(1), m_config.angle_freqs),
                       nn::positional_encoding(psi.to(opts).unsqueeze(1), m_config.angle_freqs)},
                      1);
}

torch::Tensor LwdtModel::apply(const std::vector<torch::Tensor>& w,
                               const torch::Tensor& x,
                               const torch::Tensor& obj) const {
    auto out = torch::zeros({x.size(0), 2}, x.options());
    if (x.size(0) == 0)
        return out;
    const auto present = std::get<0>(torch::_unique(obj.to(torch::kCPU))).contiguous();
    const auto* o = present.data_ptr<std::int64_t>();
    for (std::int64_t k = 0; k < present.numel(); ++k) {
        const auto rows = (obj == o[k]).nonzero().squeeze(1);
        auto h = x.index_select(0, rows);
        for (int l = 0; l < 3; ++l) {
            h = torch::addmm(w[2 * l + 1][o[k]], h, w[2 * l][o[k]]);
            if (l < 2)
                h = torch::relu(h);
        }
        out = out.index_copy(0, rows, h);
    }
    return out;
}

torch::Tensor LwdtModel::objects_of(const genert::Engine& engine, const torch::Tensor& faces) {
    auto it = m_face_object.find(&engine);
    if (it == m_face_object.end()) {
        const auto& object = engine.scene_tensors().object;
        std::vector<std::int64_t> map(object.begin(), object.end());
        const auto have = m_direction.front().size(0);
        for (const auto o : map)
            if (o >= have)
                fail(
                    "lwdt: the scene has object {} but the model has {} object interactions; "
                    "LWDT belongs to the scene it was trained on",
                    o, have);
        it = m_face_object.emplace(&engine, torch::tensor(map, torch::kInt64).to(m_device)).first;
    }
    return it->second.index_select(0, faces.to(m_device, torch::kInt64));
}

torch::Tensor LwdtModel::training_loss(const train::DataList& data,
                                       const train::Phase& phase,
                                       torch::Generator& gen) {
    if (phase.name == "end_to_end") {
        auto loss = end_to_end_loss(data, gen);
        return loss.defined() ? loss : zero_through(m_coefficient);
    }
    const auto& r = records(data);
    const auto index = draw_records(data, gen);
    const auto& engine = engine_for(*data.front());
    const auto obj = objects_of(engine, r.faces.index_select(0, index));
    const auto y = apply(
        m_direction, features(r.theta.index_select(0, index), r.psi.index_select(0, index)), obj);
    const auto pred = y / y.norm(2, 1, true).clamp_min(1e-12);
    const auto target = r.outgoing_angle.index_select(0, index);
    return (pred - target).square().sum(1).mean();
}

genert::InteractionFn LwdtModel::interaction(const genert::Engine& engine) {
    return [this, &engine](const genert::InteractionInput& in) {
        const auto x = features(in.theta_i, in.psi);
        const auto obj = objects_of(engine, in.faces);
        genert::InteractionOutput out;
        const auto y = apply(m_direction, x, obj);
        out.outgoing = y / y.norm(2, 1, true).clamp_min(1e-12);
        const auto c = apply(m_coefficient, x, obj);
        out.coefficient = torch::complex(c.select(1, 0), c.select(1, 1));
        out.r_par = out.r_perp = out.coefficient;  // no polarisation structure in the records
        return out;
    };
}

void LwdtModel::set_device(torch::Device device) {
    NeuralRtModel::set_device(device);
    for (auto* w : {&m_direction, &m_coefficient})
        for (auto& t : *w)
            t = t.detach().to(device).requires_grad_();
    m_face_object.clear();
}

void LwdtModel::save(torch::serialize::OutputArchive& archive) const {
    for (std::size_t i = 0; i < m_direction.size(); ++i) {
        archive.write("direction_" + std::to_string(i), m_direction[i]);
        archive.write("coefficient_" + std::to_string(i), m_coefficient[i]);
    }
    save_common(archive);
}

void LwdtModel::load(torch::serialize::InputArchive& archive) {
    // The checkpoint's shapes win (a loaded run learns its object count here).
    for (std::size_t i = 0; i < m_direction.size(); ++i) {
        torch::Tensor d, c;
        archive.read("direction_" + std::to_string(i), d);
        archive.read("coefficient_" + std::to_string(i), c);
        m_direction[i] = d.detach().to(m_device).requires_grad_();
        m_coefficient[i] = c.detach().to(m_device).requires_grad_();
    }
    m_face_object.clear();
    load_common(archive);
}

}  // namespace radiofield::models
