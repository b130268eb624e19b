#pragma once
// Datasets as the learning core sees them (DESIGN.md §2.1). Training and evaluation take a
// list of datasets; each carries its scene context (station pose, grid, frequency, bounds)
// and views of what it holds: spectra, path sets (with the per-interaction records), and —
// when a later model needs them — camera images. A model declares the views it needs and
// which context fields must agree across the datasets it sees (DataNeeds); a mismatch is
// one Error naming both files and the field.

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/train/path_set.hpp"
#include "radiofield/train/run_config.hpp"

namespace radiofield::train {

class SupportSet;

// What a model reads.
enum class DataView { Spectra, Paths, Images };
std::string_view to_string(DataView view);  // "spectra", "paths", "images"

struct DataNeeds {
    std::vector<DataView> views{DataView::Spectra};            // every dataset must hold these
    std::vector<ContextField> must_agree{ContextField::Grid};  // across all datasets it sees
    // Datasets of different spectrum conventions together (a study of the effect); else
    // reading spectra adds ContextField::Convention to must_agree.
    bool mixed_conventions = false;

    std::vector<ContextField> fields() const;  // must_agree with the convention rule applied
};

// One dataset loaded for learning.
class SceneData {
public:
    SceneContext context;
    torch::Tensor positions;  // [N, 3] float32, metres (the moving end)
    data::Split split;
    torch::Tensor spectra;  // [N, n_el, n_az] float32 in [0,1] (per-sample min–max); undefined
                            // without the view
    // [N] float64: each spectrum's mean before the min–max, in the dataset's unit (W) — what
    // a received-power map is calibrated on; undefined for already normalised datasets.
    torch::Tensor power;
    std::vector<PathSet> paths;  // [N] path sets; empty without the view
    std::vector<rt::Paths>
        traced;  // [N] the paths with their per-interaction records (TE/TM coefficients)

    std::int64_t size() const { return positions.size(0); }
    bool has(DataView view) const;
    const std::string& source() const { return context.source; }
    // The samples a prediction conditions on by default: the training split (built on load).
    const SupportSet& support() const { return *m_support; }
    // The spectra on `device`, copied once and kept.
    const torch::Tensor& spectra_on(torch::Device device) const;
    // Sample indices of a split: "train", "val", "test" or "all"; Error for other names.
    std::vector<std::int64_t> split_indices(std::string_view split) const;

    // Wraps a dataset read from `source` (with the views in `views`); builds the support set.
    static std::shared_ptr<const SceneData> from(data::Dataset dataset,
                                                 const std::string& source,
                                                 const std::vector<DataView>& views);

private:
    std::shared_ptr<const SupportSet> m_support;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, torch::Tensor> m_spectra_on;  // device string → copy
};

using DataList = std::vector<std::shared_ptr<const SceneData>>;

// Reads `paths` with the views `needs` asks for; every check (kind, size, finite values,
// agreement of every dataset with the first on needs.must_agree, a non-empty training split
// somewhere when `need_train`) happens here, before any work.
// Spectra whose grid differs from the reference grid (`grid`, else the first dataset's) only
// in where the azimuth columns start — a whole number of steps on a full circle, as NeRF2's
// folders (1°…360°) against our simulations in its convention (0°…359°) — are turned onto it
// (the same directions, columns rotated), with a note.
DataList load_datasets(const std::vector<std::string>& paths,
                       const DataNeeds& needs,
                       bool need_train = true,
                       const data::SpectrumGrid* grid = nullptr);

// The grids differ only in the azimuth origin, by a whole number of steps, on a full circle.
bool differ_in_azimuth_origin_only(const data::SpectrumGrid& a, const data::SpectrumGrid& b);
// Rotates `dataset`'s spectra onto `grid` when the two grids differ only in the azimuth
// origin by a whole number of steps and cover the full circle; returns whether it did.
bool align_azimuth_origin(data::Dataset& dataset, const data::SpectrumGrid& grid);

std::vector<SceneContext> contexts(const DataList& data);

// A batch of `size` training samples drawn uniformly over the training splits of every
// dataset with `gen` (one draw from gen); the sample indices per dataset, in draw order.
std::vector<std::vector<std::int64_t>> draw_training_batch(const DataList& data,
                                                           std::int64_t size,
                                                           torch::Generator& gen);

}  // namespace radiofield::train
