// Top-view pictures of scenes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/render.hpp"

namespace radiofield::scene {
namespace {

using Rgb = std::array<std::uint8_t, 3>;

Rgb pixel(const Image& im, int x, int y) {
    const std::size_t i = (static_cast<std::size_t>(y) * im.width + x) * 3;
    return {im.rgb[i], im.rgb[i + 1], im.rgb[i + 2]};
}

Rgb bytes(const std::array<float, 3>& c) {
    Rgb out{};
    for (int i = 0; i < 3; ++i)
        out[i] = static_cast<std::uint8_t>(std::lround(c[i] * 255.0));
    return out;
}

bool contains_colour(const Image& im, Rgb c) {
    for (std::size_t i = 0; i < im.rgb.size(); i += 3) {
        if (im.rgb[i] == c[0] && im.rgb[i + 1] == c[1] && im.rgb[i + 2] == c[2])
            return true;
    }
    return false;
}

// The brightness factor k with p ≈ k·colour, or −1 if p is not a shade of colour.
double shade_of(Rgb p, const std::array<float, 3>& colour) {
    const double k = (p[0] + p[1] + p[2]) / (255.0 * (colour[0] + colour[1] + colour[2]));
    for (int i = 0; i < 3; ++i) {
        if (std::abs(p[i] - std::min(255.0, k * colour[i] * 255.0)) > 3.0)
            return -1;
    }
    return k;
}

// Closed axis-aligned box, outward normals.
void add_box(Mesh& m, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    std::vector<Vec3> v;
    for (int i = 0; i < 8; ++i)
        v.push_back({(i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y, (i & 4) ? hi.z : lo.z});
    m.append(v,
             {{0, 2, 3},
              {0, 3, 1},
              {4, 5, 7},
              {4, 7, 6},
              {0, 1, 5},
              {0, 5, 4},
              {2, 6, 7},
              {2, 7, 3},
              {0, 4, 6},
              {0, 6, 2},
              {1, 3, 7},
              {1, 7, 5}},
             mat);
}

// A 10 m square floor, a table in the middle and a tall wall along the west side.
Scene test_room() {
    Scene s;
    s.name = "test_room";
    const auto floor = s.add_material(custom_material("floor", 2, 0));
    const auto table = s.add_material(custom_material("table", 2, 0));
    const auto wall = s.add_material(custom_material("wall", 2, 0));
    s.materials[floor].colour = {0.5f, 0.5f, 0.5f};
    s.materials[table].colour = {0.6f, 0.3f, 0.1f};
    s.materials[wall].colour = {0.2f, 0.4f, 0.8f};
    for (auto [name, lo, hi, mat] : {std::tuple{"floor", Vec3{0, 0, -0.1}, Vec3{10, 10, 0}, floor},
                                     std::tuple{"table", Vec3{4, 4, 0}, Vec3{6, 6, 0.8}, table},
                                     std::tuple{"wall", Vec3{0, 0, 0}, Vec3{1, 10, 3}, wall}}) {
        Mesh m;
        m.name = name;
        add_box(m, lo, hi, mat);
        s.meshes.push_back(std::move(m));
    }
    return s;
}

TEST(Render, ImageHasTheRequestedWidthAndTheMapFollowsTheAspect) {
    TopViewOptions o;
    o.width_px = 640;
    const Scene s = make_builtin_scene("office_v1");
    const Image im = render_top_view(s, o);
    const TopViewLayout l = top_view_layout(s, o);
    EXPECT_EQ(im.width, 640);
    EXPECT_EQ(im.height, l.height);
    EXPECT_EQ(im.rgb.size(), static_cast<std::size_t>(im.width) * im.height * 3);
    const Vec3 size = s.bounds().size();
    EXPECT_NEAR(static_cast<double>(l.map_height) / l.map_width, size.y / size.x, 0.01);
    EXPECT_GT(im.height, l.map_top + l.map_height);  // room for the legend
}

TEST(Render, EveryMaterialPresentAppearsInThePicture) {
    for (const char* name :
         {"meeting_room_v1", "office_v2", "lobby", "rosslyn_like", "campus_a_wet"}) {
        SCOPED_TRACE(name);
        const Scene s = make_builtin_scene(name);
        const Image im = render_top_view(s, {});
        const auto counts = s.triangles_per_material();
        for (std::size_t i = 0; i < s.materials.size(); ++i) {
            if (counts[i] > 0)
                EXPECT_TRUE(contains_colour(im, bytes(s.materials[i].colour)))
                    << s.materials[i].name;
        }
    }
}

TEST(Render, SurfacesShowTheirMaterialBrighterWhenHigherAndCutWallsDarker) {
    const Scene s = test_room();
    TopViewOptions o;
    o.cut_height = 1.9;
    const Image im = render_top_view(s, o);
    const TopViewLayout l = top_view_layout(s, o);
    const auto at = [&](double x, double y) {
        const auto p = l.to_pixel({x, y, 0});
        return pixel(im, p[0], p[1]);
    };
    const double floor = shade_of(at(8, 8), s.materials[0].colour);
    const double table = shade_of(at(5, 5), s.materials[1].colour);
    const double wall = shade_of(at(0.5, 5), s.materials[2].colour);
    EXPECT_GT(floor, 0.5);
    EXPECT_GT(table, floor);
    EXPECT_GT(wall, 0.0);
    EXPECT_LT(wall, floor);
}

TEST(Render, AutoCutHidesTheCeilingIndoorsAndShowsRoofsOutdoors) {
    const TopViewLayout indoor = top_view_layout(make_builtin_scene("meeting_room_v1"));
    EXPECT_NEAR(indoor.cut_height, 1.9, 1e-9);
    const Scene city = make_builtin_scene("rosslyn_like");
    const TopViewLayout outdoor = top_view_layout(city);
    EXPECT_GT(outdoor.cut_height, city.bounds().hi.z);
    // Building 4 (x 85–145, y 0–50) has a concrete roof.
    const Image im = render_top_view(city, {});
    const auto p = outdoor.to_pixel({115, 25, 0});
    EXPECT_GT(
        shade_of(pixel(im, p[0], p[1]), city.materials[*city.find_material("itu_concrete")].colour),
        0.0);
}

TEST(Render, MarkersAppearAtTheirPixel) {
    const Scene s = test_room();
    TopViewOptions o;
    o.markers.push_back({{2.0, 7.0, 0.5}, {255, 0, 255}, 3});
    o.markers.push_back({{8.0, 2.0, 0.5}, {0, 255, 0}, 5});
    const Image im = render_top_view(s, o);
    const TopViewLayout l = top_view_layout(s, o);
    for (const Marker& m : o.markers) {
        const auto p = l.to_pixel(m.position);
        EXPECT_EQ(pixel(im, p[0], p[1]), m.colour);
        EXPECT_EQ(pixel(im, p[0] + m.radius_px - 1, p[1]), m.colour);
        EXPECT_NE(pixel(im, p[0] + m.radius_px + 6, p[1]), m.colour);
    }
}

// Overlays: cells blend their colour over the plan where they lie (and only there), walls
// stay drawn over them, polylines run through their points, legend entries and a colour bar
// add to the panel under the map.
TEST(Render, CellsLinesAndAColourBarLandWhereTheyBelong) {
    const Scene s = test_room();
    TopViewOptions plain;
    TopViewOptions o;
    o.cell_opacity = 1;
    o.cells.push_back({{7.5, 7.5, 1}, 1.0, 1.0, {250, 0, 0}});  // over the floor
    o.cells.push_back({{0.5, 5, 1}, 2.0, 2.0, {0, 250, 0}});    // over the wall
    o.lines.push_back({{{2, 2, 1}, {8, 2, 1}, {8, 5, 1}}, {0, 0, 250}, 3});
    o.legend.push_back({"a line", {0, 0, 250}});
    o.colour_bar = ColourBar{"power", -40, 0, {{10, 20, 30}, {200, 100, 50}}};
    const Image im = render_top_view(s, o);
    const TopViewLayout l = top_view_layout(s, o);
    EXPECT_GT(l.height, top_view_layout(s, plain).height);  // the colour bar and the entry
    EXPECT_EQ(im.height, l.height);
    const auto at = [&](double x, double y) {
        const auto p = l.to_pixel({x, y, 0});
        return pixel(im, p[0], p[1]);
    };
    EXPECT_EQ(at(7.5, 7.5), (Rgb{250, 0, 0}));
    EXPECT_EQ(at(7.9, 7.1), (Rgb{250, 0, 0}));
    EXPECT_NE(at(8.3, 7.5), (Rgb{250, 0, 0}));  // outside the 1 m cell
    EXPECT_NE(at(7.5, 6.7), (Rgb{250, 0, 0}));
    EXPECT_EQ(at(5, 2), (Rgb{0, 0, 250}));    // on the first segment
    EXPECT_EQ(at(8, 3.5), (Rgb{0, 0, 250}));  // on the second
    EXPECT_NE(at(5, 3.5), (Rgb{0, 0, 250}));
    // Half-transparent cells mix with the plan under them.
    o.cell_opacity = 0.5;
    const Image half = render_top_view(s, o);
    const auto p = l.to_pixel({7.5, 7.5, 0});
    const Rgb under = pixel(render_top_view(s, plain), p[0], p[1]);
    EXPECT_NEAR(pixel(half, p[0], p[1])[0], std::lround(0.5 * 250 + 0.5 * under[0]), 1);
    // The colour bar's two colours appear under the map, the low one left of the high one.
    int low_x = -1, high_x = -1;
    for (int y = l.map_top + l.map_height; y < im.height; ++y)
        for (int x = 0; x < im.width; ++x) {
            if (pixel(im, x, y) == Rgb{10, 20, 30} && low_x < 0)
                low_x = x;
            if (pixel(im, x, y) == Rgb{200, 100, 50})
                high_x = std::max(high_x, x);
        }
    EXPECT_GE(low_x, 0);
    EXPECT_GT(high_x, low_x);
    EXPECT_FALSE(contains_colour(render_top_view(s, plain), {200, 100, 50}));
}

TEST(Render, MarkersOutsideThePlanAreLeftOut) {
    const Scene s = test_room();
    TopViewOptions o;
    o.markers.push_back({{5, 5, 1}, {0, 250, 250}, 3, false});
    const Image inside = render_top_view(s, o);
    EXPECT_TRUE(contains_colour(inside, {0, 250, 250}));
    // Just outside the plan, on the title above it and on the legend below it: drawn, they
    // would cover them.
    const TopViewLayout l = top_view_layout(s, o);
    const double metres = 1 / l.pixels_per_metre;
    o.markers.clear();
    for (const Vec3 p :
         {Vec3{5, l.y_max + 6 * metres, 1}, Vec3{5, l.y_max - (l.map_height + 20) * metres, 1}}) {
        const auto px = l.to_pixel(p);
        ASSERT_TRUE(px[1] >= 0 && px[1] < l.height) << "not on the image: " << px[1];
        ASSERT_TRUE(px[1] < l.map_top || px[1] >= l.map_top + l.map_height) << px[1];
        o.markers.push_back({p, {250, 0, 250}, 3, false});
    }
    EXPECT_FALSE(contains_colour(render_top_view(s, o), {250, 0, 250}));
}

TEST(Render, WritePngWritesAPngAndRejectsAMissingFolder) {
    const auto dir = std::filesystem::temp_directory_path() / "radiofield_test_render";
    std::filesystem::create_directories(dir);
    const auto path = dir / "room.png";
    write_png(render_top_view(test_room(), {}), path);
    std::ifstream in(path, std::ios::binary);
    char sig[8] = {};
    in.read(sig, 8);
    EXPECT_EQ(std::string(sig + 1, 3), "PNG");
    std::filesystem::remove_all(dir);
    EXPECT_THROW(write_png(render_top_view(test_room(), {}), dir / "missing" / "x.png"), Error);
}

}  // namespace
}  // namespace radiofield::scene
