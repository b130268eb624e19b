// Embree 3 device and scene wrappers (see embree_scene.hpp).

#include "radiofield/rt/embree_scene.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"

namespace radiofield::rt {
namespace {

void embree_error(void* /*user*/, RTCError code, const char* message) {
    log::error("Embree error {}: {}", static_cast<int>(code), message ? message : "(no message)");
}

void fill_ray(RTCRay& ray, const Vec3& o, const Vec3& d, double tnear, double tfar) {
    ray.org_x = static_cast<float>(o.x);
    ray.org_y = static_cast<float>(o.y);
    ray.org_z = static_cast<float>(o.z);
    ray.dir_x = static_cast<float>(d.x);
    ray.dir_y = static_cast<float>(d.y);
    ray.dir_z = static_cast<float>(d.z);
    ray.tnear = static_cast<float>(tnear);
    ray.tfar = tfar > 3e38 ? std::numeric_limits<float>::infinity() : static_cast<float>(tfar);
    ray.time = 0;
    ray.mask = 0xFFFFFFFFu;
    ray.id = 0;
    ray.flags = 0;
}

// Exact-bit key of an undirected edge, for finding triangles that share it.
struct EdgeKey {
    std::array<std::uint64_t, 6> bits;
    bool operator==(const EdgeKey&) const = default;
};
struct EdgeHash {
    std::size_t operator()(const EdgeKey& k) const {
        std::uint64_t h = 1469598103934665603ull;
        for (auto b : k.bits)
            h = (h ^ b) * 1099511628211ull + (h >> 29);
        return static_cast<std::size_t>(h);
    }
};
std::array<std::uint64_t, 3> vertex_bits(const Vec3& v) {
    auto b = [](double x) { return std::bit_cast<std::uint64_t>(x == 0.0 ? 0.0 : x); };
    return {b(v.x), b(v.y), b(v.z)};
}
EdgeKey edge_key(const Vec3& a, const Vec3& b) {
    auto ka = vertex_bits(a), kb = vertex_bits(b);
    if (kb < ka)
        std::swap(ka, kb);
    return {{ka[0], ka[1], ka[2], kb[0], kb[1], kb[2]}};
}

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t i) {
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

}  // namespace

EmbreeDevice::EmbreeDevice(const char* config) {
    m_device = rtcNewDevice(config);
    if (!m_device)
        fail(
            "Embree device creation failed (error {}); check that libembree3 matches the "
            "headers and the CPU supports SSE2",
            static_cast<int>(rtcGetDeviceError(nullptr)));
    rtcSetDeviceErrorFunction(m_device, embree_error, nullptr);
}

EmbreeDevice::~EmbreeDevice() {
    if (m_device)
        rtcReleaseDevice(m_device);
}

EmbreeScene::EmbreeScene(const scene::Scene& scene) : m_scene(scene) {
    build_triangles();
    assign_plane_ids();
    assign_surface_ids();

    m_handle = rtcNewScene(m_device.get());
    rtcSetSceneFlags(m_handle, RTC_SCENE_FLAG_ROBUST);
    rtcSetSceneBuildQuality(m_handle, RTC_BUILD_QUALITY_HIGH);
    for (std::size_t o = 0; o < scene.meshes.size(); ++o) {
        const auto& mesh = scene.meshes[o];
        if (mesh.triangles.empty())
            continue;
        RTCGeometry geom = rtcNewGeometry(m_device.get(), RTC_GEOMETRY_TYPE_TRIANGLE);
        auto* v = static_cast<float*>(rtcSetNewGeometryBuffer(geom, RTC_BUFFER_TYPE_VERTEX, 0,
                                                              RTC_FORMAT_FLOAT3, 3 * sizeof(float),
                                                              mesh.vertices.size()));
        for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
            const Vec3 p = mesh.vertices[i] - m_shift;
            v[3 * i] = static_cast<float>(p.x);
            v[3 * i + 1] = static_cast<float>(p.y);
            v[3 * i + 2] = static_cast<float>(p.z);
        }
        auto* idx = static_cast<unsigned*>(
            rtcSetNewGeometryBuffer(geom, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3,
                                    3 * sizeof(unsigned), mesh.triangles.size()));
        for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
            for (int k = 0; k < 3; ++k)
                idx[3 * t + k] = mesh.triangles[t][k];
        rtcCommitGeometry(geom);
        rtcAttachGeometryByID(m_handle, geom, static_cast<unsigned>(o));
        rtcReleaseGeometry(geom);  // the scene holds its own reference
    }
    rtcCommitScene(m_handle);
    if (const RTCError e = rtcGetDeviceError(m_device.get()); e != RTC_ERROR_NONE)
        fail("building the Embree scene for '{}' failed (error {}); see the log above", scene.name,
             static_cast<int>(e));
}

