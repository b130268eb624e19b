// The dense LibTorch reference of project and rasterize: splat_math.hpp's formulas over
// whole tensors, each kernel rule (culling, Jacobian clamps, the equirect pole push and
// azimuth window, α < 1/255 skipped, compositing stopped before T < 1e-4) as a mask.
#include "radiofield/splat/reference.hpp"

#include <torch/torch.h>

#include "camera_params.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::splat::reference {
namespace {

using detail::CameraParams;
using torch::Tensor;

// R(q) [N, 3, 3] of unit quaternions (w, x, y, z) [N, 4], as project_gaussian builds it.
Tensor rotations(const Tensor& q) {
    const auto w = q.select(1, 0), x = q.select(1, 1), y = q.select(1, 2), z = q.select(1, 3);
    const auto rows = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
                       2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                       2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
    return torch::stack(rows, 1).view({-1, 3, 3});
}

struct ScreenMap {
    Tensor u, v;    // [N] screen mean
    Tensor j0, j1;  // [N, 3] rows of ∂(u, v)/∂p_camera
    Tensor depth;   // [N] sort key (no gradient)
    Tensor valid;   // [N] bool: in front of the near plane
};

ScreenMap pinhole(const CameraParams& cam, const Tensor& p) {
    const auto x = p.select(1, 0), y = p.select(1, 1), z0 = p.select(1, 2);
    ScreenMap s;
    s.valid = z0 > cam.near;
    const auto z = torch::where(s.valid, z0, torch::ones_like(z0));  // no 1/0 in culled rows
    s.u = cam.fx * x / z + cam.cx;
    s.v = cam.fy * y / z + cam.cy;
    // 3DGS: the Jacobian with x/z, y/z clamped a little outside the view (constant there)
    const auto xz = torch::clamp(x / z, -cam.clip_x, cam.clip_x);
    const auto yz = torch::clamp(y / z, -cam.clip_y, cam.clip_y);
    const auto zero = torch::zeros_like(z);
    s.j0 = torch::stack({cam.fx / z, zero, -cam.fx * xz / z}, 1);
    s.j1 = torch::stack({zero, cam.fy / z, -cam.fy * yz / z}, 1);
    s.depth = z0.detach();
    return s;
}

ScreenMap equirect(const CameraParams& cam, const Tensor& p_in) {
    ScreenMap s;
    s.valid = p_in.detach().norm(2, 1) > cam.near;
    // culled rows (at the station) replaced by a harmless point: no 1/0 in the backward
    const auto p = torch::where(s.valid.unsqueeze(1), p_in, torch::ones_like(p_in));
    const auto x = p.select(1, 0), y = p.select(1, 1), z = p.select(1, 2);
    const auto r2 = x * x + y * y + z * z;
    const auto r = r2.detach().sqrt();
    // Near the pole axis the Jacobian is taken at the point pushed radially out to
    // ρ = r·pole_sin, the push factor held constant; on the axis the push goes to azimuth 0.
    const auto rho = (x.detach() * x.detach() + y.detach() * y.detach()).sqrt();
    const auto rho_min = r * cam.pole_sin;
    const auto pushed = rho < rho_min;
    const auto on_axis = pushed & ~(rho > rho_min * 1e-6);
    const auto k =
        torch::where(pushed & ~on_axis, rho_min / torch::where(on_axis, rho_min, rho), 1.0);
    const auto xe = torch::where(on_axis, rho_min, x * k);
    const auto ye = torch::where(on_axis, torch::zeros_like(y), y * k);
    const auto rho_e2 = xe * xe + ye * ye;
    const auto rho_e = rho_e2.sqrt();
    const auto az = torch::atan2(ye, xe);
    // the elevation's value at the point itself, its derivative at the pushed point
    const auto el_pushed = torch::atan2(z, rho_e);
    const auto el = el_pushed + (torch::atan2(z.detach(), rho) - el_pushed.detach());
    const double deg = detail::kDegPerRad;
    // azimuth from az0 in the 360° window centred on the screen (a constant shift)
    auto a = az * deg - cam.az0;
    const double centre = 0.5 * (cam.width - 1) * cam.az_step;
    a = a - 360.0 * torch::floor((a.detach() - centre + 180.0) / 360.0);
    s.u = a / cam.az_step;
    s.v = (el * deg - cam.el0) / cam.el_step;
    const double ku = deg / cam.az_step, kv = deg / cam.el_step;
    s.j0 = torch::stack({-ku * ye / rho_e2, ku * xe / rho_e2, torch::zeros_like(x)}, 1);
    const auto t = kv * z / (r2 * rho_e);
    s.j1 = torch::stack({-t * xe, -t * ye, kv * rho_e / r2}, 1);
    s.depth = r;
    return s;
}

}  // namespace

