// A picture of a trained RF-3DGS / RF-3DGS+ field: the Gaussians over the scene's top view,
// coloured by the radio power each sends on average (docs/models.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/splat/sh_constants.hpp"

namespace radiofield::models {
namespace {

constexpr double kMinOpacity = 0.1;
constexpr std::int64_t kMaxDrawn = 50000;
constexpr double kRangeDb = 40;          // the colour scale spans this far below the strongest
constexpr double kY00 = splat::sh::kC0;  // the degree-0 real SH, 1 / (2√π)

}  // namespace

scene::Image Rf3dgsModel::gaussians_top_view(const scene::Scene& scene, int width_px) {
    if (!m_prepared)
        fail("{}: no station yet; load a trained run before drawing its Gaussians", name());
    torch::NoGradGuard no_grad;
    const auto& g = m_field.geometry;
    const auto means = g.means.detach().to(torch::kCPU, torch::kFloat64);  // [N, 3]
    const auto opacity = torch::sigmoid(g.opacity_logits.detach()).to(torch::kCPU, torch::kFloat64);
    // The SH's mean over directions is its degree-0 term: a log-gain for RF-3DGS+, the value
    // itself (before the + ½ and the clamp) for RF-3DGS.
    const auto dc =
        m_field.rf_sh.detach().select(1, 0).select(1, 0).to(torch::kCPU, torch::kFloat64) * kY00;
    torch::Tensor power;
    if (m_config.plus) {
        const auto station =
            torch::tensor({m_station.x, m_station.y, m_station.z}, torch::kFloat64);
        // free_space "scatter": a pixel's power does not fall with l_vd (rf3dgs.hpp).
        const auto l_vd = m_config.free_space == "path"
                              ? (means - station).norm(2, 1).clamp_min(1e-3)
                              : torch::ones({g.size()}, torch::kFloat64);
        power = opacity.view({-1}) * torch::exp(dc.clamp(-30, 30)) / (l_vd * l_vd);
    } else {
        power = opacity.view({-1}) * (dc + 0.5).clamp_min(0);
    }
    const auto op_t = opacity.view({-1}).contiguous(), power_t = power.contiguous();
    const auto op = op_t.accessor<double, 1>();
    const auto pw = power_t.accessor<double, 1>();
    const auto xyz = means.accessor<double, 2>();
    std::vector<std::int64_t> keep;
    for (std::int64_t i = 0; i < g.size(); ++i)
        if (op[i] >= kMinOpacity && pw[i] > 0)
            keep.push_back(i);
    if (static_cast<std::int64_t>(keep.size()) > kMaxDrawn) {
        std::partial_sort(keep.begin(), keep.begin() + kMaxDrawn, keep.end(),
                          [&](auto a, auto b) { return op[a] > op[b]; });
        keep.resize(kMaxDrawn);
    }
    double strongest = 0;
    for (auto i : keep)
        strongest = std::max(strongest, pw[i]);
    // Those more than the colour scale below the strongest would all be its darkest colour
    // and hide the rest; they are left out. Weakest first, so the strong ones stay on top.
    std::erase_if(keep, [&](auto i) { return pw[i] < strongest * std::pow(10, -kRangeDb / 10); });
    std::sort(keep.begin(), keep.end(), [&](auto a, auto b) { return pw[a] < pw[b]; });
    scene::TopViewOptions o;
    o.width_px = width_px;
    // The plan at the usual cut (walls and furniture); the Gaussians are drawn over it.
    o.title = fmt::format("{}: {} Gaussians (opacity >= {:g}, within {:g} dB of the strongest)",
                          name(), keep.size(), kMinOpacity, kRangeDb);
    const double lo_db = -kRangeDb;
    for (auto i : keep) {
        const double db = 10 * std::log10(pw[i] / strongest);
        const double t = std::clamp((db - lo_db) / kRangeDb, 0.0, 1.0);
        o.markers.push_back({{xyz[i][0], xyz[i][1], xyz[i][2]},
                             data::colour_at(data::ColourMap::Magma, t),
                             1,
                             false});
    }
    o.markers.push_back({m_station, {30, 200, 255}, 7, true});
    o.legend.push_back({"station", {30, 200, 255}, true});
    scene::ColourBar bar;
    bar.label = !m_config.plus                  ? "opacity x value, dB below the strongest"
                : m_config.free_space == "path" ? "opacity x gain / l_vd^2, dB below the strongest"
                                                : "opacity x gain, dB below the strongest";
    bar.lo = lo_db, bar.hi = 0;
    for (int k = 0; k < 256; ++k)
        bar.colours.push_back(data::colour_at(data::ColourMap::Magma, k / 255.0));
    o.colour_bar = bar;
    return scene::render_top_view(scene, o);
}

}  // namespace radiofield::models
