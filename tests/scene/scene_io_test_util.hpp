#pragma once
// Helpers for the scene-file tests: a temporary folder per test, file writers, and a check
// that a call throws exactly one radiofield::Error whose message holds given phrases.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene::test {

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() /
                 ("radiofield-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary);
    f << bytes;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// The first fenced code block of `language` in a Markdown text ("" if none).
inline std::string code_block(const std::string& markdown, const std::string& language) {
    const std::string fence = "```" + language + "\n";
    const auto start = markdown.find(fence);
    if (start == std::string::npos)
        return "";
    const auto body = start + fence.size();
    return markdown.substr(body, markdown.find("```", body) - body);
}

// Binary little-endian PLY the way Blender / Sionna export it: float x y z, normals and uv,
// faces as "vertex_indices" with a uchar count and int indices.
inline std::string sionna_style_ply(const std::vector<Vec3>& verts,
                                    const std::vector<std::vector<int>>& faces) {
    std::string s =
        "ply\nformat binary_little_endian 1.0\ncomment Created by Blender\nelement vertex " +
        std::to_string(verts.size()) +
        "\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\n"
        "property float ny\nproperty float nz\nproperty float s\nproperty float t\n"
        "element face " +
        std::to_string(faces.size()) + "\nproperty list uchar int vertex_indices\nend_header\n";
    auto put = [&s](auto v) { s.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
    for (const Vec3& v : verts) {
        for (float c : {float(v.x), float(v.y), float(v.z), 0.f, 0.f, 1.f, 0.25f, 0.75f})
            put(c);
    }
    for (const auto& f : faces) {
        put(static_cast<unsigned char>(f.size()));
        for (int i : f)
            put(static_cast<std::int32_t>(i));
    }
    return s;
}

// Runs `f`, expects a radiofield::Error and returns its message; fails the test if nothing
// (or another exception type) is thrown, or if a phrase is missing from the message.
inline std::string expect_error(const std::function<void()>& f,
                                const std::vector<std::string>& phrases) {
    try {
        f();
    } catch (const radiofield::Error& e) {
        const std::string msg = e.what();
        for (const auto& p : phrases)
            EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' missing in: " << msg;
        return msg;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected radiofield::Error, got another exception: " << e.what();
        return "";
    }
    ADD_FAILURE() << "expected radiofield::Error, nothing was thrown";
    return "";
}

// Geometry and materials equal, exactly.
inline void expect_same_geometry(const Mesh& a, const Mesh& b) {
    EXPECT_EQ(a.name, b.name);
    ASSERT_EQ(a.vertices.size(), b.vertices.size()) << a.name;
    for (std::size_t i = 0; i < a.vertices.size(); ++i)
        EXPECT_EQ(a.vertices[i], b.vertices[i]) << a.name << " v" << i;
    EXPECT_EQ(a.triangles, b.triangles) << a.name;
    EXPECT_EQ(a.material, b.material) << a.name;
}

inline void expect_same_material(const Material& a, const Material& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.itu_type, b.itu_type) << a.name;
    EXPECT_EQ(a.bands.size(), b.bands.size()) << a.name;
    EXPECT_EQ(a.eps_r, b.eps_r) << a.name;
    EXPECT_EQ(a.sigma, b.sigma) << a.name;
    EXPECT_EQ(a.eps_r_scale, b.eps_r_scale) << a.name;
    EXPECT_EQ(a.sigma_scale, b.sigma_scale) << a.name;
    EXPECT_EQ(a.scattering_coefficient, b.scattering_coefficient) << a.name;
    EXPECT_EQ(a.xpd_coefficient, b.xpd_coefficient) << a.name;
    EXPECT_EQ(a.scattering_pattern, b.scattering_pattern) << a.name;
    EXPECT_EQ(a.alpha_r, b.alpha_r) << a.name;
    EXPECT_EQ(a.alpha_i, b.alpha_i) << a.name;
    EXPECT_EQ(a.lambda_, b.lambda_) << a.name;
    EXPECT_EQ(a.thickness, b.thickness) << a.name;
    EXPECT_EQ(a.colour, b.colour) << a.name;
}

// A small scene with awkward numbers: an ITU and a custom material with non-default
// parameters, a two-material object, and devices with arrays.
inline Scene make_io_test_scene() {
    Scene s;
    s.name = "io_test";
    s.description = "two walls and a box";
    s.frequency_hz = 3.5e9;
    Material concrete = itu_material("concrete");
    concrete.scattering_coefficient = 0.3;
    concrete.thickness = 0.2;
    concrete.eps_r_scale = 1.3;
    concrete.sigma_scale = 1.3;
    concrete.colour = {0.1f, 0.7f, 0.33f};
    Material paint = custom_material("wall_paint", 3.5, 0.02);
    paint.scattering_pattern = ScatteringPattern::Backscattering;
    paint.alpha_r = 3;
    paint.alpha_i = 2;
    paint.lambda_ = 0.6;
    paint.xpd_coefficient = 0.1;
    s.materials = {concrete, paint};
    Mesh floor;
    floor.name = "floor";
    floor.vertices = {{0, 0, 0}, {10.1, 0, 0}, {10.1, 7.3, 0}, {0, 7.3, 1.0 / 3.0}};
    floor.triangles = {{0, 1, 2}, {0, 2, 3}};
    floor.material = {0, 0};
    Mesh box;
    box.name = "box";
    box.vertices = {{1, 1, 0}, {2, 1, 0.1}, {2, 2, 0.7}, {1, 2, 0.2}, {1.5, 1.5, 1e-7}};
    box.triangles = {{0, 1, 2}, {0, 2, 3}, {1, 2, 4}};
    box.material = {0, 1, 1};
    s.meshes = {floor, box};
    Device tx;
    tx.name = "tx";
    tx.position = {1.25, 2.5, 2.9};
    tx.orientation = {0.1, -0.2, 0.3};
    tx.array = {4, 4, 0.0428, 0.0428, Antenna(PatternKind::Tr38901, Polarization::Cross)};
    Device rx;
    rx.name = "rx";
    rx.position = {8, 5, 1.5};
    s.transmitters = {tx};
    s.receivers = {rx};
    return s;
}

}  // namespace radiofield::scene::test