Projection project(const Tensor& means,
                   const Tensor& scales,
                   const Tensor& quats,
                   const Camera& camera,
                   double blur) {
    const auto cam = detail::camera_params(camera);
    const auto opt = means.options();
    // world → camera in the inputs' scalar type, as the kernels round it
    const auto rot =
        torch::tensor(std::vector<double>(cam.rot, cam.rot + 9), opt.dtype(torch::kFloat64))
            .to(opt)
            .view({3, 3});
    const auto trans =
        torch::tensor(std::vector<double>(cam.trans, cam.trans + 3), opt.dtype(torch::kFloat64))
            .to(opt);
    const auto p = torch::matmul(means, rot.t()) + trans;  // [N, 3]
    // A = Rc·Rq·diag(s): the camera-frame covariance is A·Aᵀ
    const auto a = torch::matmul(rot, rotations(quats)) * scales.unsqueeze(1);  // [N, 3, 3]
    const ScreenMap s = cam.kind == detail::kPinhole ? pinhole(cam, p) : equirect(cam, p);
    // 2-D covariance (J·A)(J·A)ᵀ + blur·I and its inverse, the conic
    const auto b0 = torch::matmul(s.j0.unsqueeze(1), a).squeeze(1);  // [N, 3]
    const auto b1 = torch::matmul(s.j1.unsqueeze(1), a).squeeze(1);
    const auto suu = (b0 * b0).sum(1) + blur, suv = (b0 * b1).sum(1), svv = (b1 * b1).sum(1) + blur;
    const auto det0 = suu * svv - suv * suv;
    auto valid = s.valid & (det0 > 0);
    const auto det = torch::where(valid, det0, torch::ones_like(det0));
    const auto conics = torch::stack({svv / det, -suv / det, suu / det}, 1);
    // the screen box (screen_radii): kExtentSigmas standard deviations, rounded up
    const double big = 1 << 20;
    auto eu = torch::clamp_max(torch::ceil(suu.detach().sqrt() * detail::kExtentSigmas), big);
    auto ev = torch::clamp_max(torch::ceil(svv.detach().sqrt() * detail::kExtentSigmas), big);
    if (cam.wrap)
        eu = torch::clamp_max(eu, cam.width);
    const auto u = s.u.detach(), v = s.v.detach();
    auto off = (v + ev < 0) | (v - ev > cam.height - 1) | torch::isnan(eu) | torch::isnan(ev);
    if (!cam.wrap)
        off = off | (u + eu < 0) | (u - eu > cam.width - 1);
    valid = valid & ~off;
    const auto keep = valid.unsqueeze(1);
    Projection out;
    out.means2d = torch::where(keep, torch::stack({s.u, s.v}, 1), 0.0);
    out.conics = torch::where(keep, conics, 0.0);
    out.depths = torch::where(valid, s.depth, 0.0);
    out.radii = torch::where(keep, torch::stack({eu, ev}, 1), 0.0).to(torch::kInt32);
    return out;
}

