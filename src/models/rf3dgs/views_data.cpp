// Stage 1's images: a COLMAP text model (our render-views folders, or a reconstruction of
// photographs) with its images, as tensors and pinhole cameras; and the SSIM of the loss.
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <set>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/models/rf3dgs.hpp"
#include "radiofield/scene/colmap.hpp"
#include "radiofield/scene/views.hpp"

namespace radiofield::models {
namespace fs = std::filesystem;
namespace {

torch::Tensor read_rgb(const fs::path& path) {
    int w = 0, h = 0, channels = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> pixels(
        stbi_load(path.string().c_str(), &w, &h, &channels, 3), stbi_image_free);
    if (!pixels) {
        fail("cannot read the image '{}': {}; give an 8-bit PNG or JPEG", path.string(),
             stbi_failure_reason() != nullptr ? stbi_failure_reason() : "unknown error");
    }
    return torch::from_blob(pixels.get(), {h, w, 3}, torch::kUInt8).to(torch::kFloat32) / 255.0;
}

bool is_image_file(const fs::path& p) {
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

}  // namespace

ViewSet read_view_set(const std::string& dir_name, int downscale) {
    const fs::path dir(dir_name);
    if (downscale < 1)
        fail("rf3dgs: downscale must be ≥ 1, got {}", downscale);
    if (!fs::is_directory(dir)) {
        fail(
            "rf3dgs: the views folder '{}' does not exist; make one with `radiofield "
            "render-views --scene NAME --out {}`",
            dir.string(), dir.string());
    }
    const auto model = scene::read_colmap_text(dir);
    const fs::path images_dir = dir / "images";
    if (model.images.empty()) {
        fail("rf3dgs: the COLMAP model in '{}' lists no image (images.txt is empty)", dir.string());
    }
    // Images named by the model must be there; images there must be named by the model.
    std::set<std::string> named;
    for (const auto& im : model.images) {
        named.insert(im.name);
        if (!fs::exists(images_dir / im.name)) {
            fail(
                "rf3dgs: images.txt in '{}' names '{}' (image id {}), but '{}' is missing; copy "
                "the image there or remove its two lines from images.txt",
                dir.string(), im.name, im.id, (images_dir / im.name).string());
        }
    }
    std::vector<std::string> extra;
    for (const auto& entry : fs::directory_iterator(images_dir)) {
        if (entry.is_regular_file() && is_image_file(entry.path()) &&
            !named.contains(entry.path().filename().string()))
            extra.push_back(entry.path().filename().string());
    }
    if (!extra.empty()) {
        std::sort(extra.begin(), extra.end());
        fail(
            "rf3dgs: '{}' holds {} image(s) the COLMAP model does not pose (first: '{}'); "
            "there are {} images in images.txt — remove the extra images or register them",
            images_dir.string(), extra.size(), extra.front(), model.images.size());
    }
    ViewSet set;
    const auto views = model.views();
    for (std::size_t i = 0; i < views.size(); ++i) {
        const auto& v = views[i];
        const auto path = images_dir / model.images[i].name;
        auto image = read_rgb(path);
        if (image.size(0) != v.height || image.size(1) != v.width) {
            fail(
                "rf3dgs: '{}' is {}x{} pixels but its camera (id {}) is {}x{}; give the images "
                "at their cameras' size",
                path.string(), image.size(1), image.size(0), model.images[i].camera_id, v.width,
                v.height);
        }
        splat::PinholeCamera cam;
        cam.rotation = v.rotation;
        cam.translation = v.translation;
        cam.fx = v.fx, cam.fy = v.fy, cam.cx = v.cx, cam.cy = v.cy;
        cam.width = v.width, cam.height = v.height;
        if (downscale > 1) {
            const int h = v.height / downscale, w = v.width / downscale;
            if (h < 8 || w < 8)
                fail("rf3dgs: downscale {} leaves '{}' under 8 pixels a side", downscale,
                     path.string());
            image = torch::nn::functional::avg_pool2d(
                        image.narrow(0, 0, h * downscale)
                            .narrow(1, 0, w * downscale)
                            .permute({2, 0, 1})
                            .unsqueeze(0),
                        torch::nn::functional::AvgPool2dFuncOptions(downscale))
                        .squeeze(0)
                        .permute({1, 2, 0})
                        .contiguous();
            // Pixel c of the small image averages c·s … c·s + s − 1: u' = (u − (s − 1)/2)/s.
            const double s = downscale;
            cam.fx = v.fx / s, cam.fy = v.fy / s;
            cam.cx = (v.cx - (s - 1) / 2) / s, cam.cy = (v.cy - (s - 1) / 2) / s;
            cam.width = w, cam.height = h;
        }
        cam.validate();
        // render-views' depth image of this view, if the folder has one (photographs do not).
        const fs::path depth_path =
            dir / "depth" / (fs::path(model.images[i].name).stem().string() + ".npy");
        torch::Tensor depth;
        if (fs::exists(depth_path)) {
            const scene::DepthMap m = scene::read_depth_npy(depth_path);
            if (m.height != v.height || m.width != v.width)
                fail("rf3dgs: '{}' is {}x{} but its view is {}x{}; render the views again",
                     depth_path.string(), m.width, m.height, v.width, v.height);
            depth = torch::tensor(m.depth, torch::kFloat32).view({m.height, m.width});
            if (downscale > 1) {
                const auto centre = downscale / 2;
                depth = depth.narrow(0, 0, cam.height * downscale)
                            .narrow(1, 0, cam.width * downscale)
                            .slice(0, centre, std::nullopt, downscale)
                            .slice(1, centre, std::nullopt, downscale)
                            .contiguous();
            }
        }
        set.depths.push_back(depth);
        set.cameras.push_back(cam);
        set.images.push_back(image);
        set.names.push_back(model.images[i].name);
    }
    std::vector<float> pts, cols;
    for (const auto& p : model.points) {
        pts.insert(pts.end(), {static_cast<float>(p.position.x), static_cast<float>(p.position.y),
                               static_cast<float>(p.position.z)});
        for (int c = 0; c < 3; ++c)
            cols.push_back(p.colour[c] / 255.0f);
    }
    const auto n = static_cast<std::int64_t>(model.points.size());
    set.points = torch::tensor(pts, torch::kFloat32).view({n, 3});
    set.colours = torch::tensor(cols, torch::kFloat32).view({n, 3});
    return set;
}

torch::Tensor ssim(const torch::Tensor& image, const torch::Tensor& target) {
    const int k = 11;
    const double sigma = 1.5;
    auto x = torch::arange(k, image.options()) - (k - 1) / 2.0;
    auto g = torch::exp(-x * x / (2 * sigma * sigma));
    g = g / g.sum();
    const auto c = image.size(2);
    const auto window = torch::outer(g, g).expand({c, 1, k, k}).contiguous();  // depthwise
    const auto a = image.permute({2, 0, 1}).unsqueeze(0);
    const auto b = target.permute({2, 0, 1}).unsqueeze(0);
    namespace F = torch::nn::functional;
    const auto blur = [&](const torch::Tensor& t) {
        return F::conv2d(t, window, F::Conv2dFuncOptions().groups(c));
    };
    const auto mu_a = blur(a), mu_b = blur(b);
    const auto var_a = blur(a * a) - mu_a * mu_a;
    const auto var_b = blur(b * b) - mu_b * mu_b;
    const auto cov = blur(a * b) - mu_a * mu_b;
    const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const auto map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) /
                     ((mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2));
    return map.mean();
}

}  // namespace radiofield::models
