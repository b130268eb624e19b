#pragma once
// The parts of a top view around the map (private to src/scene): title bar, device markers,
// the legend of materials present and the scale bar.

#include <array>
#include <string>

#include "radiofield/scene/render.hpp"

namespace radiofield::scene::legend {

constexpr int kMargin = 16;

int title_height();
// Height of the legend, scale bar and colour bar under a map `map_width` pixels wide.
int panel_height(const Scene& scene, const TopViewOptions& options, int map_width);
// Transmitters: red diamond; receivers: green diamond.
void device_marker(Image& image, std::array<int, 2> pixel, bool transmitter);
void draw_title(Image& image, const std::string& title, const TopViewLayout& layout);
void draw_panel(Image& image,
                const Scene& scene,
                const TopViewOptions& options,
                const TopViewLayout& layout);

}  // namespace radiofield::scene::legend
