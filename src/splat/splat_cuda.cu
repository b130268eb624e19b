// Splatting, CUDA kernels: one thread per Gaussian (projection, binning) or per pixel
// (compositing, one 16×16 block per tile) over the shared math of splat_math.hpp, the same
// functions the CPU kernels (splat_cpu.cpp) loop over. float32 and float64.
#include <ATen/Dispatch.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <cstdint>

#include "splat_kernels.hpp"

namespace radiofield::splat::detail {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t n) {
    return static_cast<unsigned>((n + kThreads - 1) / kThreads);
}

template <typename T>
__global__ void project_forward_kernel(int64_t n,
                                       CameraParams cam,
                                       T blur,
                                       const T* __restrict__ m,
                                       const T* __restrict__ s,
                                       const T* __restrict__ q,
                                       T* __restrict__ uv,
                                       T* __restrict__ con,
                                       T* __restrict__ dep,
                                       int32_t* __restrict__ rad) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    Projected<T> g;
    T depth = 0;
    if (!project_gaussian<T, T>(cam, m + 3 * i, s + 3 * i, q + 4 * i, blur, g, &depth)) {
        return;
    }
    int ru = 0, rv = 0;
    screen_radii(cam, g, &ru, &rv);
    if (ru == 0) {
        return;
    }
    uv[2 * i] = g.u, uv[2 * i + 1] = g.v;
    con[3 * i] = g.ca, con[3 * i + 1] = g.cb, con[3 * i + 2] = g.cc;
    dep[i] = depth;
    rad[2 * i] = ru, rad[2 * i + 1] = rv;
}

template <typename T>
__global__ void project_backward_kernel(int64_t n,
                                        CameraParams cam,
                                        T blur,
                                        const T* __restrict__ m,
                                        const T* __restrict__ s,
                                        const T* __restrict__ q,
                                        const int32_t* __restrict__ rad,
                                        const T* __restrict__ guv,
                                        const T* __restrict__ gcon,
                                        T* __restrict__ om,
                                        T* __restrict__ os,
                                        T* __restrict__ oq) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n || rad[2 * i] == 0) {
        return;
    }
    project_gaussian_backward<T>(cam, m + 3 * i, s + 3 * i, q + 4 * i, blur, guv + 2 * i,
                                 gcon + 3 * i, om + 3 * i, os + 3 * i, oq + 4 * i);
}

template <typename T>
__global__ void count_tiles_kernel(int64_t n,
                                   CameraParams cam,
                                   const T* __restrict__ uv,
                                   const int32_t* __restrict__ rad,
                                   int64_t* __restrict__ counts) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    counts[i] = tile_span(cam, uv[2 * i], uv[2 * i + 1], rad[2 * i], rad[2 * i + 1]).count();
}

template <typename T>
__global__ void emit_tile_keys_kernel(int64_t n,
                                      CameraParams cam,
                                      const T* __restrict__ uv,
                                      const int32_t* __restrict__ rad,
                                      const T* __restrict__ dep,
                                      const int64_t* __restrict__ off,
                                      int64_t* __restrict__ keys,
                                      int32_t* __restrict__ ids) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    const TileSpan span = tile_span(cam, uv[2 * i], uv[2 * i + 1], rad[2 * i], rad[2 * i + 1]);
    const int tiles_x = (cam.width + kTileSize - 1) / kTileSize;
    const uint32_t bits = __float_as_uint(static_cast<float>(dep[i]));
    int64_t at = off[i];
    for (int r = span.row0; r < span.row1; ++r) {
        for (int part = 0; part < span.n_cols; ++part) {
            for (int c = span.col0[part]; c < span.col1[part]; ++c, ++at) {
                const int64_t tile = static_cast<int64_t>(r) * tiles_x + c;
                keys[at] = (tile << 32) | static_cast<int64_t>(bits);
                ids[at] = static_cast<int32_t>(i);
            }
        }
    }
}

