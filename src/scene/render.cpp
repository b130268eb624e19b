// Top view of a scene: an orthographic plan cut at a height, coloured by material.
//
// Per pixel we keep the highest surface at or below the cut and the lowest one above it.
// If the lowest surface above faces up (it is the top of a solid we are inside), the pixel
// is a cut through that solid and drawn like a plan's section: dark for walls and pillars
// (thick solids rising well above the cut), lighter for thin panes (glass, doors) and for
// solids cut near their top (whiteboards, tall cabinets). Otherwise the surface below is drawn,
// brighter the higher it is, so furniture stands out from the floor. Vertical faces are drawn as
// dark outlines.
#include "radiofield/scene/render.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/scene/views.hpp"
#include "render_draw.hpp"
#include "render_legend.hpp"

namespace radiofield::scene {
namespace {

constexpr double kVertical = 0.05;      // |n_z| below this: a wall-like face, drawn as outline
constexpr double kTallCut = 0.6;        // solids rising this far above the cut ...
constexpr double kWallThickness = 0.1;  // ... and this thick (m) are walls, drawn dark
constexpr double kIndoorCut = 1.9;      // m above the floor
constexpr double kFacadeScale = 10;     // px/m below which facades are drawn wide
constexpr float kTie = 1e-4f;           // m: surfaces this close in height are level

struct Sample {
    float below_z = -std::numeric_limits<float>::infinity();
    float above_z = std::numeric_limits<float>::infinity();
    std::uint32_t below_mat = 0, above_mat = 0;
    bool above_up = false;
};

// The height of the largest up-facing area (the floor or the ground).
double floor_level(const Scene& scene) {
    std::vector<std::pair<long, double>> area_at;  // (z in cm, area)
    for (const Mesh& mesh : scene.meshes) {
        for (std::size_t t = 0; t < mesh.num_triangles(); ++t) {
            if (mesh.normal(t).z < 0.9)
                continue;
            const long zc = std::lround(mesh.vertices[mesh.triangles[t][0]].z * 100);
            auto it = std::find_if(area_at.begin(), area_at.end(),
                                   [&](auto& e) { return e.first == zc; });
            if (it == area_at.end()) {
                area_at.emplace_back(zc, mesh.area(t));
            } else {
                it->second += mesh.area(t);
            }
        }
    }
    if (area_at.empty())
        return scene.bounds().lo.z;
    return std::max_element(area_at.begin(), area_at.end(),
                            [](auto& a, auto& b) { return a.second < b.second; })
               ->first /
           100.0;
}

// Indoor when down-facing surfaces above head height (a ceiling) cover half the plan.
bool is_indoor(const Scene& scene, double floor_z) {
    double ceiling = 0;
    for (const Mesh& mesh : scene.meshes) {
        for (std::size_t t = 0; t < mesh.num_triangles(); ++t) {
            if (mesh.normal(t).z > -0.9)
                continue;
            if (mesh.vertices[mesh.triangles[t][0]].z > floor_z + kIndoorCut)
                ceiling += mesh.area(t);
        }
    }
    const Vec3 size = scene.bounds().size();
    return ceiling >= 0.5 * size.x * size.y;
}

// Cut pixels that belong to walls: solids rising well above the cut (not a whiteboard or a
// cabinet cut near its top) and at least `min_px` thick both ways (not a pane of glass).
std::vector<bool> wall_mask(
    const std::vector<Sample>& buf, int w, int h, double cut, double min_px) {
    const auto n = static_cast<std::size_t>(w) * h;
    std::vector<int> id(n, -1);
    for (std::size_t i = 0; i < n; ++i) {
        if (buf[i].above_up && buf[i].above_z - cut > kTallCut)
            id[i] = static_cast<int>(buf[i].above_mat);
    }
    // Length of the run of equal ids through each pixel, along rows and along columns.
    std::vector<int> row_run(n, 0), col_run(n, 0);
    auto runs = [&](int lines, int len, auto index, std::vector<int>& out) {
        for (int a = 0; a < lines; ++a) {
            int start = 0;
            for (int b = 1; b <= len; ++b) {
                if (b < len && id[index(a, b)] == id[index(a, start)])
                    continue;
                for (int k = start; k < b; ++k)
                    out[index(a, k)] = b - start;
                start = b;
            }
        }
    };
    runs(
        h, w, [w](int y, int x) { return static_cast<std::size_t>(y) * w + x; }, row_run);
    runs(
        w, h, [w](int x, int y) { return static_cast<std::size_t>(y) * w + x; }, col_run);
    std::vector<bool> mask(n, false);
    for (std::size_t i = 0; i < n; ++i)
        mask[i] = id[i] >= 0 && std::min(row_run[i], col_run[i]) >= min_px;
    return mask;
}

double cross2(double ax, double ay, double bx, double by, double cx, double cy) {
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

}  // namespace

std::array<int, 2> TopViewLayout::to_pixel(const Vec3& p) const {
    return {map_left + static_cast<int>(std::floor((p.x - x_min) * pixels_per_metre)),
            map_top + static_cast<int>(std::floor((y_max - p.y) * pixels_per_metre))};
}

TopViewLayout top_view_layout(const Scene& scene, const TopViewOptions& options) {
    if (scene.num_triangles() == 0)
        fail("scene '{}' has no triangles to draw", scene.name);
    if (options.width_px < 200)
        fail("top view width {} px is too small; use at least 200", options.width_px);
    const Bounds b = scene.bounds();
    const Vec3 size = b.size();
    TopViewLayout l;
    l.width = options.width_px;
    l.map_left = legend::kMargin;
    l.map_top = legend::title_height();
    l.map_width = l.width - 2 * legend::kMargin;
    l.pixels_per_metre = l.map_width / std::max(size.x, 1e-6);
    l.map_height =
        std::clamp(static_cast<int>(std::ceil(size.y * l.pixels_per_metre)), 1, 4 * l.width);
    l.x_min = b.lo.x;
    l.y_max = b.hi.y;
    if (options.cut_height >= 0) {
        l.cut_height = options.cut_height;
    } else {
        const double floor_z = floor_level(scene);
        l.cut_height = is_indoor(scene, floor_z) ? floor_z + kIndoorCut : b.hi.z + 1.0;
    }
    l.height = l.map_top + l.map_height + legend::panel_height(scene, options, l.map_width);
    return l;
}

Image render_top_view(const Scene& scene, const TopViewOptions& options) {
    const TopViewLayout l = top_view_layout(scene, options);
    const int w = l.map_width, h = l.map_height;
    const double cut = l.cut_height, ppm = l.pixels_per_metre;
    std::vector<Sample> buf(static_cast<std::size_t>(w) * h);
    auto px = [&](const Vec3& v) { return (v.x - l.x_min) * ppm; };
    auto py = [&](const Vec3& v) { return (l.y_max - v.y) * ppm; };

    for (const Mesh& mesh : scene.meshes) {
        for (std::size_t t = 0; t < mesh.num_triangles(); ++t) {
            const Vec3 n = mesh.normal(t);
            if (std::abs(n.z) < kVertical)
                continue;
            const Vec3& a = mesh.vertices[mesh.triangles[t][0]];
            const Vec3& b = mesh.vertices[mesh.triangles[t][1]];
            const Vec3& c = mesh.vertices[mesh.triangles[t][2]];
            const double ax = px(a), ay = py(a), bx = px(b), by = py(b), cx = px(c), cy = py(c);
            const double area = cross2(ax, ay, bx, by, cx, cy);
            if (std::abs(area) < 1e-12)
                continue;
            const int x0 = std::max(0, static_cast<int>(std::floor(std::min({ax, bx, cx}))));
            const int x1 = std::min(w - 1, static_cast<int>(std::ceil(std::max({ax, bx, cx}))));
            const int y0 = std::max(0, static_cast<int>(std::floor(std::min({ay, by, cy}))));
            const int y1 = std::min(h - 1, static_cast<int>(std::ceil(std::max({ay, by, cy}))));
            for (int y = y0; y <= y1; ++y) {
                for (int x = x0; x <= x1; ++x) {
                    const double sx = x + 0.5, sy = y + 0.5;
                    const double wa = cross2(bx, by, cx, cy, sx, sy) / area;
                    const double wb = cross2(cx, cy, ax, ay, sx, sy) / area;
                    const double wc = 1.0 - wa - wb;
                    if (wa < -1e-9 || wb < -1e-9 || wc < -1e-9)
                        continue;
                    const auto z = static_cast<float>(wa * a.z + wb * b.z + wc * c.z);
                    Sample& s = buf[static_cast<std::size_t>(y) * w + x];
                    // Ties (a wall's top against the ceiling's underside, a wall's foot on
                    // the floor) go to the up-facing surface: the top of a solid.
                    if (z <= cut + 1e-6) {
                        if (z > s.below_z + kTie || (z > s.below_z - kTie && n.z > 0)) {
                            s.below_z = z;
                            s.below_mat = mesh.material[t];
                        }
                    } else if (z < s.above_z - kTie || (z < s.above_z + kTie && n.z > 0)) {
                        s.above_z = z;
                        s.above_mat = mesh.material[t];
                        s.above_up = n.z > 0;
                    }
                }
            }
        }
    }

    const double floor_z = std::min(floor_level(scene), cut - 0.1);
    const std::vector<bool> walls = wall_mask(buf, w, h, cut, kWallThickness * ppm);
    Image image = draw::blank(l.width, l.height, draw::kWhite);
    const draw::Rgb empty{235, 235, 235};
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * w + x;
            const Sample& s = buf[i];
            draw::Rgb c = empty;
            if (s.above_up) {
                c = draw::to_rgb(scene.materials[s.above_mat].colour, walls[i] ? 0.5 : 0.85);
            } else if (std::isfinite(s.below_z)) {
                const double t = std::clamp((s.below_z - floor_z) / (cut - floor_z), 0.0, 1.0);
                c = draw::to_rgb(scene.materials[s.below_mat].colour, 0.8 + 0.35 * t);
            }
            draw::set(image, l.map_left + x, l.map_top + y, c);
        }
    }

