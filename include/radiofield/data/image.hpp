#pragma once
// Pictures of spectra: perceptual colour maps, a colour scale bar, angle tick labels;
// side-by-side panels for reports; 8-bit grayscale PNG I/O for NeRF2 folders.
// Every PNG is written atomically (temporary name, then rename).

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "radiofield/data/dataset.hpp"
#include "radiofield/scene/render.hpp"  // scene::Image (RGB8)

namespace radiofield::data {

using RgbImage = scene::Image;

enum class ColourMap { Viridis, Magma, Gray };
ColourMap parse_colour_map(std::string_view name);  // "viridis" | "magma" | "gray"
// Colour of t ∈ [0, 1] (clamped): piecewise-linear between anchor colours.
std::array<std::uint8_t, 3> colour_at(ColourMap map, double t);

enum class ValueScale { Linear, Db };

struct SpectrumImageOptions {
    ColourMap colour_map = ColourMap::Viridis;
    ValueScale scale = ValueScale::Linear;
    double db_floor = -40;  // Db: values more than this many dB below the maximum are clipped
    // Value range mapped to the colour map ends (in the shown unit: linear or dB); unset =
    // the spectrum's own min..max. Fix it to compare pictures side by side.
    std::optional<std::pair<double, double>> range;
    std::string title;  // drawn above the picture
    bool show_scale_bar = true;
    bool show_axes = true;  // elevation / azimuth tick labels
    int upscale = 3;        // each grid cell becomes upscale × upscale pixels
};

// Row r of the spectrum (elevation grid.el0 + r·step) is drawn as the r-th band from the
// top, as in NeRF2's PNGs; column c (azimuth az0 + c·step) from the left.
RgbImage render_spectrum(std::span<const float> spectrum,
                         const SpectrumGrid& grid,
                         const SpectrumImageOptions& options = {});
void spectrum_to_png(std::span<const float> spectrum,
                     const SpectrumGrid& grid,
                     const std::filesystem::path& path,
                     const SpectrumImageOptions& options = {});

// Panels left to right on a white background, each with its label above it.
RgbImage side_by_side(const std::vector<RgbImage>& images, const std::vector<std::string>& labels);

// Text with stb_easy_font (ASCII), `scale` pixels per font unit; (x, y) = top-left.
void draw_text(RgbImage& image,
               int x,
               int y,
               std::string_view text,
               std::array<std::uint8_t, 3> colour,
               int scale = 2);
int text_width(std::string_view text, int scale = 2);
int text_height(int scale = 2);

// 8-bit grayscale images (NeRF2 spectra: value = byte / 255).
struct GrayImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels;  // row-major
    int source_channels = 1;           // channels in the file read (1 = grayscale)
};
// Throws Error naming the file if it is missing, not a PNG, 16-bit, or damaged: libpng reads
// it with every chunk's CRC and the zlib stream's Adler-32 checked.
GrayImage read_gray_png(const std::filesystem::path& path);
// The same from bytes in memory; `where` names them in errors.
GrayImage decode_gray_png(std::span<const std::uint8_t> bytes, std::string_view where);
void write_gray_png(const GrayImage& image, const std::filesystem::path& path);
void write_rgb_png(const RgbImage& image, const std::filesystem::path& path);

}  // namespace radiofield::data