EmbreeScene::~EmbreeScene() {
    if (m_handle)
        rtcReleaseScene(m_handle);
}

void EmbreeScene::build_triangles() {
    if (m_scene.meshes.size() >= (1u << 30))
        fail("scene '{}' has {} objects; the tracer supports at most 2^30", m_scene.name,
             m_scene.meshes.size());
    Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
    m_first.assign(1, 0);
    for (const auto& mesh : m_scene.meshes) {
        for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
            const auto& tri = mesh.triangles[t];
            for (auto i : tri)
                if (i >= mesh.vertices.size())
                    fail("mesh '{}' triangle {} indexes vertex {} of {}", mesh.name, t, i,
                         mesh.vertices.size());
            TriangleInfo info;
            info.v0 = mesh.vertices[tri[0]];
            info.e1 = mesh.vertices[tri[1]] - info.v0;
            info.e2 = mesh.vertices[tri[2]] - info.v0;
            const Vec3 n = cross(info.e1, info.e2);
            const double len = norm(n);
            info.normal = len > 0 ? n / len : Vec3{};
            info.offset = dot(info.normal, info.v0);
            info.material = t < mesh.material.size() ? mesh.material[t] : 0;
            m_triangles.push_back(info);
        }
        for (const auto& v : mesh.vertices) {
            lo = min(lo, v);
            hi = max(hi, v);
        }
        m_first.push_back(m_triangles.size());
    }
    if (m_triangles.empty())
        return;
    m_shift = (lo + hi) * 0.5;
    const Vec3 size = hi - lo;
    // Float vertices carry ~6e-8 relative error; 1e-6 of the extent leaves a wide margin.
    m_epsilon = 1e-6 * std::max({1.0, size.x, size.y, size.z});
}

void EmbreeScene::assign_plane_ids() {
    // Union-find over triangles that share an edge (bit-identical vertex positions) and
    // lie on the same oriented plane: the planar faces a path may reflect from once.
    std::vector<std::size_t> parent(m_triangles.size());
    std::iota(parent.begin(), parent.end(), 0);
    std::unordered_map<EdgeKey, std::vector<std::size_t>, EdgeHash> edges;
    for (std::size_t g = 0; g < m_triangles.size(); ++g) {
        const auto& t = m_triangles[g];
        const Vec3 v[3] = {t.v0, t.v0 + t.e1, t.v0 + t.e2};
        for (int k = 0; k < 3; ++k)
            edges[edge_key(v[k], v[(k + 1) % 3])].push_back(g);
    }
    const double tol = m_epsilon * 1e-3;
    for (const auto& [key, tris] : edges) {
        for (std::size_t i = 0; i < tris.size(); ++i)
            for (std::size_t j = i + 1; j < tris.size(); ++j) {
                const auto& a = m_triangles[tris[i]];
                const auto& b = m_triangles[tris[j]];
                if (dot(a.normal, b.normal) < 1 - 1e-9)
                    continue;
                if (std::abs(dot(a.normal, b.v0) - a.offset) > tol ||
                    std::abs(dot(a.normal, b.v0 + b.e1) - a.offset) > tol ||
                    std::abs(dot(a.normal, b.v0 + b.e2) - a.offset) > tol)
                    continue;
                parent[find_root(parent, tris[i])] = find_root(parent, tris[j]);
            }
    }
    // Ids numbered by first appearance, so they do not depend on hash order.
    std::vector<std::uint32_t> id(m_triangles.size(), UINT32_MAX);
    std::uint32_t next = 0;
    for (std::size_t g = 0; g < m_triangles.size(); ++g) {
        const std::size_t r = find_root(parent, g);
        if (id[r] == UINT32_MAX)
            id[r] = next++;
        m_triangles[g].plane_id = id[r];
    }
}

