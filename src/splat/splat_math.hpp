#pragma once
// The per-Gaussian and per-pixel math of the splatting op, written once for both devices:
// the CPU kernels (splat_cpu.cpp) loop over it, the CUDA kernels (splat_cuda.cu) launch one
// thread per Gaussian or pixel over it. Everything is templated on the scalar (float, double)
// so the CPU path also runs in double for the finite-difference tests. C++17 (nvcc sees it).
// docs/splatting.md derives the formulas.

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define RADIOFIELD_HD __host__ __device__ __forceinline__
#else
#define RADIOFIELD_HD inline
#endif

namespace radiofield::splat::detail {

constexpr int kTileSize = 16;               // pixels per tile side
constexpr int kMaxChannels = 16;            // feature channels a pixel accumulates in registers
constexpr double kAlphaMax = 0.99;          // alpha clamp (3DGS)
constexpr double kAlphaMin = 1.0 / 255.0;   // a Gaussian below this alpha is skipped at a pixel
constexpr double kTransmittanceMin = 1e-4;  // compositing stops before T falls below this
// sqrt(2 ln 255): beyond this many standard deviations even opacity 1 gives alpha < 1/255,
// so a box of this half-width holds every pixel a Gaussian can reach (tile binning).
constexpr double kExtentSigmas = 3.3290429;
constexpr double kDegPerRad = 57.29577951308232;

enum CameraKind : int { kPinhole = 0, kEquirect = 1 };

// A camera as the kernels see it (built from splat::Camera in camera.cpp). World → camera:
// p = rot·x + trans (rot row-major). Pixel (row r, column c) samples the screen at (c, r).
struct CameraParams {
    int kind = kPinhole;
    int width = 0, height = 0;
    int wrap = 0;  // equirect covering 360°: columns wrap around
    double rot[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double trans[3] = {0, 0, 0};
    double near = 0.01;
    // pinhole: u = fx·x/z + cx, v = fy·y/z + cy; |x/z| ≤ clip_x, |y/z| ≤ clip_y in the Jacobian
    double fx = 1, fy = 1, cx = 0, cy = 0, clip_x = 1, clip_y = 1;
    // equirect: u = (az − az0)/az_step, v = (el − el0)/el_step in degrees; the Jacobian is
    // taken at least pole_sin·r away from the pole axis
    double az0 = 0, el0 = 0, az_step = 1, el_step = 1, pole_sin = 0.01;
};

// ---- scalars: plain values and forward-mode dual numbers ---------------------------------

RADIOFIELD_HD float sqrt_of(float x) {
    return sqrtf(x);
}
RADIOFIELD_HD double sqrt_of(double x) {
    return sqrt(x);
}
RADIOFIELD_HD float atan2_of(float y, float x) {
    return atan2f(y, x);
}
RADIOFIELD_HD double atan2_of(double y, double x) {
    return atan2(y, x);
}
RADIOFIELD_HD float exp_of(float x) {
    return expf(x);
}
RADIOFIELD_HD double exp_of(double x) {
    return exp(x);
}
RADIOFIELD_HD float floor_of(float x) {
    return floorf(x);
}
RADIOFIELD_HD double floor_of(double x) {
    return floor(x);
}
RADIOFIELD_HD float ceil_of(float x) {
    return ceilf(x);
}
RADIOFIELD_HD double ceil_of(double x) {
    return ceil(x);
}

// x + ε·d: the projection's backward runs the forward once per input with that input's d = 1
// and reads every output's derivative (exact, no hand-derived chain rule to drift from the
// forward). Hidden friends, so plain numbers convert implicitly.
template <typename T>
struct Dual {
    T v = 0, d = 0;
    RADIOFIELD_HD Dual() {}
    RADIOFIELD_HD Dual(T value, T deriv = 0) : v(value), d(deriv) {}

