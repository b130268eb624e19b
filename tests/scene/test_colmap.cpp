// COLMAP text models (scene/colmap.hpp) and the views' camera, points and depth files
// (scene/views.hpp): a hand-written model reads correctly, what we write reads back
// identically, and malformed input names the file and line.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/scene/colmap.hpp"
#include "radiofield/scene/views.hpp"

namespace radiofield::scene {
namespace {

using test::TempDir;
using test::write_file;

void write_model(const TempDir& dir,
                 const std::string& cameras,
                 const std::string& images,
                 const std::string& points) {
    write_file(dir / "cameras.txt", cameras);
    write_file(dir / "images.txt", images);
    write_file(dir / "points3D.txt", points);
}

const std::string kCameras =
    "# Camera list with one line of data per camera:\n"
    "#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n"
    "1 PINHOLE 100 80 50 60 50 40\n"
    "2 SIMPLE_RADIAL 64 48 70 32 24 0.1\n";
// Image 1: 90° about z (qw = qz = √½), t = (1, 2, 3); image 2 has no keypoints (empty line).
const std::string kImages =
    "# Image list with two lines of data per image:\n"
    "1 0.70710678118654752 0 0 0.70710678118654752 1 2 3 1 a.png\n"
    "10.5 20.5 -1 30 40 7\n"
    "2 1 0 0 0 0 0 0 2 b.jpg\n"
    "\n";
const std::string kPoints =
    "# 3D point list\n"
    "7 1 2 3 255 128 0 0.5 1 1\n"
    "8 -1 0.5 2 10 20 30 0\n";

TEST(ColmapReader, HandWrittenModelReadsCorrectly) {
    TempDir dir;
    write_model(dir, kCameras, kImages, kPoints);
    const ColmapModel m = read_colmap_text(dir.path());
    ASSERT_EQ(m.cameras.size(), 2u);
    ASSERT_EQ(m.images.size(), 2u);
    ASSERT_EQ(m.points.size(), 2u);
    EXPECT_EQ(m.cameras[1].model, "SIMPLE_RADIAL");
    EXPECT_TRUE(m.cameras[1].has_distortion());
    EXPECT_FALSE(m.cameras[0].has_distortion());

    const ColmapImage& a = m.images[0];
    EXPECT_EQ(a.name, "a.png");
    EXPECT_EQ(a.camera_id, 1u);
    const Mat3 r = a.rotation();  // 90° about z: x → y, y → −x
    const double expected[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1};
    for (int i = 0; i < 9; ++i)
        EXPECT_NEAR(r.m[i], expected[i], 1e-12) << i;
    const Vec3 c = a.centre();  // −Rᵀt = −(2, −1, 3)
    EXPECT_NEAR(c.x, -2, 1e-12);
    EXPECT_NEAR(c.y, 1, 1e-12);
    EXPECT_NEAR(c.z, -3, 1e-12);
    ASSERT_EQ(a.keypoints.size(), 2u);
    EXPECT_EQ(a.keypoints[0].x, 10.5);
    EXPECT_EQ(a.keypoints[0].point3d_id, -1);
    EXPECT_EQ(a.keypoints[1].point3d_id, 7);
    EXPECT_TRUE(m.images[1].keypoints.empty());

    EXPECT_EQ(m.points[0].id, 7u);
    EXPECT_EQ(m.points[0].colour, (std::array<std::uint8_t, 3>{255, 128, 0}));
    EXPECT_EQ(m.points[0].error, 0.5);
    ASSERT_EQ(m.points[0].track.size(), 1u);
    EXPECT_EQ(m.points[0].track[0].image_id, 1u);
    EXPECT_TRUE(m.points[1].track.empty());

    // As our cameras: COLMAP's principal point minus half a pixel; distortion dropped.
    const auto views = m.views();
    EXPECT_EQ(views[0].fx, 50);
    EXPECT_EQ(views[0].fy, 60);
    EXPECT_EQ(views[0].cx, 49.5);
    EXPECT_EQ(views[0].cy, 39.5);
    EXPECT_NEAR(norm(views[0].centre() - c), 0, 1e-12);
    EXPECT_EQ(views[1].fx, 70);
    EXPECT_EQ(views[1].fy, 70);
    EXPECT_EQ(views[1].cx, 31.5);
    EXPECT_EQ(views[1].width, 64);
}

TEST(ColmapReader, FindsTheModelUnderSparse0) {
    TempDir dir;
    std::filesystem::create_directories(dir / "sparse/0");
    write_file(dir / "sparse/0/cameras.txt", kCameras);
    write_file(dir / "sparse/0/images.txt", kImages);
    write_file(dir / "sparse/0/points3D.txt", kPoints);
    EXPECT_EQ(read_colmap_text(dir.path()).images.size(), 2u);
}

TEST(ColmapRoundTrip, WhatWeWriteReadsBackIdentically) {
    std::vector<ViewCamera> views;
    std::vector<std::string> names;
    for (int i = 0; i < 5; ++i) {
        const double a = 2 * std::numbers::pi * i / 5 + 0.1;
        views.push_back(ViewCamera::look_at({7 * std::cos(a), 7 * std::sin(a), 2.0 + 0.3 * i},
                                            {0.1, -0.2, 0.5}, {0, 0, 1}, 65, i < 3 ? 64 : 33, 48));
        names.push_back("000" + std::to_string(i) + ".png");
    }
    const std::vector<SurfacePoint> points{{{1.25, -0.5, 3.0 / 7.0}, {1, 2, 3}},
                                           {{0.1, 0.2, 0.3}, {250, 0, 9}}};
    const ColmapModel model = make_colmap_model(views, names, points);
    EXPECT_EQ(model.cameras.size(), 2u) << "one camera per distinct intrinsics";
    TempDir dir;
    write_colmap_text(model, dir.path());
    const ColmapModel back = read_colmap_text(dir.path());

    ASSERT_EQ(back.cameras.size(), model.cameras.size());
    for (std::size_t i = 0; i < model.cameras.size(); ++i) {
        EXPECT_EQ(back.cameras[i].id, model.cameras[i].id);
        EXPECT_EQ(back.cameras[i].params, model.cameras[i].params);
    }
    ASSERT_EQ(back.images.size(), 5u);
    const auto back_views = back.views();
    for (std::size_t i = 0; i < 5; ++i) {
        const auto &w = model.images[i], &r = back.images[i];
        EXPECT_EQ(r.name, names[i]);
        EXPECT_EQ(r.qw, w.qw);
        EXPECT_EQ(r.qx, w.qx);
        EXPECT_EQ(r.qz, w.qz);
        EXPECT_EQ(r.translation, w.translation);
        EXPECT_EQ(r.camera_id, w.camera_id);
        // And as cameras: the pose through the quaternion to round-off, intrinsics exactly.
        const ViewCamera &v = views[i], &b = back_views[i];
        for (int k = 0; k < 9; ++k)
            EXPECT_NEAR(b.rotation.m[k], v.rotation.m[k], 1e-12);
        EXPECT_EQ(b.translation, v.translation);
        EXPECT_NEAR(norm(b.centre() - v.centre()), 0, 1e-12);
        EXPECT_EQ(b.fx, v.fx);
        EXPECT_EQ(b.cx, v.cx);
        EXPECT_EQ(b.cy, v.cy);
        EXPECT_EQ(b.width, v.width);
    }
    ASSERT_EQ(back.points.size(), 2u);
    EXPECT_EQ(back.points[0].position, points[0].position);
    EXPECT_EQ(back.points[1].colour, points[1].colour);
}

// Each malformed file fails with the file's name, the line and the fragment given.
void expect_error(const std::string& cameras,
                  const std::string& images,
                  const std::string& points,
                  const std::vector<std::string>& fragments) {
    TempDir dir;
    write_model(dir, cameras, images, points);
    try {
        read_colmap_text(dir.path());
        ADD_FAILURE() << "no error for fragments " << fragments[0];
    } catch (const Error& e) {
        const std::string what = e.what();
        for (const auto& f : fragments)
            EXPECT_NE(what.find(f), std::string::npos) << "'" << f << "' not in: " << what;
    }
}

TEST(ColmapReader, MalformedInputNamesTheFileAndLine) {
    expect_error("1 PINHOLE 100 80 50 x 50 40\n", kImages, kPoints, {"cameras.txt line 1", "'x'"});
    expect_error("# c\n1 OPENCV_FISHEYE 100 80 50 50 50 40 0 0 0 0\n", kImages, kPoints,
                 {"cameras.txt line 2", "OPENCV_FISHEYE", "PINHOLE", "SIMPLE_RADIAL"});
    expect_error("1 PINHOLE 100 80 50 60 50\n", kImages, kPoints,
                 {"cameras.txt line 1", "4 parameters"});
    expect_error(kCameras, "1 1 0 0 0 0 0 0 1\n\n", kPoints, {"images.txt line 1", "NAME"});
    expect_error(kCameras, "1 0.5 0 0 0 0 0 0 1 a.png\n\n", kPoints,
                 {"images.txt line 1", "unit length"});
    expect_error(kCameras, "1 1 0 0 0 0 0 0 1 a.png\n1 2\n", kPoints,
                 {"images.txt line 2", "triples"});
    expect_error(kCameras, "1 1 0 0 0 0 0 0 9 a.png\n\n", kPoints, {"images.txt", "camera 9"});
    expect_error(kCameras, kImages, "7 1 2 3 300 0 0 0\n", {"points3D.txt line 1", "300"});
    expect_error(kCameras, kImages, "7 1 2 3 1 0 0 0 5\n", {"points3D.txt line 1", "pairs"});
}

TEST(ColmapReader, AMissingFileIsNamed) {
    TempDir dir;
    write_file(dir / "cameras.txt", kCameras);
    try {
        read_colmap_text(dir.path());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("images.txt"), std::string::npos) << e.what();
    }
}

TEST(ViewCamera, LookAtFollowsOpenCvAxes) {
    const auto cam = ViewCamera::look_at({1, 2, 3}, {1, 7, 3}, {0, 0, 1}, 90, 101, 51);
    EXPECT_EQ(cam.cx, 50);
    EXPECT_NEAR(cam.fx, 50.5, 1e-12);
    EXPECT_NEAR(norm(cam.centre() - Vec3{1, 2, 3}), 0, 1e-12);
    EXPECT_NEAR(norm(cam.forward() - Vec3{0, 1, 0}), 0, 1e-12);
    EXPECT_NEAR(norm(cam.ray_direction(50, 25) - Vec3{0, 1, 0}), 0, 1e-12);
    // Looking north (+y) with z up, east (+x) is on the right of the image; the top is up.
    EXPECT_GT(cam.ray_direction(100, 25).x, 0.5);
    EXPECT_GT(cam.ray_direction(50, 0).z, 0);
    EXPECT_THROW(ViewCamera::look_at({0, 0, 0}, {0, 0, 5}, {0, 0, 1}, 60, 8, 8), Error);
    EXPECT_THROW(ViewCamera::look_at({0, 0, 0}, {1, 0, 0}, {0, 0, 1}, 180, 8, 8), Error);
}

TEST(SurfacePoints, LieOnTheSurfacesInTheirMaterialsColour) {
    Scene s;
    auto brick = itu_material("brick");
    const auto m = s.add_material(brick);
    Mesh floor;
    floor.name = "floor";
    floor.vertices = {{0, 0, 0}, {4, 0, 0}, {4, 2, 0}, {0, 2, 0}};
    floor.triangles = {{0, 1, 2}, {0, 2, 3}};
    floor.material = {m, m};
    s.meshes.push_back(floor);
    const auto points = sample_surface_points(s, 500, 3);
    ASSERT_EQ(points.size(), 500u);
    int left = 0;
    for (const auto& p : points) {
        EXPECT_EQ(p.position.z, 0);
        EXPECT_TRUE(p.position.x >= 0 && p.position.x <= 4 && p.position.y >= 0 &&
                    p.position.y <= 2);
        EXPECT_EQ(p.colour, display_colour(brick));
        left += p.position.x < 2;
    }
    EXPECT_NEAR(left, 250, 60);  // uniform over the area
    EXPECT_EQ(sample_surface_points(s, 500, 3)[17].position, points[17].position);
}

TEST(DepthNpy, RoundTripsAndRefusesOtherArrays) {
    TempDir dir;
    DepthMap map;
    map.width = 3, map.height = 2;
    map.depth = {0.f, 1.5f, 2.25f, 1e-3f, 100.f, 0.f};
    write_depth_npy(map, dir / "d.npy");
    const std::string bytes = test::read_file(dir / "d.npy");
    EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
    EXPECT_EQ((bytes.size() - 6 * 4) % 64, 0u) << "header padded to 64 bytes";
    const DepthMap back = read_depth_npy(dir / "d.npy");
    EXPECT_EQ(back.width, 3);
    EXPECT_EQ(back.height, 2);
    EXPECT_EQ(back.depth, map.depth);
    write_file(dir / "bad.npy", "not numpy");
    EXPECT_THROW(read_depth_npy(dir / "bad.npy"), Error);
}

}  // namespace
}  // namespace radiofield::scene
