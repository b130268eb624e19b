// A folder of rendered views in COLMAP's layout, written atomically (docs/views.md).
#include <fmt/format.h>

#include <random>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/rt/views.hpp"
#include "radiofield/scene/colmap.hpp"

namespace radiofield::rt {
namespace fs = std::filesystem;

std::vector<scene::ViewCamera> write_views_folder(const scene::Scene& scene,
                                                  const fs::path& dir,
                                                  const ViewsFolderOptions& options) {
    check_output_folder(dir, options.overwrite);

    const EmbreeScene embree(scene);
    const auto cameras = view_poses(embree, options.poses);

    // Everything goes into a sibling temporary folder first, removed on any error.
    const fs::path temp =
        fs::path(dir.string() + fmt::format(".tmp-{:08x}", std::random_device{}()));
    struct Guard {
        fs::path path;
        bool keep = false;
        ~Guard() {
            if (!keep)
                remove_tree(path);
        }
    } guard{temp};
    fs::create_directories(temp / "images");
    fs::create_directories(temp / "depth");
    fs::create_directories(temp / "sparse" / "0");

    std::vector<std::string> names;
    Progress progress("render-views", static_cast<std::int64_t>(cameras.size()), "views");
    for (std::size_t i = 0; i < cameras.size(); ++i) {
        const std::string stem = fmt::format("{:04d}", i);
        const RenderedView view = render_view(embree, cameras[i], options.shading);
        scene::write_png(view.rgb, temp / "images" / (stem + ".png"));
        scene::write_depth_npy(view.depth, temp / "depth" / (stem + ".npy"));
        names.push_back(stem + ".png");
        progress.advance();
    }
    progress.finish();
    const auto points = scene::sample_surface_points(scene, options.points, options.seed);
    scene::write_colmap_text(scene::make_colmap_model(cameras, names, points),
                             temp / "sparse" / "0");

    std::error_code ec;
    if (fs::exists(dir)) {
        const fs::path old = fs::path(temp.string() + ".old");
        fs::rename(dir, old, ec);
        if (ec)
            fail("cannot move the existing '{}' aside: {}", dir.string(), ec.message());
        fs::rename(temp, dir, ec);
        if (ec) {
            fs::rename(old, dir);
            fail("cannot move the new views into place as '{}': {}", dir.string(), ec.message());
        }
        remove_tree(old);
    } else {
        fs::rename(temp, dir, ec);
        if (ec)
            fail("cannot move '{}' into place as '{}': {}", temp.string(), dir.string(),
                 ec.message());
    }
    guard.keep = true;
    return cameras;
}

}  // namespace radiofield::rt
