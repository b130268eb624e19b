// The built-in models, registered by name (explicitly: static self-registration in a static
// library is dropped by the linker).
#include "radiofield/models/registry.hpp"

#include <mutex>

#include "radiofield/models/cgan.hpp"
#include "radiofield/models/graf.hpp"
#include "radiofield/models/knn.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/models/neural_rt.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::models {
namespace {

void register_knn_models() {
    train::register_model("knn",
                          "GRaF's KNN baseline: weighted mean of the L nearest measured spectra "
                          "(weights: equal | inverse_distance | barycentric)",
                          [](const nlohmann::json& c) {
                              return std::make_unique<KnnModel>(KnnConfig::from_json(c));
                          });
    train::register_model("knn_dl",
                          "GRaF's KNN-DL baseline: a small CNN predicts per-pixel weights of the "
                          "L nearest measured spectra",
                          [](const nlohmann::json& c) {
                              return std::make_unique<KnnDlModel>(KnnDlConfig::from_json(c));
                          });
    train::register_model(
        "knn_paths",
        "Nearest-neighbour path sets: the nearest measured link's paths moved to the "
        "query, with a learnt gain per interaction depth",
        [](const nlohmann::json& c) {
            return std::make_unique<KnnPathsModel>(KnnPathsConfig::from_json(c));
        });
}

}  // namespace

void register_builtin_models() {
    static std::once_flag once;
    std::call_once(once, [] {
        register_knn_models();
        register_nerf2();      // src/models/nerf2/
        register_graf();       // src/models/graf/
        register_neural_rt();  // src/models/genert/, winert/, lwdt/
        register_rf3dgs();     // src/models/rf3dgs/
        register_cgan();       // src/models/cgan/
    });
}

}  // namespace radiofield::models
