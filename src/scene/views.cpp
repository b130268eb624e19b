// The views' pinhole camera, surface points and depth maps (.npy).
#include "radiofield/scene/views.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;

Vec3 ViewCamera::centre() const {
    return -(rotation.transposed() * translation);
}

Vec3 ViewCamera::forward() const {
    return {rotation(2, 0), rotation(2, 1), rotation(2, 2)};
}

Vec3 ViewCamera::ray_direction(double u, double v) const {
    const Vec3 cam{(u - cx) / fx, (v - cy) / fy, 1.0};
    return normalize(rotation.transposed() * cam);
}

void ViewCamera::validate() const {
    if (width <= 0 || height <= 0)
        fail("camera: width and height must be positive, got {}x{}", width, height);
    if (!(fx > 0) || !(fy > 0) || !std::isfinite(fx) || !std::isfinite(fy))
        fail("camera: focal lengths must be positive pixels, got fx={} fy={}", fx, fy);
    if (!std::isfinite(cx) || !std::isfinite(cy) || !is_finite(translation) ||
        !std::all_of(rotation.m.begin(), rotation.m.end(),
                     [](double x) { return std::isfinite(x); }))
        fail("camera: the pose and principal point must be finite numbers");
}

ViewCamera ViewCamera::look_at(
    const Vec3& eye, const Vec3& target, const Vec3& up, double fov_x_deg, int width, int height) {
    if (!(fov_x_deg > 0 && fov_x_deg < 180))
        fail("camera: field of view must lie in (0, 180) degrees, got {}", fov_x_deg);
    const Vec3 forward = target - eye, right = cross(forward, up);
    if (!(norm(forward) > 0) || !(norm(right) > 1e-12 * norm(forward) * norm(up)))
        fail("camera: eye and target must differ and up must not be parallel to the view");
    const Vec3 z = normalize(forward);
    const Vec3 x = normalize(right);  // right on screen (y down = −up)
    const Vec3 y = cross(z, x);
    ViewCamera cam;
    cam.rotation.m = {x.x, x.y, x.z, y.x, y.y, y.z, z.x, z.y, z.z};
    cam.translation = -(cam.rotation * eye);
    cam.width = width, cam.height = height;
    cam.fx = cam.fy = 0.5 * width / std::tan(0.5 * fov_x_deg * std::numbers::pi / 180.0);
    cam.cx = 0.5 * (width - 1), cam.cy = 0.5 * (height - 1);
    cam.validate();
    return cam;
}

std::array<std::uint8_t, 3> display_colour(const Material& material) {
    std::array<std::uint8_t, 3> c{};
    for (int i = 0; i < 3; ++i)
        c[i] =
            static_cast<std::uint8_t>(std::lround(std::clamp(material.colour[i], 0.f, 1.f) * 255));
    return c;
}

std::vector<SurfacePoint> sample_surface_points(const Scene& scene,
                                                std::size_t count,
                                                std::uint64_t seed) {
    // Cumulative area over every triangle of every mesh.
    std::vector<std::pair<std::size_t, std::size_t>> tris;  // (mesh, triangle)
    std::vector<double> cumulative;
    double total = 0;
    for (std::size_t m = 0; m < scene.meshes.size(); ++m) {
        for (std::size_t t = 0; t < scene.meshes[m].num_triangles(); ++t) {
            total += scene.meshes[m].area(t);
            tris.emplace_back(m, t);
            cumulative.push_back(total);
        }
    }
    std::vector<SurfacePoint> points;
    if (!(total > 0) || count == 0)
        return points;
    points.reserve(count);
    Rng rng(seed, 0x5157);
    for (std::size_t i = 0; i < count; ++i) {
        const double a = rng.uniform() * total;
        const std::size_t k = std::min<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), a) - cumulative.begin(),
            tris.size() - 1);
        const Mesh& mesh = scene.meshes[tris[k].first];
        const Triangle& tri = mesh.triangles[tris[k].second];
        // Uniform on the triangle: reflect (r1, r2) into the lower half of the unit square.
        double r1 = rng.uniform(), r2 = rng.uniform();
        if (r1 + r2 > 1)
            r1 = 1 - r1, r2 = 1 - r2;
        const Vec3 &v0 = mesh.vertices[tri[0]], &v1 = mesh.vertices[tri[1]],
                   &v2 = mesh.vertices[tri[2]];
        points.push_back({v0 + (v1 - v0) * r1 + (v2 - v0) * r2,
                          display_colour(scene.materials[mesh.material[tris[k].second]])});
    }
    return points;
}

// .npy format 1.0: magic, version, header length (uint16 LE), a Python dict literal padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
void write_depth_npy(const DepthMap& map, const fs::path& path) {
    if (map.width <= 0 || map.height <= 0 ||
        map.depth.size() != static_cast<std::size_t>(map.width) * map.height)
        fail("depth map {}: {}x{} does not match its {} values", path.string(), map.width,
             map.height, map.depth.size());
    std::string header = fmt::format(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", map.height, map.width);
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    AtomicOutput out(path);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        const char magic[] = "\x93NUMPY\x01\x00";
        f.write(magic, 8);
        const std::uint16_t len = static_cast<std::uint16_t>(header.size());
        const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
        f.write(len_bytes, 2);
        f.write(header.data(), static_cast<std::streamsize>(header.size()));
        // Little-endian hosts only (x86-64, aarch64), as everywhere in radiofield.
        f.write(reinterpret_cast<const char*>(map.depth.data()),
                static_cast<std::streamsize>(map.depth.size() * sizeof(float)));
        if (!f)
            fail("could not write the depth map {}: is the disk full?", path.string());
    }
    out.commit();
}

DepthMap read_depth_npy(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        fail("cannot open the depth map {}", path.string());
    char pre[10];
    f.read(pre, 10);
    if (!f || std::memcmp(pre, "\x93NUMPY", 6) != 0 || pre[6] != 1)
        fail("{} is not a NumPy .npy file of format 1.0", path.string());
    const std::size_t len = static_cast<unsigned char>(pre[8]) |
                            (static_cast<std::size_t>(static_cast<unsigned char>(pre[9])) << 8);
    std::string header(len, '\0');
    f.read(header.data(), static_cast<std::streamsize>(len));
    if (header.find("'descr': '<f4'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos)
        fail("{}: expected a little-endian float32 array in C order ('<f4', fortran_order False)",
             path.string());
    DepthMap map;
    const auto shape = header.find("'shape': (");
    if (shape == std::string::npos ||
        std::sscanf(header.c_str() + shape, "'shape': (%d, %d)", &map.height, &map.width) != 2 ||
        map.width <= 0 || map.height <= 0)
        fail("{}: expected a 2-D array (height, width), header {}", path.string(), header);
    map.depth.resize(static_cast<std::size_t>(map.width) * map.height);
    f.read(reinterpret_cast<char*>(map.depth.data()),
           static_cast<std::streamsize>(map.depth.size() * sizeof(float)));
    if (!f)
        fail("{}: the file ends before its {}x{} values", path.string(), map.height, map.width);
    return map;
}

}  // namespace radiofield::scene
