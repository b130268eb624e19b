// Adaptive density control of 3DGS (Kerbl et al. 2023, §5.2) through the core's
// ParameterEditor: every per-Gaussian tensor is extended, split or pruned together, and
// Adam's moments follow the rows they belong to (new rows start with zero moments).
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/models/rf3dgs.hpp"

namespace radiofield::models {
namespace {

// Rotation matrices of unit quaternions (w, x, y, z) [M, 4] → [M, 3, 3].
torch::Tensor rotation_matrices(const torch::Tensor& q) {
    const auto w = q.select(1, 0), x = q.select(1, 1), y = q.select(1, 2), z = q.select(1, 3);
    const auto rows =
        torch::stack({1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)},
                     1);
    return rows.view({-1, 3, 3});
}

}  // namespace

DensifyConfig DensifyConfig::from_json(const nlohmann::json& j) {
    constexpr std::string_view where = "densify config";
    check_keys(j,
               {"start", "stop", "every", "reset_every", "grad_threshold", "percent_dense",
                "split_shrink", "prune_opacity", "prune_scale", "reset_opacity", "max_gaussians"},
               where);
    DensifyConfig c;
    c.start = get_or(j, "start", c.start, where);
    c.stop = get_or(j, "stop", c.stop, where);
    c.every = get_or(j, "every", c.every, where);
    c.reset_every = get_or(j, "reset_every", c.reset_every, where);
    c.grad_threshold = get_or(j, "grad_threshold", c.grad_threshold, where);
    c.percent_dense = get_or(j, "percent_dense", c.percent_dense, where);
    c.split_shrink = get_or(j, "split_shrink", c.split_shrink, where);
    c.prune_opacity = get_or(j, "prune_opacity", c.prune_opacity, where);
    c.prune_scale = get_or(j, "prune_scale", c.prune_scale, where);
    c.reset_opacity = get_or(j, "reset_opacity", c.reset_opacity, where);
    c.max_gaussians = get_or(j, "max_gaussians", c.max_gaussians, where);
    if (c.every < 1)
        fail("{}: 'every' must be ≥ 1 step, got {}", where, c.every);
    if (c.reset_every < 0)
        fail("{}: 'reset_every' must be ≥ 0 (0 = never), got {}", where, c.reset_every);
    if (!(c.grad_threshold > 0) || !(c.percent_dense > 0) || !(c.split_shrink > 1)) {
        fail("{}: grad_threshold and percent_dense must be > 0 and split_shrink > 1", where);
    }
    if (!(c.prune_opacity >= 0 && c.prune_opacity < 1) ||
        !(c.reset_opacity > c.prune_opacity && c.reset_opacity < 1)) {
        fail("{}: need 0 ≤ prune_opacity < reset_opacity < 1, got {} and {}", where,
             c.prune_opacity, c.reset_opacity);
    }
    if (c.max_gaussians < 1)
        fail("{}: max_gaussians must be ≥ 1", where);
    return c;
}

nlohmann::json DensifyConfig::to_json() const {
    return {{"start", start},
            {"stop", stop},
            {"every", every},
            {"reset_every", reset_every},
            {"grad_threshold", grad_threshold},
            {"percent_dense", percent_dense},
            {"split_shrink", split_shrink},
            {"prune_opacity", prune_opacity},
            {"prune_scale", prune_scale},
            {"reset_opacity", reset_opacity},
            {"max_gaussians", max_gaussians}};
}

std::vector<torch::Tensor*> GaussianField::rows() {
    return {&geometry.means,          &geometry.log_scales, &geometry.quats,
            &geometry.opacity_logits, &geometry.sh,         &rf_sh};
}

