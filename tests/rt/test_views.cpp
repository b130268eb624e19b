// Camera images of a scene (rt/views.hpp): where a wall projects, its colour and closed-form
// depth, background where nothing is hit, and camera placement inside and around scenes.
#include <gtest/gtest.h>

#include <cmath>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/rt/views.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/colmap.hpp"
#include "rt_test_scenes.hpp"

namespace radiofield::rt {
namespace {

using testing::add_box;
using testing::add_wall_x;

// A 2 × 2 m red wall at x = 5 facing a camera at the origin that looks along +x.
struct WallScene {
    scene::Scene s;
    WallScene() {
        auto red = scene::custom_material("red_paint", 3.0, 0.01);
        red.colour = {0.8f, 0.2f, 0.1f};
        const auto m = s.add_material(red);
        add_wall_x(s, 5.0, -1.0, 1.0, -1.0, 1.0, m);
    }
};

std::array<std::uint8_t, 3> pixel(const scene::Image& img, int row, int col) {
    const std::size_t i = (static_cast<std::size_t>(row) * img.width + col) * 3;
    return {img.rgb[i], img.rgb[i + 1], img.rgb[i + 2]};
}

TEST(RenderView, WallAppearsInItsColourWhereItProjectsAtItsClosedFormDepth) {
    WallScene w;
    const EmbreeScene embree(w.s);
    const auto cam = scene::ViewCamera::look_at({0, 0, 0}, {5, 0, 0}, {0, 0, 1}, 60, 41, 31);
    ViewShading flat;
    flat.texture = 0;
    const RenderedView view = render_view(embree, cam, flat);
    ASSERT_EQ(view.rgb.width, 41);
    ASSERT_EQ(view.depth.height, 31);
    // The wall's edges (|y|, |z| = 1 at distance 5) project to fx/5 pixels from the centre.
    const double half_u = cam.fx / 5.0, half_v = cam.fy / 5.0;
    int wall = 0, sky = 0;
    for (int r = 0; r < cam.height; ++r) {
        for (int c = 0; c < cam.width; ++c) {
            const double du = std::abs(c - cam.cx), dv = std::abs(r - cam.cy);
            const float depth = view.depth.depth[static_cast<std::size_t>(r) * cam.width + c];
            const auto rgb = pixel(view.rgb, r, c);
            if (du < half_u - 0.5 && dv < half_v - 0.5) {
                ++wall;
                // A plane facing the camera has the same z-depth everywhere.
                EXPECT_NEAR(depth, 5.0, 1e-5) << r << "," << c;
                EXPECT_GT(rgb[0], 2 * rgb[1]) << r << "," << c;
                EXPECT_GT(rgb[1], rgb[2]) << r << "," << c;
            } else if (du > half_u + 0.5 || dv > half_v + 0.5) {
                ++sky;
                EXPECT_EQ(depth, 0.0f) << r << "," << c;
                EXPECT_GT(rgb[2], rgb[0]) << "sky is blue-ish at " << r << "," << c;
            }
        }
    }
    EXPECT_GT(wall, 40);
    EXPECT_GT(sky, 400);
    // The centre pixel: albedo × (ambient + fill·n·L_fill + headlight), the key light being
    // behind the wall's lit side; in linear light, written as sRGB (γ 2.2).
    const ViewShading sh;
    const Vec3 n{-1, 0, 0};
    const double light = sh.ambient + sh.fill * dot(n, normalize(sh.fill_light)) + sh.headlight;
    const auto centre = pixel(view.rgb, 15, 20);
    for (int c = 0; c < 3; ++c) {
        const double expected =
            255 * std::pow(std::pow(double(w.s.materials[0].colour[c]), 2.2) * light, 1 / 2.2);
        EXPECT_NEAR(centre[c], expected, 1.0) << "channel " << c;
    }
    EXPECT_NEAR(view.depth.depth[15 * 41 + 20], 5.0, 1e-6);
}

// The painted pattern varies over a plain wall, stays within albedo × (1 ± texture), is fixed
// to the surface (two cameras see a wall point alike) and is refused out of range.
TEST(RenderView, TheTextureIsFixedToTheSurfaceAndWithinItsStrength) {
    WallScene w;
    const EmbreeScene embree(w.s);
    ViewShading sh;
    sh.texture = 0.4, sh.texture_scale = 0.2;
    ViewShading flat = sh;
    flat.texture = 0;
    const auto cam = scene::ViewCamera::look_at({0, 0, 0}, {5, 0, 0}, {0, 0, 1}, 30, 61, 61);
    const RenderedView view = render_view(embree, cam, sh), plain = render_view(embree, cam, flat);
    double lo = 1e9, hi = -1e9;
    for (int r = 20; r <= 40; ++r) {
        for (int c = 20; c <= 40; ++c) {  // inside the wall
            const double ratio = std::pow(pixel(view.rgb, r, c)[0] / 255.0, 2.2) /
                                 std::pow(pixel(plain.rgb, r, c)[0] / 255.0, 2.2);
            lo = std::min(lo, ratio), hi = std::max(hi, ratio);
            const Vec3 p = 5.0 / cam.ray_direction(c, r).x * cam.ray_direction(c, r);
            EXPECT_NEAR(ratio, 1 + 0.4 * (2 * surface_pattern(p, 0.2) - 1), 0.05) << r << "," << c;
        }
    }
    EXPECT_GE(lo, 0.6 - 0.05);
    EXPECT_LE(hi, 1.4 + 0.05);
    EXPECT_GT(hi - lo, 0.2) << "a pattern, not a flat colour";
    // The wall's middle seen from another camera, off to the side and nearer.
    const auto other = scene::ViewCamera::look_at({1, 1.5, 0.3}, {5, 0, 0}, {0, 0, 1}, 30, 61, 61);
    const RenderedView side = render_view(embree, other, sh),
                       side_plain = render_view(embree, other, flat);
    const double ratio_side = std::pow(pixel(side.rgb, 30, 30)[0] / 255.0, 2.2) /
                              std::pow(pixel(side_plain.rgb, 30, 30)[0] / 255.0, 2.2);
    EXPECT_NEAR(ratio_side, 1 + 0.4 * (2 * surface_pattern({5, 0, 0}, 0.2) - 1), 0.05);
    sh.texture = 1.5;
    EXPECT_THROW(render_view(embree, cam, sh), Error);
    sh.texture = 0.4, sh.texture_scale = 0;
    EXPECT_THROW(render_view(embree, cam, sh), Error);
}

TEST(RenderView, DepthIsAlongTheOpticalAxisForAnObliqueWall) {
    WallScene w;
    const EmbreeScene embree(w.s);
    // Camera at (1, 0, 0) looking at (5, 0, 0): the centre pixel sees the wall 4 m away.
    const auto cam = scene::ViewCamera::look_at({1, 0, 0}, {5, 0.5, 0}, {0, 0, 1}, 40, 21, 21);
    const RenderedView view = render_view(embree, cam);
    const Vec3 d = cam.ray_direction(10, 10);
    EXPECT_NEAR(view.depth.depth[10 * 21 + 10], 4.0 / d.x,
                1e-5);  // t = 4/d.x, z-depth = t·(d·f) = t
}

TEST(RenderView, ACameraLookingAwaySeesOnlyBackground) {
    WallScene w;
    const EmbreeScene embree(w.s);
    const auto cam = scene::ViewCamera::look_at({0, 0, 0}, {-5, 0, 0}, {0, 0, 1}, 90, 16, 12);
    const RenderedView view = render_view(embree, cam);
    for (float d : view.depth.depth)
        EXPECT_EQ(d, 0.0f);
    const auto corner = pixel(view.rgb, 0, 0), bottom = pixel(view.rgb, 11, 0);
    EXPECT_GT(corner[2], corner[0]);
    // Looking up is deeper blue than looking at or below the horizon.
    EXPECT_LT(corner[0], bottom[0]);
}

TEST(RenderView, SameImageEveryTime) {
    WallScene w;
    const EmbreeScene embree(w.s);
    const auto cam = scene::ViewCamera::look_at({0, 2, 1}, {5, 0, 0}, {0, 0, 1}, 70, 64, 48);
    const auto a = render_view(embree, cam), b = render_view(embree, cam);
    EXPECT_EQ(a.rgb.rgb, b.rgb.rgb);
    EXPECT_EQ(a.depth.depth, b.depth.depth);
}

TEST(ViewPoses, InteriorCamerasStayInsideTheRoomAndSeeNoSky) {
    scene::Scene s = testing::box_room();  // 5 × 4 × 3 m, closed
    const auto wood = s.add_material(scene::itu_material("wood"));
    add_box(s, "cabinet", {0.0, 0.0, 0.0}, {1.5, 1.5, 2.2}, wood);  // a corner, 2.2 m tall
    const EmbreeScene embree(s);
    ViewPoseOptions o;
    o.count = 8;
    o.width = 24, o.height = 18;
    o.placement = ViewPlacement::Interior;
    const auto cams = view_poses(embree, o);
    ASSERT_EQ(cams.size(), 8u);
    for (const auto& cam : cams) {
        const Vec3 c = cam.centre();
        EXPECT_TRUE(c.x > 0 && c.x < 5 && c.y > 0 && c.y < 4 && c.z > 0 && c.z < 3)
            << c.x << " " << c.y << " " << c.z;
        EXPECT_FALSE(c.x < 1.5 && c.y < 1.5 && c.z < 2.2) << "inside the cabinet";
        const auto view = render_view(embree, cam);
        for (float d : view.depth.depth)
            ASSERT_GT(d, 0.0f) << "a camera inside a closed room sees a wall in every pixel";
    }
}

TEST(ViewPoses, AutoPutsCamerasInsideABuiltinRoomAndAboveAnOutdoorScene) {
    const scene::Scene room = scene::make_builtin_scene("meeting_room_v1");
    const EmbreeScene room_rt(room);
    ViewPoseOptions o;
    o.count = 6;
    o.width = 16, o.height = 12;
    const auto b = room.bounds();
    for (const auto& cam : view_poses(room_rt, o))
        EXPECT_TRUE(b.contains(cam.centre())) << "interior camera outside the room";

    const scene::Scene city = scene::make_builtin_scene("rosslyn_like");
    const EmbreeScene city_rt(city);
    const auto cb = city.bounds();
    for (const auto& cam : view_poses(city_rt, o)) {
        EXPECT_GT(cam.centre().z, cb.hi.z) << "orbit camera below the roofs";
        const auto view = render_view(city_rt, cam);
        EXPECT_GT(view.depth.depth[6 * 16 + 8], 0.0f) << "orbit camera looks past the scene";
    }
}

TEST(ViewsFolder, WhatItWritesReadsBackAsTheSameCamerasAndDepth) {
    const scene::Scene room = scene::make_builtin_scene("meeting_room_v1");
    radiofield::test::TempDir dir;
    ViewsFolderOptions o;
    o.poses.count = 3;
    o.poses.width = 24, o.poses.height = 16;
    o.points = 30;
    const auto cameras = write_views_folder(room, dir / "views", o);
    const scene::ColmapModel model = scene::read_colmap_text(dir / "views");
    ASSERT_EQ(model.images.size(), 3u);
    ASSERT_EQ(model.points.size(), 30u);
    const auto views = model.views();
    const EmbreeScene embree(room);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_TRUE(
            std::filesystem::is_regular_file(dir / "views" / "images" / model.images[i].name));
        EXPECT_NEAR(norm(views[i].centre() - cameras[i].centre()), 0, 1e-12);
        for (int k = 0; k < 9; ++k)
            EXPECT_NEAR(views[i].rotation.m[k], cameras[i].rotation.m[k], 1e-12);
        EXPECT_EQ(views[i].cx, cameras[i].cx);
        EXPECT_EQ(views[i].fy, cameras[i].fy);
        const auto depth = scene::read_depth_npy(dir / "views" / "depth" /
                                                 (model.images[i].name.substr(0, 4) + ".npy"));
        EXPECT_EQ(depth.depth, render_view(embree, cameras[i]).depth.depth);
    }
    // An existing folder is kept unless asked.
    EXPECT_THROW(write_views_folder(room, dir / "views", o), Error);
}

TEST(ViewPoses, BadOptionsNameTheValue) {
    WallScene w;
    const EmbreeScene embree(w.s);
    ViewPoseOptions o;
    o.count = 0;
    EXPECT_THROW(view_poses(embree, o), Error);
    o.count = 2;
    o.fov_x_deg = 170;
    try {
        view_poses(embree, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("170"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_view_placement("above"), Error);
}

}  // namespace
}  // namespace radiofield::rt