template <typename T>
__global__ void rasterize_forward_kernel(CameraParams cam,
                                         int n_ch,
                                         const T* __restrict__ uv,
                                         const T* __restrict__ con,
                                         const T* __restrict__ feat,
                                         const T* __restrict__ op,
                                         const T* __restrict__ bg,
                                         const int32_t* __restrict__ ids,
                                         const int64_t* __restrict__ tb,
                                         const int64_t* __restrict__ te,
                                         T* __restrict__ img,
                                         T* __restrict__ ft,
                                         int32_t* __restrict__ walked,
                                         int32_t* __restrict__ top) {
    const int c = blockIdx.x * kTileSize + threadIdx.x;
    const int r = blockIdx.y * kTileSize + threadIdx.y;
    if (c >= cam.width || r >= cam.height) {
        return;
    }
    const int64_t tile = static_cast<int64_t>(blockIdx.y) * gridDim.x + blockIdx.x;
    const int64_t pix = static_cast<int64_t>(r) * cam.width + c;
    composite_pixel<T, int32_t>(T(c), T(r), ids, tb[tile], te[tile], uv, con, feat, op, bg, n_ch,
                                cam.wrap ? cam.width : 0, img + pix * n_ch, ft + pix, walked + pix,
                                top + pix);
}

struct AtomicAdd {
    template <typename T>
    __host__ __device__ void operator()(T* at, T v) const {
#ifdef __CUDA_ARCH__
        atomicAdd(at, v);
#else
        *at += v;
#endif
    }
};

template <typename T>
__global__ void rasterize_backward_kernel(CameraParams cam,
                                          int n_ch,
                                          const T* __restrict__ uv,
                                          const T* __restrict__ con,
                                          const T* __restrict__ feat,
                                          const T* __restrict__ op,
                                          const T* __restrict__ bg,
                                          const int32_t* __restrict__ ids,
                                          const int64_t* __restrict__ tb,
                                          const T* __restrict__ ft,
                                          const int32_t* __restrict__ walked,
                                          const T* __restrict__ gi,
                                          T* g_uv,
                                          T* g_con,
                                          T* g_feat,
                                          T* g_op) {
    const int c = blockIdx.x * kTileSize + threadIdx.x;
    const int r = blockIdx.y * kTileSize + threadIdx.y;
    if (c >= cam.width || r >= cam.height) {
        return;
    }
    const int64_t tile = static_cast<int64_t>(blockIdx.y) * gridDim.x + blockIdx.x;
    const int64_t pix = static_cast<int64_t>(r) * cam.width + c;
    composite_pixel_backward<T, int32_t>(T(c), T(r), ids, tb[tile], walked[pix], uv, con, feat, op,
                                         bg, n_ch, cam.wrap ? cam.width : 0, ft[pix],
                                         gi + pix * n_ch, g_uv, g_con, g_feat, g_op, AtomicAdd{});
}

template <typename T>
__global__ void composite_weights_kernel(CameraParams cam,
                                         const T* __restrict__ uv,
                                         const T* __restrict__ con,
                                         const T* __restrict__ op,
                                         const int32_t* __restrict__ ids,
                                         const int64_t* __restrict__ tb,
                                         const int32_t* __restrict__ walked,
                                         const int64_t* __restrict__ offsets,
                                         int32_t* __restrict__ out_ids,
                                         T* __restrict__ out_weights) {
    const int c = blockIdx.x * kTileSize + threadIdx.x;
    const int r = blockIdx.y * kTileSize + threadIdx.y;
    if (c >= cam.width || r >= cam.height) {
        return;
    }
    const int64_t tile = static_cast<int64_t>(blockIdx.y) * gridDim.x + blockIdx.x;
    const int64_t pix = static_cast<int64_t>(r) * cam.width + c;
    composite_pixel_weights<T, int32_t>(T(c), T(r), ids, tb[tile], walked[pix], uv, con, op,
                                        cam.wrap ? cam.width : 0, out_ids + offsets[pix],
                                        out_weights + offsets[pix]);
}

dim3 tile_grid(const CameraParams& cam) {
    return dim3(static_cast<unsigned>((cam.width + kTileSize - 1) / kTileSize),
                static_cast<unsigned>((cam.height + kTileSize - 1) / kTileSize));
}

}  // namespace

