#pragma once
// Studies (DESIGN.md §2.1, docs/studies.md): a small declarative JSON file in studies/ that
// reproduces one experiment of a paper — the datasets to simulate, reuse or subsample, the
// runs (model, settings, training data), the evaluations and the report's tables and plots.
// This header reads one: profile values resolved ({"quick": X, "full": Y} → X or Y), sweep
// templates expanded ("for": {"n": [50, 100]} with ${n} in names and values), every key
// checked, every reference to a dataset or run checked. The runner (study/runner.hpp) knows
// no model by name: models come from the registry.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace radiofield::study {

inline const std::vector<std::string> kDefaultProfiles = {"quick", "full"};

struct DatasetSpec {
    enum class Kind { File, Simulate, Subset, Nerf2Folder, Nerf2RoundTrip };
    std::string name;
    Kind kind = Kind::Simulate;
    // The resolved settings as written (File: {"path"}; Simulate: simulate's settings;
    // Subset: {"from", "train_count", "seed"}; Nerf2Folder: {"nerf2"}; Nerf2RoundTrip:
    // {"from", "via": "nerf2"}), paths made absolute.
    nlohmann::json settings = nlohmann::json::object();
};

// Camera images of a scene for models that learn geometry from pictures (RF-3DGS's stage 1):
// `radiofield render-views`' settings, made into OUT/views/NAME/ (COLMAP's layout).
struct ViewsSpec {
    std::string name;
    nlohmann::json settings =
        nlohmann::json::object();  // scene, count, size, fov, placement, points, seed
};

struct RunSpec {
    std::string name;
    // A shipped model's name (train/pretrained.hpp): nothing to train; the runner takes
    // `model` and `model_config` from its manifest and config.
    std::string pretrained;
    std::string model;
    std::vector<std::string> data;  // dataset names
    std::string views;              // a views entry: its folder becomes model_config "views"
    std::string init;  // an earlier run of the study whose weights this one starts from
    nlohmann::json model_config = nlohmann::json::object();
    nlohmann::json train = nlohmann::json::object();  // TrainConfig keys
};

struct EvalSpec {
    std::string label;
    std::string template_label;  // the label before sweep expansion (== label without "for")
    nlohmann::json vars = nlohmann::json::object();  // the sweep variables' values
    std::string run;
    std::vector<std::string> data;  // dataset names; each one's train split is the support set
    std::string split = "test";
    bool aoa = false;  // per-sample angle-of-arrival error of the strongest direction
    // A picture over the scene's top view: path sets, the true and the predicted paths of a
    // figure sample; RF-3DGS / RF-3DGS+, the trained Gaussians (evals/LABEL.picture.png).
    bool picture = false;
    int batch = 16;
};

struct ReportSection {
    std::string title;
    std::string text;
    std::vector<nlohmann::json> items;  // checked {"table"}, {"spectra"}, {"plot"}, {"picture"}
};

struct Study {
    std::filesystem::path file;
    std::string name, title, description;
    std::string profile;
    std::vector<std::string> profiles;
    std::vector<DatasetSpec> datasets;  // in dependency order (a subset after its source)
    std::vector<ViewsSpec> views;
    std::vector<RunSpec> runs;
    std::vector<EvalSpec> evaluations;
    std::vector<ReportSection> report;
    nlohmann::json resolved;  // the whole file after profile resolution and expansion

    const DatasetSpec& dataset(const std::string& name) const;  // Error listing the known ones
    const RunSpec& run(const std::string& name) const;
    // Evaluations named by a label, or by a template label (every expansion of it).
    std::vector<const EvalSpec*> evals(const std::string& label_or_template) const;
};

// Replaces every profile choice in `value` — an object whose keys are all profile names —
// by its entry for `profile`; Error naming `where` and the path when that entry is missing.
nlohmann::json resolve_profile(const nlohmann::ordered_json& value,
                               const std::string& profile,
                               const std::vector<std::string>& profiles,
                               const std::string& where);

// Expands `${var}` in every string of `value` (keys included) with `vars`; a string that is
// exactly "${var}" takes the variable's JSON value (a number stays a number).
nlohmann::json expand_vars(const nlohmann::ordered_json& value, const nlohmann::ordered_json& vars);

// Reads, resolves for `profile` and validates a study; Error naming the file, the key and
// the fix for anything unknown or missing.
Study load_study(const std::filesystem::path& file, const std::string& profile);
// The same from JSON (`file` names it in messages). Datasets, runs and evaluations keep the
// file's order (subsets after their sources).
Study parse_study(const nlohmann::ordered_json& doc,
                  const std::filesystem::path& file,
                  const std::string& profile);

}  // namespace radiofield::study