    // Cells (a map of values over positions) blended over the plan, under the outlines.
    const double alpha = std::clamp(options.cell_opacity, 0.0, 1.0);
    for (const Cell& c : options.cells) {
        const int x0 = static_cast<int>(std::floor(px(c.centre) - 0.5 * c.size_x * ppm));
        const int x1 = static_cast<int>(std::ceil(px(c.centre) + 0.5 * c.size_x * ppm));
        const int y0 = static_cast<int>(std::floor(py(c.centre) - 0.5 * c.size_y * ppm));
        const int y1 = static_cast<int>(std::ceil(py(c.centre) + 0.5 * c.size_y * ppm));
        for (int y = std::max(0, y0); y < std::min(h, std::max(y1, y0 + 1)); ++y) {
            for (int x = std::max(0, x0); x < std::min(w, std::max(x1, x0 + 1)); ++x) {
                const draw::Rgb under = draw::get(image, l.map_left + x, l.map_top + y);
                draw::Rgb out;
                for (int k = 0; k < 3; ++k)
                    out[k] = static_cast<std::uint8_t>(
                        std::lround(alpha * c.colour[k] + (1 - alpha) * under[k]));
                draw::set(image, l.map_left + x, l.map_top + y, out);
            }
        }
    }

    // Outlines: vertical faces reaching at least the visible surface at their pixels. On
    // city-scale maps facades are drawn 3 px wide in their own colour, so brick and glass
    // walls show around the roofs.
    const bool facade = ppm < kFacadeScale;
    const int brush = facade ? 1 : 0;
    for (const Mesh& mesh : scene.meshes) {
        for (std::size_t t = 0; t < mesh.num_triangles(); ++t) {
            if (std::abs(mesh.normal(t).z) >= kVertical)
                continue;
            const auto& tri = mesh.triangles[t];
            double zlo = 1e300, zhi = -1e300;
            for (auto i : tri) {
                zlo = std::min(zlo, mesh.vertices[i].z);
                zhi = std::max(zhi, mesh.vertices[i].z);
            }
            if (zlo > cut)
                continue;
            const double top = std::min(zhi, cut);
            // The projection is a segment: its ends are the two vertices farthest apart.
            int ia = 0, ib = 1;
            double best = -1;
            for (int i = 0; i < 3; ++i) {
                for (int j = i + 1; j < 3; ++j) {
                    const Vec3 d = mesh.vertices[tri[i]] - mesh.vertices[tri[j]];
                    if (d.x * d.x + d.y * d.y > best) {
                        best = d.x * d.x + d.y * d.y;
                        ia = i;
                        ib = j;
                    }
                }
            }
            const Vec3& a = mesh.vertices[tri[ia]];
            const Vec3& b = mesh.vertices[tri[ib]];
            const draw::Rgb colour =
                draw::to_rgb(scene.materials[mesh.material[t]].colour, facade ? 0.75 : 0.4);
            draw::line_pixels(px(a), py(a), px(b), py(b), [&](int cx, int cy) {
                for (int y = cy - brush; y <= cy + brush; ++y) {
                    for (int x = cx - brush; x <= cx + brush; ++x) {
                        if (x < 0 || y < 0 || x >= w || y >= h)
                            continue;
                        if (buf[static_cast<std::size_t>(y) * w + x].below_z <= top + 0.02) {
                            draw::set(image, l.map_left + x, l.map_top + y, colour);
                        }
                    }
                }
            });
        }
    }
    draw::outline_rect(image, l.map_left - 1, l.map_top - 1, l.map_left + w + 1, l.map_top + h + 1,
                       draw::kBlack);

