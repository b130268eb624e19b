// Wavefront OBJ reading and the file helpers the scene readers share.
//
// OBJ is parsed here rather than with tinyobjloader: its 2.0.0rc10 only warns about face
// indices out of range and then reads vertex positions out of bounds while triangulating,
// so a malformed file could crash instead of giving one clear error.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "io_common.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;

namespace detail {

std::string read_file_bytes(const fs::path& path, std::string_view what) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        fail("cannot read {} '{}': no such file", what, path.string());
    if (fs::is_directory(path, ec))
        fail("cannot read {} '{}': it is a folder, not a file", what, path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail("cannot open {} '{}': check its permissions", what, path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

Mesh read_mesh_file(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (ext == ".ply")
        return read_ply(path);
    if (ext == ".obj")
        return read_obj(path);
    fail("mesh file '{}' has an unsupported extension '{}': use .ply or .obj", path.string(), ext);
}

fs::path relative_to(const fs::path& base_file, const std::string& path) {
    const fs::path p(path);
    if (p.is_absolute())
        return p;
    return base_file.parent_path() / p;
}

std::string file_safe(std::string_view name) {
    std::string out;
    for (char c : name) {
        const bool ok =
            std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        out += ok ? c : '_';
    }
    if (out.empty() || out == "." || out == "..")
        out = "object";
    return out;
}

std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        // Levenshtein distance, one row.
        std::vector<std::size_t> row(c.size() + 1);
        for (std::size_t j = 0; j <= c.size(); ++j)
            row[j] = j;
        for (std::size_t i = 1; i <= word.size(); ++i) {
            std::size_t diag = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= c.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min(
                    {row[j] + 1, row[j - 1] + 1, diag + (word[i - 1] == c[j - 1] ? 0 : 1)});
                diag = up;
            }
        }
        if (row[c.size()] < best_d) {
            best_d = row[c.size()];
            best = c;
        }
    }
    return best;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += sep;
        out += items[i];
    }
    return out;
}

}  // namespace detail

namespace {

// One face corner "v", "v/vt", "v//vn" or "v/vt/vn" → zero-based vertex index.
std::uint32_t obj_index(std::string_view token, std::size_t num_vertices, std::size_t line) {
    const std::string_view head = token.substr(0, token.find('/'));
    long long idx = 0;
    const auto [end, ec] = std::from_chars(head.data(), head.data() + head.size(), idx);
    if (ec != std::errc() || end != head.data() + head.size()) {
        fail("line {}: face corner '{}' is not a vertex index", line, token);
    }
    const long long n = static_cast<long long>(num_vertices);
    const long long zero_based = idx > 0 ? idx - 1 : n + idx;  // negative = relative to the end
    if (idx == 0 || zero_based < 0 || zero_based >= n) {
        fail("line {}: face index {} is out of range: {} vertices are defined before it", line, idx,
             n);
    }
    return static_cast<std::uint32_t>(zero_based);
}

}  // namespace

Mesh read_obj(const fs::path& path) {
    const std::string text = detail::read_file_bytes(path, "OBJ file");
    Mesh mesh;
    mesh.name = path.stem().string();
    try {
        std::istringstream in(text);
        std::string line_text;
        std::size_t line = 0;
        std::vector<std::uint32_t> corners;
        while (std::getline(in, line_text)) {
            ++line;
            std::istringstream ls(line_text);
            std::string kw;
            if (!(ls >> kw) || kw[0] == '#')
                continue;
            if (kw == "v") {
                std::string tok[3];
                if (!(ls >> tok[0] >> tok[1] >> tok[2]))
                    fail("line {}: 'v' needs three coordinates", line);
                double c[3];
                for (int k = 0; k < 3; ++k) {
                    if (!detail::parse_double(tok[k], c[k])) {
                        fail("line {}: vertex coordinate '{}' is not a number", line, tok[k]);
                    }
                    if (!std::isfinite(c[k])) {
                        fail("line {}: vertex {} has a non-finite coordinate '{}'", line,
                             mesh.vertices.size() + 1, tok[k]);
                    }
                }
                mesh.vertices.push_back({c[0], c[1], c[2]});
            } else if (kw == "f") {
                corners.clear();
                std::string tok;
                while (ls >> tok)
                    corners.push_back(obj_index(tok, mesh.vertices.size(), line));
                if (corners.size() < 3)
                    fail("line {}: a face needs at least 3 vertices, got {}", line, corners.size());
                for (std::size_t k = 1; k + 1 < corners.size(); ++k) {  // fan triangulation
                    mesh.triangles.push_back({corners[0], corners[k], corners[k + 1]});
                }
            }
            // vt, vn, o, g, s, usemtl, mtllib, l, p: not needed for radio geometry.
        }
    } catch (const Error& e) {
        fail("OBJ file '{}': {}", path.string(), e.what());
    }
    if (mesh.triangles.empty())
        fail("OBJ file '{}' has no faces: radiofield needs triangle meshes", path.string());
    mesh.material.assign(mesh.triangles.size(), 0);
    return mesh;
}

}  // namespace radiofield::scene
