// Spectrum pictures, panels, text, and PNG writing (stb_image_write from libstb;
// stb_easy_font is header-only). Reading is png_read.cpp (libpng, checksums verified).
#include "radiofield/data/image.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::data {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::uint8_t, 3> kBlack{0, 0, 0};

RgbImage blank(int width, int height) {
    RgbImage img;
    img.width = width;
    img.height = height;
    img.rgb.assign(static_cast<std::size_t>(width) * height * 3, 255);
    return img;
}

void fill_rect(RgbImage& img, int x0, int y0, int x1, int y1, std::array<std::uint8_t, 3> c) {
    x0 = std::max(x0, 0), y0 = std::max(y0, 0);
    x1 = std::min(x1, img.width), y1 = std::min(y1, img.height);
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            std::memcpy(&img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3], c.data(), 3);
        }
    }
}

void blit(RgbImage& dst, const RgbImage& src, int x0, int y0) {
    for (int y = 0; y < src.height; ++y) {
        const int ty = y0 + y;
        if (ty < 0 || ty >= dst.height)
            continue;
        for (int x = 0; x < src.width; ++x) {
            const int tx = x0 + x;
            if (tx < 0 || tx >= dst.width)
                continue;
            std::memcpy(&dst.rgb[(static_cast<std::size_t>(ty) * dst.width + tx) * 3],
                        &src.rgb[(static_cast<std::size_t>(y) * src.width + x) * 3], 3);
        }
    }
}

void write_png_pixels(
    const fs::path& path, int width, int height, int channels, const std::uint8_t* data) {
    AtomicOutput out(path, true);
    if (stbi_write_png(out.temp_path().c_str(), width, height, channels, data, width * channels) ==
        0) {
        fail("cannot write PNG '{}' (is the folder writable and the disk not full?)",
             path.string());
    }
    out.commit();
}

std::string format_value(double v, ValueScale scale) {
    return scale == ValueScale::Db ? fmt::format("{:.1f} dB", v) : fmt::format("{:.3g}", v);
}

}  // namespace

int text_width(std::string_view text, int scale) {
    std::string s(text);
    return stb_easy_font_width(s.data()) * scale;
}

int text_height(int scale) {
    return 7 * scale;
}

void draw_text(RgbImage& img,
               int x,
               int y,
               std::string_view text,
               std::array<std::uint8_t, 3> colour,
               int scale) {
    std::string s(text);
    std::vector<char> buffer(s.size() * 1200 +
                             1200);  // ~270 B/char on average, more for dense glyphs
    const int quads = stb_easy_font_print(0, 0, s.data(), nullptr, buffer.data(),
                                          static_cast<int>(buffer.size()));
    for (int q = 0; q < quads; ++q) {
        float xs[4], ys[4];
        for (int v = 0; v < 4; ++v) {
            std::memcpy(&xs[v], buffer.data() + (q * 4 + v) * 16, sizeof(float));
            std::memcpy(&ys[v], buffer.data() + (q * 4 + v) * 16 + 4, sizeof(float));
        }
        const auto [x0, x1] = std::minmax_element(xs, xs + 4);
        const auto [y0, y1] = std::minmax_element(ys, ys + 4);
        fill_rect(img, x + static_cast<int>(std::lround(*x0 * scale)),
                  y + static_cast<int>(std::lround(*y0 * scale)),
                  x + static_cast<int>(std::lround(*x1 * scale)),
                  y + static_cast<int>(std::lround(*y1 * scale)), colour);
    }
}

