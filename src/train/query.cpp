// Support sets, queries and predictions.
#include "radiofield/train/query.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/train/prediction.hpp"

namespace radiofield::train {
namespace {

std::vector<Vec3> positions_of(const SceneData& scene) {
    const auto p = scene.positions.to(torch::kFloat64).contiguous();  // [N, 3]
    const auto a = p.accessor<double, 2>();
    std::vector<Vec3> out(static_cast<std::size_t>(p.size(0)));
    for (std::int64_t i = 0; i < p.size(0); ++i)
        out[i] = {a[i][0], a[i][1], a[i][2]};
    return out;
}

}  // namespace

SupportSet::SupportSet(const SceneData& scene, std::vector<std::int64_t> indices)
    : m_scene(&scene), m_pool(positions_of(scene), std::move(indices)) {}

Query Query::at(const SceneData& scene, torch::Tensor positions) {
    if (positions.dim() != 2 || positions.size(1) != 3) {
        fail("a query needs positions [B, 3], got {}", c10::str(positions.sizes()));
    }
    Query q;
    q.scene = &scene;
    q.positions = positions.to(torch::kFloat32);
    q.support = &scene.support();
    q.exclude = torch::full({positions.size(0)}, -1, torch::kInt64);
    return q;
}

Query Query::samples(const SceneData& scene, const std::vector<std::int64_t>& index) {
    const auto idx = torch::tensor(index, torch::kInt64);
    Query q = at(scene, scene.positions.index_select(0, idx));
    q.exclude = idx;
    return q;
}

std::string_view to_string(OutputKind kind) {
    switch (kind) {
        case OutputKind::Spectrum:
            return "spectrum";
        case OutputKind::PathSet:
            return "path set";
    }
    return "?";
}

std::int64_t Prediction::size() const {
    return kind == OutputKind::Spectrum ? (spectra.defined() ? spectra.size(0) : 0)
                                        : static_cast<std::int64_t>(paths.size());
}

Prediction Prediction::sample(std::int64_t i) const {
    if (i < 0 || i >= size())
        fail("prediction sample {} out of range (0..{})", i, size());
    if (kind == OutputKind::Spectrum) {
        Prediction p = of_spectra(spectra.narrow(0, i, 1));
        if (power.defined())
            p.power = power.narrow(0, i, 1);
        return p;
    }
    return of_paths({paths[static_cast<std::size_t>(i)]});
}

}  // namespace radiofield::train
