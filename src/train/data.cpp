// Datasets for learning: contexts, agreement checks, views, and loading with every check
// before any work.
#include "radiofield/train/data.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "context_json.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/nn/ops.hpp"
#include "radiofield/train/query.hpp"

namespace radiofield::train {
std::string_view to_string(DataView view) {
    switch (view) {
        case DataView::Spectra:
            return "spectra";
        case DataView::Paths:
            return "paths";
        case DataView::Images:
            return "images";
    }
    return "?";
}

bool SceneData::has(DataView view) const {
    switch (view) {
        case DataView::Spectra:
            return spectra.defined();
        case DataView::Paths:
            return !paths.empty() || size() == 0;
        case DataView::Images:
            return false;  // no dataset holds camera images yet
    }
    return false;
}

const torch::Tensor& SceneData::spectra_on(torch::Device device) const {
    if (!spectra.defined())
        fail("'{}' holds no spectra", source());
    if (device.is_cpu())
        return spectra;
    std::lock_guard lock(m_mutex);
    auto& t = m_spectra_on[device.str()];
    if (!t.defined())
        t = spectra.to(device);
    return t;
}

std::vector<std::int64_t> SceneData::split_indices(std::string_view name) const {
    if (name == "train")
        return split.train;
    if (name == "val")
        return split.val;
    if (name == "test")
        return split.test;
    if (name == "all") {
        std::vector<std::int64_t> all(static_cast<std::size_t>(size()));
        std::iota(all.begin(), all.end(), 0);
        return all;
    }
    fail("unknown split '{}'; valid: train, val, test, all", name);
}

std::shared_ptr<const SceneData> SceneData::from(data::Dataset d,
                                                 const std::string& source,
                                                 const std::vector<DataView>& views) {
    auto out = std::make_shared<SceneData>();
    auto& c = out->context;
    c.source = source;
    c.frequency_hz = d.frequency_hz;
    c.grid = d.grid;
    c.station_position = d.station_position;
    c.station_orientation = d.station_orientation;
    c.moving = d.moving;
    c.convention = d.spectrum_convention;
    if (const auto r = d.attrs.find("db_range"); r != d.attrs.end()) {
        c.db_range = db_range_from_json(*r, fmt::format("'{}': attrs db_range", source));
    } else if (d.spectrum_convention == "path_gain_db") {
        fail(
            "'{}': its spectra are path_gain_db but it holds no attrs db_range [lo, hi] (the dB "
            "range they were mapped with); re-simulate it with radiofield simulate --spectrum "
            "path_gain_db",
            source);
    }
    const auto n = static_cast<std::int64_t>(d.size());
    auto p = torch::empty({n, 3}, torch::kFloat32);  // [N, 3]
    auto pa = p.accessor<float, 2>();
    c.lo = c.hi = d.station_position;
    for (std::int64_t i = 0; i < n; ++i) {
        const Vec3& v = d.positions[i];
        pa[i][0] = static_cast<float>(v.x), pa[i][1] = static_cast<float>(v.y),
        pa[i][2] = static_cast<float>(v.z);
        c.lo = min(c.lo, v), c.hi = max(c.hi, v);
    }
    out->positions = p;
    out->split = d.split;
    const auto wants = [&](DataView v) {
        return std::find(views.begin(), views.end(), v) != views.end();
    };
    if (wants(DataView::Spectra) && data::has_spectra(d.kind)) {
        const auto& g = d.grid;
        if (d.spectra.size() != static_cast<std::size_t>(n) * g.size()) {
            fail("'{}': {} spectrum values for {} samples of {}x{}", source, d.spectra.size(), n,
                 g.n_el, g.n_az);
        }
        for (std::size_t i = 0; i < d.spectra.size(); ++i) {
            if (!std::isfinite(d.spectra[i])) {
                fail(
                    "'{}': spectrum of sample {} holds a non-finite value (NaN or Inf); regenerate "
                    "or repair the "
                    "dataset",
                    source, i / g.size());
            }
        }
        // [N, n_el, n_az]; from_blob does not own the memory, so clone.
        auto s = torch::from_blob(d.spectra.data(), {n, g.n_el, g.n_az}, torch::kFloat32).clone();
        const bool linear = d.power_unit != "normalized" && n > 0;
        if (linear)
            out->power = s.to(torch::kFloat64).mean({1, 2});
        out->spectra = linear ? nn::minmax_normalize(s) : s;
    }
    if (wants(DataView::Paths) && data::has_paths(d.kind)) {
        out->paths.reserve(d.paths.size());
        for (const auto& paths : d.paths)
            out->paths.push_back(PathSet::from(paths));
        out->traced = std::move(d.paths);
    }
    out->m_support = std::make_shared<SupportSet>(*out, out->split.train);
    return out;
}

bool differ_in_azimuth_origin_only(const data::SpectrumGrid& g, const data::SpectrumGrid& grid) {
    if (g == grid || g.n_el != grid.n_el || g.n_az != grid.n_az || g.el0_deg != grid.el0_deg ||
        g.step_deg != grid.step_deg || std::abs(g.n_az * g.step_deg - 360.0) > 1e-9)
        return false;
    const double steps = (grid.az0_deg - g.az0_deg) / g.step_deg;
    return std::abs(steps - std::round(steps)) <= 1e-9;
}

bool align_azimuth_origin(data::Dataset& d, const data::SpectrumGrid& grid) {
    const data::SpectrumGrid& g = d.grid;
    if (!differ_in_azimuth_origin_only(g, grid))
        return false;
    const double steps = (grid.az0_deg - g.az0_deg) / g.step_deg;
    // Target column c holds azimuth grid.az0 + c·step = g.az0 + (c + m)·step: source column c + m.
    const auto n_az = static_cast<std::int64_t>(g.n_az);
    const std::int64_t m = ((static_cast<std::int64_t>(std::llround(steps)) % n_az) + n_az) % n_az;
    if (data::has_spectra(d.kind) && !d.spectra.empty()) {
        std::vector<float> row(static_cast<std::size_t>(n_az));
        for (std::size_t r = 0; r < d.spectra.size(); r += static_cast<std::size_t>(n_az)) {
            float* p = d.spectra.data() + r;
            for (std::int64_t c = 0; c < n_az; ++c)
                row[static_cast<std::size_t>(c)] = p[(c + m) % n_az];
            std::copy(row.begin(), row.end(), p);
        }
    }
    d.grid.az0_deg = grid.az0_deg;
    return true;
}

DataList load_datasets(const std::vector<std::string>& paths,
                       const DataNeeds& needs,
                       bool need_train,
                       const data::SpectrumGrid* grid) {
    if (paths.empty())
        fail("no dataset given (pass one or more --data FILE.h5)");
    DataList out;
    for (const auto& path : paths) {
        data::Dataset d = data::read_dataset(path);
        for (const DataView v : needs.views) {
            const bool ok = v == DataView::Spectra ? data::has_spectra(d.kind)
                            : v == DataView::Paths ? data::has_paths(d.kind)
                                                   : false;
            if (ok)
                continue;
            if (v == DataView::Spectra) {
                fail(
                    "'{}' is a {} dataset (channel impulse responses); this model needs spectra: "
                    "kind=spectrum or "
                    "both (radiofield simulate --kind spectrum)",
                    path, data::to_string(d.kind));
            }
            if (v == DataView::Paths) {
                fail(
                    "'{}' is a {} dataset; this model needs propagation paths: kind=cir or both "
                    "(radiofield "
                    "simulate --kind cir)",
                    path, data::to_string(d.kind));
            }
            fail("'{}' holds no camera images, which this model needs", path);
        }
        if (d.size() == 0)
            fail("'{}' holds no samples", path);
        const data::SpectrumGrid reference = grid          ? *grid
                                             : out.empty() ? d.grid
                                                           : out.front()->context.grid;
        const double az0 = d.grid.az0_deg;
        if (align_azimuth_origin(d, reference)) {
            log::info(
                "'{}': azimuth columns start at {:g} deg, the model's at {:g} deg: its spectra "
                "are turned onto the model's grid (the same directions)",
                path, az0, reference.az0_deg);
        }
        out.push_back(SceneData::from(std::move(d), path, needs.views));
        if (out.size() > 1) {
            check_agreement(out.front()->context, out.back()->context, needs.fields(),
                            "this model needs them to agree: use datasets made with the same "
                            "settings, or one model "
                            "per setting");
        }
    }
    if (need_train &&
        std::all_of(out.begin(), out.end(), [](const auto& d) { return d->split.train.empty(); })) {
        fail(
            "no training samples: the train split of {} is empty (re-split the data, e.g. "
            "radiofield simulate "
            "--split 0.8,0.1,0.1)",
            paths.size() == 1 ? "'" + paths.front() + "'" : "every dataset given");
    }
    return out;
}

std::vector<ContextField> DataNeeds::fields() const {
    auto out = must_agree;
    const bool spectra = std::find(views.begin(), views.end(), DataView::Spectra) != views.end();
    if (spectra && !mixed_conventions &&
        std::find(out.begin(), out.end(), ContextField::Convention) == out.end()) {
        out.push_back(ContextField::Convention);
    }
    return out;
}

std::vector<SceneContext> contexts(const DataList& data) {
    std::vector<SceneContext> out;
    for (const auto& d : data)
        out.push_back(d->context);
    return out;
}

std::vector<std::vector<std::int64_t>> draw_training_batch(const DataList& data,
                                                           std::int64_t size,
                                                           torch::Generator& gen) {
    std::vector<std::pair<std::size_t, std::int64_t>> train;  // (dataset, sample), in order
    for (std::size_t d = 0; d < data.size(); ++d) {
        for (auto i : data[d]->split.train)
            train.emplace_back(d, i);
    }
    if (train.empty())
        fail("no training samples to draw a batch from");
    const auto pick = torch::randint(static_cast<std::int64_t>(train.size()), {size}, gen,
                                     torch::TensorOptions().dtype(torch::kInt64));  // [size]
    std::vector<std::vector<std::int64_t>> out(data.size());
    const auto* p = pick.data_ptr<std::int64_t>();
    for (std::int64_t j = 0; j < size; ++j) {
        const auto& [d, i] = train[static_cast<std::size_t>(p[j])];
        out[d].push_back(i);
    }
    return out;
}

}  // namespace radiofield::train
