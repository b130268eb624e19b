#pragma once
// Camera images of a scene (docs/views.md): the scene's meshes ray-cast with Embree at
// pinhole cameras, shaded by material colour with simple lighting — our stand-in for
// photographs — and the camera poses around (or inside) the scene.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/scene/render.hpp"
#include "radiofield/scene/views.hpp"

namespace radiofield::rt {

// Shading: colour = albedo × (ambient + Σ key/fill Lambert terms + headlight·|n·d|), in
// linear light, written as sRGB. Surfaces are two-sided (the normal facing the camera).
struct ViewShading {
    double ambient = 0.30;
    Vec3 key_light{0.35, 0.55, 1.0};  // direction towards the light (normalised), world
    double key = 0.45;
    Vec3 fill_light{-0.6, -0.3, 0.35};
    double fill = 0.15;
    double headlight = 0.25;  // light from the camera: faces seen head-on are brighter
    // A pattern painted on every surface, fixed in the world (value noise of the hit point,
    // features of texture_scale and half that): albedo × (1 ± texture). Photographs show
    // texture on walls and floors, which lets multi-view fitting place surfaces; flat colour
    // leaves a plain wall undetermined in depth. 0: flat material colour.
    double texture = 0.4;
    double texture_scale = 0.25;                            // metres
    std::array<float, 3> sky_horizon{0.80f, 0.86f, 0.92f};  // background, sRGB
    std::array<float, 3> sky_zenith{0.45f, 0.62f, 0.85f};
};

struct RenderedView {
    scene::Image rgb;
    scene::DepthMap depth;  // metres along the optical axis, 0 where nothing is hit
};

// The painted pattern's value in [0, 1] at world point p (ViewShading::texture): two octaves of
// value noise, features of `scale` metres and half that; a function of p alone, so every view
// sees a surface point alike.
double surface_pattern(const Vec3& p, double scale);

// One primary ray per pixel through (u, v) = (column, row), nearest hit via Embree; rows in
// parallel (TBB), the same result for any thread count. Throws Error for a texture outside
// [0, 1] or a scale that is not a positive length.
RenderedView render_view(const EmbreeScene& scene,
                         const scene::ViewCamera& camera,
                         const ViewShading& shading = {});

enum class ViewPlacement {
    Auto,      // Interior for a closed room (scene::is_indoor), Orbit otherwise
    Orbit,     // two rings above the scene looking down at its centre
    Interior,  // inside the room near the walls, at eye heights, looking across it
};
ViewPlacement parse_view_placement(std::string_view name);  // "auto" | "orbit" | "interior"

struct ViewPoseOptions {
    int count = 24;
    int width = 640, height = 480;
    double fov_x_deg = 70;
    ViewPlacement placement = ViewPlacement::Auto;
};

// `count` cameras, deterministic. Orbit: alternating between a ring at 30° and one at 55°
// elevation, at 0.8× the distance where the scene's bounding sphere fits the view. Interior: around
// the room's plan inset from the walls, at 1.2 m and 1.8 m above the floor (within the
// room's height), each looking at the room's middle; a camera that would sit inside an
// object (hidden from the room's middle) is moved towards the middle until it is seen.
// Throws Error for count < 1, a size under 8 px or a field of view outside (10, 150)°.
std::vector<scene::ViewCamera> view_poses(const EmbreeScene& scene,
                                          const ViewPoseOptions& options = {});

}  // namespace radiofield::rt

namespace radiofield::rt {

struct ViewsFolderOptions {
    ViewPoseOptions poses;
    ViewShading shading;
    std::size_t points = 20000;  // surface points in points3D.txt
    std::uint64_t seed = 0;      // of the surface points
    bool overwrite = false;      // replace an existing folder
};

// Renders the views of `scene` into `dir`, COLMAP's layout:
//   dir/images/NNNN.png       RGB8
//   dir/depth/NNNN.npy        float32 [H, W], metres along the optical axis, 0 = no hit
//   dir/sparse/0/cameras.txt, images.txt, points3D.txt   (scene::write_colmap_text)
// Everything is written into a temporary folder beside `dir` and renamed into place at the
// end; an existing `dir` is refused unless options.overwrite. Shows progress. Returns the
// cameras, in file order.
std::vector<scene::ViewCamera> write_views_folder(const scene::Scene& scene,
                                                  const std::filesystem::path& dir,
                                                  const ViewsFolderOptions& options = {});

}  // namespace radiofield::rt
