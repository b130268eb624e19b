#pragma once
// Embree 3 wrappers for the ray tracer: an RAII device (errors go to our logger) and an
// RAII scene with one triangle geometry per scene::Mesh (geomID = mesh index, primID =
// triangle index). Embree works in float, so vertices are stored relative to the scene
// centre and every hit is re-solved in double against the exact triangle plane; normals
// come from the scene mesh in double, never from Embree's float Ng.

#include <embree3/rtcore.h>

#include <cstdint>
#include <span>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::rt {

// Owns an RTCDevice; its error callback logs through radiofield::log and remembers the
// last error so that construction failures can be thrown as Error.
class EmbreeDevice {
public:
    explicit EmbreeDevice(const char* config = nullptr);
    ~EmbreeDevice();
    EmbreeDevice(const EmbreeDevice&) = delete;
    EmbreeDevice& operator=(const EmbreeDevice&) = delete;
    RTCDevice get() const { return m_device; }

private:
    RTCDevice m_device = nullptr;
};

// A triangle in double precision, with what the tracer needs about it.
struct TriangleInfo {
    Vec3 v0, e1, e2;    // v0 and edges v1 − v0, v2 − v0 (exact scene coordinates)
    Vec3 normal;        // unit, right-hand rule
    double offset = 0;  // plane: dot(normal, x) = offset
    std::uint32_t material = 0;
    std::uint32_t plane_id = 0;  // connected coplanar patch (same id ⇒ same reflecting plane)
    // Every triangle on one geometric plane, facing either way, connected or not (normals
    // within 1e-5, offsets within 1e-3 m, as Sionna RT hashes planes): the candidate search
    // records chains of surfaces, and a path may reflect from any triangle of its surface.
    std::uint32_t surface_id = 0;
};

// A triangle of a surface, with its bounding box (for point location).
struct SurfaceMember {
    std::uint32_t object = 0, primitive = 0;
    Vec3 lo, hi;
};

struct RayHit {
    bool hit = false;
    double t = 0;  // exact distance along the (unit) ray direction
    Vec3 point;    // exact hit point (ray ∩ triangle plane, in double)
    Vec3 normal;   // unit geometric normal of the triangle (scene mesh, double)
    std::uint32_t object = 0, primitive = 0;
};

// One ray of a packet; `dir` must be unit length. Results are written to `result`.
struct PacketRay {
    Vec3 origin, dir;
    double tnear = 0, tfar = 1e300;
    RayHit result;
};

class EmbreeScene {
public:
    // Builds the BVH (robust, high quality). The scene must outlive this object.
    explicit EmbreeScene(const scene::Scene& scene);
    ~EmbreeScene();
    EmbreeScene(const EmbreeScene&) = delete;
    EmbreeScene& operator=(const EmbreeScene&) = delete;

    // Closest hit along origin + t·dir, t ∈ [tnear, tfar]; dir must be unit length.
    RayHit intersect(const Vec3& origin,
                     const Vec3& dir,
                     double tnear = 0,
                     double tfar = 1e300) const;
    // Whether anything lies strictly on the open segment a → b.
    bool occluded(const Vec3& a, const Vec3& b) const;
    // Closest hits of many rays through rtcIntersect16 packets (`coherent` for rays that
    // share an origin, e.g. primary rays from a source).
    void intersect_packets(std::span<PacketRay> rays, bool coherent = false) const;

    // Segment test between two points that may lie on scene surfaces: each endpoint with
    // a non-zero normal is pushed off its surface by epsilon() towards the other endpoint,
    // so the faces the segment starts and ends on never count as blockers.
    bool visible(const Vec3& a, const Vec3& normal_a, const Vec3& b, const Vec3& normal_b) const;
    // `p` (on a surface with unit `normal`) moved epsilon() to the side `dir` points to.
    Vec3 offset(const Vec3& p, const Vec3& normal, const Vec3& dir) const;
    // Offset used against float round-off, metres (scales with the scene's extent).
    double epsilon() const { return m_epsilon; }

    const TriangleInfo& triangle(std::uint32_t object, std::uint32_t primitive) const {
        return m_triangles[m_first[object] + primitive];
    }
    std::size_t num_objects() const { return m_first.size() - 1; }
    // The triangles of surface `id` in (object, primitive) order; the first one stands for
    // the surface in candidate chains.
    std::span<const SurfaceMember> surface(std::uint32_t id) const {
        return {m_members.data() + m_surface_first[id],
                m_surface_first[id + 1] - m_surface_first[id]};
    }
    std::size_t num_surfaces() const {
        return m_surface_first.empty() ? 0 : m_surface_first.size() - 1;
    }
    // The first triangle (in (object, primitive) order) of surface `id` that contains `p`
    // (a point on or within round-off of its plane), or nullptr.
    const SurfaceMember* surface_member_at(std::uint32_t id, const Vec3& p) const;
    std::size_t num_triangles(std::uint32_t object) const {
        return m_first[object + 1] - m_first[object];
    }
    const scene::Scene& scene() const { return m_scene; }
    // Raw Embree handle (benchmarks compare against plain rtcIntersect1).
    RTCScene handle() const { return m_handle; }
    // Shift subtracted from scene coordinates before they are handed to Embree.
    const Vec3& origin_shift() const { return m_shift; }

private:
    void build_triangles();
    void assign_plane_ids();
    void assign_surface_ids();
    RayHit resolve(const Vec3& origin,
                   const Vec3& dir,
                   std::uint32_t geom,
                   std::uint32_t prim) const;

    const scene::Scene& m_scene;
    EmbreeDevice m_device;
    RTCScene m_handle = nullptr;
    Vec3 m_shift;
    double m_epsilon = 1e-6;
    std::vector<std::size_t> m_first;  // triangle index of each object's first triangle
    std::vector<TriangleInfo> m_triangles;
    std::vector<std::size_t> m_surface_first;  // start of each surface in m_members
    std::vector<SurfaceMember> m_members;
};

// Barycentric containment of a point already on the triangle's plane, with a small
// tolerance so points on a shared edge belong to both triangles.
bool inside_triangle(const TriangleInfo& tri, const Vec3& p, double tolerance = 1e-9);

}  // namespace radiofield::rt