std::vector<torch::Tensor> project_forward_cuda(const torch::Tensor& means,
                                                const torch::Tensor& scales,
                                                const torch::Tensor& quats,
                                                const CameraParams& cam,
                                                double blur) {
    const c10::cuda::CUDAGuard guard(means.device());
    const int64_t n = means.size(0);
    auto means2d = torch::zeros({n, 2}, means.options());
    auto conics = torch::zeros({n, 3}, means.options());
    auto depths = torch::zeros({n}, means.options());
    auto radii = torch::zeros({n, 2}, means.options().dtype(torch::kInt32));
    if (n == 0) {
        return {means2d, conics, depths, radii};
    }
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "project_forward_cuda", [&] {
        project_forward_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
            n, cam, scalar_t(blur), means.data_ptr<scalar_t>(), scales.data_ptr<scalar_t>(),
            quats.data_ptr<scalar_t>(), means2d.data_ptr<scalar_t>(), conics.data_ptr<scalar_t>(),
            depths.data_ptr<scalar_t>(), radii.data_ptr<int32_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {means2d, conics, depths, radii};
}

std::vector<torch::Tensor> project_backward_cuda(const torch::Tensor& means,
                                                 const torch::Tensor& scales,
                                                 const torch::Tensor& quats,
                                                 const torch::Tensor& radii,
                                                 const CameraParams& cam,
                                                 double blur,
                                                 const torch::Tensor& grad_means2d,
                                                 const torch::Tensor& grad_conics) {
    const c10::cuda::CUDAGuard guard(means.device());
    const int64_t n = means.size(0);
    auto gm = torch::zeros_like(means), gs = torch::zeros_like(scales),
         gq = torch::zeros_like(quats);
    if (n == 0) {
        return {gm, gs, gq};
    }
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "project_backward_cuda", [&] {
        project_backward_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
            n, cam, scalar_t(blur), means.data_ptr<scalar_t>(), scales.data_ptr<scalar_t>(),
            quats.data_ptr<scalar_t>(), radii.data_ptr<int32_t>(),
            grad_means2d.data_ptr<scalar_t>(), grad_conics.data_ptr<scalar_t>(),
            gm.data_ptr<scalar_t>(), gs.data_ptr<scalar_t>(), gq.data_ptr<scalar_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {gm, gs, gq};
}

torch::Tensor count_tiles_cuda(const torch::Tensor& means2d,
                               const torch::Tensor& radii,
                               const CameraParams& cam) {
    const c10::cuda::CUDAGuard guard(means2d.device());
    const int64_t n = means2d.size(0);
    auto counts = torch::zeros({n}, radii.options().dtype(torch::kInt64));
    if (n == 0) {
        return counts;
    }
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "count_tiles_cuda", [&] {
        count_tiles_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
            n, cam, means2d.data_ptr<scalar_t>(), radii.data_ptr<int32_t>(),
            counts.data_ptr<int64_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return counts;
}

std::vector<torch::Tensor> emit_tile_keys_cuda(const torch::Tensor& means2d,
                                               const torch::Tensor& radii,
                                               const torch::Tensor& depths,
                                               const torch::Tensor& offsets,
                                               int64_t total,
                                               const CameraParams& cam) {
    const c10::cuda::CUDAGuard guard(means2d.device());
    const int64_t n = means2d.size(0);
    auto keys = torch::empty({total}, radii.options().dtype(torch::kInt64));
    auto ids = torch::empty({total}, radii.options().dtype(torch::kInt32));
    if (n == 0 || total == 0) {
        return {keys, ids};
    }
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "emit_tile_keys_cuda", [&] {
        emit_tile_keys_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
            n, cam, means2d.data_ptr<scalar_t>(), radii.data_ptr<int32_t>(),
            depths.data_ptr<scalar_t>(), offsets.data_ptr<int64_t>(), keys.data_ptr<int64_t>(),
            ids.data_ptr<int32_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {keys, ids};
}

std::vector<torch::Tensor> rasterize_forward_cuda(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& features,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& background,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& tile_end,
                                                  const CameraParams& cam) {
    const c10::cuda::CUDAGuard guard(features.device());
    const int64_t h = cam.height, w = cam.width, n_ch = features.size(1);
    auto image = torch::empty({h, w, n_ch}, features.options());
    auto final_t = torch::empty({h, w}, features.options());
    auto walked = torch::empty({h, w}, tile_begin.options().dtype(torch::kInt32));
    auto top = torch::empty({h, w}, tile_begin.options().dtype(torch::kInt32));
    auto stream = at::cuda::getCurrentCUDAStream();
    const dim3 block(kTileSize, kTileSize);
    AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "rasterize_forward_cuda", [&] {
        rasterize_forward_kernel<scalar_t><<<tile_grid(cam), block, 0, stream>>>(
            cam, static_cast<int>(n_ch), means2d.data_ptr<scalar_t>(), conics.data_ptr<scalar_t>(),
            features.data_ptr<scalar_t>(), opacities.data_ptr<scalar_t>(),
            background.data_ptr<scalar_t>(), ids.data_ptr<int32_t>(),
            tile_begin.data_ptr<int64_t>(), tile_end.data_ptr<int64_t>(),
            image.data_ptr<scalar_t>(), final_t.data_ptr<scalar_t>(), walked.data_ptr<int32_t>(),
            top.data_ptr<int32_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {image, final_t, walked, top};
}

std::vector<torch::Tensor> rasterize_backward_cuda(const torch::Tensor& means2d,
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
    const c10::cuda::CUDAGuard guard(features.device());
    auto g_uv = torch::zeros_like(means2d), g_con = torch::zeros_like(conics),
         g_feat = torch::zeros_like(features), g_op = torch::zeros_like(opacities);
    auto stream = at::cuda::getCurrentCUDAStream();
    const dim3 block(kTileSize, kTileSize);
    AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "rasterize_backward_cuda", [&] {
        rasterize_backward_kernel<scalar_t><<<tile_grid(cam), block, 0, stream>>>(
            cam, static_cast<int>(features.size(1)), means2d.data_ptr<scalar_t>(),
            conics.data_ptr<scalar_t>(), features.data_ptr<scalar_t>(),
            opacities.data_ptr<scalar_t>(), background.data_ptr<scalar_t>(),
            ids.data_ptr<int32_t>(), tile_begin.data_ptr<int64_t>(), final_t.data_ptr<scalar_t>(),
            walked.data_ptr<int32_t>(), grad_image.data_ptr<scalar_t>(), g_uv.data_ptr<scalar_t>(),
            g_con.data_ptr<scalar_t>(), g_feat.data_ptr<scalar_t>(), g_op.data_ptr<scalar_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {g_uv, g_con, g_feat, g_op};
}

std::vector<torch::Tensor> composite_weights_cuda(const torch::Tensor& means2d,
                                                  const torch::Tensor& conics,
                                                  const torch::Tensor& opacities,
                                                  const torch::Tensor& ids,
                                                  const torch::Tensor& tile_begin,
                                                  const torch::Tensor& walked,
                                                  const torch::Tensor& offsets,
                                                  int64_t total,
                                                  const CameraParams& cam) {
    const c10::cuda::CUDAGuard guard(means2d.device());
    auto out_ids = torch::empty({total}, ids.options());
    auto out_weights = torch::empty({total}, means2d.options());
    if (total == 0) {
        return {out_ids, out_weights};
    }
    auto stream = at::cuda::getCurrentCUDAStream();
    const dim3 block(kTileSize, kTileSize);
    AT_DISPATCH_FLOATING_TYPES(means2d.scalar_type(), "composite_weights_cuda", [&] {
        composite_weights_kernel<scalar_t><<<tile_grid(cam), block, 0, stream>>>(
            cam, means2d.data_ptr<scalar_t>(), conics.data_ptr<scalar_t>(),
            opacities.data_ptr<scalar_t>(), ids.data_ptr<int32_t>(), tile_begin.data_ptr<int64_t>(),
            walked.data_ptr<int32_t>(), offsets.data_ptr<int64_t>(), out_ids.data_ptr<int32_t>(),
            out_weights.data_ptr<scalar_t>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
    return {out_ids, out_weights};
}

}  // namespace radiofield::splat::detail