void EmbreeScene::assign_surface_ids() {
    // Planes as Sionna RT hashes them: the normal turned to a canonical facing and rounded
    // to 1e-5, the offset along it within 1e-3 m. Triangles sorted by (rounded normal,
    // offset) and cut where the rounded normal changes or the offset jumps by more.
    constexpr double kNormalStep = 1e-5, kOffsetTol = 1e-3, kFlip = 1e-4;
    struct Key {
        std::array<long long, 3> n;
        double offset;
        std::size_t index;
    };
    std::vector<Key> keys(m_triangles.size());
    for (std::size_t g = 0; g < m_triangles.size(); ++g) {
        Vec3 n = m_triangles[g].normal;
        const bool flip = n.z < -kFlip || (std::abs(n.z) <= kFlip &&
                                           (n.y < -kFlip || (std::abs(n.y) <= kFlip && n.x < 0)));
        if (flip)
            n = -n;
        keys[g] = {{std::llround(n.x / kNormalStep), std::llround(n.y / kNormalStep),
                    std::llround(n.z / kNormalStep)},
                   dot(n, m_triangles[g].v0),
                   g};
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
        if (a.n != b.n)
            return a.n < b.n;
        return a.offset != b.offset ? a.offset < b.offset : a.index < b.index;
    });
    // Group, then number the groups by their first triangle so that ids follow the scene.
    std::vector<std::size_t> group(m_triangles.size());
    std::vector<std::size_t> group_first;  // smallest triangle index of each group
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const bool zero = keys[k].n == std::array<long long, 3>{0, 0, 0};  // degenerate
        if (k == 0 || zero || keys[k].n != keys[k - 1].n ||
            keys[k].offset - keys[k - 1].offset > kOffsetTol)
            group_first.push_back(keys[k].index);
        group[keys[k].index] = group_first.size() - 1;
        group_first.back() = std::min(group_first.back(), keys[k].index);
    }
    std::vector<std::size_t> order(group_first.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return group_first[a] < group_first[b]; });
    std::vector<std::uint32_t> id_of(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        id_of[order[i]] = static_cast<std::uint32_t>(i);
    std::vector<std::size_t> count(order.size() + 1, 0);
    for (std::size_t g = 0; g < m_triangles.size(); ++g) {
        m_triangles[g].surface_id = id_of[group[g]];
        ++count[m_triangles[g].surface_id + 1];
    }
    m_surface_first.assign(order.size() + 1, 0);
    for (std::size_t i = 0; i < order.size(); ++i)
        m_surface_first[i + 1] = m_surface_first[i] + count[i + 1];
    m_members.resize(m_triangles.size());
    std::vector<std::size_t> fill(m_surface_first.begin(), m_surface_first.end() - 1);
    for (std::uint32_t o = 0; o + 1 < m_first.size(); ++o)  // (object, primitive) order
        for (std::size_t g = m_first[o]; g < m_first[o + 1]; ++g) {
            const auto& t = m_triangles[g];
            const Vec3 v1 = t.v0 + t.e1, v2 = t.v0 + t.e2;
            m_members[fill[t.surface_id]++] = {o, static_cast<std::uint32_t>(g - m_first[o]),
                                               min(t.v0, min(v1, v2)), max(t.v0, max(v1, v2))};
        }
}

const SurfaceMember* EmbreeScene::surface_member_at(std::uint32_t id, const Vec3& p) const {
    const double tol = m_epsilon;
    for (const SurfaceMember& m : surface(id)) {
        if (p.x < m.lo.x - tol || p.y < m.lo.y - tol || p.z < m.lo.z - tol || p.x > m.hi.x + tol ||
            p.y > m.hi.y + tol || p.z > m.hi.z + tol)
            continue;
        if (inside_triangle(triangle(m.object, m.primitive), p))
            return &m;
    }
    return nullptr;
}

RayHit EmbreeScene::resolve(const Vec3& origin,
                            const Vec3& dir,
                            std::uint32_t geom,
                            std::uint32_t prim) const {
    RayHit h;
    h.hit = true;
    h.object = geom;
    h.primitive = prim;
    const auto& tri = triangle(geom, prim);
    h.normal = tri.normal;
    const double dn = dot(tri.normal, dir);
    h.t = (tri.offset - dot(tri.normal, origin)) / dn;  // exact plane intersection
    h.point = origin + dir * h.t;
    return h;
}

RayHit EmbreeScene::intersect(const Vec3& origin,
                              const Vec3& dir,
                              double tnear,
                              double tfar) const {
    RTCIntersectContext ctx;
    rtcInitIntersectContext(&ctx);
    RTCRayHit rh;
    fill_ray(rh.ray, origin - m_shift, dir, tnear, tfar);
    rh.hit.geomID = RTC_INVALID_GEOMETRY_ID;
    rh.hit.instID[0] = RTC_INVALID_GEOMETRY_ID;
    rtcIntersect1(m_handle, &ctx, &rh);
    if (rh.hit.geomID == RTC_INVALID_GEOMETRY_ID)
        return {};
    RayHit h = resolve(origin, dir, rh.hit.geomID, rh.hit.primID);
    if (!std::isfinite(h.t)) {  // ray parallel to the plane: keep Embree's distance
        h.t = rh.ray.tfar;
        h.point = origin + dir * h.t;
    }
    return h;
}

