#include "render_legend.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "render_draw.hpp"

namespace radiofield::scene::legend {
namespace {

constexpr int kScale = 2;  // text scale (stb_easy_font is 7 px tall)
constexpr int kSwatch = 18;
constexpr int kRow = 28;
constexpr int kScaleBar = 44;   // height of the scale bar block
constexpr int kColourBar = 84;  // height of the colour bar block
constexpr draw::Rgb kTxColour{220, 30, 30};
constexpr draw::Rgb kRxColour{30, 170, 60};

struct Entry {
    std::string label;
    draw::Rgb colour;
    int device = 0;  // 0: material swatch, 1: transmitter, 2: receiver, 3: line, 4: dot
};

std::vector<Entry> entries(const Scene& scene, const TopViewOptions& options) {
    std::vector<Entry> out;
    const auto counts = scene.triangles_per_material();
    for (std::size_t i = 0; i < scene.materials.size(); ++i) {
        if (i < counts.size() && counts[i] > 0) {
            out.push_back({scene.materials[i].name, draw::to_rgb(scene.materials[i].colour), 0});
        }
    }
    if (!scene.transmitters.empty())
        out.push_back({"transmitter", kTxColour, 1});
    if (!scene.receivers.empty())
        out.push_back({"receiver", kRxColour, 2});
    for (const LegendEntry& e : options.legend)
        out.push_back({e.label, e.colour, e.dot ? 4 : 3});
    return out;
}

int column_width(const std::vector<Entry>& list) {
    int widest = 0;
    for (const Entry& e : list)
        widest = std::max(widest, draw::text_width(e.label, kScale));
    return kSwatch + 10 + widest + 28;
}

int columns(const std::vector<Entry>& list, int map_width) {
    return std::max(1, map_width / column_width(list));
}

// Nice scale-bar length: the longest of 1-2-5 × 10^k metres within a quarter of the map.
double scale_length(const TopViewLayout& l) {
    const double max_m = l.map_width / 4.0 / l.pixels_per_metre;
    double best = 0.01;
    for (double decade = 0.01; decade <= 1e5; decade *= 10) {
        for (double m : {1.0, 2.0, 5.0}) {
            if (m * decade <= max_m)
                best = m * decade;
        }
    }
    return best;
}

}  // namespace

int title_height() {
    return kMargin + draw::text_height(kScale) + 14;
}

int panel_height(const Scene& scene, const TopViewOptions& options, int map_width) {
    const auto list = entries(scene, options);
    const int cols = columns(list, map_width);
    const int rows = (static_cast<int>(list.size()) + cols - 1) / cols;
    return 16 + rows * kRow + kScaleBar + (options.colour_bar ? kColourBar : 0) + kMargin;
}

void device_marker(Image& image, std::array<int, 2> p, bool transmitter) {
    draw::fill_diamond(image, p[0], p[1], 9, draw::kBlack);
    draw::fill_diamond(image, p[0], p[1], 7, transmitter ? kTxColour : kRxColour);
}

void draw_title(Image& image, const std::string& title, const TopViewLayout& l) {
    draw::text(image, kMargin, kMargin, title, draw::kBlack, kScale);
    const std::string note = fmt::format("top view, cut at {:.2f} m", l.cut_height);
    const int x = l.width - kMargin - draw::text_width(note, kScale);
    if (x > kMargin + draw::text_width(title, kScale) + 20) {
        draw::text(image, x, kMargin, note, {90, 90, 90}, kScale);
    }
}

void draw_panel(Image& image,
                const Scene& scene,
                const TopViewOptions& options,
                const TopViewLayout& l) {
    const auto list = entries(scene, options);
    const int cols = columns(list, l.map_width), col_w = column_width(list);
    const int top = l.map_top + l.map_height + 16;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const int x = l.map_left + static_cast<int>(i) % cols * col_w;
        const int y = top + static_cast<int>(i) / cols * kRow;
        const Entry& e = list[i];
        if (e.device == 4) {
            draw::fill_circle(image, x + kSwatch / 2, y + kSwatch / 2, 7, draw::kBlack);
            draw::fill_circle(image, x + kSwatch / 2, y + kSwatch / 2, 6, e.colour);
        } else if (e.device == 3) {
            draw::fill_rect(image, x, y + kSwatch / 2 - 2, x + kSwatch, y + kSwatch / 2 + 2,
                            e.colour);
        } else if (e.device == 0) {
            draw::fill_rect(image, x, y, x + kSwatch, y + kSwatch, e.colour);
            draw::outline_rect(image, x - 1, y - 1, x + kSwatch + 1, y + kSwatch + 1, draw::kBlack);
        } else {
            device_marker(image, {x + kSwatch / 2, y + kSwatch / 2}, e.device == 1);
        }
        draw::text(image, x + kSwatch + 10, y + (kSwatch - draw::text_height(kScale)) / 2 + 1,
                   e.label, draw::kBlack, kScale);
    }
    // Scale bar: two halves, black and white, with the length written at its end.
    const int rows = (static_cast<int>(list.size()) + cols - 1) / cols;
    const int y = top + rows * kRow + 8;
    const double metres = scale_length(l);
    const int len = static_cast<int>(std::lround(metres * l.pixels_per_metre));
    const int x = l.map_left;
    draw::fill_rect(image, x, y, x + len / 2, y + 10, draw::kBlack);
    draw::outline_rect(image, x, y, x + len, y + 10, draw::kBlack);
    draw::text(image, x, y + 16, "0", draw::kBlack, kScale);
    const std::string label = fmt::format("{:g} m", metres);
    draw::text(image, x + len - draw::text_width(label, kScale) / 2, y + 16, label, draw::kBlack,
               kScale);
    if (options.colour_bar && !options.colour_bar->colours.empty()) {
        // Colour bar: its label, then the ramp left to right over half the map with the end
        // values under its ends.
        const ColourBar& bar = *options.colour_bar;
        draw::text(image, x, y + kScaleBar, bar.label, draw::kBlack, kScale);
        const int by = y + kScaleBar + draw::text_height(kScale) + 8;
        const int bw = std::max(100, l.map_width / 2), bh = 14;
        const auto n = static_cast<int>(bar.colours.size());
        for (int i = 0; i < bw; ++i) {
            const int k = std::min(n - 1, i * n / bw);
            draw::fill_rect(image, x + i, by, x + i + 1, by + bh, bar.colours[k]);
        }
        draw::outline_rect(image, x - 1, by - 1, x + bw + 1, by + bh + 1, draw::kBlack);
        const std::string lo = fmt::format("{:.3g}", bar.lo), hi = fmt::format("{:.3g}", bar.hi);
        draw::text(image, x, by + bh + 6, lo, draw::kBlack, kScale);
        draw::text(image, x + bw - draw::text_width(hi, kScale), by + bh + 6, hi, draw::kBlack,
                   kScale);
    }
}

}  // namespace radiofield::scene::legend