    friend RADIOFIELD_HD Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
    friend RADIOFIELD_HD Dual operator-(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
    friend RADIOFIELD_HD Dual operator-(Dual a) { return {-a.v, -a.d}; }
    friend RADIOFIELD_HD Dual operator*(Dual a, Dual b) {
        return {a.v * b.v, a.d * b.v + a.v * b.d};
    }
    friend RADIOFIELD_HD Dual operator/(Dual a, Dual b) {
        return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)};
    }
    friend RADIOFIELD_HD Dual sqrt_of(Dual a) {
        const T s = sqrt_of(a.v);
        return {s, s > T(0) ? a.d / (T(2) * s) : T(0)};
    }
    friend RADIOFIELD_HD Dual atan2_of(Dual y, Dual x) {
        const T r2 = x.v * x.v + y.v * y.v;
        return {atan2_of(y.v, x.v), r2 > T(0) ? (x.v * y.d - y.v * x.d) / r2 : T(0)};
    }
};

template <typename T>
RADIOFIELD_HD T value_of(T x) {
    return x;
}
template <typename T>
RADIOFIELD_HD T value_of(Dual<T> x) {
    return x.v;
}
// x with its value replaced by v, its derivative kept.
template <typename T>
RADIOFIELD_HD T with_value(T, T v) {
    return v;
}
template <typename T>
RADIOFIELD_HD Dual<T> with_value(Dual<T> x, T v) {
    return {v, x.d};
}

// ---- projection of one Gaussian ------------------------------------------------------------

template <typename S>
struct Projected {
    S u, v;           // screen mean (pixels)
    S ca, cb, cc;     // conic: inverse 2-D covariance [[ca, cb], [cb, cc]]
    S suu, suv, svv;  // 2-D covariance (blur included)
};

// Project mean m, scales s (> 0) and unit quaternion q = (w, x, y, z) through the camera.
// Returns false when culled by the near plane or a degenerate covariance; *depth is the
// camera-frame z (pinhole) or the distance (equirect). T is the plain scalar, S = T or Dual<T>.
template <typename T, typename S>
RADIOFIELD_HD bool project_gaussian(const CameraParams& cam,
                                    const S* m,
                                    const S* s,
                                    const S* q,
                                    T blur,
                                    Projected<S>& out,
                                    T* depth) {
    S p[3];
    for (int i = 0; i < 3; ++i) {
        p[i] = S(T(cam.rot[3 * i])) * m[0] + S(T(cam.rot[3 * i + 1])) * m[1] +
               S(T(cam.rot[3 * i + 2])) * m[2] + S(T(cam.trans[i]));
    }
    // A = Rc·Rq·diag(s): the world covariance Rq S² Rqᵀ seen in the camera frame is A·Aᵀ.
    const S w = q[0], x = q[1], y = q[2], z = q[3];
    const S one(T(1)), two(T(2));
    const S rq[9] = {
        one - two * (y * y + z * z), two * (x * y - w * z),       two * (x * z + w * y),
        two * (x * y + w * z),       one - two * (x * x + z * z), two * (y * z - w * x),
        two * (x * z - w * y),       two * (y * z + w * x),       one - two * (x * x + y * y)};
    S a[9];
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            a[3 * i + j] = (S(T(cam.rot[3 * i])) * rq[j] + S(T(cam.rot[3 * i + 1])) * rq[3 + j] +
                            S(T(cam.rot[3 * i + 2])) * rq[6 + j]) *
                           s[j];
        }
    }
    S j0[3], j1[3];  // rows of the 2×3 Jacobian of (u, v) w.r.t. the camera-frame point
    if (cam.kind == kPinhole) {
        const S zc = p[2];
        if (!(value_of(zc) > T(cam.near))) {
            return false;
        }
        const S fx(T(cam.fx)), fy(T(cam.fy));
        out.u = fx * p[0] / zc + S(T(cam.cx));
        out.v = fy * p[1] / zc + S(T(cam.cy));
        // 3DGS: the Jacobian is taken with x/z, y/z clamped a little outside the view.
        S xz = p[0] / zc, yz = p[1] / zc;
        if (value_of(xz) > T(cam.clip_x))
            xz = S(T(cam.clip_x));
        if (value_of(xz) < -T(cam.clip_x))
            xz = S(-T(cam.clip_x));
        if (value_of(yz) > T(cam.clip_y))
            yz = S(T(cam.clip_y));
        if (value_of(yz) < -T(cam.clip_y))
            yz = S(-T(cam.clip_y));
        j0[0] = fx / zc, j0[1] = S(T(0)), j0[2] = -fx * xz / zc;
        j1[0] = S(T(0)), j1[1] = fy / zc, j1[2] = -fy * yz / zc;
        *depth = value_of(zc);
    } else {
        const S r2 = p[0] * p[0] + p[1] * p[1] + p[2] * p[2];
        const T rv = sqrt_of(value_of(r2));
        if (!(rv > T(cam.near))) {
            return false;
        }
        // Near the pole axis the azimuth's derivatives grow like 1/ρ: the Jacobian (and the
        // screen mean's derivative) is taken at the point pushed radially out to ρ = r·pole_sin,
        // the push factor held constant (no derivative), so a Gaussian on or near a pole gets a
        // wide, finite azimuth footprint. On the axis itself the push goes towards azimuth 0.
        const T rho = sqrt_of(value_of(p[0]) * value_of(p[0]) + value_of(p[1]) * value_of(p[1]));
        const T rho_min = rv * T(cam.pole_sin);
        S xe = p[0], ye = p[1];
        if (rho < rho_min) {
            if (rho > rho_min * T(1e-6)) {
                const S k(rho_min / rho);
                xe = p[0] * k, ye = p[1] * k;
            } else {
                xe = S(rho_min), ye = S(T(0));
            }
        }
        const S rho_e2 = xe * xe + ye * ye;
        const S rho_e = sqrt_of(rho_e2);
        const S az = atan2_of(ye, xe);
        const S el = with_value(atan2_of(p[2], rho_e), atan2_of(value_of(p[2]), rho));
        const T deg = T(kDegPerRad);
        // azimuth (degrees from az0) wrapped into the 360° window centred on the screen
        S a = az * S(deg) - S(T(cam.az0));
        const T centre = T(0.5) * T(cam.width - 1) * T(cam.az_step);
        a = a - S(T(360) * floor_of((value_of(a) - centre + T(180)) / T(360)));
        out.u = a / S(T(cam.az_step));
        out.v = (el * S(deg) - S(T(cam.el0))) / S(T(cam.el_step));
        const S ku(deg / T(cam.az_step)), kv(deg / T(cam.el_step));
        j0[0] = -ku * ye / rho_e2, j0[1] = ku * xe / rho_e2, j0[2] = S(T(0));
        const S t = kv * p[2] / (r2 * rho_e);
        j1[0] = -t * xe, j1[1] = -t * ye, j1[2] = kv * rho_e / r2;
        *depth = rv;
    }
    // 2-D covariance (J·A)(J·A)ᵀ + blur·I and its inverse, the conic.
    S b0[3], b1[3];
    for (int k = 0; k < 3; ++k) {
        b0[k] = j0[0] * a[k] + j0[1] * a[3 + k] + j0[2] * a[6 + k];
        b1[k] = j1[0] * a[k] + j1[1] * a[3 + k] + j1[2] * a[6 + k];
    }
    out.suu = b0[0] * b0[0] + b0[1] * b0[1] + b0[2] * b0[2] + S(blur);
    out.suv = b0[0] * b1[0] + b0[1] * b1[1] + b0[2] * b1[2];
    out.svv = b1[0] * b1[0] + b1[1] * b1[1] + b1[2] * b1[2] + S(blur);
    const S det = out.suu * out.svv - out.suv * out.suv;
    if (!(value_of(det) > T(0))) {
        return false;
    }
    out.ca = out.svv / det;
    out.cb = -out.suv / det;
    out.cc = out.suu / det;
    return true;
}

