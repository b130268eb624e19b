// "genert": GeNeRT's two-stage training as phases of the learning core (paper §III-C,
// DESIGN.md §6.5): module-wise pre-training on the CIRs' per-interaction records, then
// end-to-end on the CIRs with only the fusion module learning (or every module: the paper's
// "without pre-training" ablation).
#include <algorithm>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/neural_rt.hpp"

namespace radiofield::models {
namespace {

constexpr std::string_view kWhere = "genert config";

}  // namespace

GenertConfig GenertConfig::from_json(const nlohmann::json& j) {
    GenertConfig c;
    c.rt.read(j,
              {"num_classes", "residual", "pretrain_te_steps", "pretrain_tm_steps",
               "pretrain_angle_steps", "end_to_end_steps", "pretrain_lr", "end_to_end_trains"},
              kWhere);
    c.net.num_classes = get_or(j, "num_classes", c.net.num_classes, kWhere);
    c.net.residual = get_or(j, "residual", c.net.residual, kWhere);
    c.pretrain_te_steps = get_or(j, "pretrain_te_steps", c.pretrain_te_steps, kWhere);
    c.pretrain_tm_steps = get_or(j, "pretrain_tm_steps", c.pretrain_tm_steps, kWhere);
    c.pretrain_angle_steps = get_or(j, "pretrain_angle_steps", c.pretrain_angle_steps, kWhere);
    c.end_to_end_steps = get_or(j, "end_to_end_steps", c.end_to_end_steps, kWhere);
    c.pretrain_lr = get_or(j, "pretrain_lr", c.pretrain_lr, kWhere);
    c.end_to_end_trains = get_or(j, "end_to_end_trains", c.end_to_end_trains, kWhere);
    if (c.end_to_end_trains != "fusion" && c.end_to_end_trains != "all")
        fail(
            "{}: end_to_end_trains must be \"fusion\" (after pre-training) or \"all\" (every "
            "module, as without pre-training), got '{}'",
            kWhere, c.end_to_end_trains);
    if (c.net.num_classes < 1)
        fail("{}: num_classes must be at least 1, got {}", kWhere, c.net.num_classes);
    for (const auto s :
         {c.pretrain_te_steps, c.pretrain_tm_steps, c.pretrain_angle_steps, c.end_to_end_steps})
        if (s < -1)
            fail("{}: a phase's steps must be ≥ 0, or −1 for the run's --steps; got {}", kWhere, s);
    if (!(c.pretrain_lr > 0))
        fail("{}: pretrain_lr must be positive, got {}", kWhere, c.pretrain_lr);
    return c;
}

nlohmann::json GenertConfig::to_json() const {
    nlohmann::json j = {{"num_classes", net.num_classes},
                        {"residual", net.residual},
                        {"pretrain_te_steps", pretrain_te_steps},
                        {"pretrain_tm_steps", pretrain_tm_steps},
                        {"pretrain_angle_steps", pretrain_angle_steps},
                        {"end_to_end_steps", end_to_end_steps},
                        {"pretrain_lr", pretrain_lr},
                        {"end_to_end_trains", end_to_end_trains}};
    rt.write(j);
    return j;
}

GenertModel::GenertModel(GenertConfig config)
    : NeuralRtModel(config.rt), m_config(std::move(config)), m_net(m_config.net) {}

bool GenertModel::needs_records() const {
    return m_config.pretrain_te_steps != 0 || m_config.pretrain_tm_steps != 0 ||
           m_config.pretrain_angle_steps != 0;
}

std::vector<train::ParamGroup> GenertModel::parameter_groups() {
    std::vector<train::ParamGroup> groups;
    for (const auto name : genert::OutgoingRayNetImpl::module_names()) {
        const bool pre = name != "fusion";
        groups.emplace_back(std::string(name), m_net->module_parameters(name),
                            pre ? std::optional<double>(m_config.pretrain_lr) : std::nullopt);
    }
    return groups;
}

std::vector<train::Phase> GenertModel::phases() const {
    const auto paths = train::DataView::Paths;
    std::vector<std::string> end_to_end{"fusion"};
    if (m_config.end_to_end_trains == "all") {
        end_to_end.clear();
        for (const auto name : genert::OutgoingRayNetImpl::module_names())
            end_to_end.emplace_back(name);
    }
    return {{"pretrain_te", m_config.pretrain_te_steps, {"embedding", "latent", "r_perp"}, paths},
            {"pretrain_tm", m_config.pretrain_tm_steps, {"r_par"}, paths},
            {"pretrain_angle", m_config.pretrain_angle_steps, {"angle"}, paths},
            {"end_to_end", m_config.end_to_end_steps, end_to_end, paths}};
}

namespace {

genert::InteractionInput record_input(const InteractionRecords& r, const torch::Tensor& index) {
    const auto theta = r.theta.index_select(0, index);
    return {theta,
            r.classes.index_select(0, index),
            r.psi.index_select(0, index),
            torch::ones_like(theta).to(torch::kComplexFloat),
            {},
            {},
            {}};
}

}  // namespace

torch::Tensor GenertModel::te_loss(const InteractionRecords& r, const torch::Tensor& index) {
    const auto out = m_net->forward(record_input(r, index));
    return complex_nmse(out.r_perp, r.r_perp.index_select(0, index));
}

torch::Tensor GenertModel::tm_loss(const InteractionRecords& r, const torch::Tensor& index) {
    const auto out = m_net->forward(record_input(r, index));
    return complex_nmse(out.r_par, r.r_par.index_select(0, index));
}

torch::Tensor GenertModel::angle_loss(const InteractionRecords& r, const torch::Tensor& index) {
    const auto out = m_net->forward(record_input(r, index));
    // The records' outgoing angle from the normal (InteractionRecords::outgoing_angle).
    const auto target = r.outgoing_angle.index_select(0, index);
    return (out.outgoing - target).square().sum(1).mean();
}

torch::Tensor GenertModel::training_loss(const train::DataList& data,
                                         const train::Phase& phase,
                                         torch::Generator& gen) {
    if (phase.name == "end_to_end") {
        auto loss = end_to_end_loss(data, gen);
        return loss.defined() ? loss : zero_through(m_net->parameters());
    }
    const auto& r = records(data);
    const auto index = draw_records(data, gen);
    if (phase.name == "pretrain_te")
        return te_loss(r, index);
    if (phase.name == "pretrain_tm")
        return tm_loss(r, index);
    if (phase.name == "pretrain_angle")
        return angle_loss(r, index);
    fail("genert: no phase '{}'", phase.name);
}

genert::InteractionFn GenertModel::interaction(const genert::Engine& engine) {
    const auto classes = engine.scene_tensors().classes;
    if (classes.numel() > 0 && classes.max().item<std::int64_t>() >= m_config.net.num_classes)
        fail(
            "genert: the scene has material index {} but the network only {} classes; train "
            "with num_classes above it",
            classes.max().item<std::int64_t>(), m_config.net.num_classes);
    return [this](const genert::InteractionInput& in) { return m_net->forward(in); };
}

void GenertModel::set_device(torch::Device device) {
    NeuralRtModel::set_device(device);
    m_net->to(device);
}

namespace {

// Archive key of a network parameter: "net_" + its dotted name with '_' (a nested archive
// would name a submodule "in", which TorchScript cannot read back).
std::string param_key(const std::string& name) {
    std::string key = "net_" + name;
    std::replace(key.begin(), key.end(), '.', '_');
    return key;
}

}  // namespace

void GenertModel::save(torch::serialize::OutputArchive& archive) const {
    for (const auto& p : m_net->named_parameters())
        archive.write(param_key(p.key()), p.value());
    save_common(archive);
}

void GenertModel::load(torch::serialize::InputArchive& archive) {
    torch::NoGradGuard no_grad;
    for (auto& p : m_net->named_parameters()) {
        torch::Tensor t;
        archive.read(param_key(p.key()), t);
        if (!t.sizes().equals(p.value().sizes()))
            fail(
                "genert: the checkpoint's {} holds {} values but the network's {}; use the "
                "run's settings",
                p.key(), t.numel(), p.value().numel());
        p.value().copy_(t);
    }
    m_net->to(m_device);
    load_common(archive);
}

}  // namespace radiofield::models
