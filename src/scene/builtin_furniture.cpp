// Room shells, furniture and devices shared by the indoor built-in scenes. Dimensions are
// those of ordinary office furniture (EN 1335 / EN 527): seats at 0.45 m, desks at 0.75 m.
#include <utility>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {
namespace {

using shapes::add_box;
using shapes::Frame;

// Steel-backed enamel whiteboard: at these frequencies it reflects like a metal sheet, so
// it takes ITU-R P.2040 metal's values (ε_r = 1, σ = 10⁷ S/m) under its own name.
std::uint32_t whiteboard(Scene& s) {
    return custom(s, "whiteboard", 1.0, 1e7, {0.99f, 0.99f, 0.99f});
}
// Foam and fabric upholstery: ε_r ≈ 1.5, σ ≈ 0.01 S/m (low-density polyurethane foam is
// close to air; the fabric adds a little loss). An estimate, not an ITU entry.
std::uint32_t upholstery(Scene& s) {
    return custom(s, "upholstery", 1.5, 0.01, {0.20f, 0.30f, 0.58f});
}

Mesh named(const std::string& name) {
    Mesh m;
    m.name = name;
    return m;
}

}  // namespace

std::uint32_t itu(Scene& scene, const std::string& type) {
    return scene.add_material(itu_material(type));
}

std::uint32_t custom(Scene& scene,
                     const std::string& name,
                     double eps_r,
                     double sigma,
                     std::array<float, 3> colour) {
    Material m = custom_material(name, eps_r, sigma);
    m.colour = colour;
    return scene.add_material(std::move(m));
}

void add_room(Scene& scene, const RoomSpec& r) {
    const double tw = r.west.thickness, te = r.east.thickness;
    const double ts = r.south.thickness, tn = r.north.thickness;
    const double x0 = -tw, x1 = r.width + te, y0 = -ts, y1 = r.depth + tn;

    Mesh floor = named("floor");
    add_box(floor, {x0, y0, -r.slab}, {x1, y1, 0}, r.floor_material);
    scene.meshes.push_back(std::move(floor));
    Mesh ceiling = named("ceiling");
    add_box(ceiling, {x0, y0, r.height}, {x1, y1, r.height + r.slab}, r.ceiling_material);
    scene.meshes.push_back(std::move(ceiling));

    auto wall = [&](const char* name, const RoomWall& w, int axis, double u0, double u1, double w0,
                    double w1) {
        shapes::WallSpec spec{axis, u0, u1, w0, w1, 0, r.height, w.material, w.openings};
        Mesh mesh = named(name);
        std::vector<Mesh> fills;
        shapes::add_wall(mesh, fills, spec);
        scene.meshes.push_back(std::move(mesh));
        for (Mesh& f : fills)
            scene.meshes.push_back(std::move(f));
    };
    wall("wall_south", r.south, 0, x0, x1, y0, 0);
    wall("wall_north", r.north, 0, x0, x1, r.depth, y1);
    wall("wall_west", r.west, 1, 0, r.depth, x0, 0);
    wall("wall_east", r.east, 1, 0, r.depth, r.width, x1);
}

void add_chair(Scene& scene, const std::string& name, const Frame& f, bool office_chair) {
    const std::uint32_t cloth = upholstery(scene), metal = itu(scene, "metal");
    Mesh m = named(name);
    if (office_chair) {
        const shapes::Vec2 c{f.origin.x, f.origin.y};
        shapes::add_prism(m, c, 0.30, 5, 0.03, 0.08, metal);  // five-star base
        shapes::add_prism(m, c, 0.03, 6, 0.08, 0.42, metal);  // gas column
        add_box(m, f, {-0.24, -0.24, 0.42}, {0.24, 0.24, 0.50}, cloth);
        add_box(m, f, {-0.30, -0.22, 0.55}, {-0.25, 0.22, 1.05}, cloth);
    } else {
        add_box(m, f, {-0.22, -0.22, 0.42}, {0.22, 0.22, 0.48}, cloth);
        add_box(m, f, {-0.27, -0.21, 0.50}, {-0.22, 0.21, 0.92}, cloth);
        for (double lx : {-0.18, 0.15}) {
            for (double ly : {-0.18, 0.15})
                add_box(m, f, {lx, ly, 0}, {lx + 0.03, ly + 0.03, 0.42}, metal);
        }
    }
    scene.meshes.push_back(std::move(m));
}

void add_table(Scene& scene,
               const std::string& name,
               const Frame& f,
               double length,
               double width,
               std::uint32_t top_material) {
    const std::uint32_t metal = itu(scene, "metal");
    Mesh m = named(name);
    const double hl = 0.5 * length, hw = 0.5 * width;
    add_box(m, f, {-hl, -hw, 0.72}, {hl, hw, 0.75}, top_material);
    for (double sx : {-1.0, 1.0}) {
        for (double sy : {-1.0, 1.0}) {
            const double lx = sx * (hl - 0.10), ly = sy * (hw - 0.10);
            add_box(m, f, {lx - 0.03, ly - 0.03, 0}, {lx + 0.03, ly + 0.03, 0.72}, metal);
        }
    }
    scene.meshes.push_back(std::move(m));
}

void add_round_table(Scene& scene, const std::string& name, shapes::Vec2 c, double radius) {
    const std::uint32_t wood = itu(scene, "wood"), metal = itu(scene, "metal");
    Mesh m = named(name);
    shapes::add_prism(m, c, 0.30, 8, 0.00, 0.04, metal);
    shapes::add_prism(m, c, 0.05, 8, 0.04, 0.72, metal);
    shapes::add_prism(m, c, radius, 24, 0.72, 0.75, wood);
    scene.meshes.push_back(std::move(m));
}

void add_desk(Scene& scene, const std::string& name, const Frame& f) {
    const std::uint32_t board = itu(scene, "chipboard"), metal = itu(scene, "metal");
    Mesh m = named(name);
    add_box(m, f, {-0.375, -0.70, 0.72}, {0.375, 0.70, 0.75}, board);
    for (double y : {-0.70, 0.67})
        add_box(m, f, {-0.35, y, 0}, {0.35, y + 0.03, 0.72}, board);
    add_box(m, f, {0.15, -0.04, 0.75}, {0.21, 0.04, 0.85}, metal);  // monitor stand
    add_box(m, f, {0.18, -0.28, 0.85}, {0.21, 0.28, 1.20}, metal);  // monitor
    scene.meshes.push_back(std::move(m));
}

void add_cabinet(Scene& scene, const std::string& name, const Vec3& lo, const Vec3& hi) {
    Mesh m = named(name);
    add_box(m, lo, hi, itu(scene, "chipboard"));
    scene.meshes.push_back(std::move(m));
}

void add_whiteboard(
    Scene& scene, int axis, double plane, bool facing_positive, double u0, double u1) {
    const double a = facing_positive ? plane + 0.02 : plane - 0.05;
    Mesh m = named("whiteboard");
    if (axis == 0) {
        add_box(m, {a, u0, 0.9}, {a + 0.03, u1, 2.1}, whiteboard(scene));
    } else {
        add_box(m, {u0, a, 0.9}, {u1, a + 0.03, 2.1}, whiteboard(scene));
    }
    scene.meshes.push_back(std::move(m));
}

void add_reader(Scene& scene, const Vec3& position, double yaw) {
    Device reader;
    reader.name = "reader";
    reader.position = position;
    reader.orientation = {yaw, 0, 0};
    reader.array = PlanarArray::half_wavelength(4, 4, scene.frequency_hz);
    scene.receivers.push_back(std::move(reader));
}

}  // namespace radiofield::scene::builtin