// Gradient of L through one visible Gaussian's projection: given ∂L/∂(u, v) and ∂L/∂conic,
// ∂L/∂m, ∂L/∂s, ∂L/∂q by ten forward-mode passes of project_gaussian (one per input).
template <typename T>
RADIOFIELD_HD void project_gaussian_backward(const CameraParams& cam,
                                             const T* m,
                                             const T* s,
                                             const T* q,
                                             T blur,
                                             const T* grad_uv,
                                             const T* grad_conic,
                                             T* grad_m,
                                             T* grad_s,
                                             T* grad_q) {
    using D = Dual<T>;
    for (int input = 0; input < 10; ++input) {
        D md[3], sd[3], qd[4];
        for (int i = 0; i < 3; ++i)
            md[i] = D(m[i], input == i ? T(1) : T(0));
        for (int i = 0; i < 3; ++i)
            sd[i] = D(s[i], input == 3 + i ? T(1) : T(0));
        for (int i = 0; i < 4; ++i)
            qd[i] = D(q[i], input == 6 + i ? T(1) : T(0));
        Projected<D> out;
        T depth;
        T g = T(0);
        if (project_gaussian<T, D>(cam, md, sd, qd, blur, out, &depth)) {
            g = grad_uv[0] * out.u.d + grad_uv[1] * out.v.d + grad_conic[0] * out.ca.d +
                grad_conic[1] * out.cb.d + grad_conic[2] * out.cc.d;
        }
        if (input < 3) {
            grad_m[input] = g;
        } else if (input < 6) {
            grad_s[input - 3] = g;
        } else {
            grad_q[input - 6] = g;
        }
    }
}

