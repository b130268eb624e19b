// A study's evaluation: evaluate() through a wrapper that keeps what the study needs
// beyond the metrics (the strongest direction per sample, a few whole predictions).
#include "evaluation.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/scene/render.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/study/aoa.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/loop.hpp"
#include "report.hpp"

namespace radiofield::study {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

json read_json(const fs::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

// A model wrapper that lets evaluate() predict and keeps, per predicted sample, the
// strongest direction's cell (AoA) and, for a few samples, the whole prediction (figures).
class Recorder final : public train::Model {
public:
    Recorder(train::Model& inner, bool aoa, std::map<std::int64_t, std::size_t> keep)
        : m_inner(inner), m_aoa(aoa), m_keep(std::move(keep)) {}
    std::string name() const override { return m_inner.name(); }
    json config() const override { return m_inner.config(); }
    train::OutputKind output() const override { return m_inner.output(); }
    train::DataNeeds needs() const override { return m_inner.needs(); }
    train::Prediction predict(const train::Query& q) override {
        train::Prediction p = m_inner.predict(q);
        if (!q.exclude.defined())
            return p;
        const auto index = q.exclude.to(torch::kCPU).to(torch::kInt64);
        const bool first = m_first == nullptr || m_first == q.scene;
        m_first = m_first ? m_first : q.scene;
        if (p.kind == train::OutputKind::PathSet) {
            for (std::int64_t b = 0; b < q.size(); ++b) {
                const std::int64_t i = index[b].item<std::int64_t>();
                if (first && m_keep.count(i))
                    kept_paths[i] = p.paths[static_cast<std::size_t>(b)];
            }
            return p;
        }
        torch::Tensor peaks;
        if (m_aoa)
            peaks = p.spectra.flatten(1).argmax(1).to(torch::kCPU);
        for (std::int64_t b = 0; b < q.size(); ++b) {
            const std::int64_t i = index[b].item<std::int64_t>();
            if (m_aoa)
                peak[{q.scene, i}] = peaks[b].item<std::int64_t>();
            if (first && m_keep.count(i))
                kept[i] = p.spectra[b].to(torch::kCPU, torch::kFloat32).contiguous();
        }
        return p;
    }

    std::map<std::pair<const train::SceneData*, std::int64_t>, std::int64_t> peak;
    std::map<std::int64_t, torch::Tensor> kept;  // sample of the first dataset → [n_el, n_az]
    std::map<std::int64_t, train::PathSet> kept_paths;  // the same, for path sets

private:
    train::Model& m_inner;
    bool m_aoa;
    std::map<std::int64_t, std::size_t> m_keep;
    const train::SceneData* m_first = nullptr;
};

// The scene the dataset file embeds; Error naming the file when it embeds none.
scene::Scene embedded_scene(const std::string& file, const std::string& label) {
    const std::string json = data::DatasetReader(file).header().scene_json;
    if (json.empty())
        fail(
            "evaluation '{}': \"picture\" draws over the scene, and '{}' embeds none; make the "
            "data with radiofield simulate",
            label, file);
    return scene::scene_from_json_string(json, file);
}

// The true (dark, wide) and the predicted (orange) paths of one link over the top view.
scene::Image paths_picture(const scene::Scene& s,
                           const train::SceneData& data,
                           std::int64_t sample,
                           const train::PathSet& predicted,
                           const std::string& label) {
    const auto& c = data.context;
    const auto p = data.positions[sample];
    const Vec3 moving{p[0].item<double>(), p[1].item<double>(), p[2].item<double>()};
    const bool tx_moves = c.moving == "tx";
    const Vec3 tx = tx_moves ? moving : c.station_position;
    const Vec3 rx = tx_moves ? c.station_position : moving;
    scene::TopViewOptions o;
    o.title = fmt::format("{}: sample {}, {} true and {} predicted paths", label, sample,
                          data.paths[static_cast<std::size_t>(sample)].size(), predicted.size());
    const scene::Rgb truth{40, 40, 40}, pred{240, 120, 0};
    const auto add = [&](const train::PathSet& set, scene::Rgb colour, int width) {
        for (std::size_t k = 0; k < set.size(); ++k) {
            scene::Polyline line{{tx}, colour, width};
            if (set.has_points())
                line.points.insert(line.points.end(), set.points[k].begin(), set.points[k].end());
            line.points.push_back(rx);
            o.lines.push_back(std::move(line));
        }
    };
    add(data.paths[static_cast<std::size_t>(sample)], truth, 5);
    add(predicted, pred, 1);
    o.markers.push_back({tx, {220, 30, 30}, 6, true});
    o.markers.push_back({rx, {30, 170, 60}, 6, true});
    o.legend = {{"true paths", truth},
                {"predicted paths", pred},
                {"Tx", {220, 30, 30}, true},
                {"Rx", {30, 170, 60}, true}};
    return scene::render_top_view(s, o);
}

}  // namespace

json run_evaluation(const EvalJob& job) {
    const EvalSpec& e = *job.eval;
    const fs::path& path = job.out;
    const std::vector<std::string>& files = job.files;
    auto run = train::load_run(job.run_dir, job.device);
    const train::DataList data = run.load_data(files, run.config.train.mixed_conventions);
    // The figure samples: evenly spaced over the split of the first dataset.
    const auto split = data.front()->split_indices(e.split);
    std::map<std::int64_t, std::size_t> keep;
    for (std::size_t k : even_picks(split.size(), kFigureSamples))
        keep[split[k]] = keep.size();
    Recorder rec(*run.model, e.aoa, keep);
    train::EvalOptions eo;
    eo.split = e.split;
    eo.batch = e.batch;
    eo.lpips_weights = job.lpips_weights;
    eo.device = job.device;
    eo.skip_empty = data.size() > 1;
    const train::EvalResult result = train::evaluate(rec, data, eo);

    // metrics.json's layout, then what the study adds.
    const fs::path tmp = path.parent_path() / ("." + e.label + ".metrics.tmp.json");
    train::write_metrics_json(result,
                              {{"run", e.run},
                               {"model", run.config.model},
                               {"model_config", run.model->config()},
                               {"step", run.step},
                               {"data", files},
                               {"device", job.device.str()}},
                              tmp);
    json doc = read_json(tmp);
    fs::remove(tmp);
    doc["spec"] = job.spec;
    doc["label"] = e.label;
    doc["vars"] = e.vars;
    doc["metrics"] = json::array();
    for (const auto& m : result.metrics)
        doc["metrics"].push_back({{"name", m.name},
                                  {"unit", m.unit},
                                  {"higher_is_better", m.higher_is_better},
                                  {"description", m.description}});
    if (e.aoa) {
        std::vector<double> errors;
        for (std::size_t i = 0; i < result.samples.size(); ++i) {
            const auto& s = result.samples[i];
            const train::SceneData& scene = *data[s.dataset];
            const auto truth = scene.spectra[s.index].to(torch::kFloat32).contiguous().flatten();
            const std::int64_t cell = rec.peak.at({&scene, s.index});
            const auto& g = scene.context.grid;
            const Direction p{g.elevation_deg(static_cast<int>(cell / g.n_az)),
                              g.azimuth_deg(static_cast<int>(cell % g.n_az))};
            const double err =
                great_circle_deg(p, peak_direction({truth.data_ptr<float>(), g.size()}, g));
            doc["samples"][i]["aoa_error_deg"] = err;
            errors.push_back(err);
        }
        std::vector<double> sorted = errors;
        std::sort(sorted.begin(), sorted.end());
        double mean = 0;
        for (double v : errors)
            mean += v / static_cast<double>(errors.size());
        doc["summary"]["mean"]["aoa_error_deg"] = mean;
        doc["summary"]["median"]["aoa_error_deg"] =
            sorted.size() % 2 ? sorted[sorted.size() / 2]
                              : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
        doc["metrics"].push_back({{"name", "aoa_error_deg"},
                                  {"unit", "deg"},
                                  {"higher_is_better", false},
                                  {"description",
                                   "great-circle angle between the strongest directions of "
                                   "the predicted and the true spectrum"}});
    }
    // A few predictions for the report's side-by-side spectra (a one-dataset h5 file).
    if (!rec.kept.empty()) {
        const train::SceneData& scene = *data.front();
        data::Dataset d;
        const auto& c = scene.context;
        d.frequency_hz = c.frequency_hz, d.grid = c.grid, d.moving = c.moving;
        d.station_position = c.station_position, d.station_orientation = c.station_orientation;
        d.power_unit = "normalized";
        d.normalization = "model output (trained on per-sample min-max spectra)";
        std::vector<std::int64_t> indices;
        for (const auto& [i, t] : rec.kept) {
            indices.push_back(i);
            const auto p = scene.positions[i];
            d.positions.push_back({p[0].item<double>(), p[1].item<double>(), p[2].item<double>()});
            d.spectra.insert(d.spectra.end(), t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        }
        for (std::size_t k = 0; k < indices.size(); ++k)
            d.split.test.push_back(static_cast<std::int64_t>(k));
        d.attrs = {{"source", "radiofield study"},
                   {"evaluation", e.label},
                   {"sample_indices", indices},
                   {"dataset", files.front()}};
        data::write_dataset(d, path.parent_path() / (e.label + ".spectra.h5"), true);
        doc["figure_samples"] = indices;
    }
    if (e.picture) {
        const scene::Scene s = embedded_scene(files.front(), e.label);
        const fs::path png = path.parent_path() / (e.label + ".picture.png");
        if (auto* rf = dynamic_cast<models::Rf3dgsModel*>(run.model.get())) {
            scene::write_png(rf->gaussians_top_view(s), png);
        } else if (!rec.kept_paths.empty()) {
            const auto& [sample, predicted] = *rec.kept_paths.begin();
            scene::write_png(paths_picture(s, *data.front(), sample, predicted, e.label), png);
        } else {
            fail("evaluation '{}': nothing to draw (no path set kept from '{}')", e.label,
                 files.front());
        }
        doc["picture"] = png.filename().string();
    }
    write_json(path, doc);
    return doc;
}

void write_json(const std::filesystem::path& path, const nlohmann::json& j) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path());
        f << j.dump(2) << "\n";
        if (!f)
            fail("cannot write '{}' (is the folder writable?)", path.string());
    }
    out.commit();
}

}  // namespace radiofield::study
