// project and rasterize: validation, the autograd functions, and the tile binning that
// sits between the device kernels (counting and key emission are kernels; the sort and the
// tile ranges are LibTorch ops on the same device).
#include "radiofield/splat/ops.hpp"

#include <torch/torch.h>

#include <cstring>

#include "camera_params.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/nn/dispatch.hpp"
#include "splat_kernels.hpp"

namespace radiofield::splat {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// CameraParams travel through the autograd context as bytes.
Tensor pack(const detail::CameraParams& cam) {
    auto t = torch::empty({static_cast<int64_t>(sizeof cam)}, torch::kUInt8);
    std::memcpy(t.data_ptr(), &cam, sizeof cam);
    return t;
}
detail::CameraParams unpack(const Tensor& t) {
    detail::CameraParams cam;
    std::memcpy(&cam, t.data_ptr(), sizeof cam);
    return cam;
}

Tensor or_zeros(const Tensor& grad, const Tensor& like) {
    return grad.defined() ? grad.contiguous() : torch::zeros_like(like);
}

void check(const Tensor& t, std::string_view op, std::string_view name, int64_t n, int64_t cols) {
    const bool shape_ok = cols == 0 ? (t.dim() == 1 && t.size(0) == n)
                                    : (t.dim() == 2 && t.size(0) == n && t.size(1) == cols);
    if (!shape_ok) {
        fail("{}: expected {} of shape [{}{}], got {}", op, name, n,
             cols == 0 ? std::string() : ", " + std::to_string(cols), c10::str(t.sizes()));
    }
}

void check_floats(std::string_view op, std::initializer_list<Tensor> ts) {
    const auto type = ts.begin()->scalar_type();
    const auto device = ts.begin()->device();
    for (const auto& t : ts) {
        if (t.scalar_type() != type || (type != torch::kFloat32 && type != torch::kFloat64)) {
            fail("{}: inputs must all be float32 or all float64, got {} and {}", op,
                 c10::toString(type), c10::toString(t.scalar_type()));
        }
        if (t.device() != device) {
            fail("{}: inputs must be on one device, got {} and {}", op, device.str(),
                 t.device().str());
        }
    }
}

// The inputs rasterize and composite_weights take from project: their shapes, float types
// and device, and int32 radii. Returns the Gaussians' count.
int64_t check_projected(std::string_view op,
                        const Tensor& means2d,
                        const Tensor& conics,
                        const Tensor& opacities,
                        const Tensor& radii,
                        const Tensor& depths) {
    const int64_t n = means2d.dim() == 2 ? means2d.size(0) : -1;
    check(means2d, op, "means2d", n, 2);
    check(conics, op, "conics", n, 3);
    check(opacities, op, "opacities", n, 0);
    check(radii, op, "radii", n, 2);
    check(depths, op, "depths", n, 0);
    check_floats(op, {means2d, conics, opacities, depths});
    if (radii.scalar_type() != torch::kInt32)
        fail("{}: radii must be int32 (as project returns them)", op);
    return n;
}

class ProjectFunction : public torch::autograd::Function<ProjectFunction> {
public:
    static variable_list forward(AutogradContext* ctx,
                                 const Tensor& means,
                                 const Tensor& scales,
                                 const Tensor& quats,
                                 const Tensor& cam_bytes,
                                 double blur) {
        const auto cam = unpack(cam_bytes);
        auto out = nn::dispatch("splat::project", means, detail::project_forward_cpu,
                                detail::project_forward_cuda, means, scales, quats, cam, blur);
        ctx->save_for_backward({means, scales, quats, out[3]});
        ctx->saved_data["cam"] = cam_bytes;
        ctx->saved_data["blur"] = blur;
        ctx->mark_non_differentiable({out[2], out[3]});
        return out;  // means2d, conics, depths, radii
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto cam = unpack(ctx->saved_data["cam"].toTensor());
        const double blur = ctx->saved_data["blur"].toDouble();
        const auto g =
            nn::dispatch("splat::project", saved[0], detail::project_backward_cpu,
                         detail::project_backward_cuda, saved[0], saved[1], saved[2], saved[3], cam,
                         blur, or_zeros(grads[0], saved[0].new_empty({saved[0].size(0), 2})),
                         or_zeros(grads[1], saved[0].new_empty({saved[0].size(0), 3})));
        return {g[0], g[1], g[2], Tensor(), Tensor()};
    }
};

// Sorted (tile, depth) list of the projected Gaussians: {ids [M] int32, tile_begin, tile_end}.
std::vector<Tensor> bin_tiles(const Tensor& means2d,
                              const Tensor& radii,
                              const Tensor& depths,
                              const detail::CameraParams& cam) {
    const auto counts = nn::dispatch("splat::rasterize", means2d, detail::count_tiles_cpu,
                                     detail::count_tiles_cuda, means2d, radii, cam);
    const auto inclusive = counts.cumsum(0);
    const int64_t total = counts.numel() == 0 ? 0 : inclusive[-1].item<int64_t>();
    const auto offsets = (inclusive - counts).contiguous();
    const auto keyed =
        nn::dispatch("splat::rasterize", means2d, detail::emit_tile_keys_cpu,
                     detail::emit_tile_keys_cuda, means2d, radii, depths, offsets, total, cam);
    const auto sorted =
        torch::sort(keyed[0], std::optional<bool>(true), /*dim=*/0, /*descending=*/false);
    const auto ids = keyed[1].index_select(0, std::get<1>(sorted)).contiguous();
    const auto tiles = torch::bitwise_right_shift(std::get<0>(sorted), 32);
    const int64_t n_tiles =
        static_cast<int64_t>((cam.width + detail::kTileSize - 1) / detail::kTileSize) *
        ((cam.height + detail::kTileSize - 1) / detail::kTileSize);
    const auto all = torch::arange(n_tiles, tiles.options());
    const auto begin = torch::searchsorted(tiles, all).contiguous();
    const auto end = torch::searchsorted(tiles, all, /*out_int32=*/false, /*right=*/true);
    return {ids, begin, end.contiguous()};
}

class RasterizeFunction : public torch::autograd::Function<RasterizeFunction> {
public:
    static variable_list forward(AutogradContext* ctx,
                                 const Tensor& means2d,
                                 const Tensor& conics,
                                 const Tensor& features,
                                 const Tensor& opacities,
                                 const Tensor& radii,
                                 const Tensor& depths,
                                 const Tensor& background,
                                 const Tensor& cam_bytes) {
        const auto cam = unpack(cam_bytes);
        const auto bins = bin_tiles(means2d, radii, depths, cam);
        auto out = nn::dispatch("splat::rasterize", means2d, detail::rasterize_forward_cpu,
                                detail::rasterize_forward_cuda, means2d, conics, features,
                                opacities, background, bins[0], bins[1], bins[2], cam);
        ctx->save_for_backward(
            {means2d, conics, features, opacities, background, bins[0], bins[1], out[1], out[2]});
        ctx->saved_data["cam"] = cam_bytes;
        const auto top = out[3].to(torch::kInt64);
        ctx->mark_non_differentiable({out[1], top});
        return {out[0], out[1], top};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto s = ctx->get_saved_variables();
        const auto cam = unpack(ctx->saved_data["cam"].toTensor());
        if (!grads[0].defined()) {
            return {Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
        }
        const auto g = nn::dispatch("splat::rasterize", s[0], detail::rasterize_backward_cpu,
                                    detail::rasterize_backward_cuda, s[0], s[1], s[2], s[3], s[4],
                                    s[5], s[6], s[7], s[8], grads[0].contiguous(), cam);
        return {g[0], g[1], g[2], g[3], Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

}  // namespace

Projection project(const Tensor& means,
                   const Tensor& scales,
                   const Tensor& quats,
                   const Camera& camera,
                   double blur) {
    constexpr std::string_view op = "splat::project";
    const int64_t n = means.dim() == 2 ? means.size(0) : -1;
    check(means, op, "means", n, 3);
    check(scales, op, "scales", n, 3);
    check(quats, op, "quats (w, x, y, z)", n, 4);
    check_floats(op, {means, scales, quats});
    if (!(blur >= 0)) {
        fail("splat::project: blur must be ≥ 0 pixels², got {}", blur);
    }
    const auto cam = detail::camera_params(camera);
    const auto out = ProjectFunction::apply(means.contiguous(), scales.contiguous(),
                                            quats.contiguous(), pack(cam), blur);
    return {out[0], out[1], out[2], out[3]};
}

Raster rasterize(const Tensor& means2d,
                 const Tensor& conics,
                 const Tensor& features,
                 const Tensor& opacities,
                 const Tensor& radii,
                 const Tensor& depths,
                 const Camera& camera,
                 const Tensor& background) {
    constexpr std::string_view op = "splat::rasterize";
    const int64_t n = check_projected(op, means2d, conics, opacities, radii, depths);
    if (features.dim() != 2 || features.size(0) != n || features.size(1) < 1 ||
        features.size(1) > detail::kMaxChannels) {
        fail("splat::rasterize: expected features [{}, C] with 1 ≤ C ≤ {}, got {}", n,
             detail::kMaxChannels, c10::str(features.sizes()));
    }
    check_floats(op, {means2d, features});
    const int64_t n_ch = features.size(1);
    auto bg = background.defined() ? background.detach().to(features.options()).contiguous()
                                   : torch::zeros({n_ch}, features.options());
    if (bg.dim() != 1 || bg.size(0) != n_ch) {
        fail("splat::rasterize: background must have one value per channel ({}), got {}", n_ch,
             c10::str(bg.sizes()));
    }
    const auto cam = detail::camera_params(camera);
    const auto out = RasterizeFunction::apply(
        means2d.contiguous(), conics.contiguous(), features.contiguous(), opacities.contiguous(),
        radii.contiguous(), depths.contiguous(), bg, pack(cam));
    return {out[0], out[1], out[2]};
}

CompositeWeights composite_weights(const Tensor& means2d,
                                   const Tensor& conics,
                                   const Tensor& opacities,
                                   const Tensor& radii,
                                   const Tensor& depths,
                                   const Camera& camera) {
    constexpr std::string_view op = "splat::composite_weights";
    const int64_t n = check_projected(op, means2d, conics, opacities, radii, depths);
    torch::NoGradGuard no_grad;
    const auto cam = detail::camera_params(camera);
    const auto uv = means2d.detach().contiguous();
    const auto con = conics.detach().contiguous();
    const auto opa = opacities.detach().contiguous();
    const auto bins = bin_tiles(uv, radii.contiguous(), depths.detach().contiguous(), cam);
    // The forward pass says how many list entries each pixel walks; the weights of exactly
    // those are then written at the pixel's offset.
    const auto none = torch::zeros({n, 1}, uv.options());
    const auto fwd =
        nn::dispatch(op, uv, detail::rasterize_forward_cpu, detail::rasterize_forward_cuda, uv, con,
                     none, opa, torch::zeros({1}, uv.options()), bins[0], bins[1], bins[2], cam);
    const auto walked = fwd[2].contiguous();
    const auto counts = walked.flatten().to(torch::kInt64);
    const auto inclusive = counts.cumsum(0);
    const int64_t total = counts.numel() == 0 ? 0 : inclusive[-1].item<int64_t>();
    const auto offsets = (inclusive - counts).contiguous();
    const auto out =
        nn::dispatch(op, uv, detail::composite_weights_cpu, detail::composite_weights_cuda, uv, con,
                     opa, bins[0], bins[1], walked, offsets, total, cam);
    const auto keep = out[0] >= 0;
    const auto pixel = torch::arange(counts.numel(), counts.options())
                           .repeat_interleave(counts, /*dim=*/0, /*output_size=*/total);
    return {pixel.index({keep}), out[0].index({keep}).to(torch::kInt64), out[1].index({keep})};
}

}  // namespace radiofield::splat