// Half-widths (pixels) of the box holding every pixel the Gaussian can reach, per axis; 0 when
// the box misses the screen. Wrapping columns are capped at the screen width.
template <typename T>
RADIOFIELD_HD void screen_radii(const CameraParams& cam, const Projected<T>& g, int* ru, int* rv) {
    const T big = T(1 << 20);
    T eu = ceil_of(T(kExtentSigmas) * sqrt_of(g.suu));
    T ev = ceil_of(T(kExtentSigmas) * sqrt_of(g.svv));
    eu = eu < big ? eu : big;
    ev = ev < big ? ev : big;
    if (cam.wrap && eu > T(cam.width))
        eu = T(cam.width);
    const bool off_rows = g.v + ev < T(0) || g.v - ev > T(cam.height - 1);
    const bool off_cols = !cam.wrap && (g.u + eu < T(0) || g.u - eu > T(cam.width - 1));
    if (off_rows || off_cols || !(eu == eu) || !(ev == ev)) {
        *ru = 0, *rv = 0;
        return;
    }
    *ru = static_cast<int>(eu);
    *rv = static_cast<int>(ev);
}

// ---- tile binning ------------------------------------------------------------------------

// The tiles a Gaussian's box covers: tile rows [row0, row1) and up to two tile-column ranges
// (two when the box crosses the seam of a wrapping screen).
struct TileSpan {
    int row0 = 0, row1 = 0;
    int n_cols = 0;
    int col0[2] = {0, 0}, col1[2] = {0, 0};
    RADIOFIELD_HD int count() const {
        int c = 0;
        for (int i = 0; i < n_cols; ++i)
            c += col1[i] - col0[i];
        return (row1 - row0) * c;
    }
};

template <typename T>
RADIOFIELD_HD TileSpan tile_span(const CameraParams& cam, T u, T v, int ru, int rv) {
    TileSpan span;
    if (ru <= 0 || rv <= 0) {
        return span;
    }
    const int w = cam.width, h = cam.height;
    const int tiles_x = (w + kTileSize - 1) / kTileSize;
    int p0 = static_cast<int>(floor_of(v - T(rv))), p1 = static_cast<int>(ceil_of(v + T(rv)));
    p0 = p0 < 0 ? 0 : p0;
    p1 = p1 > h - 1 ? h - 1 : p1;
    if (p0 > p1) {
        return span;
    }
    span.row0 = p0 / kTileSize;
    span.row1 = p1 / kTileSize + 1;
    int lo = static_cast<int>(floor_of(u - T(ru))), hi = static_cast<int>(ceil_of(u + T(ru)));
    if (!cam.wrap) {
        lo = lo < 0 ? 0 : lo;
        hi = hi > w - 1 ? w - 1 : hi;
        if (lo > hi) {
            return span;
        }
        span.n_cols = 1;
        span.col0[0] = lo / kTileSize, span.col1[0] = hi / kTileSize + 1;
        return span;
    }
    if (hi - lo + 1 >= w) {
        span.n_cols = 1;
        span.col0[0] = 0, span.col1[0] = tiles_x;
        return span;
    }
    const int lo_w = ((lo % w) + w) % w;
    const int hi_w = lo_w + (hi - lo);
    if (hi_w < w) {
        span.n_cols = 1;
        span.col0[0] = lo_w / kTileSize, span.col1[0] = hi_w / kTileSize + 1;
        return span;
    }
    span.n_cols = 2;
    span.col0[0] = lo_w / kTileSize, span.col1[0] = tiles_x;
    span.col0[1] = 0, span.col1[1] = (hi_w - w) / kTileSize + 1;
    if (span.col1[1] >= span.col0[0]) {  // the two ends share a tile: every column
        span.n_cols = 1;
        span.col0[0] = 0, span.col1[0] = tiles_x;
    }
    return span;
}

