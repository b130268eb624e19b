#pragma once
// Pictures of scenes: a top view coloured by material with a legend.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene {

using Rgb = std::array<std::uint8_t, 3>;

struct Marker {
    Vec3 position;
    Rgb colour{255, 0, 0};
    int radius_px = 4;
    bool outline = true;  // a black ring around the disc
};

// Things drawn over the plan, in world coordinates (z is ignored).
// A filled rectangle centred on `centre`, size_x × size_y metres: a cell of a grid of
// positions (a received-power map). Cells are blended over the plan; walls stay drawn on top.
struct Cell {
    Vec3 centre;
    double size_x = 0, size_y = 0;
    Rgb colour{0, 0, 0};
};
// A polyline through `points` (a propagation path), `width_px` wide.
struct Polyline {
    std::vector<Vec3> points;
    Rgb colour{0, 0, 0};
    int width_px = 1;
};
// A colour bar under the map: `colours` from the value `lo` (first) to `hi` (last).
struct ColourBar {
    std::string label;
    double lo = 0, hi = 1;
    std::vector<Rgb> colours;
};
// An entry of the legend beside the materials': a line (or, `dot`, a disc) and its label.
struct LegendEntry {
    std::string label;
    Rgb colour{0, 0, 0};
    bool dot = false;
};

struct TopViewOptions {
    int width_px = 900;           // image width; height follows the scene's aspect
    double cut_height = -1;       // hide geometry above this z (m); < 0 = auto (indoor: 1.9 m)
    std::vector<Marker> markers;  // e.g. station and positions, drawn in order
    std::string title;            // drawn above the picture; empty = scene name
    std::vector<Cell> cells;
    double cell_opacity = 0.85;  // 1: cells hide the plan
    std::vector<Polyline> lines;
    std::optional<ColourBar> colour_bar;
    std::vector<LegendEntry> legend;
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
