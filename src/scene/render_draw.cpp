#include "render_draw.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace radiofield::scene::draw {
namespace {

// stb_easy_font indexes a table by character; keep to printable ASCII.
std::string printable(const std::string& text) {
    std::string out = text;
    for (char& c : out) {
        if (c < 32 || c > 126)
            c = '?';
    }
    return out;
}

}  // namespace

Rgb to_rgb(const std::array<float, 3>& colour, double factor) {
    Rgb out{};
    for (int i = 0; i < 3; ++i) {
        out[i] = static_cast<std::uint8_t>(
            std::clamp(std::lround(colour[i] * factor * 255.0), 0L, 255L));
    }
    return out;
}

Image blank(int width, int height, Rgb background) {
    Image image;
    image.width = width;
    image.height = height;
    image.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    for (std::size_t i = 0; i < image.rgb.size(); i += 3)
        std::memcpy(&image.rgb[i], background.data(), 3);
    return image;
}

void set(Image& image, int x, int y, Rgb colour) {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height)
        return;
    std::memcpy(&image.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3], colour.data(), 3);
}

Rgb get(const Image& image, int x, int y) {
    Rgb c{};
    std::memcpy(c.data(), &image.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3], 3);
    return c;
}

void fill_rect(Image& image, int x0, int y0, int x1, int y1, Rgb colour) {
    for (int y = std::max(0, y0); y < std::min(image.height, y1); ++y) {
        for (int x = std::max(0, x0); x < std::min(image.width, x1); ++x)
            set(image, x, y, colour);
    }
}

void outline_rect(Image& image, int x0, int y0, int x1, int y1, Rgb colour) {
    fill_rect(image, x0, y0, x1, y0 + 1, colour);
    fill_rect(image, x0, y1 - 1, x1, y1, colour);
    fill_rect(image, x0, y0, x0 + 1, y1, colour);
    fill_rect(image, x1 - 1, y0, x1, y1, colour);
}

void fill_circle(Image& image, int cx, int cy, int r, Rgb colour) {
    for (int dy = -r; dy <= r; ++dy) {
        for (int dx = -r; dx <= r; ++dx) {
            if (dx * dx + dy * dy <= r * r + r)
                set(image, cx + dx, cy + dy, colour);
        }
    }
}

void fill_diamond(Image& image, int cx, int cy, int r, Rgb colour) {
    for (int dy = -r; dy <= r; ++dy) {
        for (int dx = -r; dx <= r; ++dx) {
            if (std::abs(dx) + std::abs(dy) <= r)
                set(image, cx + dx, cy + dy, colour);
        }
    }
}

void line_pixels(
    double x0, double y0, double x1, double y1, const std::function<void(int, int)>& plot) {
    const double dx = x1 - x0, dy = y1 - y0;
    const int steps =
        std::max(1, static_cast<int>(std::ceil(std::max(std::abs(dx), std::abs(dy)) * 2)));
    int last_x = -1 << 30, last_y = -1 << 30;
    for (int i = 0; i <= steps; ++i) {
        const double t = static_cast<double>(i) / steps;
        const int x = static_cast<int>(std::floor(x0 + t * dx)),
                  y = static_cast<int>(std::floor(y0 + t * dy));
        if (x == last_x && y == last_y)
            continue;
        plot(x, y);
        last_x = x;
        last_y = y;
    }
}

int text_width(const std::string& text, int scale) {
    std::string t = printable(text);
    return stb_easy_font_width(t.data()) * scale;
}

int text_height(int scale) {
    return 8 * scale;
}

void text(Image& image, int x, int y, const std::string& text, Rgb colour, int scale) {
    std::string t = printable(text);
    // stb_easy_font: 4 vertices per quad, each x, y, z (float) + RGBA (4 bytes).
    struct Vertex {
        float x, y, z;
        unsigned char rgba[4];
    };
    std::vector<Vertex> buffer(t.size() * 70 + 64);
    const int quads = stb_easy_font_print(0, 0, t.data(), nullptr, buffer.data(),
                                          static_cast<int>(buffer.size() * sizeof(Vertex)));
    for (int q = 0; q < quads; ++q) {
        float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
        for (int k = 0; k < 4; ++k) {
            const Vertex& v = buffer[static_cast<std::size_t>(q) * 4 + k];
            x0 = std::min(x0, v.x);
            y0 = std::min(y0, v.y);
            x1 = std::max(x1, v.x);
            y1 = std::max(y1, v.y);
        }
        fill_rect(image, x + static_cast<int>(std::lround(x0 * scale)),
                  y + static_cast<int>(std::lround(y0 * scale)),
                  x + static_cast<int>(std::lround(x1 * scale)),
                  y + static_cast<int>(std::lround(y1 * scale)), colour);
    }
}

}  // namespace radiofield::scene::draw
