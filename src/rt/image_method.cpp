// Image method for specular / transmission chains (see image_method.hpp).

#include "radiofield/rt/image_method.hpp"

#include <cmath>

#include "radiofield/rt/embree_scene.hpp"

namespace radiofield::rt {

namespace {

// The image method through `faces`' planes; `on_triangles`: each point must lie inside its
// triangle (else only on its plane).
std::optional<std::vector<Vec3>> solve_chain(const EmbreeScene& scene,
                                             const Vec3& src,
                                             std::span<const FaceRef> faces,
                                             const Vec3& dst,
                                             bool on_triangles) {
    const std::size_t k = faces.size();
    std::vector<Vec3> images(k + 1);  // images[j]: source seen through faces[0..j)
    images[0] = src;
    for (std::size_t j = 0; j < k; ++j) {
        const auto& tri = scene.triangle(faces[j].object, faces[j].primitive);
        images[j + 1] = faces[j].type == InteractionType::Specular
                            ? mirror(images[j], tri.normal, tri.offset)
                            : images[j];
    }
    // Parameter margin along each line: keeps points off the neighbouring planes.
    constexpr double kMargin = 1e-9;
    std::vector<Vec3> points(k);
    Vec3 target = dst;
    for (std::size_t jj = k; jj-- > 0;) {
        const auto& tri = scene.triangle(faces[jj].object, faces[jj].primitive);
        const Vec3& s = images[jj + 1];
        const Vec3 d = target - s;
        const double denom = dot(tri.normal, d);
        if (std::abs(denom) <= 1e-15 * norm(d))
            return std::nullopt;  // parallel to the plane
        // The line must cross the plane strictly between the image and the target: for a
        // reflection that puts the real previous point and the target on the same side, for
        // a transmission on opposite sides.
        const double t = (tri.offset - dot(tri.normal, s)) / denom;
        if (!(t > kMargin && t < 1 - kMargin))
            return std::nullopt;
        const Vec3 p = s + d * t;
        if (on_triangles && !inside_triangle(tri, p))
            return std::nullopt;
        points[jj] = p;
        target = p;
    }
    // The first segment must reach the first face from the source's side (already implied
    // by the crossing test) and no segment may be degenerate.
    for (std::size_t j = 0; j < k; ++j) {
        const Vec3& prev = j == 0 ? src : points[j - 1];
        if (norm(points[j] - prev) <= scene.epsilon())
            return std::nullopt;
    }
    if (k > 0 && norm(dst - points[k - 1]) <= scene.epsilon())
        return std::nullopt;
    return points;
}

}  // namespace

std::optional<std::vector<Vec3>> image_points(const EmbreeScene& scene,
                                              const Vec3& src,
                                              std::span<const FaceRef> faces,
                                              const Vec3& dst) {
    return solve_chain(scene, src, faces, dst, true);
}

std::optional<SurfacePath> surface_points(const EmbreeScene& scene,
                                          const Vec3& src,
                                          std::span<const FaceRef> faces,
                                          const Vec3& dst) {
    auto points = solve_chain(scene, src, faces, dst, false);
    if (!points)
        return std::nullopt;
    SurfacePath out;
    out.faces.assign(faces.begin(), faces.end());
    bool moved = false;
    for (std::size_t j = 0; j < faces.size(); ++j) {
        const auto& tri = scene.triangle(faces[j].object, faces[j].primitive);
        const SurfaceMember* m = scene.surface_member_at(tri.surface_id, (*points)[j]);
        if (!m)
            return std::nullopt;  // the plane is met outside every triangle of the surface
        if (m->object != faces[j].object || m->primitive != faces[j].primitive) {
            out.faces[j].object = m->object;
            out.faces[j].primitive = m->primitive;
            const auto& t = scene.triangle(m->object, m->primitive);
            // Another triangle of a surface lies on a plane within round-off of the named
            // one; solve on the exact planes unless they are the same.
            moved |= !(t.offset == tri.offset && t.normal.x == tri.normal.x &&
                       t.normal.y == tri.normal.y && t.normal.z == tri.normal.z) &&
                     !(t.offset == -tri.offset && t.normal.x == -tri.normal.x &&
                       t.normal.y == -tri.normal.y && t.normal.z == -tri.normal.z);
        }
    }
    if (moved) {
        points = solve_chain(scene, src, out.faces, dst, true);
        if (!points)
            return std::nullopt;
    }
    out.points = std::move(*points);
    return out;
}

bool chain_visible(const EmbreeScene& scene,
                   const Vec3& src,
                   std::span<const FaceRef> faces,
                   std::span<const Vec3> points,
                   const Vec3& dst) {
    Vec3 a = src, na{};
    for (std::size_t j = 0; j < faces.size(); ++j) {
        const Vec3& nb = scene.triangle(faces[j].object, faces[j].primitive).normal;
        if (!scene.visible(a, na, points[j], nb))
            return false;
        a = points[j];
        na = nb;
    }
    return scene.visible(a, na, dst, Vec3{});
}

FaceSequence reversed(std::span<const FaceRef> faces) {
    return FaceSequence(faces.rbegin(), faces.rend());
}

}  // namespace radiofield::rt
