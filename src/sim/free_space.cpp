// Free space for devices: ray-parity inside tests per object, the room shell, and the default
// regions (include/radiofield/sim/free_space.hpp states the rule).
#include "radiofield/sim/free_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

#include "radiofield/core/error.hpp"

namespace radiofield::sim {
namespace {

constexpr int kParityRays = 7;

// Seven directions spread over the sphere (a Fibonacci spiral, shifted so that none is
// axis-aligned or horizontal): rays along them rarely graze the edges of boxes built on a
// grid, and an edge hit on one ray is outvoted by the others.
const std::array<Vec3, kParityRays> kParityDirs = [] {
    std::array<Vec3, kParityRays> d;
    for (int i = 0; i < kParityRays; ++i) {
        const double z = 0.9 - 1.8 * i / (kParityRays - 1) + 0.037;
        const double r = std::sqrt(1 - z * z);
        const double phi = 0.4 + 2.399963229728653 * i;  // golden angle
        d[static_cast<std::size_t>(i)] = Vec3{r * std::cos(phi), r * std::sin(phi), z};
    }
    return d;
}();

// Six axis directions plus four diagonals, for the clearance to surfaces.
const std::array<Vec3, 10> kClearanceDirs = [] {
    std::array<Vec3, 10> d{Vec3{1, 0, 0},   Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, -1, 0},
                           Vec3{0, 0, 1},   Vec3{0, 0, -1}, Vec3{1, 1, 1}, Vec3{-1, -1, 1},
                           Vec3{1, -1, -1}, Vec3{-1, 1, -1}};
    for (auto& v : d)
        v = normalize(v);
    return d;
}();

// Möller–Trumbore: whether the ray origin + t·dir, t > 0, crosses the triangle.
bool crosses(const rt::TriangleInfo& tri, const Vec3& origin, const Vec3& dir) {
    const Vec3 pvec = cross(dir, tri.e2);
    const double det = dot(tri.e1, pvec);
    if (std::abs(det) < 1e-15 * norm(tri.e1) * norm(tri.e2))
        return false;  // ray parallel to the triangle
    const double inv = 1.0 / det;
    const Vec3 tvec = origin - tri.v0;
    const double u = dot(tvec, pvec) * inv;
    if (u < 0 || u > 1)
        return false;
    const Vec3 qvec = cross(tvec, tri.e1);
    const double v = dot(dir, qvec) * inv;
    if (v < 0 || u + v > 1)
        return false;
    return dot(tri.e2, qvec) * inv > 0;
}

// Every edge used by an even number of triangles, vertices matched by exact position.
bool watertight(const scene::Mesh& mesh) {
    if (mesh.triangles.empty())
        return false;
    std::map<std::array<double, 3>, std::uint32_t> ids;
    std::vector<std::uint32_t> welded(mesh.vertices.size());
    for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
        const Vec3& v = mesh.vertices[i];
        welded[i] = ids.emplace(std::array<double, 3>{v.x, v.y, v.z},
                                static_cast<std::uint32_t>(ids.size()))
                        .first->second;
    }
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> edges;
    for (const scene::Triangle& t : mesh.triangles) {
        for (int k = 0; k < 3; ++k) {
            const std::uint32_t a = welded[t[k]], b = welded[t[(k + 1) % 3]];
            ++edges[std::minmax(a, b)];
        }
    }
    return std::all_of(edges.begin(), edges.end(), [](const auto& e) { return e.second % 2 == 0; });
}

bool box_contains(const scene::Bounds& outer, const scene::Bounds& inner, double tol) {
    return outer.contains(inner.lo, tol) && outer.contains(inner.hi, tol);
}

std::string format_bounds(const scene::Bounds& b) {
    return fmt::format("x {:.2f}..{:.2f}, y {:.2f}..{:.2f}, z {:.2f}..{:.2f}", b.lo.x, b.hi.x,
                       b.lo.y, b.hi.y, b.lo.z, b.hi.z);
}

}  // namespace