    for (const Polyline& line : options.lines) {
        const int r = std::max(0, (line.width_px - 1) / 2);
        for (std::size_t k = 1; k < line.points.size(); ++k) {
            const Vec3 &a = line.points[k - 1], &b = line.points[k];
            draw::line_pixels(px(a), py(a), px(b), py(b), [&](int cx, int cy) {
                for (int y = cy - r; y <= cy + r; ++y)
                    for (int x = cx - r; x <= cx + r; ++x)
                        if (x >= 0 && y >= 0 && x < w && y < h)
                            draw::set(image, l.map_left + x, l.map_top + y, line.colour);
            });
        }
    }
    for (const Device& d : scene.transmitters)
        legend::device_marker(image, l.to_pixel(d.position), true);
    for (const Device& d : scene.receivers)
        legend::device_marker(image, l.to_pixel(d.position), false);
    for (const Marker& m : options.markers) {
        const auto p = l.to_pixel(m.position);
        // Outside the plan a marker would land on the title or the legend: it is left out.
        if (p[0] < l.map_left || p[1] < l.map_top || p[0] >= l.map_left + w ||
            p[1] >= l.map_top + h)
            continue;
        if (m.outline)
            draw::fill_circle(image, p[0], p[1], m.radius_px + 1, draw::kBlack);
        draw::fill_circle(image, p[0], p[1], m.radius_px, m.colour);
    }
    legend::draw_title(image, options.title.empty() ? scene.name : options.title, l);
    legend::draw_panel(image, scene, options, l);
    return image;
}

void write_png(const Image& image, const std::filesystem::path& path) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
        fail("cannot write '{}': the image is empty or its size does not match {}x{}",
             path.string(), image.width, image.height);
    }
    AtomicOutput out(path);
    if (stbi_write_png(out.temp_path().c_str(), image.width, image.height, 3, image.rgb.data(),
                       image.width * 3) == 0) {
        fail("could not write PNG '{}'; check the disk space and permissions of its folder",
             path.string());
    }
    out.commit();
}

double floor_height(const Scene& scene) {
    return floor_level(scene);
}

bool is_indoor(const Scene& scene) {
    return is_indoor(scene, floor_level(scene));
}

}  // namespace radiofield::scene
