#include "shapes.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"

namespace radiofield::scene::shapes {
namespace {

constexpr double kEps = 1e-9;

double cross2(Vec2 a, Vec2 b, Vec2 c) {
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

bool inside_triangle(Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
    return cross2(a, b, p) >= -kEps && cross2(b, c, p) >= -kEps && cross2(c, a, p) >= -kEps;
}

void add_polygon(Mesh& mesh, const std::vector<Vec2>& poly, double z, bool up, std::uint32_t mat) {
    for (const Triangle& t : ear_clip(poly)) {
        const Vec3 a{poly[t[0]].x, poly[t[0]].y, z};
        const Vec3 b{poly[t[1]].x, poly[t[1]].y, z};
        const Vec3 c{poly[t[2]].x, poly[t[2]].y, z};
        if (up) {
            add_triangle(mesh, a, b, c, mat);
        } else {
            add_triangle(mesh, a, c, b, mat);
        }
    }
}

}  // namespace

Vec3 Frame::to_world(const Vec3& local) const {
    const double c = std::cos(yaw), s = std::sin(yaw);
    return origin + Vec3{c * local.x - s * local.y, s * local.x + c * local.y, local.z};
}

void add_triangle(Mesh& mesh, const Vec3& a, const Vec3& b, const Vec3& c, std::uint32_t mat) {
    mesh.append({a, b, c}, {Triangle{0, 1, 2}}, mat);
}

void add_quad(Mesh& mesh, const Vec3& origin, const Vec3& u, const Vec3& v, std::uint32_t mat) {
    mesh.append({origin, origin + u, origin + u + v, origin + v},
                {Triangle{0, 1, 2}, Triangle{0, 2, 3}}, mat);
}

void add_box(Mesh& mesh, const Frame& frame, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    // Corner i has x = hi.x if bit 0 is set, y = hi.y if bit 1, z = hi.z if bit 2.
    std::vector<Vec3> corners(8);
    for (int i = 0; i < 8; ++i) {
        corners[i] =
            frame.to_world({(i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y, (i & 4) ? hi.z : lo.z});
    }
    // Faces −z, +z, −y, +y, −x, +x, each counter-clockwise seen from outside.
    static const int kFaces[6][4] = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4},
                                     {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
    std::vector<Triangle> tris;
    for (const auto& f : kFaces) {
        const auto a = static_cast<std::uint32_t>(f[0]), b = static_cast<std::uint32_t>(f[1]),
                   c = static_cast<std::uint32_t>(f[2]), d = static_cast<std::uint32_t>(f[3]);
        tris.push_back({a, b, c});
        tris.push_back({a, c, d});
    }
    mesh.append(corners, tris, mat);
}

void add_box(Mesh& mesh, const Vec3& lo, const Vec3& hi, std::uint32_t mat) {
    add_box(mesh, Frame{}, lo, hi, mat);
}

void add_prism(
    Mesh& mesh, Vec2 centre, double radius, int sides, double z0, double z1, std::uint32_t mat) {
    BuildingSpec spec;
    for (int i = 0; i < sides; ++i) {
        const double a = 2 * std::numbers::pi * (i + 0.5) / sides;
        spec.footprint.push_back(
            {centre.x + radius * std::cos(a), centre.y + radius * std::sin(a)});
    }
    spec.z0 = z0;
    spec.z1 = z1;
    spec.wall_material = spec.window_material = spec.roof_material = mat;
    add_building(mesh, spec);
}

void add_wall(Mesh& wall, std::vector<Mesh>& fills, const WallSpec& s) {
    auto box = [&](Mesh& m, double u0, double u1, double w0, double w1, double z0, double z1,
                   std::uint32_t mat) {
        if (u1 - u0 < kEps || w1 - w0 < kEps || z1 - z0 < kEps)
            return;
        if (s.axis == 0) {
            add_box(m, {u0, w0, z0}, {u1, w1, z1}, mat);
        } else {
            add_box(m, {w0, u0, z0}, {w1, u1, z1}, mat);
        }
    };
    std::vector<double> cuts{s.u0, s.u1};
    for (const Opening& o : s.openings) {
        if (o.u0 < s.u0 || o.u1 > s.u1 || o.z0 < s.z0 || o.z1 > s.z1 || o.u1 <= o.u0 ||
            o.z1 <= o.z0) {
            fail("opening '{}' does not fit in its wall", o.name);
        }
        cuts.push_back(o.u0);
        cuts.push_back(o.u1);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const double a = cuts[i], b = cuts[i + 1];
        const Opening* hole = nullptr;
        for (const Opening& o : s.openings) {
            if (o.u0 <= a + kEps && b <= o.u1 + kEps)
                hole = &o;
        }
        if (hole == nullptr) {
            box(wall, a, b, s.w0, s.w1, s.z0, s.z1, s.material);
        } else {
            box(wall, a, b, s.w0, s.w1, s.z0, hole->z0, s.material);
            box(wall, a, b, s.w0, s.w1, hole->z1, s.z1, s.material);
        }
    }
    const double mid = 0.5 * (s.w0 + s.w1);
    for (const Opening& o : s.openings) {
        if (o.fill_material < 0)
            continue;
        Mesh fill;
        fill.name = o.name;
        const double h = 0.5 * o.fill_thickness;
        box(fill, o.u0, o.u1, mid - h, mid + h, o.z0, o.z1,
            static_cast<std::uint32_t>(o.fill_material));
        fills.push_back(std::move(fill));
    }
}

void add_building(Mesh& mesh, const BuildingSpec& s) {
    const std::size_t n = s.footprint.size();
    if (n < 3 || s.z1 <= s.z0)
        fail("building needs a footprint of 3+ points and z1 > z0");
    const double height = s.z1 - s.z0;
    const int floors = std::max(1, static_cast<int>(std::lround(height / s.floor_height)));
    const Vec3 up{0, 0, height / floors};
    for (std::size_t i = 0; i < n; ++i) {
        const Vec2 p = s.footprint[i], q = s.footprint[(i + 1) % n];
        const Vec3 edge{q.x - p.x, q.y - p.y, 0};
        const int columns = std::max(1, static_cast<int>(std::lround(norm(edge) / s.panel_width)));
        const Vec3 step = edge / columns;
        for (int f = 0; f < floors; ++f) {
            for (int c = 0; c < columns; ++c) {
                const bool window =
                    s.window_every > 0 && f > 0 && c % s.window_every == s.window_every / 2;
                const Vec3 origin = Vec3{p.x, p.y, s.z0} + step * c + up * f;
                add_quad(mesh, origin, step, up, window ? s.window_material : s.wall_material);
            }
        }
    }
    add_polygon(mesh, s.footprint, s.z1, true, s.roof_material);
    add_polygon(mesh, s.footprint, s.z0, false, s.roof_material);
}

std::vector<Triangle> ear_clip(const std::vector<Vec2>& poly) {
    std::vector<std::uint32_t> left(poly.size());
    for (std::size_t i = 0; i < poly.size(); ++i)
        left[i] = static_cast<std::uint32_t>(i);
    std::vector<Triangle> out;
    while (left.size() > 3) {
        bool clipped = false;
        const std::size_t m = left.size();
        for (std::size_t i = 0; i < m && !clipped; ++i) {
            const std::uint32_t ia = left[(i + m - 1) % m], ib = left[i], ic = left[(i + 1) % m];
            const Vec2 a = poly[ia], b = poly[ib], c = poly[ic];
            if (cross2(a, b, c) <= kEps)
                continue;  // reflex or collinear corner
            bool empty = true;
            for (std::uint32_t j : left) {
                if (j != ia && j != ib && j != ic && inside_triangle(poly[j], a, b, c))
                    empty = false;
            }
            if (!empty)
                continue;
            out.push_back({ia, ib, ic});
            left.erase(left.begin() + static_cast<std::ptrdiff_t>(i));
            clipped = true;
        }
        if (!clipped)
            fail("footprint polygon is not simple and counter-clockwise");
    }
    out.push_back({left[0], left[1], left[2]});
    return out;
}

}  // namespace radiofield::scene::shapes
