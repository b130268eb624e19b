#pragma once
// The cameras of the splatting op (docs/splatting.md): a pinhole for images and a native
// equirectangular camera for the receiver's angular spectrum. Both hold the world → camera
// transform p_cam = rotation·p_world + translation; pixel (row r, column c) is sampled at the
// screen point (u, v) = (c, r).

#include <variant>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/spectrum.hpp"

namespace radiofield::splat {

// OpenCV pinhole: camera x right, y down, z forward; u = fx·x/z + cx, v = fy·y/z + cy.
// Gaussians closer than `near` along z are culled.
struct PinholeCamera {
    Mat3 rotation;     // world → camera
    Vec3 translation;  // world → camera
    double fx = 1, fy = 1, cx = 0, cy = 0;
    int width = 0, height = 0;
    double near = 0.01;

    Vec3 centre() const;    // camera centre in the world, −Rᵀt
    void validate() const;  // throws Error on non-positive sizes, focal lengths or near

    // Camera at `eye` looking at `target`, `up` (world) pointing up on screen; horizontal field
    // of view fov_x_deg, square pixels, principal point in the middle of the image.
    static PinholeCamera look_at(const Vec3& eye,
                                 const Vec3& target,
                                 const Vec3& up,
                                 double fov_x_deg,
                                 int width,
                                 int height);
};

// Longitude/latitude screen in the camera frame (the station's local frame: x forward at
// azimuth 0, z up). For a camera-frame point p: az = atan2(y, x), el = atan2(z, √(x² + y²)),
// u = (az − az0)/az_step, v = (el − el0)/el_step (degrees), so column c ↔ azimuth az0 + c·az_step
// and row r ↔ elevation el0 + r·el_step — rt::SpectrumGrid's layout (row = elevation index,
// rows going up from the horizon). Azimuths are taken in the 360° window centred on the
// screen; a screen covering 360° wraps its columns around (seam at az0 − az_step/2). Gaussians
// closer than `near` (distance) are culled; within pole_cap_rad of the zenith or nadir axis the
// Jacobian is taken at the cap's edge (docs/splatting.md, "Poles").
struct EquirectCamera {
    Mat3 rotation;     // world → camera
    Vec3 translation;  // world → camera
    int width = 360, height = 90;
    double az0_deg = 1, el0_deg = 1, az_step_deg = 1, el_step_deg = 1;
    double near = 0.01;
    double pole_cap_rad = 0.01;

    Vec3 centre() const;
    bool wraps() const;  // width·az_step covers 360°
    void validate() const;

    // The camera of a station's spectrum grid: `station_rotation` maps the station's local
    // frame to the world (as rt::BartlettBeamformer takes it), `position` is the station.
    static EquirectCamera for_grid(const rt::SpectrumGrid& grid,
                                   const Mat3& station_rotation,
                                   const Vec3& position);
};

using Camera = std::variant<PinholeCamera, EquirectCamera>;

int width_of(const Camera& camera);
int height_of(const Camera& camera);
Vec3 centre_of(const Camera& camera);

}  // namespace radiofield::splat
