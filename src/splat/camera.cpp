// The cameras: validation, constructors, and their kernel parameters.
#include "radiofield/splat/camera.hpp"

#include <cmath>
#include <numbers>

#include "camera_params.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::splat {
namespace {

Vec3 centre_from(const Mat3& rotation, const Vec3& translation) {
    return -(rotation.transposed() * translation);
}

void fill_transform(const Mat3& rotation, const Vec3& translation, detail::CameraParams& p) {
    for (int i = 0; i < 9; ++i)
        p.rot[i] = rotation.m[i];
    p.trans[0] = translation.x, p.trans[1] = translation.y, p.trans[2] = translation.z;
}

}  // namespace

Vec3 PinholeCamera::centre() const {
    return centre_from(rotation, translation);
}

void PinholeCamera::validate() const {
    if (width <= 0 || height <= 0) {
        fail("PinholeCamera: width and height must be positive, got {}×{}", width, height);
    }
    if (!(fx > 0) || !(fy > 0)) {
        fail("PinholeCamera: focal lengths must be positive pixels, got fx {} fy {}", fx, fy);
    }
    if (!(near > 0)) {
        fail("PinholeCamera: near must be positive (metres along z), got {}", near);
    }
}

PinholeCamera PinholeCamera::look_at(
    const Vec3& eye, const Vec3& target, const Vec3& up, double fov_x_deg, int width, int height) {
    const Vec3 forward = target - eye, right = cross(forward, up);
    if (!(norm(forward) > 0) || !(norm(right) > 1e-12 * norm(forward) * norm(up))) {
        fail(
            "PinholeCamera::look_at: eye and target must differ and up must not be parallel to "
            "the view direction");
    }
    const Vec3 z = normalize(forward);
    const Vec3 x = normalize(right);  // right on screen (y down = −up)
    const Vec3 y = cross(z, x);
    PinholeCamera cam;
    cam.rotation.m = {x.x, x.y, x.z, y.x, y.y, y.z, z.x, z.y, z.z};
    cam.translation = -(cam.rotation * eye);
    cam.width = width, cam.height = height;
    cam.fx = cam.fy = 0.5 * width / std::tan(0.5 * fov_x_deg * std::numbers::pi / 180.0);
    cam.cx = 0.5 * (width - 1), cam.cy = 0.5 * (height - 1);
    return cam;
}

Vec3 EquirectCamera::centre() const {
    return centre_from(rotation, translation);
}

bool EquirectCamera::wraps() const {
    return std::abs(width * az_step_deg - 360.0) < 1e-6;
}

void EquirectCamera::validate() const {
    if (width <= 0 || height <= 0) {
        fail("EquirectCamera: width and height must be positive, got {}×{}", width, height);
    }
    if (!(az_step_deg > 0) || !(el_step_deg > 0)) {
        fail("EquirectCamera: azimuth and elevation steps must be positive degrees, got {} {}",
             az_step_deg, el_step_deg);
    }
    if (width * az_step_deg > 360.0 + 1e-6) {
        fail("EquirectCamera: {} columns of {}° exceed 360°; use at most {} columns", width,
             az_step_deg, static_cast<int>(std::floor(360.0 / az_step_deg + 1e-9)));
    }
    if (!(near > 0)) {
        fail("EquirectCamera: near must be a positive distance, got {}", near);
    }
    if (!(pole_cap_rad > 0) || pole_cap_rad > 0.5) {
        fail("EquirectCamera: pole_cap_rad must be in (0, 0.5], got {}", pole_cap_rad);
    }
}

EquirectCamera EquirectCamera::for_grid(const rt::SpectrumGrid& grid,
                                        const Mat3& station_rotation,
                                        const Vec3& position) {
    grid.validate();
    EquirectCamera cam;
    cam.rotation = station_rotation.transposed();  // world → local
    cam.translation = -(cam.rotation * position);
    cam.width = grid.n_az, cam.height = grid.n_el;
    cam.az0_deg = grid.az0_deg, cam.el0_deg = grid.el0_deg;
    cam.az_step_deg = cam.el_step_deg = grid.step_deg;
    return cam;
}

int width_of(const Camera& camera) {
    return std::visit([](const auto& c) { return c.width; }, camera);
}
int height_of(const Camera& camera) {
    return std::visit([](const auto& c) { return c.height; }, camera);
}
Vec3 centre_of(const Camera& camera) {
    return std::visit([](const auto& c) { return c.centre(); }, camera);
}

namespace detail {

CameraParams camera_params(const Camera& camera) {
    CameraParams p;
    if (const auto* pin = std::get_if<PinholeCamera>(&camera)) {
        pin->validate();
        p.kind = kPinhole;
        fill_transform(pin->rotation, pin->translation, p);
        p.width = pin->width, p.height = pin->height, p.near = pin->near;
        p.fx = pin->fx, p.fy = pin->fy, p.cx = pin->cx, p.cy = pin->cy;
        // 3DGS: the Jacobian's x/z, y/z clamped at 1.3× the half field of view
        p.clip_x = 1.3 * 0.5 * pin->width / pin->fx;
        p.clip_y = 1.3 * 0.5 * pin->height / pin->fy;
        return p;
    }
    const auto& eq = std::get<EquirectCamera>(camera);
    eq.validate();
    p.kind = kEquirect;
    fill_transform(eq.rotation, eq.translation, p);
    p.width = eq.width, p.height = eq.height, p.near = eq.near;
    p.wrap = eq.wraps() ? 1 : 0;
    p.az0 = eq.az0_deg, p.el0 = eq.el0_deg, p.az_step = eq.az_step_deg, p.el_step = eq.el_step_deg;
    p.pole_sin = std::sin(eq.pole_cap_rad);
    return p;
}

}  // namespace detail
}  // namespace radiofield::splat