bool EmbreeScene::occluded(const Vec3& a, const Vec3& b) const {
    RTCIntersectContext ctx;
    rtcInitIntersectContext(&ctx);
    RTCRay ray;
    fill_ray(ray, a - m_shift, b - a, 0.0, 1.0);
    rtcOccluded1(m_handle, &ctx, &ray);
    return ray.tfar == -std::numeric_limits<float>::infinity();
}

void EmbreeScene::intersect_packets(std::span<PacketRay> rays, bool coherent) const {
    RTCIntersectContext ctx;
    rtcInitIntersectContext(&ctx);
    if (coherent)
        ctx.flags = RTC_INTERSECT_CONTEXT_FLAG_COHERENT;
    alignas(64) int valid[16];
    alignas(64) RTCRayHit16 rh;
    for (std::size_t base = 0; base < rays.size(); base += 16) {
        const std::size_t n = std::min<std::size_t>(16, rays.size() - base);
        for (std::size_t k = 0; k < 16; ++k) {
            valid[k] = k < n ? -1 : 0;
            if (k >= n)
                continue;
            const PacketRay& r = rays[base + k];
            RTCRay one;
            fill_ray(one, r.origin - m_shift, r.dir, r.tnear, r.tfar);
            rh.ray.org_x[k] = one.org_x;
            rh.ray.org_y[k] = one.org_y;
            rh.ray.org_z[k] = one.org_z;
            rh.ray.dir_x[k] = one.dir_x;
            rh.ray.dir_y[k] = one.dir_y;
            rh.ray.dir_z[k] = one.dir_z;
            rh.ray.tnear[k] = one.tnear;
            rh.ray.tfar[k] = one.tfar;
            rh.ray.time[k] = 0;
            rh.ray.mask[k] = 0xFFFFFFFFu;
            rh.ray.id[k] = 0;
            rh.ray.flags[k] = 0;
            rh.hit.geomID[k] = RTC_INVALID_GEOMETRY_ID;
            rh.hit.instID[0][k] = RTC_INVALID_GEOMETRY_ID;
        }
        rtcIntersect16(valid, m_handle, &ctx, &rh);
        for (std::size_t k = 0; k < n; ++k) {
            PacketRay& r = rays[base + k];
            if (rh.hit.geomID[k] == RTC_INVALID_GEOMETRY_ID) {
                r.result = {};
                continue;
            }
            r.result = resolve(r.origin, r.dir, rh.hit.geomID[k], rh.hit.primID[k]);
            if (!std::isfinite(r.result.t)) {
                r.result.t = rh.ray.tfar[k];
                r.result.point = r.origin + r.dir * r.result.t;
            }
        }
    }
}

Vec3 EmbreeScene::offset(const Vec3& p, const Vec3& normal, const Vec3& dir) const {
    return p + normal * (dot(normal, dir) >= 0 ? m_epsilon : -m_epsilon);
}

bool EmbreeScene::visible(const Vec3& a,
                          const Vec3& normal_a,
                          const Vec3& b,
                          const Vec3& normal_b) const {
    const Vec3 d = b - a;
    const Vec3 pa = dot(normal_a, normal_a) > 0 ? offset(a, normal_a, d) : a;
    const Vec3 pb = dot(normal_b, normal_b) > 0 ? offset(b, normal_b, -d) : b;
    return !occluded(pa, pb);
}

bool inside_triangle(const TriangleInfo& tri, const Vec3& p, double tolerance) {
    const Vec3 w = p - tri.v0;
    const double d00 = dot(tri.e1, tri.e1), d01 = dot(tri.e1, tri.e2), d11 = dot(tri.e2, tri.e2);
    const double d20 = dot(w, tri.e1), d21 = dot(w, tri.e2);
    const double denom = d00 * d11 - d01 * d01;
    if (denom <= 0)
        return false;
    const double v = (d11 * d20 - d01 * d21) / denom;
    const double u = (d00 * d21 - d01 * d20) / denom;
    return v >= -tolerance && u >= -tolerance && v + u <= 1 + tolerance;
}

}  // namespace radiofield::rt
