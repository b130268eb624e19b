// Outdoor city blocks for GeNeRT (DESIGN.md §6.5) at 3.5 GHz, where the ITU ground types
// (1–10 GHz) and the wall materials (concrete, brick, glass, metal) are all in range.
// Faces are counted as GeNeRT counts polygons: a building facade panel or a box side is one
// rectangle (two triangles).
//   rosslyn_like  10 box buildings on a street grid                 60 faces
//   campus_a      4 buildings: stepped tower, L, U, long hall       ≈1.5k faces (panelled facades)
//   campus_b      6 buildings around a quad                         ≈500 faces
#include <cmath>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::BuildingSpec;
using shapes::Vec2;

struct Palette {
    std::uint32_t concrete, brick, glass, metal, ground;
};

Palette materials(Scene& s, const Climate& climate) {
    Palette p{};
    p.concrete = itu(s, "concrete");
    p.brick = itu(s, "brick");
    p.glass = itu(s, "glass");
    p.metal = itu(s, "metal");
    for (Material& m : s.materials) {
        m.eps_r_scale = climate.scale;
        m.sigma_scale = climate.scale;
    }
    p.ground = itu(s, climate.ground_type);  // the ground follows its own ITU type instead
    return p;
}

std::vector<Vec2> rect(double x0, double y0, double x1, double y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

void building(Scene& s, const std::string& name, BuildingSpec spec) {
    Mesh m;
    m.name = name;
    shapes::add_building(m, spec);
    s.meshes.push_back(std::move(m));
}

BuildingSpec spec(std::vector<Vec2> footprint,
                  double z0,
                  double z1,
                  std::uint32_t wall,
                  std::uint32_t window,
                  std::uint32_t roof) {
    BuildingSpec b;
    b.footprint = std::move(footprint);
    b.z0 = z0;
    b.z1 = z1;
    b.wall_material = wall;
    b.window_material = window;
    b.roof_material = roof;
    return b;
}

// Flat ground rectangle (normal up) under every building, with a margin.
void ground(Scene& s, std::uint32_t material, double margin) {
    Bounds b = s.bounds();
    Mesh m;
    m.name = "ground";
    shapes::add_quad(m, {b.lo.x - margin, b.lo.y - margin, 0}, {b.size().x + 2 * margin, 0, 0},
                     {0, b.size().y + 2 * margin, 0}, material);
    s.meshes.push_back(std::move(m));
}

void rosslyn_like(Scene& s, const Palette& p, Jitter& j) {
    struct Box {
        double x0, y0, x1, y1, h;
        std::uint32_t wall;
    };
    const Box boxes[] = {
        {0, 0, 60, 22, 45, p.glass},      {0, 28, 35, 50, 30, p.concrete},
        {40, 28, 60, 50, 60, p.glass},    {85, 0, 145, 50, 25, p.concrete},
        {170, 0, 200, 50, 70, p.glass},   {205, 0, 230, 50, 35, p.brick},
        {0, 75, 60, 125, 50, p.concrete}, {85, 75, 115, 125, 40, p.glass},
        {120, 75, 145, 125, 20, p.brick}, {170, 75, 230, 125, 55, p.metal},
    };
    int k = 0;
    for (const Box& b : boxes) {
        const double h = b.h * (1 + j(0.1));
        building(s, "building_" + std::to_string(++k),
                 spec(rect(b.x0, b.y0, b.x1, b.y1), 0, h, b.wall, b.wall, p.concrete));
    }
    ground(s, p.ground, 30);
    Device tx;
    tx.name = "tx";
    tx.position = {72.5, 62.5, 10.0};  // small cell at the central crossing
    s.transmitters.push_back(std::move(tx));
}

// Brick or concrete facade panels with every second column glazed above the ground floor.
BuildingSpec panelled(BuildingSpec b, double panel_width, double floor_height, int window_every) {
    b.panel_width = panel_width;
    b.floor_height = floor_height;
    b.window_every = window_every;
    return b;
}

void campus_a(Scene& s, const Palette& p, Jitter& j) {
    const double f = 1 + j(0.05);
    // Stepped tower: a podium with a glass curtain-wall tower on it.
    building(
        s, "building_1_podium",
        panelled(spec(rect(0, 0, 50, 40), 0, 8 * f, p.concrete, p.glass, p.concrete), 3, 4, 2));
    building(
        s, "building_1_tower",
        panelled(spec(rect(10, 8, 35, 32), 8 * f, 52 * f, p.glass, p.glass, p.metal), 3.5, 3.4, 1));
    // L-shaped brick faculty building.
    building(s, "building_2",
             panelled(spec({{80, 0}, {140, 0}, {140, 18}, {98, 18}, {98, 55}, {80, 55}}, 0, 16 * f,
                           p.brick, p.glass, p.concrete),
                      2.5, 3.5, 2));
    // U-shaped library around a courtyard open to the south.
    building(
        s, "building_3",
        panelled(
            spec({{0, 80}, {20, 80}, {20, 110}, {40, 110}, {40, 80}, {60, 80}, {60, 130}, {0, 130}},
                 0, 12 * f, p.concrete, p.glass, p.concrete),
            2.5, 3.5, 2));
    // Long lecture hall with a metal roof.
    building(s, "building_4",
             panelled(spec(rect(90, 85, 150, 115), 0, 10 * f, p.brick, p.glass, p.metal), 3, 5, 3));
    ground(s, p.ground, 25);
    Device tx;
    tx.name = "tx";
    tx.position = {70.0, 65.0, 12.0};
    s.transmitters.push_back(std::move(tx));
}

void campus_b(Scene& s, const Palette& p, Jitter& j) {
    struct Block {
        std::vector<Vec2> footprint;
        double h;
        std::uint32_t wall, roof;
    };
    const std::vector<Block> blocks = {
        {rect(0, 0, 50, 18), 12, p.brick, p.concrete},
        {rect(70, 0, 110, 25), 20, p.concrete, p.concrete},
        {rect(0, 40, 18, 90), 9, p.brick, p.metal},
        {{{92, 45}, {120, 45}, {120, 95}, {75, 95}, {75, 78}, {92, 78}},
         16,
         p.concrete,
         p.concrete},
        {rect(25, 110, 65, 128), 24, p.glass, p.metal},
        {rect(30, 45, 55, 70), 6, p.brick, p.metal},
    };
    int k = 0;
    for (const Block& b : blocks) {
        const double h = b.h * (1 + j(0.1));
        building(s, "building_" + std::to_string(++k),
                 panelled(spec(b.footprint, 0, h, b.wall, p.glass, b.roof), 6, 4, 2));
    }
    ground(s, p.ground, 25);
    Device tx;
    tx.name = "tx";
    tx.position = {60.0, 35.0, 10.0};
    s.transmitters.push_back(std::move(tx));
}

}  // namespace

Scene city(City which, const Climate& climate, std::uint64_t seed) {
    Scene s;
    s.frequency_hz = 3.5e9;
    const Palette p = materials(s, climate);
    Jitter j(seed, 400 + static_cast<std::uint64_t>(which));
    if (which == City::RosslynLike)
        rosslyn_like(s, p, j);
    if (which == City::CampusA)
        campus_a(s, p, j);
    if (which == City::CampusB)
        campus_b(s, p, j);
    return s;
}

}  // namespace radiofield::scene::builtin