FreeSpace::FreeSpace(const rt::EmbreeScene& geometry) : m_geometry(geometry) {
    const scene::Scene& scene = geometry.scene();
    const std::size_t n = scene.meshes.size();
    m_bounds.resize(n);
    m_watertight.resize(n);
    for (std::size_t o = 0; o < n; ++o) {
        for (const Vec3& v : scene.meshes[o].vertices)
            m_bounds[o].expand(v);
        m_watertight[o] = watertight(scene.meshes[o]) ? 1 : 0;
    }
    // The room shell: the object whose box holds every other object's box (the largest).
    const double tol = 1e-6 * std::max(1.0, norm(scene.bounds().size()));
    double largest = -1;
    for (std::size_t o = 0; o < n; ++o) {
        if (scene.meshes[o].triangles.empty())
            continue;
        bool holds_all = true;
        for (std::size_t k = 0; k < n && holds_all; ++k) {
            if (k != o && !scene.meshes[k].triangles.empty())
                holds_all = box_contains(m_bounds[o], m_bounds[k], tol);
        }
        const double diagonal = norm(m_bounds[o].size());
        if (holds_all && diagonal > largest) {
            largest = diagonal;
            m_shell = static_cast<std::uint32_t>(o);
        }
    }
}

int FreeSpace::odd_crossings(std::uint32_t object, const Vec3& p) const {
    const std::size_t n = m_geometry.num_triangles(object);
    int odd = 0;
    for (const Vec3& dir : kParityDirs) {
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (crosses(m_geometry.triangle(object, static_cast<std::uint32_t>(i)), p, dir))
                ++count;
        }
        odd += static_cast<int>(count % 2);
    }
    return odd;
}

std::optional<std::uint32_t> FreeSpace::solid_at(const Vec3& p) const {
    for (std::uint32_t o = 0; o < m_bounds.size(); ++o) {
        if (m_shell == o || !m_bounds[o].contains(p))
            continue;
        const int odd = odd_crossings(o, p);
        const bool inside = m_watertight[o] ? 2 * odd > kParityRays : odd == kParityRays;
        if (inside)
            return o;
    }
    return std::nullopt;
}

bool FreeSpace::is_free(const Vec3& p, double clearance) const {
    if (solid_at(p))
        return false;
    if (clearance <= 0)
        return true;
    for (const Vec3& d : kClearanceDirs) {
        const rt::RayHit hit = m_geometry.intersect(p, d, 0, clearance);
        if (hit.hit && hit.t < clearance)
            return false;
    }
    return true;
}

std::string FreeSpace::describe(std::uint32_t object) const {
    const scene::Scene& scene = m_geometry.scene();
    const scene::Mesh& mesh = scene.meshes[object];
    std::vector<std::uint32_t> used;
    for (std::uint32_t m : mesh.material) {
        if (std::find(used.begin(), used.end(), m) == used.end())
            used.push_back(m);
    }
    std::string materials;
    for (std::size_t i = 0; i < used.size() && i < 3; ++i)
        materials += (i ? ", " : "") + scene.materials[used[i]].name;
    if (used.size() > 3)
        materials += fmt::format(" and {} more", used.size() - 3);
    return fmt::format("'{}' (material{} {})", mesh.name, used.size() > 1 ? "s" : "", materials);
}

scene::Bounds drawing_region(const scene::Scene& scene) {
    scene::Bounds b = scene.bounds();
    if (!(b.lo.x <= b.hi.x))
        fail("scene '{}' has no geometry; add an object or give --region", scene.name);
    const double horizontal = std::max(b.size().x, b.size().y);
    if (b.size().z <= 1e-6 * std::max(1.0, horizontal))
        b.hi.z = b.lo.z + std::max(3.0, 0.1 * horizontal);
    return b;
}

scene::Bounds acceptance_region(const scene::Scene& scene) {
    scene::Bounds b = drawing_region(scene);
    const Vec3 s = b.size();
    const double margin = std::max({10.0, s.x, s.y, s.z});
    b.lo.x -= margin;
    b.lo.y -= margin;
    b.hi.x += margin;
    b.hi.y += margin;
    b.hi.z += margin;
    return b;
}

void require_free_position(const FreeSpace& space,
                           const Vec3& p,
                           const scene::Bounds& region,
                           const std::string& what,
                           const std::string& fix) {
    if (!region.contains(p)) {
        fail(
            "{} ({}, {}, {}) is outside the region of interest ({}); {}, or widen the region "
            "with --region x0,y0,z0,x1,y1,z1",
            what, p.x, p.y, p.z, format_bounds(region), fix);
    }
    if (const auto object = space.solid_at(p)) {
        fail("{} ({}, {}, {}) is inside an object, {}; {}", what, p.x, p.y, p.z,
             space.describe(*object), fix);
    }
}

}  // namespace radiofield::sim
