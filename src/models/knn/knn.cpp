// "knn": fixed-weight interpolation of the L nearest training spectra (GRaF's KNN baseline
// with equal weights; inverse-distance and barycentric weights as options).
#include "radiofield/models/knn.hpp"

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield::models {
namespace {

constexpr double kExactHit = 1e-9;  // metres: a neighbour this close is the query itself

// A neighbour at the query itself takes all the weight (nearest first: column 0 wins ties).
torch::Tensor snap_exact_hits(const torch::Tensor& dist,
                              const torch::Tensor& w) {  // [B, L], [B, L]
    const auto hit = dist < kExactHit;                   // [B, L]
    const auto first_hit = hit & (hit.cumsum(1) == 1);   // [B, L]
    return torch::where(hit.any(1, true), first_hit.to(w.scalar_type()), w);
}

torch::Tensor inverse_distance(const torch::Tensor& dist, double power) {  // [B, L] → [B, L]
    auto w = dist.clamp_min(kExactHit).pow(-power);
    return snap_exact_hits(dist, w / w.sum(1, true));
}

torch::Tensor barycentric(const torch::Tensor& target, const torch::Tensor& nb, double power) {
    const auto l = nb.size(1);
    const auto dist = (nb - target.unsqueeze(1)).norm(2, 2);  // [B, L]
    if (l == 1)
        return inverse_distance(dist, power);
    const auto centre = nb.mean(1, true);                   // [B, 1, 3]
    const auto d = nb - centre;                             // [B, L, 3]
    const auto gram = torch::matmul(d.transpose(1, 2), d);  // [B, 3, 3]
    const auto gram_pinv =
        torch::linalg_pinv(gram, /*atol=*/std::optional<double>{},
                           /*rtol=*/std::optional<double>{1e-6}, /*hermitian=*/true);
    const auto offset = (target.unsqueeze(1) - centre).transpose(1, 2);  // [B, 3, 1]
    auto w = 1.0 / static_cast<double>(l) +
             torch::matmul(d, torch::matmul(gram_pinv, offset)).squeeze(2);
    // Degenerate neighbourhood: a single neighbour, or all of them at one point.
    const auto spread = gram.diagonal(0, 1, 2).sum(1, true);  // [B, 1]
    const auto degenerate = spread < 1e-18;
    return snap_exact_hits(dist, torch::where(degenerate, inverse_distance(dist, power), w));
}

}  // namespace

KnnWeights parse_knn_weights(const std::string& name) {
    if (name == "equal")
        return KnnWeights::Equal;
    if (name == "inverse_distance")
        return KnnWeights::InverseDistance;
    if (name == "barycentric")
        return KnnWeights::Barycentric;
    fail("unknown KNN weights '{}'; valid: equal, inverse_distance, barycentric", name);
}

std::string to_string(KnnWeights weights) {
    switch (weights) {
        case KnnWeights::Equal:
            return "equal";
        case KnnWeights::InverseDistance:
            return "inverse_distance";
        case KnnWeights::Barycentric:
            return "barycentric";
    }
    return "?";
}

torch::Tensor knn_weights(KnnWeights kind,
                          const torch::Tensor& target,
                          const torch::Tensor& neighbors,
                          double power) {
    const auto t = target.to(torch::kFloat64);      // [B, 3]
    const auto nb = neighbors.to(torch::kFloat64);  // [B, L, 3]
    if (t.dim() != 2 || nb.dim() != 3 || nb.size(0) != t.size(0) || t.size(1) != 3 ||
        nb.size(2) != 3) {
        fail("knn_weights: expected target [B, 3] and neighbours [B, L, 3]");
    }
    switch (kind) {
        case KnnWeights::Equal:
            return torch::full({nb.size(0), nb.size(1)}, 1.0 / nb.size(1), torch::kFloat64);
        case KnnWeights::InverseDistance:
            return inverse_distance((nb - t.unsqueeze(1)).norm(2, 2), power);
        case KnnWeights::Barycentric:
            return barycentric(t, nb, power);
    }
    fail("knn_weights: unknown kind");
}

KnnConfig KnnConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "knn config";
    check_keys(j, {"k", "weights", "power", "batch"}, where);
    KnnConfig c;
    c.k = get_or(j, "k", c.k, where);
    c.weights = parse_knn_weights(get_or(j, "weights", to_string(c.weights), where));
    c.power = get_or(j, "power", c.power, where);
    if (c.k < 1)
        fail("knn: k must be at least 1, got {}", c.k);
    if (!(c.power > 0))
        fail("knn: power must be positive, got {}", c.power);
    return c;
}

nlohmann::json KnnConfig::to_json() const {
    return {{"k", k}, {"weights", to_string(weights)}, {"power", power}};
}

train::Prediction KnnModel::predict(const train::Query& query) {
    torch::NoGradGuard no_grad;
    const auto found =
        query.support->nearest(query.positions, m_config.k, query.exclude);  // [B, L], [B, L, 3]
    const auto w =
        knn_weights(m_config.weights, query.positions, found.position, m_config.power);  // [B, L]
    const auto& pool = query.scene->spectra_on(m_device);  // [N, H, W]
    const auto b = found.index.size(0);
    const auto nb = pool.index_select(0, found.index.flatten().to(pool.device()))
                        .view({b, m_config.k, pool.size(1), pool.size(2)});  // [B, L, H, W]
    const auto wf = w.to(pool.device(), torch::kFloat32).view({b, m_config.k, 1, 1});
    // Barycentric weights can be negative outside the hull: keep the result in [0, 1].
    return train::Prediction::of_spectra((wf * nb).sum(1).clamp(0.0, 1.0));  // [B, H, W]
}

}  // namespace radiofield::models
