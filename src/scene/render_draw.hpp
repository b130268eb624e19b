#pragma once
// 2-D drawing on an RGB8 Image for the scene pictures (private to src/scene): rectangles,
// circles, diamonds, lines and stb_easy_font text.

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "radiofield/scene/render.hpp"

namespace radiofield::scene::draw {

using Rgb = std::array<std::uint8_t, 3>;

constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kWhite{255, 255, 255};

// sRGB colour in [0, 1] times `factor`, clamped, as bytes.
Rgb to_rgb(const std::array<float, 3>& colour, double factor = 1.0);

Image blank(int width, int height, Rgb background);
void set(Image& image, int x, int y, Rgb colour);  // ignores pixels outside the image
Rgb get(const Image& image, int x, int y);
// Filled rectangle [x0, x1) × [y0, y1).
void fill_rect(Image& image, int x0, int y0, int x1, int y1, Rgb colour);
void outline_rect(Image& image, int x0, int y0, int x1, int y1, Rgb colour);
// Disc of radius r (pixels) centred on the pixel centre (cx, cy).
void fill_circle(Image& image, int cx, int cy, int r, Rgb colour);
// Diamond (square turned 45°) of half-diagonal r.
void fill_diamond(Image& image, int cx, int cy, int r, Rgb colour);
// Pixels of the segment (x0, y0)–(x1, y1) in continuous pixel coordinates (DDA).
void line_pixels(
    double x0, double y0, double x1, double y1, const std::function<void(int, int)>& plot);

// Text in stb_easy_font's 5×7 segment font, `scale` × enlarged. Width and height in pixels.
int text_width(const std::string& text, int scale);
int text_height(int scale);
void text(Image& image, int x, int y, const std::string& text, Rgb colour, int scale);

}  // namespace radiofield::scene::draw