DensifyCounts densify_and_prune(GaussianField& field,
                                const splat::DensifyStats& stats,
                                const DensifyConfig& config,
                                double extent,
                                int image_side,
                                bool prune_large,
                                train::ParameterEditor& editor,
                                torch::Generator& gen) {
    torch::NoGradGuard no_grad;
    const std::int64_t n = field.size();
    const auto& g = field.geometry;
    const auto device = g.means.device();
    DensifyCounts counts;
    auto split = torch::zeros({n}, torch::TensorOptions().dtype(torch::kBool).device(device));
    if (stats.grad_norm_sum.defined() && stats.grad_norm_sum.size(0) == n) {
        // gsplat's convention: pixel gradients × half the image side = NDC gradients.
        const auto grads = stats.mean_grad().to(device) * (0.5 * image_side);
        const auto high = (grads > config.grad_threshold) & (stats.count.to(device) > 0);
        const auto max_scale = std::get<0>(torch::exp(g.log_scales).max(1));
        const auto small = max_scale <= config.percent_dense * extent;
        auto clone = high & small;
        split = high & ~small;
        counts.cloned = clone.sum().item<std::int64_t>();
        counts.split = split.sum().item<std::int64_t>();
        if (n + counts.cloned + counts.split > config.max_gaussians) {
            clone.zero_(), split.zero_();
            counts.cloned = counts.split = 0;
        }
        if (counts.cloned + counts.split > 0) {
            const auto ci = clone.nonzero().squeeze(1);
            const auto si = split.nonzero().squeeze(1);
            const auto si2 = torch::cat({si, si});  // two children per split Gaussian
            // Children: centres drawn from the parent's Gaussian, scales shrunk.
            const auto scales = torch::exp(g.log_scales.index_select(0, si2));
            const auto quats = torch::nn::functional::normalize(
                g.quats.index_select(0, si2), torch::nn::functional::NormalizeFuncOptions().dim(1));
            const auto z =
                torch::randn({si2.size(0), 3}, gen, torch::kFloat32).to(g.means.options()) * scales;
            const auto offsets = torch::bmm(rotation_matrices(quats), z.unsqueeze(2)).squeeze(2);
            for (torch::Tensor* t : field.rows()) {
                auto rows = torch::cat({t->index_select(0, ci), t->index_select(0, si2)});
                if (t == &field.geometry.means)
                    rows.narrow(0, ci.size(0), si2.size(0)).add_(offsets);
                if (t == &field.geometry.log_scales)
                    rows.narrow(0, ci.size(0), si2.size(0)).sub_(std::log(config.split_shrink));
                *t = editor.extend(*t, rows);
            }
            split = torch::cat(
                {split, torch::zeros({counts.cloned + 2 * counts.split}, split.options())});
        }
    }
    // Prune: the split parents, transparent Gaussians, and (after an opacity reset) huge ones.
    const auto& h = field.geometry;
    auto prune = torch::sigmoid(h.opacity_logits) < config.prune_opacity;
    if (prune_large) {
        prune =
            prune | (std::get<0>(torch::exp(h.log_scales).max(1)) > config.prune_scale * extent);
    }
    counts.pruned = (prune & ~split).sum().item<std::int64_t>();
    const auto keep = ~(prune | split);
    const auto kept = keep.sum().item<std::int64_t>();
    if (kept == 0) {
        fail(
            "densification pruned every Gaussian ({} had opacity < {}{}); lower "
            "densify.prune_opacity, start densifying later (densify.start) or check that the "
            "images show the scene",
            field.size(), config.prune_opacity,
            prune_large ? fmt::format(" or a scale > {} m", config.prune_scale * extent) : "");
    }
    if (kept < field.size()) {
        for (torch::Tensor* t : field.rows())
            *t = editor.keep_rows(*t, keep);
    }
    return counts;
}

void reset_opacity(GaussianField& field, double max_opacity, train::ParameterEditor& editor) {
    torch::NoGradGuard no_grad;
    auto& logits = field.geometry.opacity_logits;
    const double cap = std::log(max_opacity / (1 - max_opacity));
    logits = editor.replace(logits, torch::clamp_max(logits, cap));
}

}  // namespace radiofield::models
