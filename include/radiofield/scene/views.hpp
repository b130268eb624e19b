#pragma once
// Camera images of a scene (docs/views.md): the pinhole camera the view renderer and the
// COLMAP reader share, surface points with their display colour, and depth maps as .npy.
// No Embree here: the renderer itself is rt::render_view (radiofield/rt/views.hpp).

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene {

// OpenCV pinhole, the convention of splat::PinholeCamera: camera x right, y down, z forward;
// p_cam = rotation·p_world + translation; u = fx·x/z + cx, v = fy·y/z + cy, and pixel (row r,
// column c) is sampled at (u, v) = (c, r), so the middle of a W-pixel row is cx = (W − 1)/2.
// (COLMAP puts pixel centres at c + 0.5: its cx is ours + 0.5; the COLMAP reader and writer
// convert.)
struct ViewCamera {
    Mat3 rotation;     // world → camera
    Vec3 translation;  // world → camera
    double fx = 1, fy = 1, cx = 0, cy = 0;
    int width = 0, height = 0;

    Vec3 centre() const;   // camera centre in the world, −Rᵀt
    Vec3 forward() const;  // unit optical axis in the world (camera +z)
    // Unit world direction of the ray through screen point (u, v).
    Vec3 ray_direction(double u, double v) const;
    // Throws Error on non-positive sizes or focal lengths, or a non-finite pose.
    void validate() const;

    // Camera at `eye` looking at `target` with world `up` pointing up on screen; horizontal
    // field of view fov_x_deg ∈ (0, 180), square pixels, principal point in the middle.
    // Throws Error if eye = target or up is parallel to the view direction.
    static ViewCamera look_at(const Vec3& eye,
                              const Vec3& target,
                              const Vec3& up,
                              double fov_x_deg,
                              int width,
                              int height);
};

// The colour a material is shown in (its Material::colour, sRGB in [0, 1]), as bytes.
std::array<std::uint8_t, 3> display_colour(const Material& material);

// A coloured point on a surface of the scene.
struct SurfacePoint {
    Vec3 position;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
};
// `count` points spread over the scene's triangles in proportion to their area, each in its
// material's display colour; deterministic for a seed.
std::vector<SurfacePoint> sample_surface_points(const Scene& scene,
                                                std::size_t count,
                                                std::uint64_t seed = 0);

// Height of the floor or ground (the largest up-facing area), and whether the scene is a
// closed room (a ceiling covers at least half its plan); the top-view renderer's rules.
double floor_height(const Scene& scene);
bool is_indoor(const Scene& scene);

// A depth map: float32, row-major [height, width], metres along the camera's z axis
// (0 where the ray hits nothing).
struct DepthMap {
    int width = 0, height = 0;
    std::vector<float> depth;
};
// NumPy .npy (format 1.0, '<f4', C order, shape (height, width)), written atomically.
void write_depth_npy(const DepthMap& map, const std::filesystem::path& path);
// Reads what write_depth_npy writes (and any 2-D little-endian float32 C-order .npy);
// throws Error naming the file otherwise.
DepthMap read_depth_npy(const std::filesystem::path& path);

}  // namespace radiofield::scene
