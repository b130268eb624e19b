// Splatting, CPU kernels: loops over the shared math of splat_math.hpp (the CUDA kernels in
// splat_cuda.cu launch the same functions), float32 and float64.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "splat_kernels.hpp"

namespace radiofield::splat::detail {
namespace {

int64_t tile_count(const CameraParams& cam) {
    const int64_t tx = (cam.width + kTileSize - 1) / kTileSize;
    const int64_t ty = (cam.height + kTileSize - 1) / kTileSize;
    return tx * ty;
}

// Calls fn(pixel row, pixel column, tile) for every pixel of tiles [begin, end).
template <typename Fn>
void for_pixels_of_tiles(const CameraParams& cam, int64_t begin, int64_t end, Fn&& fn) {
    const int64_t tiles_x = (cam.width + kTileSize - 1) / kTileSize;
    for (int64_t tile = begin; tile < end; ++tile) {
        const int64_t r0 = (tile / tiles_x) * kTileSize, c0 = (tile % tiles_x) * kTileSize;
        const int64_t r1 = std::min<int64_t>(r0 + kTileSize, cam.height);
        const int64_t c1 = std::min<int64_t>(c0 + kTileSize, cam.width);
        for (int64_t r = r0; r < r1; ++r) {
            for (int64_t c = c0; c < c1; ++c) {
                fn(r, c, tile);
            }
        }
    }
}

}  // namespace

std::vector<torch::Tensor> project_forward_cpu(const torch::Tensor& means,
                                               const torch::Tensor& scales,
                                               const torch::Tensor& quats,
                                               const CameraParams& cam,
                                               double blur) {
    const int64_t n = means.size(0);
    auto means2d = torch::zeros({n, 2}, means.options());
    auto conics = torch::zeros({n, 3}, means.options());
    auto depths = torch::zeros({n}, means.options());
    auto radii = torch::zeros({n, 2}, means.options().dtype(torch::kInt32));
    AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "project_forward_cpu", [&] {
        const scalar_t* m = means.data_ptr<scalar_t>();
        const scalar_t* s = scales.data_ptr<scalar_t>();
        const scalar_t* q = quats.data_ptr<scalar_t>();
        scalar_t* uv = means2d.data_ptr<scalar_t>();
        scalar_t* con = conics.data_ptr<scalar_t>();
        scalar_t* dep = depths.data_ptr<scalar_t>();
        int32_t* rad = radii.data_ptr<int32_t>();
        at::parallel_for(0, n, 4096, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                Projected<scalar_t> g;
                scalar_t depth = 0;
                if (!project_gaussian<scalar_t, scalar_t>(cam, m + 3 * i, s + 3 * i, q + 4 * i,
                                                          scalar_t(blur), g, &depth)) {
                    continue;
                }
                int ru = 0, rv = 0;
                screen_radii(cam, g, &ru, &rv);
                if (ru == 0) {
                    continue;
                }
                uv[2 * i] = g.u, uv[2 * i + 1] = g.v;
                con[3 * i] = g.ca, con[3 * i + 1] = g.cb, con[3 * i + 2] = g.cc;
                dep[i] = depth;
                rad[2 * i] = ru, rad[2 * i + 1] = rv;
            }
        });
    });
    return {means2d, conics, depths, radii};
}

std::vector<torch::Tensor> project_backward_cpu(const torch::Tensor& means,
                                                const torch::Tensor& scales,
                                                const torch::Tensor& quats,
                                                const torch::Tensor& radii,
                                                const CameraParams& cam,
                                                double blur,
                                                const torch::Tensor& grad_means2d,
                                                const torch::Tensor& grad_conics) {
    const int64_t n = means.size(0);
    auto gm = torch::zeros_like(means), gs = torch::zeros_like(scales),
         gq = torch::zeros_like(quats);
    AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "project_backward_cpu", [&] {
        const scalar_t* m = means.data_ptr<scalar_t>();
        const scalar_t* s = scales.data_ptr<scalar_t>();
        const scalar_t* q = quats.data_ptr<scalar_t>();
        const int32_t* rad = radii.data_ptr<int32_t>();
        const scalar_t* guv = grad_means2d.data_ptr<scalar_t>();
        const scalar_t* gcon = grad_conics.data_ptr<scalar_t>();
        scalar_t* om = gm.data_ptr<scalar_t>();
        scalar_t* os = gs.data_ptr<scalar_t>();
        scalar_t* oq = gq.data_ptr<scalar_t>();
        at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                if (rad[2 * i] == 0) {
                    continue;
                }
                project_gaussian_backward<scalar_t>(cam, m + 3 * i, s + 3 * i, q + 4 * i,
                                                    scalar_t(blur), guv + 2 * i, gcon + 3 * i,
                                                    om + 3 * i, os + 3 * i, oq + 4 * i);
            }
        });
    });
    return {gm, gs, gq};
}

