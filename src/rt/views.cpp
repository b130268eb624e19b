// Camera images of a scene: Embree primary rays shaded by material colour, and camera poses
// around or inside the scene (docs/views.md).
#include "radiofield/rt/views.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"

namespace radiofield::rt {
namespace {

constexpr double kGamma = 2.2;  // sRGB ≈ linear^(1/2.2), close enough for pictures

double to_linear(double srgb) {
    return std::pow(std::clamp(srgb, 0.0, 1.0), kGamma);
}

std::uint8_t to_byte(double linear) {
    return static_cast<std::uint8_t>(
        std::lround(255.0 * std::pow(std::clamp(linear, 0.0, 1.0), 1.0 / kGamma)));
}

double deg(double degrees) {
    return degrees * std::numbers::pi / 180.0;
}

// A uniform value in [0, 1) for an integer lattice point (splitmix64 of its coordinates).
double lattice_value(std::int64_t x, std::int64_t y, std::int64_t z) {
    std::uint64_t h = static_cast<std::uint64_t>(x) * 0x9E3779B97F4A7C15ull ^
                      static_cast<std::uint64_t>(y) * 0xC2B2AE3D27D4EB4Full ^
                      static_cast<std::uint64_t>(z) * 0x165667B19E3779F9ull;
    h += 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// Value noise in [0, 1]: the lattice values around p blended with smoothstep weights.
double value_noise(const Vec3& p) {
    const double fx = std::floor(p.x), fy = std::floor(p.y), fz = std::floor(p.z);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy),
               iz = static_cast<std::int64_t>(fz);
    const auto smooth = [](double t) { return t * t * (3 - 2 * t); };
    const double u = smooth(p.x - fx), v = smooth(p.y - fy), w = smooth(p.z - fz);
    double sum = 0;
    for (int c = 0; c < 8; ++c) {
        const int dx = c & 1, dy = (c >> 1) & 1, dz = (c >> 2) & 1;
        sum += (dx ? u : 1 - u) * (dy ? v : 1 - v) * (dz ? w : 1 - w) *
               lattice_value(ix + dx, iy + dy, iz + dz);
    }
    return sum;
}

}  // namespace

double surface_pattern(const Vec3& p, double scale) {
    const Vec3 q = p / scale;
    return 0.6 * value_noise(q) + 0.4 * value_noise(2.0 * q + Vec3{17.3, 5.1, 9.7});
}

namespace {

// The albedo factor of the painted pattern at p: 1 ± strength.
double texture_factor(const Vec3& p, const ViewShading& shading) {
    if (shading.texture <= 0)
        return 1.0;
    return 1.0 + shading.texture * (2.0 * surface_pattern(p, shading.texture_scale) - 1.0);
}

}  // namespace

RenderedView render_view(const EmbreeScene& scene,
                         const scene::ViewCamera& camera,
                         const ViewShading& shading) {
    camera.validate();
    if (!(shading.texture >= 0 && shading.texture <= 1) || !(shading.texture_scale > 0) ||
        !std::isfinite(shading.texture_scale))
        fail(
            "view shading: texture must lie in [0, 1] and its scale be a positive length, got "
            "{} and {} m",
            shading.texture, shading.texture_scale);
    const int w = camera.width, h = camera.height;
    RenderedView out;
    out.rgb.width = out.depth.width = w;
    out.rgb.height = out.depth.height = h;
    out.rgb.rgb.assign(static_cast<std::size_t>(w) * h * 3, 0);
    out.depth.depth.assign(static_cast<std::size_t>(w) * h, 0.0f);
    const Vec3 eye = camera.centre(), forward = camera.forward();
    const Vec3 key = normalize(shading.key_light), fill = normalize(shading.fill_light);
    const auto& materials = scene.scene().materials;
    std::vector<std::array<double, 3>> albedo(materials.size());
    for (std::size_t m = 0; m < materials.size(); ++m)
        for (int c = 0; c < 3; ++c)
            albedo[m][c] = to_linear(materials[m].colour[c]);

    tbb::parallel_for(0, h, [&](int row) {
        for (int col = 0; col < w; ++col) {
            const std::size_t px = static_cast<std::size_t>(row) * w + col;
            const Vec3 d = camera.ray_direction(col, row);
            const RayHit hit = scene.intersect(eye, d);
            std::uint8_t* rgb = &out.rgb.rgb[px * 3];
            if (!hit.hit) {
                const double t = std::clamp(d.z, 0.0, 1.0);
                for (int c = 0; c < 3; ++c)
                    rgb[c] = to_byte(
                        to_linear((1 - t) * shading.sky_horizon[c] + t * shading.sky_zenith[c]));
                continue;
            }
            out.depth.depth[px] = static_cast<float>(hit.t * dot(d, forward));
            const Vec3 n = dot(hit.normal, d) > 0 ? -hit.normal : hit.normal;  // two-sided
            const double light = shading.ambient + shading.key * std::max(0.0, dot(n, key)) +
                                 shading.fill * std::max(0.0, dot(n, fill)) +
                                 shading.headlight * std::abs(dot(n, d));
            const auto& a = albedo[scene.triangle(hit.object, hit.primitive).material];
            const double shade = light * texture_factor(eye + hit.t * d, shading);
            for (int c = 0; c < 3; ++c)
                rgb[c] = to_byte(a[c] * shade);
        }
    });
    return out;
}

ViewPlacement parse_view_placement(std::string_view name) {
    if (name == "auto")
        return ViewPlacement::Auto;
    if (name == "orbit")
        return ViewPlacement::Orbit;
    if (name == "interior")
        return ViewPlacement::Interior;
    fail("unknown camera placement '{}'; use auto, orbit or interior", name);
}

std::vector<scene::ViewCamera> view_poses(const EmbreeScene& scene,
                                          const ViewPoseOptions& options) {
    if (options.count < 1)
        fail("view count must be at least 1, got {}", options.count);
    if (options.width < 8 || options.height < 8)
        fail("image size must be at least 8x8 pixels, got {}x{}", options.width, options.height);
    if (!(options.fov_x_deg > 10 && options.fov_x_deg < 150))
        fail("field of view must lie between 10 and 150 degrees, got {}", options.fov_x_deg);
    const scene::Scene& s = scene.scene();
    const scene::Bounds b = s.bounds();
    const double floor = scene::floor_height(s);
    ViewPlacement placement = options.placement;
    if (placement == ViewPlacement::Auto)
        placement = scene::is_indoor(s) ? ViewPlacement::Interior : ViewPlacement::Orbit;

    const Vec3 up{0, 0, 1};
    const int n = options.count;
    std::vector<scene::ViewCamera> cameras;
    cameras.reserve(n);
    if (placement == ViewPlacement::Orbit) {
        const Vec3 target{b.centre().x, b.centre().y, floor + 0.25 * (b.hi.z - floor)};
        // Distance at which the bounding sphere would just fit the narrower field of view,
        // times 0.8: scenes are flatter than their sphere, seen from above they still fit.
        const double fov_y =
            2 * std::atan(std::tan(0.5 * deg(options.fov_x_deg)) * options.height / options.width);
        const double fov = std::min(deg(options.fov_x_deg), fov_y);
        const double radius = std::max(0.5 * norm(b.size()), 1e-3);
        const double distance = 0.8 * radius / std::sin(0.5 * fov);
        for (int i = 0; i < n; ++i) {
            const double el = deg(i % 2 == 0 ? 30.0 : 55.0);
            const double az = 2 * std::numbers::pi * i / n + 0.3;
            const Vec3 dir{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
            cameras.push_back(scene::ViewCamera::look_at(target + dir * distance, target, up,
                                                         options.fov_x_deg, options.width,
                                                         options.height));
        }
        return cameras;
    }

    // Interior: walk around the plan's rectangle inset from the walls.
    const Vec3 size = b.size();
    const double inset =
        std::min(std::max(0.3, 0.1 * std::min(size.x, size.y)), 0.4 * std::min(size.x, size.y));
    const double x0 = b.lo.x + inset, x1 = b.hi.x - inset;
    const double y0 = b.lo.y + inset, y1 = b.hi.y - inset;
    const double perimeter = 2 * ((x1 - x0) + (y1 - y0));
    const double top = b.hi.z - 0.3, bottom = floor + 0.2;
    const std::array<double, 2> heights{std::clamp(floor + 1.2, bottom, std::max(bottom, top)),
                                        std::clamp(floor + 1.8, bottom, std::max(bottom, top))};
    const double target_z = std::clamp(floor + 1.0, bottom, std::max(bottom, top));
    for (int i = 0; i < n; ++i) {
        double t = perimeter * (i + 0.5) / n;  // distance along the rectangle from (x0, y0)
        Vec3 eye{x0, y0, heights[i % 2]};
        const double sx = x1 - x0, sy = y1 - y0;
        if (t < sx) {
            eye.x += t;
        } else if ((t -= sx) < sy) {
            eye.x = x1, eye.y += t;
        } else if ((t -= sy) < sx) {
            eye.x = x1 - t, eye.y = y1;
        } else {
            eye.y = y1 - (t - sx);
        }
        const Vec3 middle{b.centre().x, b.centre().y, eye.z};
        // Out of furniture and pillars: towards the middle until the middle is in sight.
        for (int step = 0; step < 10 && scene.occluded(middle, eye); ++step)
            eye += (middle - eye) * 0.15;
        Vec3 target{b.centre().x, b.centre().y, target_z};
        if (norm(Vec3{target.x - eye.x, target.y - eye.y, 0}) < 1e-6)
            target.x += 1.0;  // a camera at the very middle looks along +x
        cameras.push_back(scene::ViewCamera::look_at(eye, target, up, options.fov_x_deg,
                                                     options.width, options.height));
    }
    return cameras;
}

}  // namespace radiofield::rt