// ---- compositing of one pixel ------------------------------------------------------------

// Screen offset from the Gaussian's mean to pixel (px, py); on a wrapping screen the column
// offset is taken modulo the width into [−W/2, W/2).
template <typename T>
RADIOFIELD_HD void pixel_offset(T px, T py, T u, T v, int wrap_width, T* dx, T* dy) {
    T d = px - u;
    if (wrap_width > 0) {
        const T ww = T(wrap_width);
        d -= ww * floor_of(d / ww + T(0.5));
    }
    *dx = d;
    *dy = py - v;
}

// Alpha of Gaussian (conic, opacity) at offset (dx, dy); 0 when below kAlphaMin (skipped).
// *g receives exp(power), *clamped whether the 0.99 clamp applied.
template <typename T>
RADIOFIELD_HD T gaussian_alpha(const T* conic, T opacity, T dx, T dy, T* g, bool* clamped) {
    const T power = T(-0.5) * (conic[0] * dx * dx + conic[2] * dy * dy) - conic[1] * dx * dy;
    if (power > T(0)) {
        return T(0);
    }
    *g = exp_of(power);
    const T a = opacity * *g;
    if (a < T(kAlphaMin)) {
        return T(0);
    }
    *clamped = a > T(kAlphaMax);
    return *clamped ? T(kAlphaMax) : a;
}

// Front-to-back compositing of the depth-sorted list ids[begin, end) at pixel (px, py):
// color = Σ_k f_k α_k T_k + T_final·background, T_k = Π_{j<k} (1 − α_j). Writes the colour
// (n_ch channels), the final transmittance, the number of list entries walked (the backward
// walks the same ones) and the id of the Gaussian with the largest α_k T_k (−1: none).
template <typename T, typename Index>
RADIOFIELD_HD void composite_pixel(T px,
                                   T py,
                                   const Index* ids,
                                   int64_t begin,
                                   int64_t end,
                                   const T* means2d,
                                   const T* conics,
                                   const T* features,
                                   const T* opacities,
                                   const T* background,
                                   int n_ch,
                                   int wrap_width,
                                   T* color,
                                   T* final_t,
                                   int32_t* n_walked,
                                   int32_t* top) {
    T acc[kMaxChannels];
    for (int c = 0; c < n_ch; ++c)
        acc[c] = T(0);
    T t = T(1), best = T(0);
    int32_t walked = 0, best_id = -1;
    for (int64_t k = begin; k < end; ++k) {
        const int64_t id = ids[k];
        T dx, dy, g = T(0);
        bool clamped = false;
        pixel_offset(px, py, means2d[2 * id], means2d[2 * id + 1], wrap_width, &dx, &dy);
        const T alpha = gaussian_alpha(conics + 3 * id, opacities[id], dx, dy, &g, &clamped);
        if (alpha == T(0)) {
            continue;
        }
        const T next_t = t * (T(1) - alpha);
        if (next_t < T(kTransmittanceMin)) {
            break;
        }
        const T weight = alpha * t;
        for (int c = 0; c < n_ch; ++c)
            acc[c] += features[id * n_ch + c] * weight;
        if (weight > best) {
            best = weight, best_id = static_cast<int32_t>(id);
        }
        t = next_t;
        walked = static_cast<int32_t>(k - begin + 1);
    }
    for (int c = 0; c < n_ch; ++c)
        color[c] = acc[c] + t * background[c];
    *final_t = t;
    *n_walked = walked;
    *top = best_id;
}