torch::Tensor count_tiles_cpu(const torch::Tensor& means2d,
                              const torch::Tensor& radii,
                              const CameraParams& cam) {
    const int64_t n = means2d.size(0);
    auto counts = torch::zeros({n}, radii.options().dtype(torch::kInt64));
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "count_tiles_cpu", [&] {
        const scalar_t* uv = means2d.data_ptr<scalar_t>();
        const int32_t* rad = radii.data_ptr<int32_t>();
        int64_t* out = counts.data_ptr<int64_t>();
        for (int64_t i = 0; i < n; ++i) {
            out[i] = tile_span(cam, uv[2 * i], uv[2 * i + 1], rad[2 * i], rad[2 * i + 1]).count();
        }
    });
    return counts;
}

std::vector<torch::Tensor> emit_tile_keys_cpu(const torch::Tensor& means2d,
                                              const torch::Tensor& radii,
                                              const torch::Tensor& depths,
                                              const torch::Tensor& offsets,
                                              int64_t total,
                                              const CameraParams& cam) {
    const int64_t n = means2d.size(0);
    auto keys = torch::empty({total}, radii.options().dtype(torch::kInt64));
    auto ids = torch::empty({total}, radii.options().dtype(torch::kInt32));
    const int tiles_x = (cam.width + kTileSize - 1) / kTileSize;
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "emit_tile_keys_cpu", [&] {
        const scalar_t* uv = means2d.data_ptr<scalar_t>();
        const scalar_t* dep = depths.data_ptr<scalar_t>();
        const int32_t* rad = radii.data_ptr<int32_t>();
        const int64_t* off = offsets.data_ptr<int64_t>();
        int64_t* k = keys.data_ptr<int64_t>();
        int32_t* id = ids.data_ptr<int32_t>();
        for (int64_t i = 0; i < n; ++i) {
            const TileSpan span =
                tile_span(cam, uv[2 * i], uv[2 * i + 1], rad[2 * i], rad[2 * i + 1]);
            const float depth = static_cast<float>(dep[i]);
            uint32_t bits = 0;
            std::memcpy(&bits, &depth, sizeof bits);  // positive floats sort as their bits
            int64_t at = off[i];
            for (int r = span.row0; r < span.row1; ++r) {
                for (int part = 0; part < span.n_cols; ++part) {
                    for (int c = span.col0[part]; c < span.col1[part]; ++c, ++at) {
                        const int64_t tile = static_cast<int64_t>(r) * tiles_x + c;
                        k[at] = (tile << 32) | static_cast<int64_t>(bits);
                        id[at] = static_cast<int32_t>(i);
                    }
                }
            }
        }
    });
    return {keys, ids};
}

std::vector<torch::Tensor> rasterize_forward_cpu(const torch::Tensor& means2d,
                                                 const torch::Tensor& conics,
                                                 const torch::Tensor& features,
                                                 const torch::Tensor& opacities,
                                                 const torch::Tensor& background,
                                                 const torch::Tensor& ids,
                                                 const torch::Tensor& tile_begin,
                                                 const torch::Tensor& tile_end,
                                                 const CameraParams& cam) {
    const int64_t h = cam.height, w = cam.width, n_ch = features.size(1);
    auto image = torch::empty({h, w, n_ch}, features.options());
    auto final_t = torch::empty({h, w}, features.options());
    auto walked = torch::empty({h, w}, tile_begin.options().dtype(torch::kInt32));
    auto top = torch::empty({h, w}, tile_begin.options().dtype(torch::kInt32));
    const int wrap_width = cam.wrap ? cam.width : 0;
    AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "rasterize_forward_cpu", [&] {
        const scalar_t* uv = means2d.data_ptr<scalar_t>();
        const scalar_t* con = conics.data_ptr<scalar_t>();
        const scalar_t* feat = features.data_ptr<scalar_t>();
        const scalar_t* op = opacities.data_ptr<scalar_t>();
        const scalar_t* bg = background.data_ptr<scalar_t>();
        const int32_t* id = ids.data_ptr<int32_t>();
        const int64_t* tb = tile_begin.data_ptr<int64_t>();
        const int64_t* te = tile_end.data_ptr<int64_t>();
        scalar_t* img = image.data_ptr<scalar_t>();
        scalar_t* ft = final_t.data_ptr<scalar_t>();
        int32_t* wk = walked.data_ptr<int32_t>();
        int32_t* tp = top.data_ptr<int32_t>();
        at::parallel_for(0, tile_count(cam), 1, [&](int64_t begin, int64_t end) {
            for_pixels_of_tiles(cam, begin, end, [&](int64_t r, int64_t c, int64_t tile) {
                const int64_t pix = r * w + c;
                composite_pixel<scalar_t, int32_t>(scalar_t(c), scalar_t(r), id, tb[tile], te[tile],
                                                   uv, con, feat, op, bg, static_cast<int>(n_ch),
                                                   wrap_width, img + pix * n_ch, ft + pix, wk + pix,
                                                   tp + pix);
            });
        });
    });
    return {image, final_t, walked, top};
}

