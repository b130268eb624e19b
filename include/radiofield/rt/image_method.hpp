#pragma once
// Image method: the exact path through a given chain of triangles. The source is mirrored
// across each reflecting face's plane in turn (transmissions leave it in place); the path
// is then traced back from the destination, intersecting each line with the face's plane
// and requiring the point to lie inside that triangle and between its two neighbours.

#include <optional>
#include <span>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/candidates.hpp"

namespace radiofield::rt {

class EmbreeScene;

// Mirror image of `p` across the plane dot(n, x) = offset (n unit).
inline Vec3 mirror(const Vec3& p, const Vec3& n, double offset) {
    return p - n * (2 * (dot(n, p) - offset));
}

// Interaction points of src → faces → dst, one per face, or nullopt when the chain is not
// a geometric path: a point outside its triangle (barycentric tolerance 1e-9), a reflection
// from the wrong side, a transmission that does not cross the plane, or two consecutive
// points on one plane. Visibility is not checked here.
std::optional<std::vector<Vec3>> image_points(const EmbreeScene& scene,
                                              const Vec3& src,
                                              std::span<const FaceRef> faces,
                                              const Vec3& dst);

// The exact path through a chain of surfaces (EmbreeScene::surface), each named by any of
// its triangles — as find_candidates() returns them: the image method on the named
// triangles' planes, each point assigned to the first triangle of its surface that contains
// it, then (where that is another triangle) solved again on those triangles by
// image_points(). Visibility is not checked here.
struct SurfacePath {
    FaceSequence faces;  // the triangles the path meets
    std::vector<Vec3> points;
};
std::optional<SurfacePath> surface_points(const EmbreeScene& scene,
                                          const Vec3& src,
                                          std::span<const FaceRef> faces,
                                          const Vec3& dst);

// Whether every segment of src → points → dst is free of obstacles; the faces a segment
// starts or ends on are excluded by pushing its ends off them (EmbreeScene::visible).
bool chain_visible(const EmbreeScene& scene,
                   const Vec3& src,
                   std::span<const FaceRef> faces,
                   std::span<const Vec3> points,
                   const Vec3& dst);

// The chain with the order of its faces reversed (the same path seen from the other end).
FaceSequence reversed(std::span<const FaceRef> faces);

}  // namespace radiofield::rt
