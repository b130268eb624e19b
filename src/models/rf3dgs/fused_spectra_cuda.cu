// RF-3DGS's operator inference on CUDA in three launches (fused_spectra.hpp):
//  1. features: one thread per (Gaussian, spectrum): the unit direction from the centre to the
//     moving end, the radio SH up to degree 3 (splat::eval_sh's basis, constants and monomial
//     form), then exp(clamp(v, −30, 30)) (RF-3DGS+) or max(v + ½, 0) (RF-3DGS), into
//     f [N, B′] with B′ the spectra padded to the product's chunk (padding zeros). Its first
//     threads also reset the per-spectrum min / max / sum.
//  2. product: one warp per (pixel, chunk of R spectra): the lanes stride over the pixel's CSR
//     row, each keeping R partial sums, which a butterfly of shuffles adds; lane r then takes
//     spectrum r — RF-3DGS+: times the free-space factor at_1m/l², l = max(w + |x* − x|,
//     1e-3) with w the pixel's l_vd (0 for free_space "scatter"), 0 where no Gaussian is
//     hit — keeps its running min, max and (double) sum, and writes it to the image [B, P];
//     on path_gain_db spectra as its dB mapped to 0..1 by the range, clamped (0 where no Gaussian
//     is hit). A block's warps meet in shared memory; one thread per spectrum then adds the block's
//     share with atomics (min and max as order-preserving integer keys, so they are exact whatever
//     the order; the sum in double).
//  3. RF-3DGS+ only: the raw means, and (x − min) / max(max − min, 1e-30) in place unless the
//     spectra are in dB.
// The LibTorch path (rf3dgs_radiance.cpp) is the reference; tests/models compares them.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <algorithm>
#include <cstdint>

#include "fused_spectra.hpp"
#include "radiofield/splat/sh_constants.hpp"