RgbImage render_spectrum(std::span<const float> spectrum,
                         const SpectrumGrid& grid,
                         const SpectrumImageOptions& o) {
    if (spectrum.size() != grid.size() || grid.size() == 0) {
        fail("render_spectrum: {} values do not fill a {} x {} grid", spectrum.size(), grid.n_el,
             grid.n_az);
    }
    const int s = std::max(1, o.upscale);
    // Values in the shown unit.
    std::vector<double> shown(spectrum.begin(), spectrum.end());
    const double peak = *std::max_element(shown.begin(), shown.end());
    if (o.scale == ValueScale::Db) {
        const double peak_db = 10.0 * std::log10(std::max(peak, 1e-300));
        for (auto& v : shown)
            v = std::max(10.0 * std::log10(std::max(v, 1e-300)), peak_db + o.db_floor);
    }
    double lo = *std::min_element(shown.begin(), shown.end());
    double hi = *std::max_element(shown.begin(), shown.end());
    if (o.range)
        std::tie(lo, hi) = *o.range;

    const int w = grid.n_az * s, h = grid.n_el * s, th = text_height();
    const bool decorated = o.show_axes || o.show_scale_bar || !o.title.empty();
    const std::string lo_label = format_value(lo, o.scale), hi_label = format_value(hi, o.scale);
    const int top = !o.title.empty() ? th + 12 : (decorated ? 8 : 0);
    const int left = o.show_axes ? text_width("90.0") + 14 : (decorated ? 8 : 0);
    const int bottom = o.show_axes ? 2 * th + 20 : (decorated ? 8 : 0);
    const int bar_x = left + w + 14;
    const int right = o.show_scale_bar
                          ? 14 + 20 + 8 + std::max(text_width(lo_label), text_width(hi_label)) + 8
                          : (decorated ? 8 : 0);
    RgbImage img = blank(left + w + right, top + h + bottom);

    for (int r = 0; r < grid.n_el; ++r) {
        for (int c = 0; c < grid.n_az; ++c) {
            const double v = shown[static_cast<std::size_t>(r) * grid.n_az + c];
            const double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
            fill_rect(img, left + c * s, top + r * s, left + (c + 1) * s, top + (r + 1) * s,
                      colour_at(o.colour_map, t));
        }
    }
    if (!o.title.empty())
        draw_text(img, left, 4, o.title, kBlack);
    if (o.show_axes) {
        for (int k = 0; k <= 6; ++k) {  // azimuth ticks
            const int c = k * (grid.n_az - 1) / 6;
            const int x = left + c * s + s / 2;
            fill_rect(img, x, top + h, x + 1, top + h + 5, kBlack);
            const std::string label = fmt::format("{:g}", grid.az0_deg + c * grid.step_deg);
            draw_text(img, x - text_width(label) / 2, top + h + 7, label, kBlack);
        }
        const std::string az_title = "azimuth (deg)";
        draw_text(img, left + w / 2 - text_width(az_title) / 2, top + h + th + 14, az_title,
                  kBlack);
        for (int k = 0; k <= 3; ++k) {  // elevation ticks
            const int r = k * (grid.n_el - 1) / 3;
            const int y = top + r * s + s / 2;
            fill_rect(img, left - 5, y, left, y + 1, kBlack);
            const std::string label = fmt::format("{:g}", grid.el0_deg + r * grid.step_deg);
            draw_text(img, left - 7 - text_width(label), y - th / 2, label, kBlack);
        }
        draw_text(img, 2, top + h + th + 14, "el (deg)", kBlack);
    }
    if (o.show_scale_bar) {
        for (int y = 0; y < h; ++y) {
            const double t = h > 1 ? 1.0 - static_cast<double>(y) / (h - 1) : 1.0;
            fill_rect(img, bar_x, top + y, bar_x + 20, top + y + 1, colour_at(o.colour_map, t));
        }
        draw_text(img, bar_x + 28, top, hi_label, kBlack);
        draw_text(img, bar_x + 28, top + h - th, lo_label, kBlack);
    }
    return img;
}

void spectrum_to_png(std::span<const float> spectrum,
                     const SpectrumGrid& grid,
                     const fs::path& path,
                     const SpectrumImageOptions& options) {
    write_rgb_png(render_spectrum(spectrum, grid, options), path);
}

RgbImage side_by_side(const std::vector<RgbImage>& images, const std::vector<std::string>& labels) {
    if (images.empty())
        fail("side_by_side: no images given");
    if (!labels.empty() && labels.size() != images.size()) {
        fail("side_by_side: {} images but {} labels; give one label per image (or none)",
             images.size(), labels.size());
    }
    constexpr int pad = 10;
    const int label_h = labels.empty() ? 0 : text_height() + 8;
    int width = pad, height = 0;
    for (const auto& im : images) {
        width += im.width + pad;
        height = std::max(height, im.height);
    }
    RgbImage out = blank(width, height + label_h + 2 * pad);
    int x = pad;
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (!labels.empty())
            draw_text(out, x, pad, labels[i], kBlack);
        blit(out, images[i], x, pad + label_h);
        x += images[i].width + pad;
    }
    return out;
}

void write_gray_png(const GrayImage& image, const fs::path& path) {
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height ||
        image.width <= 0) {
        fail("write_gray_png '{}': {} pixels do not fill {} x {}", path.string(),
             image.pixels.size(), image.width, image.height);
    }
    write_png_pixels(path, image.width, image.height, 1, image.pixels.data());
}

void write_rgb_png(const RgbImage& image, const fs::path& path) {
    if (image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3 ||
        image.width <= 0) {
        fail("write_rgb_png '{}': {} bytes do not fill {} x {} RGB", path.string(),
             image.rgb.size(), image.width, image.height);
    }
    write_png_pixels(path, image.width, image.height, 3, image.rgb.data());
}

}  // namespace radiofield::data
