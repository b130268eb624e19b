#pragma once
// Pictures of scenes: a top view coloured by material with a legend.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene {

struct Marker {
    Vec3 position;
    std::array<std::uint8_t, 3> colour{255, 0, 0};
    int radius_px = 4;
};

struct TopViewOptions {
    int width_px = 900;           // image width; height follows the scene's aspect
    double cut_height = -1;       // hide geometry above this z (m); < 0 = auto (indoor: 1.9 m)
    std::vector<Marker> markers;  // e.g. station and positions
    std::string title;            // drawn above the picture; empty = scene name
};

// RGB8 image.
struct Image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;  // row-major, 3 bytes per pixel
};

// Where things lie in the picture: the map (north up, x to the right) under a title bar,
// the legend and scale bar under the map.
struct TopViewLayout {
    int width = 0, height = 0;  // the whole image
    int map_left = 0, map_top = 0, map_width = 0, map_height = 0;
    double x_min = 0, y_max = 0;  // world x, y at the map's top-left corner
    double pixels_per_metre = 1;
    double cut_height = 0;  // the cut actually used (auto resolved)
    // Pixel (column, row) of a world point; z is ignored.
    std::array<int, 2> to_pixel(const Vec3& p) const;
};
TopViewLayout top_view_layout(const Scene& scene, const TopViewOptions& options = {});

Image render_top_view(const Scene& scene, const TopViewOptions& options = {});
// PNG via stb_image_write, atomically; throws Error if the path is not writable.
void write_png(const Image& image, const std::filesystem::path& path);

}  // namespace radiofield::scene