namespace radiofield::models::detail {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFull = 0xffffffffu;

// splat::eval_sh's basis matrix entries (src/splat/sh.cpp): Y_lm normalisation times the
// polynomial's integer factor, each rounded to float once, as the float32 copy of its matrix
// is. (Scalars: device code may read a host constexpr scalar, not an array's element.)
using splat::sh::kC0, splat::sh::kC1, splat::sh::kC2, splat::sh::kC3;
constexpr float kY0 = kC0, kY1 = kC1;
constexpr float kY4 = kC2[0], kY5 = kC2[1], kY6zz = 2 * kC2[2], kY6 = -kC2[2], kY7 = kC2[3],
                kY8 = kC2[4];
constexpr float kY9xxy = 3 * kC3[0], kY9 = -kC3[0], kY10 = kC3[1], kY11yzz = 4 * kC3[2],
                kY11 = -kC3[2], kY12zzz = 2 * kC3[3], kY12 = -3 * kC3[3], kY13xzz = 4 * kC3[4],
                kY13 = -kC3[4], kY14 = kC3[5], kY15 = kC3[6], kY15xyy = -3 * kC3[6];

// Σ_j Y_j(x, y, z) c_j over the (degree + 1)² basis functions, the Y_j as eval_sh forms them:
// the monomials ((x·x)·y and so on), each times its matrix entry, summed.
__device__ __forceinline__ float eval_radio_sh(
    float x, float y, float z, const float* __restrict__ c, int degree) {
    float v = kY0 * c[0];
    if (degree < 1)
        return v;
    v += (-kY1 * y) * c[1] + (kY1 * z) * c[2] + (-kY1 * x) * c[3];
    if (degree < 2)
        return v;
    const float xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, zx = z * x;
    v += (kY4 * xy) * c[4] + (kY5 * yz) * c[5] + (kY6zz * zz + kY6 * xx + kY6 * yy) * c[6] +
         (kY7 * zx) * c[7] + (kY8 * xx - kY8 * yy) * c[8];
    if (degree < 3)
        return v;
    const float xxx = xx * x, xxy = xx * y, xxz = xx * z, xyy = yy * x, yyy = yy * y, yyz = yy * z,
                xzz = zz * x, yzz = zz * y, zzz = zz * z, xyz = xy * z;
    v += (kY9xxy * xxy + kY9 * yyy) * c[9] + (kY10 * xyz) * c[10] +
         (kY11yzz * yzz + kY11 * xxy + kY11 * yyy) * c[11] +
         (kY12zzz * zzz + kY12 * xxz + kY12 * yyz) * c[12] +
         (kY13xzz * xzz + kY13 * xxx + kY13 * xyy) * c[13] + (kY14 * xxz - kY14 * yyz) * c[14] +
         (kY15 * xxx + kY15xyy * xyy) * c[15];
    return v;
}

// A spectrum's running reduction; min and max as order keys (below), 16 bytes.
struct SpectrumStats {
    double sum;
    unsigned lo, hi;
};

// Unsigned keys that order as the floats do: negatives bit-flipped, positives with the sign
// bit set. Integer atomicMin / atomicMax on them are the floats' min and max.
__device__ __forceinline__ unsigned order_key(float f) {
    const unsigned u = __float_as_uint(f);
    return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ float from_order_key(unsigned k) {
    return __uint_as_float((k & 0x80000000u) != 0 ? (k & 0x7fffffffu) : ~k);
}

__global__ void features_kernel(int64_t n,
                                int b,
                                int padded,
                                int k_stride,
                                int degree,
                                bool plus,
                                const float* __restrict__ means,      // [N, 3]
                                const float* __restrict__ sh,         // [N, K]
                                const float* __restrict__ positions,  // [B, 3]
                                float* __restrict__ features,         // [N, padded]
                                SpectrumStats* __restrict__ stats) {  // [B] or null
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (stats != nullptr && i < b)
        stats[i] = {0.0, 0xffffffffu, 0u};
    if (i >= n * padded)
        return;
    const int64_t g = i / padded;
    const int s = static_cast<int>(i - g * padded);
    if (s >= b) {
        features[i] = 0.f;
        return;
    }
    // F.normalize(x − μ, eps 1e-12): divided by the clamped norm
    const float dx = positions[3 * s] - means[3 * g], dy = positions[3 * s + 1] - means[3 * g + 1],
                dz = positions[3 * s + 2] - means[3 * g + 2];
    const float norm = fmaxf(sqrtf(dx * dx + dy * dy + dz * dz), 1e-12f);
    const float v = eval_radio_sh(dx / norm, dy / norm, dz / norm, sh + g * k_stride, degree);
    features[i] = plus ? expf(fminf(fmaxf(v, -30.f), 30.f)) : fmaxf(v + 0.5f, 0.f);
}

template <int R, bool kPlus>
__global__ void __launch_bounds__(kThreads)
    product_kernel(int64_t pixels,
                   int b,
                   int padded,
                   const int32_t* __restrict__ crow,     // [P + 1]
                   const int32_t* __restrict__ cols,     // [E]
                   const float* __restrict__ values,     // [E]
                   const float* __restrict__ features,   // [N, padded]
                   const float4* __restrict__ pixel,     // [P]: x*, l_vd (< 0: no hit)
                   const float* __restrict__ positions,  // [B, 3]
                   float at_1m,                          // free-space factor at 1 m
                   bool db,                              // path_gain_db: dB by the range
                   float db_lo,
                   float db_span,
                   float* __restrict__ image,            // [B, P]
                   SpectrumStats* __restrict__ stats) {  // [B] (RF-3DGS+)
    const int lane = static_cast<int>(threadIdx.x) & 31, warp = static_cast<int>(threadIdx.x) >> 5;
    const int s0 = static_cast<int>(blockIdx.y) * R;  // the chunk's first spectrum
    const int mine = s0 + lane;                       // the spectrum this lane finishes
    const bool owner = lane < R && mine < b;
    float px = 0.f, py = 0.f, pz = 0.f;
    if (kPlus && owner)
        px = positions[3 * mine], py = positions[3 * mine + 1], pz = positions[3 * mine + 2];
    float lo = INFINITY, hi = -INFINITY;
    double sum = 0.0;
    for (int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + warp; row < pixels;
         row += static_cast<int64_t>(gridDim.x) * kWarps) {
        float acc[R];
#pragma unroll
        for (int r = 0; r < R; ++r)
            acc[r] = 0.f;
        const int32_t end = crow[row + 1];
        for (int32_t e = crow[row] + lane; e < end; e += 32) {
            const float w = values[e];
            const float* f = features + static_cast<int64_t>(cols[e]) * padded + s0;
            if constexpr (R % 4 == 0) {
#pragma unroll
                for (int r = 0; r < R; r += 4) {
                    const float4 q = *reinterpret_cast<const float4*>(f + r);
                    acc[r] += w * q.x, acc[r + 1] += w * q.y, acc[r + 2] += w * q.z,
                        acc[r + 3] += w * q.w;
                }
            } else {
#pragma unroll
                for (int r = 0; r < R; ++r)
                    acc[r] += w * f[r];
            }
        }
        float value = 0.f;
#pragma unroll
        for (int r = 0; r < R; ++r) {
#pragma unroll
            for (int step = 16; step > 0; step >>= 1)
                acc[r] += __shfl_xor_sync(kFull, acc[r], step);
            if (lane == r)
                value = acc[r];
        }
        if (!owner)
            continue;
        if constexpr (kPlus) {
            const float4 p = pixel[row];
            const bool hit = p.w >= 0.f;
            float factor = 0.f;
            if (hit) {
                const float ex = p.x - px, ey = p.y - py, ez = p.z - pz;
                const float l = fmaxf(p.w + sqrtf(ex * ex + ey * ey + ez * ez), 1e-3f);
                factor = at_1m / (l * l);
            }
            value *= factor;
            lo = fminf(lo, value), hi = fmaxf(hi, value), sum += value;
            if (db) {
                const float v = (10.f * log10f(fmaxf(value, 1e-30f)) - db_lo) / db_span;
                value = hit ? fminf(fmaxf(v, 0.f), 1.f) : 0.f;
            }
        }
        image[static_cast<int64_t>(mine) * pixels + row] = value;
    }
    if constexpr (kPlus) {
        __shared__ float s_lo[kWarps][R], s_hi[kWarps][R];
        __shared__ double s_sum[kWarps][R];
        if (lane < R)
            s_lo[warp][lane] = lo, s_hi[warp][lane] = hi, s_sum[warp][lane] = sum;
        __syncthreads();
        const int t = static_cast<int>(threadIdx.x);
        if (t < R && s0 + t < b) {
            for (int w = 1; w < kWarps; ++w)
                lo = fminf(lo, s_lo[w][t]), hi = fmaxf(hi, s_hi[w][t]), sum += s_sum[w][t];
            SpectrumStats& st = stats[s0 + t];
            atomicMin(&st.lo, order_key(lo));
            atomicMax(&st.hi, order_key(hi));
            atomicAdd(&st.sum, sum);
        }
    }
}

__global__ void minmax_kernel(int64_t total,
                              int64_t pixels,
                              int b,
                              const SpectrumStats* __restrict__ stats,
                              float* __restrict__ image,  // [B, P], in place
                              float* __restrict__ raw) {  // [B]
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < b)
        raw[i] = static_cast<float>(stats[i].sum / static_cast<double>(pixels));
    if (i >= total)  // total 0: the raw means alone (dB spectra are final)
        return;
    const SpectrumStats st = stats[i / pixels];
    const float lo = from_order_key(st.lo), hi = from_order_key(st.hi);
    image[i] = (image[i] - lo) / fmaxf(hi - lo, 1e-30f);
}

unsigned blocks_for(int64_t n) {
    return static_cast<unsigned>((n + kThreads - 1) / kThreads);
}

template <int R>
void launch_product(const FusedSpectraInputs& in,
                    int64_t pixels,
                    int b,
                    int padded,
                    const float* features,
                    float* image,
                    SpectrumStats* stats,
                    cudaStream_t stream) {
    const int chunks = padded / R;
    // Enough blocks for two waves of 8 per multiprocessor, each warp then walking rows;
    // fewer blocks, fewer atomics on the spectra's reductions.
    const int64_t target = 16LL * at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
    const int64_t row_blocks = (pixels + kWarps - 1) / kWarps;
    const dim3 grid(
        static_cast<unsigned>(std::clamp<int64_t>((target + chunks - 1) / chunks, 1, row_blocks)),
        static_cast<unsigned>(chunks));
    const auto* crow = in.crow.data_ptr<int32_t>();
    const auto* cols = in.cols.data_ptr<int32_t>();
    const auto* values = in.values.data_ptr<float>();
    const auto* positions = in.positions.data_ptr<float>();
    if (in.plus) {
        const auto* pixel = reinterpret_cast<const float4*>(in.pixels.data_ptr<float>());
        product_kernel<R, true><<<grid, kThreads, 0, stream>>>(
            pixels, b, padded, crow, cols, values, features, pixel, positions, in.at_1m, in.db,
            in.db_lo, in.db_hi - in.db_lo, image, stats);
    } else {
        product_kernel<R, false><<<grid, kThreads, 0, stream>>>(
            pixels, b, padded, crow, cols, values, features, nullptr, positions, 1.f, false, 0.f,
            1.f, image, nullptr);
    }
    C10_CUDA_KERNEL_LAUNCH_CHECK();
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> fused_spectra_cuda(const FusedSpectraInputs& in) {
    const c10::cuda::CUDAGuard guard(in.means.device());
    const int64_t pixels = in.crow.size(0) - 1, n = in.means.size(0);
    const int b = static_cast<int>(in.positions.size(0));
    // Spectra per warp: the smallest of 1, 2, 4, 8, 16 that holds them all, else chunks of 16.
    const int r = b <= 1 ? 1 : b <= 2 ? 2 : b <= 4 ? 4 : b <= 8 ? 8 : 16;
    const int padded = (b + r - 1) / r * r;
    const auto opts = in.means.options();
    auto features = torch::empty({n, padded}, opts);
    auto image = torch::empty({b, pixels}, opts);
    torch::Tensor stats, raw;
    SpectrumStats* st = nullptr;
    if (in.plus) {
        stats = torch::empty({b, 2}, opts.dtype(torch::kLong));  // b × 16 bytes
        raw = torch::empty({b}, opts);
        st = reinterpret_cast<SpectrumStats*>(stats.data_ptr<int64_t>());
    }
    const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
    features_kernel<<<blocks_for(n * padded), kThreads, 0, stream>>>(
        n, b, padded, static_cast<int>(in.sh.size(1)), in.degree, in.plus,
        in.means.data_ptr<float>(), in.sh.data_ptr<float>(), in.positions.data_ptr<float>(),
        features.data_ptr<float>(), st);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    const auto* f = features.data_ptr<float>();
    auto* img = image.data_ptr<float>();
    switch (r) {
        case 1:
            launch_product<1>(in, pixels, b, padded, f, img, st, stream);
            break;
        case 2:
            launch_product<2>(in, pixels, b, padded, f, img, st, stream);
            break;
        case 4:
            launch_product<4>(in, pixels, b, padded, f, img, st, stream);
            break;
        case 8:
            launch_product<8>(in, pixels, b, padded, f, img, st, stream);
            break;
        default:
            launch_product<16>(in, pixels, b, padded, f, img, st, stream);
            break;
    }
    if (in.plus) {
        const int64_t total = in.db ? 0 : static_cast<int64_t>(b) * pixels;
        minmax_kernel<<<blocks_for(std::max<int64_t>(total, b)), kThreads, 0, stream>>>(
            total, pixels, b, st, img, raw.data_ptr<float>());
        C10_CUDA_KERNEL_LAUNCH_CHECK();
    }
    return {image, raw};
}

}  // namespace radiofield::models::detail
