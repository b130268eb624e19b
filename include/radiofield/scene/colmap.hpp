#pragma once
// COLMAP's text model (cameras.txt, images.txt, points3D.txt), read and written: the poses
// and seed points of the splatting stage, from our rendered views or from a real COLMAP
// reconstruction of photographs (docs/views.md).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/views.hpp"

namespace radiofield::scene {

// One line of cameras.txt. `params` as in the file, in COLMAP's pixel convention (pixel
// centres at c + 0.5). Supported models: SIMPLE_PINHOLE (f cx cy), PINHOLE (fx fy cx cy),
// SIMPLE_RADIAL (f cx cy k), RADIAL (f cx cy k1 k2), OPENCV (fx fy cx cy k1 k2 p1 p2),
// FULL_OPENCV (fx fy cx cy k1 k2 p1 p2 k3 k4 k5 k6); distortion is read but not applied.
struct ColmapCamera {
    std::uint32_t id = 0;
    std::string model = "PINHOLE";
    int width = 0, height = 0;
    std::vector<double> params;

    std::array<double, 4> focal_and_centre() const;  // fx, fy, cx, cy (COLMAP's pixels)
    bool has_distortion() const;                     // a non-zero distortion parameter
};

// One observation of images.txt's second line: a keypoint and the 3-D point it sees
// (point3d_id −1 when none).
struct ColmapKeypoint {
    double x = 0, y = 0;
    std::int64_t point3d_id = -1;
};

// One image of images.txt: world → camera rotation as a unit quaternion (qw, qx, qy, qz)
// and translation t, so p_cam = R·p_world + t and the camera centre is −Rᵀt.
struct ColmapImage {
    std::uint32_t id = 0;
    double qw = 1, qx = 0, qy = 0, qz = 0;
    Vec3 translation;
    std::uint32_t camera_id = 0;
    std::string name;  // the image file, relative to the images folder
    std::vector<ColmapKeypoint> keypoints;

    Mat3 rotation() const;
    Vec3 centre() const;
};

struct ColmapTrackEntry {
    std::uint32_t image_id = 0, point2d_index = 0;
};

// One line of points3D.txt.
struct ColmapPoint {
    std::uint64_t id = 0;
    Vec3 position;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
    double error = 0;
    std::vector<ColmapTrackEntry> track;
};

struct ColmapModel {
    std::vector<ColmapCamera> cameras;
    std::vector<ColmapImage> images;
    std::vector<ColmapPoint> points;

    const ColmapCamera& camera(std::uint32_t id) const;  // throws Error for an unknown id
    // Every image as a ViewCamera in our convention (principal point − 0.5 px; distortion
    // dropped), in the order of `images`.
    std::vector<ViewCamera> views() const;
};

// The model of views we rendered: one PINHOLE camera per distinct set of intrinsics, image
// i named names[i], and the surface points (no tracks, error 0).
ColmapModel make_colmap_model(const std::vector<ViewCamera>& views,
                              const std::vector<std::string>& names,
                              const std::vector<SurfacePoint>& points);

// Reads cameras.txt, images.txt and points3D.txt from `folder` (a COLMAP sparse model such
// as DIR/sparse/0; given DIR itself, DIR/sparse/0 is used when present). Malformed input
// throws Error naming the file and line; an image naming an unknown camera throws; cameras
// with distortion are used without it, with one warning each.
ColmapModel read_colmap_text(const std::filesystem::path& folder);
// Writes the three files into `folder` (which must exist), each atomically; numbers are
// written so that they read back exactly.
void write_colmap_text(const ColmapModel& model, const std::filesystem::path& folder);

}  // namespace radiofield::scene