// The weights α_k·T_k of the n_walked list entries composite_pixel walked at (px, py), in
// its order: out_ids[j] = the Gaussian and out_weights[j] its weight, or −1 and 0 for an entry
// it skipped (α below kAlphaMin). Σ_j f(out_ids[j])·out_weights[j] is its colour before the
// background.
template <typename T, typename Index>
RADIOFIELD_HD void composite_pixel_weights(T px,
                                           T py,
                                           const Index* ids,
                                           int64_t begin,
                                           int32_t n_walked,
                                           const T* means2d,
                                           const T* conics,
                                           const T* opacities,
                                           int wrap_width,
                                           int32_t* out_ids,
                                           T* out_weights) {
    T t = T(1);
    for (int32_t j = 0; j < n_walked; ++j) {
        const int64_t id = ids[begin + j];
        T dx, dy, g = T(0);
        bool clamped = false;
        pixel_offset(px, py, means2d[2 * id], means2d[2 * id + 1], wrap_width, &dx, &dy);
        const T alpha = gaussian_alpha(conics + 3 * id, opacities[id], dx, dy, &g, &clamped);
        if (alpha == T(0)) {
            out_ids[j] = -1;
            out_weights[j] = T(0);
            continue;
        }
        out_ids[j] = static_cast<int32_t>(id);
        out_weights[j] = alpha * t;
        t = t * (T(1) - alpha);
    }
}

// Gradients of one pixel's colour (upstream grad_color) back through composite_pixel, walking
// the same entries back to front: ∂C/∂f_k = α_k T_k, ∂C/∂α_k = T_k (f_k − R_k) with R_k the
// colour behind k over T_{k+1} (R = background behind the last one; R_{k−1} = α_k f_k +
// (1 − α_k) R_k). add(pointer, value) accumulates into the per-Gaussian gradients.
template <typename T, typename Index, typename Add>
RADIOFIELD_HD void composite_pixel_backward(T px,
                                            T py,
                                            const Index* ids,
                                            int64_t begin,
                                            int32_t n_walked,
                                            const T* means2d,
                                            const T* conics,
                                            const T* features,
                                            const T* opacities,
                                            const T* background,
                                            int n_ch,
                                            int wrap_width,
                                            T final_t,
                                            const T* grad_color,
                                            T* grad_means2d,
                                            T* grad_conics,
                                            T* grad_features,
                                            T* grad_opacities,
                                            Add add) {
    T behind[kMaxChannels];
    for (int c = 0; c < n_ch; ++c)
        behind[c] = background[c];
    T t = final_t;
    for (int64_t k = begin + n_walked - 1; k >= begin; --k) {
        const int64_t id = ids[k];
        T dx, dy, g = T(0);
        bool clamped = false;
        const T* conic = conics + 3 * id;
        const T opacity = opacities[id];
        pixel_offset(px, py, means2d[2 * id], means2d[2 * id + 1], wrap_width, &dx, &dy);
        const T alpha = gaussian_alpha(conic, opacity, dx, dy, &g, &clamped);
        if (alpha == T(0)) {
            continue;
        }
        t = t / (T(1) - alpha);  // T_k
        T d_alpha = T(0);
        for (int c = 0; c < n_ch; ++c) {
            const T f = features[id * n_ch + c];
            add(grad_features + id * n_ch + c, alpha * t * grad_color[c]);
            d_alpha += (f - behind[c]) * grad_color[c];
            behind[c] = alpha * f + (T(1) - alpha) * behind[c];
        }
        d_alpha *= t;
        if (clamped) {
            continue;
        }
        add(grad_opacities + id, d_alpha * g);
        const T d_power = d_alpha * opacity * g;
        add(grad_conics + 3 * id, T(-0.5) * dx * dx * d_power);
        add(grad_conics + 3 * id + 1, -dx * dy * d_power);
        add(grad_conics + 3 * id + 2, T(-0.5) * dy * dy * d_power);
        // power depends on the mean through dx = px − u, dy = py − v
        add(grad_means2d + 2 * id, (conic[0] * dx + conic[1] * dy) * d_power);
        add(grad_means2d + 2 * id + 1, (conic[1] * dx + conic[2] * dy) * d_power);
    }
}

}  // namespace radiofield::splat::detail
