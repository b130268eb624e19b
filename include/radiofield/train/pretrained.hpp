#pragma once
// Shipped weights: a folder per model, found by name, checked before it is loaded.
//
//   NAME/manifest.json   {"name", "model", "description",
//                         "produced_by": {"study", "commit", "command"},
//                         "files": {"checkpoint.pt": {"sha256", "bytes"},
//                                   "config.json":   {"sha256", "bytes"}}}
//   NAME/config.json     the run's config (model, model_config, training contexts)
//   NAME/checkpoint.pt   its weights (no optimiser state)
//
// Folders are looked up, in order, in $RADIOFIELD_PRETRAINED (':'-separated), beside the
// program (<bin>/../share/radiofield/pretrained) and in the source tree's pretrained/.

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "radiofield/train/loop.hpp"

namespace radiofield::train {

struct PretrainedInfo {
    std::string name;
    std::string model;  // the registered model it loads as
    std::string description;
    nlohmann::json produced_by = nlohmann::json::object();
    nlohmann::json files = nlohmann::json::object();  // file name → {"sha256", "bytes"}
    std::filesystem::path dir;
};

std::vector<std::filesystem::path> pretrained_search_path();
// Every manifest found on the search path (not yet verified); the first of a name wins.
std::vector<PretrainedInfo> list_pretrained();
// Error naming the known ones when there is none of that name.
PretrainedInfo find_pretrained(const std::string& name);
// Each file's size and SHA-256 against the manifest: Error naming the file, both values and
// the fix when one differs or is missing.
void verify_pretrained(const PretrainedInfo& info);
// verify + load_run; weights that do not fit the config are an Error naming the model.
LoadedRun load_pretrained(const PretrainedInfo& info, torch::Device device);

struct PackOptions {
    std::string name, description;
    nlohmann::json produced_by = nlohmann::json::object();
    bool overwrite = false;
    // float32, or float16 / bfloat16 to halve the file (the model computes in float32 after
    // loading; models that cannot store reduced precision refuse).
    std::string weights_dtype = "float32";
};
// Writes RUN's weights (no optimiser state), its config and a manifest with checksums into
// `out` (written beside it under a temporary name, then renamed).
PretrainedInfo pack_pretrained(const std::filesystem::path& run,
                               const std::filesystem::path& out,
                               const PackOptions& options);

}  // namespace radiofield::train