std::vector<torch::Tensor> composite_weights_cpu(const torch::Tensor& means2d,
                                                 const torch::Tensor& conics,
                                                 const torch::Tensor& opacities,
                                                 const torch::Tensor& ids,
                                                 const torch::Tensor& tile_begin,
                                                 const torch::Tensor& walked,
                                                 const torch::Tensor& offsets,
                                                 int64_t total,
                                                 const CameraParams& cam) {
    const int64_t w = cam.width;
    auto out_ids = torch::empty({total}, ids.options());
    auto out_weights = torch::empty({total}, means2d.options());
    const int wrap_width = cam.wrap ? cam.width : 0;
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "composite_weights_cpu", [&] {
        const scalar_t* uv = means2d.data_ptr<scalar_t>();
        const scalar_t* con = conics.data_ptr<scalar_t>();
        const scalar_t* op = opacities.data_ptr<scalar_t>();
        const int32_t* id = ids.data_ptr<int32_t>();
        const int64_t* tb = tile_begin.data_ptr<int64_t>();
        const int32_t* wk = walked.data_ptr<int32_t>();
        const int64_t* off = offsets.data_ptr<int64_t>();
        int32_t* oid = out_ids.data_ptr<int32_t>();
        scalar_t* ow = out_weights.data_ptr<scalar_t>();
        at::parallel_for(0, tile_count(cam), 1, [&](int64_t begin, int64_t end) {
            for_pixels_of_tiles(cam, begin, end, [&](int64_t r, int64_t c, int64_t tile) {
                const int64_t pix = r * w + c;
                composite_pixel_weights<scalar_t, int32_t>(scalar_t(c), scalar_t(r), id, tb[tile],
                                                           wk[pix], uv, con, op, wrap_width,
                                                           oid + off[pix], ow + off[pix]);
            });
        });
    });
    return {out_ids, out_weights};
}

std::vector<torch::Tensor> rasterize_backward_cpu(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& features,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& background,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& final_t,
                                                  const torch::Tensor& walked,
                                                  const torch::Tensor& grad_image,
                                                  const CameraParams& cam) {
    const int64_t n = means2d.size(0), n_ch = features.size(1), w = cam.width;
    // One gradient buffer per worker thread, summed at the end: no atomics on the CPU.
    const int64_t threads = at::get_num_threads();
    const int64_t per = n * (2 + 3 + n_ch + 1);
    auto buffers = torch::zeros({threads, per}, features.options());
    const int wrap_width = cam.wrap ? cam.width : 0;
    AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "rasterize_backward_cpu", [&] {
        const scalar_t* uv = means2d.data_ptr<scalar_t>();
        const scalar_t* con = conics.data_ptr<scalar_t>();
        const scalar_t* feat = features.data_ptr<scalar_t>();
        const scalar_t* op = opacities.data_ptr<scalar_t>();
        const scalar_t* bg = background.data_ptr<scalar_t>();
        const int32_t* id = ids.data_ptr<int32_t>();
        const int64_t* tb = tile_begin.data_ptr<int64_t>();
        const scalar_t* ft = final_t.data_ptr<scalar_t>();
        const int32_t* wk = walked.data_ptr<int32_t>();
        const scalar_t* gi = grad_image.data_ptr<scalar_t>();
        scalar_t* buf = buffers.data_ptr<scalar_t>();
        at::parallel_for(0, tile_count(cam), 1, [&](int64_t begin, int64_t end) {
            scalar_t* mine = buf + at::get_thread_num() * per;
            scalar_t* g_uv = mine;
            scalar_t* g_con = g_uv + 2 * n;
            scalar_t* g_feat = g_con + 3 * n;
            scalar_t* g_op = g_feat + n_ch * n;
            const auto add = [](scalar_t* at, scalar_t v) { *at += v; };
            for_pixels_of_tiles(cam, begin, end, [&](int64_t r, int64_t c, int64_t tile) {
                const int64_t pix = r * w + c;
                composite_pixel_backward<scalar_t, int32_t>(
                    scalar_t(c), scalar_t(r), id, tb[tile], wk[pix], uv, con, feat, op, bg,
                    static_cast<int>(n_ch), wrap_width, ft[pix], gi + pix * n_ch, g_uv, g_con,
                    g_feat, g_op, add);
            });
        });
    });
    const auto total = buffers.sum(0);
    auto parts = total.split_with_sizes({2 * n, 3 * n, n_ch * n, n});
    return {parts[0].view({n, 2}), parts[1].view({n, 3}), parts[2].view({n, n_ch}),
            parts[3].view({n})};
}

}  // namespace radiofield::splat::detail
