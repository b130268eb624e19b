// render(): the 3DGS activations around project → eval_sh → rasterize; DensifyStats.
#include "radiofield/splat/render.hpp"

#include <torch/torch.h>

#include "radiofield/core/error.hpp"

namespace radiofield::splat {

RenderResult render(const Gaussians& g, const Camera& camera, const RenderOptions& options) {
    const int64_t n = g.size();
    if (!g.sh.defined() || g.sh.dim() != 3 || g.sh.size(0) != n) {
        fail("splat::render: expected sh [{}, K, C], got {}", n,
             g.sh.defined() ? c10::str(g.sh.sizes()) : std::string("none"));
    }
    const auto scales = torch::exp(g.log_scales);
    const auto quats = g.quats / g.quats.norm(2, -1, true);
    const auto proj = project(g.means, scales, quats, camera, options.blur);

    const Vec3 c = centre_of(camera);
    const auto centre = torch::tensor({c.x, c.y, c.z}, g.means.options());
    const auto dirs = torch::nn::functional::normalize(
        g.means - centre, torch::nn::functional::NormalizeFuncOptions().dim(-1).eps(1e-12));
    auto colors = eval_sh(g.sh, dirs, options.sh_degree) + options.color_offset;
    if (options.clamp_colors) {
        colors = torch::clamp_min(colors, 0.0);
    }
    const auto opacities = torch::sigmoid(g.opacity_logits);

    auto probe = torch::zeros_like(proj.means2d.detach());
    if (torch::GradMode::is_enabled()) {
        probe.requires_grad_(true);
    }
    torch::Tensor background;
    if (!options.background.empty()) {
        background = torch::tensor(options.background, g.means.options());
    }
    const auto raster = rasterize(proj.means2d + probe, proj.conics, colors, opacities, proj.radii,
                                  proj.depths, camera, background);
    return {raster.image, raster.transmittance, raster.top_gaussian,
            proj.radii,   proj.depths,          probe};
}

void DensifyStats::accumulate(const RenderResult& view) {
    const int64_t n = view.radii.size(0);
    if (!grad_norm_sum.defined()) {
        grad_norm_sum = torch::zeros({n}, view.depths.options());
        count = torch::zeros({n}, view.radii.options());
        max_radius = torch::zeros({n}, view.radii.options());
    }
    const auto drawn = view.radii.select(1, 0) > 0;
    const auto radius = std::get<0>(view.radii.max(1));
    max_radius = torch::maximum(max_radius, torch::where(drawn, radius, 0));
    count = count + drawn.to(count.scalar_type());
    const auto grad = view.screen_probe.grad();
    if (grad.defined()) {
        grad_norm_sum = grad_norm_sum + torch::where(drawn, grad.norm(2, -1), 0.0);
    }
}

torch::Tensor DensifyStats::mean_grad() const {
    return grad_norm_sum / torch::clamp_min(count, 1).to(grad_norm_sum.scalar_type());
}

}  // namespace radiofield::splat
