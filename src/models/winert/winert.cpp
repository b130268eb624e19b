// "winert": the WiNeRT baseline (DESIGN.md §6.5) — interactions from MLPs on absolute
// geometry (incident direction, surface normal, material), no polarisation structure.
#include <algorithm>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/neural_rt.hpp"

namespace radiofield::models {
namespace {

constexpr std::string_view kWhere = "winert config";

torch::nn::Sequential mlp(std::int64_t in, std::int64_t hidden, std::int64_t out) {
    torch::nn::Sequential s(torch::nn::Linear(in, hidden), torch::nn::ReLU(),
                            torch::nn::Linear(hidden, hidden), torch::nn::ReLU(),
                            torch::nn::Linear(hidden, hidden), torch::nn::ReLU(),
                            torch::nn::Linear(hidden, out));
    torch::NoGradGuard no_grad;
    for (auto& p : s->named_parameters()) {
        if (p.key().ends_with("weight"))
            torch::nn::init::xavier_uniform_(p.value());
        else
            torch::nn::init::zeros_(p.value());
    }
    return s;
}

}  // namespace

WinertConfig WinertConfig::from_json(const nlohmann::json& j) {
    WinertConfig c;
    c.rt.read(j, {"num_classes", "hidden", "direction_steps", "end_to_end_steps"}, kWhere);
    c.num_classes = get_or(j, "num_classes", c.num_classes, kWhere);
    c.hidden = get_or(j, "hidden", c.hidden, kWhere);
    c.direction_steps = get_or(j, "direction_steps", c.direction_steps, kWhere);
    c.end_to_end_steps = get_or(j, "end_to_end_steps", c.end_to_end_steps, kWhere);
    if (c.num_classes < 1 || c.hidden < 1)
        fail("{}: num_classes and hidden must be at least 1", kWhere);
    if (c.direction_steps < -1 || c.end_to_end_steps < -1)
        fail("{}: a phase's steps must be ≥ 0, or −1 for the run's --steps", kWhere);
    return c;
}

nlohmann::json WinertConfig::to_json() const {
    nlohmann::json j = {{"num_classes", num_classes},
                        {"hidden", hidden},
                        {"direction_steps", direction_steps},
                        {"end_to_end_steps", end_to_end_steps}};
    rt.write(j);
    return j;
}

WinertModel::WinertModel(WinertConfig config)
    : NeuralRtModel(config.rt),
      m_config(std::move(config)),
      m_direction(mlp(6 + m_config.num_classes, m_config.hidden, 3)),
      m_coefficient(mlp(6 + m_config.num_classes, m_config.hidden, 2)) {}

torch::Tensor WinertModel::features(const torch::Tensor& direction,
                                    const torch::Tensor& normal,
                                    const torch::Tensor& classes) const {
    const auto opts = m_direction->parameters().front().options();
    const auto c = classes.to(opts.device(), torch::kInt64);
    if (c.numel() > 0 && c.max().item<std::int64_t>() >= m_config.num_classes)
        fail("winert: material index {} out of range; the model has num_classes = {}",
             c.max().item<std::int64_t>(), m_config.num_classes);
    return torch::cat(
        {direction.to(opts), normal.to(opts), torch::one_hot(c, m_config.num_classes).to(opts)}, 1);
}

std::vector<train::ParamGroup> WinertModel::parameter_groups() {
    return {{"direction", m_direction->parameters()}, {"coefficient", m_coefficient->parameters()}};
}

std::vector<train::Phase> WinertModel::phases() const {
    const auto paths = train::DataView::Paths;
    return {{"fit_direction", m_config.direction_steps, {"direction"}, paths},
            {"end_to_end", m_config.end_to_end_steps, {"coefficient"}, paths}};
}

torch::Tensor WinertModel::training_loss(const train::DataList& data,
                                         const train::Phase& phase,
                                         torch::Generator& gen) {
    if (phase.name == "end_to_end") {
        auto loss = end_to_end_loss(data, gen);
        return loss.defined() ? loss : zero_through(m_coefficient->parameters());
    }
    const auto& r = records(data);
    const auto index = draw_records(data, gen);
    const auto x = features(r.direction.index_select(0, index), r.normal.index_select(0, index),
                            r.classes.index_select(0, index));
    const auto d = m_direction->forward(x);
    const auto d_unit = d / d.norm(2, 1, true).clamp_min(1e-12);
    return (d_unit - r.outgoing.index_select(0, index)).square().sum(1).mean();
}

genert::InteractionFn WinertModel::interaction(const genert::Engine&) {
    return [this](const genert::InteractionInput& in) {
        const auto x = features(in.direction, in.normal, in.classes);
        genert::InteractionOutput out;
        out.direction = m_direction->forward(x);
        const auto c = m_coefficient->forward(x);
        out.coefficient = torch::complex(c.select(1, 0), c.select(1, 1));
        // No polarisation structure: the records of a predicted path carry Γ as both.
        out.r_par = out.r_perp = out.coefficient;
        out.outgoing = torch::zeros({x.size(0), 2}, x.options());  // unused: direction is set
        return out;
    };
}

void WinertModel::set_device(torch::Device device) {
    NeuralRtModel::set_device(device);
    m_direction->to(device);
    m_coefficient->to(device);
}

void WinertModel::save(torch::serialize::OutputArchive& archive) const {
    torch::serialize::OutputArchive dir, coef;
    m_direction->save(dir);
    m_coefficient->save(coef);
    archive.write("direction", dir);
    archive.write("coefficient", coef);
    save_common(archive);
}

void WinertModel::load(torch::serialize::InputArchive& archive) {
    torch::serialize::InputArchive dir, coef;
    archive.read("direction", dir);
    archive.read("coefficient", coef);
    m_direction->load(dir);
    m_coefficient->load(coef);
    m_direction->to(m_device);
    m_coefficient->to(m_device);
    load_common(archive);
}

}  // namespace radiofield::models
