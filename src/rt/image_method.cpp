// Image method for specular / transmission chains (see image_method.hpp).

#include "radiofield/rt/image_method.hpp"

#include <cmath>

#include "radiofield/rt/embree_scene.hpp"

namespace radiofield::rt {

std::optional<std::vector<Vec3>> image_points(const EmbreeScene& scene,
                                              const Vec3& src,
                                              std::span<const FaceRef> faces,
                                              const Vec3& dst) {
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
        if (!inside_triangle(tri, p))
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