Raster rasterize(const Tensor& means2d,
                 const Tensor& conics,
                 const Tensor& features,
                 const Tensor& opacities,
                 const Tensor& radii,
                 const Tensor& depths,
                 const Camera& camera,
                 const Tensor& background) {
    const auto cam = detail::camera_params(camera);
    const int64_t h = cam.height, w = cam.width, n_ch = features.size(1);
    const auto opt = features.options();
    const auto bg = background.defined() ? background.detach().to(opt) : torch::zeros({n_ch}, opt);
    // the visible Gaussians front to back: the kernels sort by the float32 depth, ties in id
    // order (a stable sort of the ids)
    const auto visible = (radii.select(1, 0) > 0).nonzero().squeeze(1);
    const auto key = depths.detach().index_select(0, visible).to(torch::kFloat32);
    const auto by_depth =
        std::get<1>(torch::sort(key, std::optional<bool>(true), 0, /*descending=*/false));
    const auto ids = visible.index_select(0, by_depth);  // [M]
    if (ids.size(0) == 0) {
        return {torch::zeros({h, w, n_ch}, opt) + bg + 0 * features.sum(), torch::ones({h, w}, opt),
                torch::full({h, w}, -1, ids.options())};
    }
    const auto uv = means2d.index_select(0, ids), con = conics.index_select(0, ids);
    const auto op = opacities.index_select(0, ids), f = features.index_select(0, ids);
    // every pixel (row r, column c) at the screen point (c, r) against every Gaussian: [P, M]
    const auto cols = torch::arange(w, opt).repeat({h});
    const auto rows = torch::arange(h, opt).repeat_interleave(w);
    auto dx = cols.unsqueeze(1) - uv.select(1, 0).unsqueeze(0);
    if (cam.wrap)  // the column offset taken modulo the width into [−W/2, W/2)
        dx = dx - static_cast<double>(w) * torch::floor(dx.detach() / static_cast<double>(w) + 0.5);
    const auto dy = rows.unsqueeze(1) - uv.select(1, 1).unsqueeze(0);
    const auto power = -0.5 * (con.select(1, 0) * dx * dx + con.select(1, 2) * dy * dy) -
                       con.select(1, 1) * dx * dy;
    const auto raw = op.unsqueeze(0) * torch::exp(power);
    const auto seen = (power <= 0) & (raw >= detail::kAlphaMin);  // else skipped
    auto alpha = torch::where(seen, torch::clamp_max(raw, detail::kAlphaMax), 0.0);
    // the kernels stop before the Gaussian that would take T below 1e-4: T is non-increasing,
    // so the Gaussians composited are those whose own T_{k+1} stays at or above it
    const auto t_after = torch::cumprod(1 - alpha.detach(), 1);
    alpha = torch::where(t_after < detail::kTransmittanceMin, 0.0, alpha);
    const auto t_inclusive = torch::cumprod(1 - alpha, 1);  // T_{k+1}
    const auto t_before = torch::cat(                       // T_k
        {torch::ones({h * w, 1}, opt), t_inclusive.narrow(1, 0, ids.size(0) - 1)}, 1);
    const auto weights = alpha * t_before;  // α_k T_k, [P, M]
    const auto final_t = t_inclusive.select(1, ids.size(0) - 1);
    const auto image = torch::matmul(weights, f) + final_t.unsqueeze(1) * bg;  // [P, C]
    // the Gaussian with the largest α_k T_k (the first of equals), −1 where none
    const auto best = weights.detach().max(1);
    const auto top = torch::where(std::get<0>(best) > 0, ids.index_select(0, std::get<1>(best)),
                                  torch::full({h * w}, -1, ids.options()));
    return {image.view({h, w, n_ch}), final_t.detach().view({h, w}), top.view({h, w})};
}

double rasterize_bytes(std::int64_t pixels, std::int64_t n, std::int64_t element_size) {
    // about a dozen [P, N] tensors live at the peak of the backward (offsets, power, alpha,
    // masks, cumulative products, weights and their gradients)
    return 14.0 * static_cast<double>(pixels) * static_cast<double>(n) *
           static_cast<double>(element_size);
}

}  // namespace radiofield::splat::reference
