// The built-in models, registered by name on first use of train::make_model / model_names
// (explicitly: static self-registration in a static library is dropped by the linker).
#include "radiofield/models/knn.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {

// ---- Model families: one declaration + one call each. Add yours here. ----------------
void register_knn_models();  // below: "knn", "knn_dl" (src/models/knn*.cpp)
void register_nerf2();       // src/models/nerf2*.cpp: "nerf2"
// ----------------------------------------------------------------------------------------

void register_builtin_models() {
    register_knn_models();
    register_nerf2();
}

void register_knn_models() {
    train::register_model("knn", "GRaF's KNN baseline: weighted mean of the L nearest training spectra "
                                 "(weights: equal | inverse_distance | barycentric)",
                          [](const nlohmann::json& c) { return std::make_unique<KnnModel>(KnnConfig::from_json(c)); });
    train::register_model("knn_dl", "GRaF's KNN-DL baseline: a small CNN predicts per-pixel weights of the "
                                    "L nearest training spectra",
                          [](const nlohmann::json& c) { return std::make_unique<KnnDlModel>(KnnDlConfig::from_json(c)); });
}

}  // namespace radiofield::models
