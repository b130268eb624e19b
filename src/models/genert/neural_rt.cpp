// What GeNeRT, WiNeRT and LWDT share as trainable models (include/radiofield/models/
// neural_rt.hpp): settings, engines per dataset scene, the interaction records of the CIRs,
// the end-to-end matched-path loss and prediction.
#include "radiofield/models/neural_rt.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/train/query.hpp"

namespace radiofield::models {
namespace {

std::vector<Vec3> to_vecs(const torch::Tensor& positions) {  // [B, 3]
    const auto p = positions.to(torch::kCPU, torch::kFloat64).contiguous();
    const auto a = p.accessor<double, 2>();
    std::vector<Vec3> out;
    for (std::int64_t i = 0; i < p.size(0); ++i)
        out.push_back({a[i][0], a[i][1], a[i][2]});
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

torch::Tensor vec_tensor(const std::vector<double>& flat) {  // [N·3] → [N, 3]
    return torch::tensor(flat, torch::kFloat64).reshape({-1, 3});
}

}  // namespace

// ---- settings -------------------------------------------------------------------------------

std::vector<std::string_view> NeuralRtSettings::keys() {
    return {"rays_per_tx", "max_interactions", "min_power_db",   "reception_scale", "polarization",
            "batch",       "records_batch",    "delay_scale_ns", "angle_scale_deg", "max_cost"};
}

void NeuralRtSettings::read(const nlohmann::json& j,
                            std::initializer_list<std::string_view> own,
                            std::string_view where) {
    auto valid = keys();
    valid.insert(valid.end(), own.begin(), own.end());
    if (!j.is_null()) {
        if (!j.is_object())
            fail("{}: expected a JSON object, got {}", where, j.dump());
        for (const auto& [key, value] : j.items())
            if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
                std::string list;
                for (auto k : valid)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                fail("{}: unknown setting '{}'; valid settings: {}", where, key, list);
            }
    }
    rays_per_tx = get_or(j, "rays_per_tx", rays_per_tx, where);
    max_interactions = get_or(j, "max_interactions", max_interactions, where);
    min_power_db = get_or(j, "min_power_db", min_power_db, where);
    reception_scale = get_or(j, "reception_scale", reception_scale, where);
    polarization = get_or(j, "polarization", polarization, where);
    batch = get_or(j, "batch", batch, where);
    records_batch = get_or(j, "records_batch", records_batch, where);
    delay_scale_ns = get_or(j, "delay_scale_ns", delay_scale_ns, where);
    angle_scale_deg = get_or(j, "angle_scale_deg", angle_scale_deg, where);
    max_cost = get_or(j, "max_cost", max_cost, where);
    engine_options(1e9).validate();  // rays, depth, scale
    genert::parse_reference_polarisation(polarization);
    if (batch < 1)
        fail("{}: batch must be at least 1 link, got {}", where, batch);
    if (records_batch < 1)
        fail("{}: records_batch must be at least 1, got {}", where, records_batch);
    if (!(delay_scale_ns > 0) || !(angle_scale_deg > 0) || !(max_cost > 0))
        fail("{}: delay_scale_ns, angle_scale_deg and max_cost must be positive", where);
}

void NeuralRtSettings::write(nlohmann::json& j) const {
    j["rays_per_tx"] = rays_per_tx;
    j["max_interactions"] = max_interactions;
    j["min_power_db"] = min_power_db;
    j["reception_scale"] = reception_scale;
    j["polarization"] = polarization;
    j["batch"] = batch;
    j["records_batch"] = records_batch;
    j["delay_scale_ns"] = delay_scale_ns;
    j["angle_scale_deg"] = angle_scale_deg;
    j["max_cost"] = max_cost;
}

train::PathMatchOptions NeuralRtSettings::match_options() const {
    return {delay_scale_ns * 1e-9, deg2rad(angle_scale_deg), max_cost};
}

genert::EngineOptions NeuralRtSettings::engine_options(double frequency_hz) const {
    genert::EngineOptions o;
    o.frequency_hz = frequency_hz;
    o.rays_per_tx = rays_per_tx;
    o.max_interactions = max_interactions;
    o.min_power_db = min_power_db;
    o.reception_scale = reception_scale;
    o.polarisation = genert::parse_reference_polarisation(polarization);
    return o;
}

// ---- the shared model -----------------------------------------------------------------------

void NeuralRtModel::prepare(const std::vector<train::SceneContext>&, const train::DataList* data) {
    if (!data)
        return;  // a loaded run: the materials come with the checkpoint
    // The classes: every training scene's material families, in order of appearance.
    m_classes.clear();
    m_engines.clear();
    m_records.reset();
    for (const auto& d : *data)
        class_indices(scene_of(*d), m_classes, true, name(), d->source());
    for (const auto& d : *data)
        engine_for(*d);  // every scene readable, before any work
    if (needs_records())
        records(*data);  // Error when the data holds none
}

void NeuralRtModel::set_device(torch::Device device) {
    if (device == m_device)
        return;
    m_device = device;
    m_engines.clear();
    m_records.reset();
}

std::string material_class(const scene::Material& material) {
    const std::string& t = material.itu_type;
    if (t.empty())
        return material.name;
    const std::string ground = "_ground";
    if (t.size() > ground.size() && t.compare(t.size() - ground.size(), ground.size(), ground) == 0)
        return "ground";  // the humidity variants' ground types are one class
    return t;
}

std::vector<std::int64_t> class_indices(const scene::Scene& scene,
                                        std::vector<std::string>& classes,
                                        bool extend,
                                        std::string_view model,
                                        std::string_view source) {
    std::vector<std::int64_t> out;
    std::vector<std::string> unknown;
    for (const auto& m : scene.materials) {
        const std::string c = material_class(m);
        auto it = std::find(classes.begin(), classes.end(), c);
        if (it == classes.end() && extend) {
            classes.push_back(c);
            it = classes.end() - 1;
        }
        if (it == classes.end()) {
            unknown.push_back(m.name + " (" + c + ")");
            out.push_back(-1);
            continue;
        }
        const auto k = static_cast<std::int64_t>(it - classes.begin());
        if (const auto dup = std::find(out.begin(), out.end(), k); dup != out.end())
            fail(
                "{}: the scene of '{}' has two materials of the class '{}' ({} and {}); the "
                "model's semantic classes are material families, one material each per scene",
                model, source, c, scene.materials[static_cast<std::size_t>(dup - out.begin())].name,
                m.name);
        out.push_back(k);
    }
    if (!unknown.empty())
        fail(
            "{}: the scene of '{}' has materials of classes the model was not trained on: [{}]; "
            "it knows [{}] (material families: the ITU type, every ground type one class "
            "'ground', a custom material's name): use a scene of those materials, or train a "
            "model on this one",
            model, source, joined(unknown), joined(classes));
    return out;
}

scene::Scene NeuralRtModel::scene_of(const train::SceneData& data) const {
    const auto& source = data.source();
    std::string json;
    try {
        json = data::DatasetReader(source).header().scene_json;
    } catch (const Error& e) {
        fail(
            "{}: cannot read the scene of '{}' ({}); the model traces rays in the scene the "
            "dataset file embeds",
            name(), source, e.what());
    }
    if (json.empty())
        fail(
            "{}: '{}' embeds no scene, and the model traces rays in the dataset's scene; make "
            "the data with radiofield simulate --kind cir (it embeds the scene)",
            name(), source);
    return scene::scene_from_json_string(json, source);
}

const genert::Engine& NeuralRtModel::engine_for(const train::SceneData& data) {
    const auto& source = data.source();
    if (const auto it = m_engines.find(source); it != m_engines.end())
        return *it->second;
    scene::Scene s = scene_of(data);
    // The engine's scene has one material per class, in the model's class order, so that its
    // face classes are the network's; classes the scene lacks get a placeholder no face uses.
    const auto class_of = class_indices(s, m_classes, m_classes.empty(), name(), source);
    std::vector<scene::Material> by_class;
    for (const auto& c : m_classes)
        by_class.push_back(scene::custom_material("unused_class_" + c, 1.0, 0.0));
    for (std::size_t i = 0; i < s.materials.size(); ++i)
        by_class[static_cast<std::size_t>(class_of[i])] = s.materials[i];
    s.materials = std::move(by_class);
    for (auto& mesh : s.meshes)
        for (auto& m : mesh.material)
            m = static_cast<std::uint32_t>(class_of[m]);
    m_class_of[source] = class_of;
    auto engine = std::make_unique<genert::Engine>(
        s, m_settings.engine_options(data.context.frequency_hz), m_device);
    return *m_engines.emplace(source, std::move(engine)).first->second;
}

genert::EnginePaths NeuralRtModel::trace(const train::SceneData& data,
                                         const torch::Tensor& positions) {
    const auto& engine = engine_for(data);
    const auto moving = to_vecs(positions);
    const std::vector<Vec3> station{data.context.station_position};
    // Links l = tx · n_rx + rx: with one station, link b is the b-th moving end either way.
    return data.context.moving == "rx" ? engine.trace_with(station, moving, interaction(engine))
                                       : engine.trace_with(moving, station, interaction(engine));
}

torch::Tensor NeuralRtModel::end_to_end_loss(const train::DataList& data, torch::Generator& gen) {
    const auto batch = train::draw_training_batch(data, m_settings.batch, gen);
    const auto match_options = m_settings.match_options();
    std::vector<torch::Tensor> predicted;  // matched predicted coefficients, per dataset
    std::vector<double> true_re, true_im;
    for (std::size_t d = 0; d < data.size(); ++d) {
        if (batch[d].empty())
            continue;
        const auto& scene = *data[d];
        const auto idx = torch::tensor(batch[d], torch::kInt64);
        const auto paths = trace(scene, scene.positions.index_select(0, idx));
        std::vector<std::int64_t> rows;
        for (std::size_t b = 0; b < batch[d].size(); ++b) {
            const auto& truth = scene.paths[static_cast<std::size_t>(batch[d][b])];
            if (truth.elements() != 1)
                fail(
                    "{}: '{}' holds links of {} polarisation elements; the neural ray tracers "
                    "predict one (simulate with single-polarised antennas)",
                    name(), scene.source(), truth.elements());
            const auto pred = train::PathSet::from(paths.links[b]);
            const auto match = train::match_paths(truth, pred, match_options);
            for (std::size_t k = 0; k < truth.size(); ++k) {
                const int m = match.pred_of_true[k];
                // Line-of-sight predictions have no interaction: nothing to learn from them.
                if (m < 0 || pred.depth[static_cast<std::size_t>(m)] == 0 ||
                    std::norm(truth.a[k][0]) == 0)
                    continue;
                rows.push_back(paths.offset[b] + m);
                true_re.push_back(truth.a[k][0].real());
                true_im.push_back(truth.a[k][0].imag());
            }
        }
        if (!rows.empty())
            predicted.push_back(
                paths.a.index_select(0, torch::tensor(rows, torch::kInt64).to(paths.a.device())));
    }
    if (predicted.empty())
        return {};  // nothing matched: the caller returns a zero with a graph
    const auto p = torch::cat(predicted).to(torch::kComplexDouble);
    const auto t = torch::complex(torch::tensor(true_re, torch::kFloat64),
                                  torch::tensor(true_im, torch::kFloat64))
                       .to(p.device());
    // Per-path NMSE averaged over matched paths (the Overall error's form).
    return ((p - t).abs().square() / t.abs().square()).mean().to(torch::kFloat32);
}

const InteractionRecords& NeuralRtModel::records(const train::DataList& data) {
    if (m_records)
        return *m_records;
    std::vector<double> theta, te_re, te_im, tm_re, tm_im, dir, nrm, out;
    std::vector<std::int64_t> classes, faces;
    std::vector<std::string> sources;
    std::size_t reflections = 0;
    for (const auto& d : data) {
        const auto& engine = engine_for(*d);
        const auto& st = engine.scene_tensors();
        const auto& class_of = m_class_of.at(d->source());
        // Face row of (object, primitive): faces are in mesh order, then triangle order.
        std::vector<std::int64_t> first;
        for (std::size_t f = 0; f < st.object.size(); ++f)
            if (first.size() <= st.object[f])
                first.resize(st.object[f] + 1, static_cast<std::int64_t>(f));
        const auto normals = st.normals.to(torch::kCPU, torch::kFloat64).contiguous();
        const auto na = normals.accessor<double, 2>();
        const std::size_t before = classes.size();
        for (const auto i : d->split.train) {
            if (d->traced.empty())
                break;
            const auto& link = d->traced[static_cast<std::size_t>(i)];
            for (const auto& path : link.paths) {
                for (std::size_t m = 0; m < path.interactions.size(); ++m) {
                    const auto& it = path.interactions[m];
                    if (it.type != rt::InteractionType::Specular)
                        continue;
                    ++reflections;
                    if (std::norm(it.c_te) == 0 && std::norm(it.c_tm) == 0)
                        continue;  // no coefficients recorded
                    if (it.object >= first.size())
                        fail("{}: '{}' records a reflection on object {}, which its scene lacks",
                             name(), d->source(), it.object);
                    const auto f = first[it.object] + static_cast<std::int64_t>(it.primitive);
                    const Vec3 prev = m == 0 ? link.tx_position : path.interactions[m - 1].point;
                    const Vec3 next = m + 1 == path.interactions.size()
                                          ? link.rx_position
                                          : path.interactions[m + 1].point;
                    const Vec3 din = normalize(it.point - prev), dout = normalize(next - it.point);
                    Vec3 n{na[f][0], na[f][1], na[f][2]};
                    if (dot(din, n) > 0)
                        n = -1.0 * n;
                    theta.push_back(it.incidence_angle);
                    if (it.material >= class_of.size())
                        fail("{}: '{}' records a reflection on material {}, which its scene lacks",
                             name(), d->source(), it.material);
                    classes.push_back(class_of[it.material]);
                    faces.push_back(f);
                    te_re.push_back(it.c_te.real()), te_im.push_back(it.c_te.imag());
                    tm_re.push_back(it.c_tm.real()), tm_im.push_back(it.c_tm.imag());
                    dir.insert(dir.end(), {din.x, din.y, din.z});
                    nrm.insert(nrm.end(), {n.x, n.y, n.z});
                    out.insert(out.end(), {dout.x, dout.y, dout.z});
                }
            }
        }
        if (classes.size() > before)
            sources.push_back(d->source());
    }
    if (classes.empty()) {
        std::string files;
        for (const auto& d : data)
            files += (files.empty() ? "'" : ", '") + d->source() + "'";
        fail(
            "{}: fitting the interactions needs per-interaction records (each reflection's "
            "incidence angle and exact TE/TM coefficients), but the training split of {} holds "
            "{}; make CIR data with reflections (radiofield simulate --kind cir, max depth ≥ 1) "
            "or skip the record phases (their *_steps = 0)",
            name(), files,
            reflections == 0 ? "no reflected path" : "reflections without coefficients");
    }
    auto r = std::make_unique<InteractionRecords>();
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    auto on = [&](const torch::Tensor& t) { return t.to(m_device); };
    r->theta = on(torch::tensor(theta, torch::kFloat64).to(torch::kFloat32));
    r->classes = on(torch::tensor(classes, torch::kInt64));
    r->faces = on(torch::tensor(faces, torch::kInt64));
    r->r_perp = on(
        torch::complex(torch::tensor(te_re, torch::kFloat64), torch::tensor(te_im, torch::kFloat64))
            .to(torch::kComplexFloat));
    r->r_par = on(
        torch::complex(torch::tensor(tm_re, torch::kFloat64), torch::tensor(tm_im, torch::kFloat64))
            .to(torch::kComplexFloat));
    const auto d64 = vec_tensor(dir), n64 = vec_tensor(nrm);
    r->psi = on(genert::polarisation_offset(
                    d64, n64, genert::parse_reference_polarisation(m_settings.polarization))
                    .to(f32));
    r->direction = on(d64.to(f32));
    r->normal = on(n64.to(f32));
    r->outgoing = on(vec_tensor(out).to(f32));
    r->outgoing_angle = torch::stack(
        {(r->outgoing * r->normal).sum(1), torch::cross(r->outgoing, r->normal, 1).norm(2, 1)}, 1);
    r->sources = std::move(sources);
    log::info("{}: {} interaction records from the training data", name(), r->size());
    m_records = std::move(r);
    return *m_records;
}

torch::Tensor NeuralRtModel::draw_records(const train::DataList& data, torch::Generator& gen) {
    const auto n = records(data).size();
    return torch::randint(n, {static_cast<std::int64_t>(m_settings.records_batch)}, gen,
                          torch::TensorOptions().dtype(torch::kInt64))
        .to(m_device);
}

train::Prediction NeuralRtModel::predict(const train::Query& query) {
    torch::NoGradGuard no_grad;
    std::vector<train::PathSet> out;
    constexpr std::int64_t kChunk = 32;  // links per engine call
    for (std::int64_t b = 0; b < query.size(); b += kChunk) {
        const auto e = std::min(query.size(), b + kChunk);
        const auto paths = trace(*query.scene, query.positions.slice(0, b, e));
        for (const auto& link : paths.links)
            out.push_back(train::PathSet::from(link));
    }
    return train::Prediction::of_paths(std::move(out));
}

torch::Tensor NeuralRtModel::complex_nmse(const torch::Tensor& p, const torch::Tensor& t) {
    return (p - t).abs().square().sum() / t.abs().square().sum().clamp_min(1e-30);
}

torch::Tensor NeuralRtModel::zero_through(const std::vector<torch::Tensor>& params) {
    auto z = params.front().sum() * 0;
    for (std::size_t i = 1; i < params.size(); ++i)
        z = z + params[i].sum() * 0;
    return z;
}

void NeuralRtModel::save_common(torch::serialize::OutputArchive& archive) const {
    std::string names;
    for (const auto& c : m_classes)
        names += c + "\n";
    archive.write("classes", c10::IValue(names));
}

void NeuralRtModel::load_common(torch::serialize::InputArchive& archive) {
    // Runs saved before the classes were material families hold the material names
    // ("materials"); an ITU name there becomes its class.
    c10::IValue v;
    const bool legacy = !archive.try_read("classes", v);
    if (legacy)
        archive.read("materials", v);
    const auto names = v.toStringRef();
    m_classes.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == '\n') {
            std::string c = names.substr(start, i - start);
            if (legacy && c.rfind("itu_", 0) == 0) {
                try {
                    c = material_class(scene::itu_material(c));
                } catch (const Error&) {
                }
            }
            m_classes.push_back(c);
            start = i + 1;
        }
    // Engines and records are rebuilt with these classes (fine-tuning loads them after
    // prepare() built its own from the new training data).
    m_engines.clear();
    m_class_of.clear();
    m_records.reset();
}

void register_neural_rt() {
    train::register_model(
        "genert",
        "GeNeRT: neural ray tracing with a Fresnel-shaped interaction network (TE/TM branches, "
        "fusion), pre-trained on the CIRs' per-interaction records, then end-to-end",
        [](const nlohmann::json& c) {
            return std::make_unique<GenertModel>(GenertConfig::from_json(c));
        });
    train::register_model(
        "winert",
        "WiNeRT baseline: neural ray tracing with MLPs on absolute incident direction, normal "
        "and material (no polarisation structure)",
        [](const nlohmann::json& c) {
            return std::make_unique<WinertModel>(WinertConfig::from_json(c));
        });
    train::register_model(
        "lwdt",
        "LWDT baseline: neural ray tracing with one interaction MLP per scene object on "
        "relative features",
        [](const nlohmann::json& c) {
            return std::make_unique<LwdtModel>(LwdtConfig::from_json(c));
        });
}

}  // namespace radiofield::models
