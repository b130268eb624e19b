// `radiofield render-views --scene NAME --count N --size WxH [--fov DEG] --out DIR`: camera
// images of a scene with their poses in COLMAP's text format (docs/views.md).
#include "commands.hpp"
#include "parse.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/rt/views.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::cli {

void add_render_views_command(CLI::App& app, GlobalOptions& global) {
    struct Args {
        std::string scene, out, size = "640x480", placement = "auto";
        int count = 24;
        double fov = 70;
        double texture = rt::ViewShading{}.texture, texture_scale = rt::ViewShading{}.texture_scale;
        std::size_t points = 20000;
        std::uint64_t seed = 0;
        bool overwrite = false;
    };
    static Args a;
    auto* cmd = app.add_subcommand(
        "render-views",
        "Camera images of a scene (RGB by material, depth) with their poses as a COLMAP text "
        "model");
    cmd->add_option("--scene", a.scene, "Built-in scene name (name@seed) or scene file")
        ->required();
    cmd->add_option("-o,--out", a.out, "Output folder (images/, depth/, sparse/0/)")->required();
    cmd->add_option("--count", a.count, "Number of views (default 24)")
        ->check(finite_range(1, 10000));
    cmd->add_option("--size", a.size, "Image size WxH in pixels (default 640x480)");
    cmd->add_option("--fov", a.fov, "Horizontal field of view, degrees (default 70)")
        ->check(finite_range(10, 150));
    cmd->add_option("--placement", a.placement,
                    "Cameras: auto (interior for a closed room, else orbit), orbit, interior")
        ->check(CLI::IsMember({"auto", "orbit", "interior"}));
    cmd->add_option("--points", a.points, "Surface points written to points3D.txt (default 20000)")
        ->check(finite_range(0, 1e7));
    cmd->add_option("--seed", a.seed, "Seed of the surface points");
    cmd->add_option("--texture", a.texture,
                    "Strength of the pattern painted on every surface, albedo x (1 +- S) "
                    "(default 0.4; 0: flat material colour)")
        ->check(finite_range(0, 1));
    cmd->add_option("--texture-scale", a.texture_scale,
                    "Feature size of that pattern in metres (default 0.25)")
        ->check(finite_range(1e-3, 1e3));
    cmd->add_flag("--overwrite", a.overwrite, "Replace an existing output folder");
    cmd->callback([&global] {
        global.action = [] {
            rt::ViewsFolderOptions options;
            const auto [w, h] = parse_size2(a.size, "--size");
            if (w < 8 || h < 8 || w > 16384 || h > 16384)
                fail("--size {}: width and height must lie between 8 and 16384 pixels", a.size);
            options.poses.width = w, options.poses.height = h;
            options.poses.count = a.count;
            options.poses.fov_x_deg = a.fov;
            options.poses.placement = rt::parse_view_placement(a.placement);
            options.points = a.points;
            options.seed = a.seed;
            options.shading.texture = a.texture;
            options.shading.texture_scale = a.texture_scale;
            options.overwrite = a.overwrite;
            const scene::Scene s = scene::resolve_scene(a.scene);
            const auto cameras = rt::write_views_folder(s, a.out, options);
            log::info("wrote {} views of {} ({}x{}) to {}", cameras.size(), s.name, w, h, a.out);
        };
    });
}

}  // namespace radiofield::cli
