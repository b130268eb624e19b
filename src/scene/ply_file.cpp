// PLY meshes (Paul Bourke's format, as Mitsuba and Sionna RT write them): ascii,
// binary_little_endian and binary_big_endian; vertex x/y/z of any numeric type; faces as
// "vertex_indices" or "vertex_index" lists (polygons fan-triangulated); every other element
// and property (normals, uv, colours, edges...) is read past and dropped.

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "io_common.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;

namespace {

enum class PlyType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

std::optional<PlyType> ply_type(std::string_view s) {
    if (s == "char" || s == "int8")
        return PlyType::Int8;
    if (s == "uchar" || s == "uint8")
        return PlyType::UInt8;
    if (s == "short" || s == "int16")
        return PlyType::Int16;
    if (s == "ushort" || s == "uint16")
        return PlyType::UInt16;
    if (s == "int" || s == "int32")
        return PlyType::Int32;
    if (s == "uint" || s == "uint32")
        return PlyType::UInt32;
    if (s == "float" || s == "float32")
        return PlyType::Float32;
    if (s == "double" || s == "float64")
        return PlyType::Float64;
    return std::nullopt;
}

std::size_t type_size(PlyType t) {
    switch (t) {
        case PlyType::Int8:
        case PlyType::UInt8:
            return 1;
        case PlyType::Int16:
        case PlyType::UInt16:
            return 2;
        case PlyType::Int32:
        case PlyType::UInt32:
        case PlyType::Float32:
            return 4;
        case PlyType::Float64:
            return 8;
    }
    return 1;
}

struct PlyProperty {
    std::string name;
    PlyType type = PlyType::Float32;
    bool is_list = false;
    PlyType count_type = PlyType::UInt8;
};

struct PlyElement {
    std::string name;
    std::size_t count = 0;
    std::vector<PlyProperty> properties;
};

enum class PlyFormat { Ascii, BinaryLittle, BinaryBig };

struct PlyHeader {
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    std::size_t body_offset = 0;
};

PlyHeader parse_header(const std::string& data) {
    PlyHeader h;
    std::size_t pos = 0, line = 0;
    bool have_format = false;
    while (true) {
        const std::size_t eol = data.find('\n', pos);
        if (eol == std::string::npos)
            fail("the header has no 'end_header' line; the file is truncated or not PLY");
        std::string text = data.substr(pos, eol - pos);
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        pos = eol + 1;
        ++line;
        std::istringstream ls(text);
        std::string kw;
        ls >> kw;
        if (line == 1) {
            if (kw != "ply")
                fail("not a PLY file: the first line must be 'ply'");
            continue;
        }
        if (kw == "end_header")
            break;
        if (kw.empty() || kw == "comment" || kw == "obj_info")
            continue;
        if (kw == "format") {
            std::string f, version;
            ls >> f >> version;
            if (f == "ascii")
                h.format = PlyFormat::Ascii;
            else if (f == "binary_little_endian")
                h.format = PlyFormat::BinaryLittle;
            else if (f == "binary_big_endian")
                h.format = PlyFormat::BinaryBig;
            else
                fail(
                    "header line {}: unknown format '{}': use ascii, binary_little_endian or "
                    "binary_big_endian",
                    line, f);
            have_format = true;
        } else if (kw == "element") {
            PlyElement e;
            long long count = -1;
            if (!(ls >> e.name >> count) || count < 0)
                fail("header line {}: bad element line '{}'", line, text);
            e.count = static_cast<std::size_t>(count);
            h.elements.push_back(std::move(e));
        } else if (kw == "property") {
            if (h.elements.empty())
                fail("header line {}: property before any element", line);
            PlyProperty p;
            std::string t;
            ls >> t;
            if (t == "list") {
                std::string ct, it;
                ls >> ct >> it >> p.name;
                const auto c = ply_type(ct), i = ply_type(it);
                if (!c || !i || p.name.empty())
                    fail("header line {}: bad list property '{}'", line, text);
                p.is_list = true;
                p.count_type = *c;
                p.type = *i;
            } else {
                const auto ty = ply_type(t);
                ls >> p.name;
                if (!ty || p.name.empty())
                    fail("header line {}: bad property '{}' (unknown type '{}'?)", line, text, t);
                p.type = *ty;
            }
            h.elements.back().properties.push_back(std::move(p));
        } else {
            fail("header line {}: unknown keyword '{}'", line, kw);
        }
    }
    if (!have_format)
        fail("the header has no 'format' line");
    h.body_offset = pos;
    return h;
}

// Reads the body value by value (ascii tokens or binary fields) as doubles.
class PlyBody {
public:
    PlyBody(const std::string& data, std::size_t offset, PlyFormat format)
        : m_data(data), m_pos(offset), m_format(format) {}

    void set_context(const std::string& element, std::size_t item, std::size_t count) {
        m_element = &element;
        m_item = item;
        m_count = count;
    }

    double next(PlyType t) {
        if (m_format == PlyFormat::Ascii)
            return next_ascii();
        const std::size_t n = type_size(t);
        if (m_pos + n > m_data.size())
            truncated();
        unsigned char b[8];
        std::memcpy(b, m_data.data() + m_pos, n);
        m_pos += n;
        const bool swap =
            (m_format == PlyFormat::BinaryBig) != (std::endian::native == std::endian::big);
        if (swap)
            std::reverse(b, b + n);
        switch (t) {
            case PlyType::Int8: {
                std::int8_t v;
                std::memcpy(&v, b, 1);
                return v;
            }
            case PlyType::UInt8:
                return b[0];
            case PlyType::Int16: {
                std::int16_t v;
                std::memcpy(&v, b, 2);
                return v;
            }
            case PlyType::UInt16: {
                std::uint16_t v;
                std::memcpy(&v, b, 2);
                return v;
            }
            case PlyType::Int32: {
                std::int32_t v;
                std::memcpy(&v, b, 4);
                return v;
            }
            case PlyType::UInt32: {
                std::uint32_t v;
                std::memcpy(&v, b, 4);
                return v;
            }
            case PlyType::Float32: {
                float v;
                std::memcpy(&v, b, 4);
                return v;
            }
            case PlyType::Float64: {
                double v;
                std::memcpy(&v, b, 8);
                return v;
            }
        }
        return 0;
    }

    std::size_t remaining() const { return m_data.size() - m_pos; }

private:
    double next_ascii() {
        while (m_pos < m_data.size() && std::isspace(static_cast<unsigned char>(m_data[m_pos])))
            ++m_pos;
        if (m_pos >= m_data.size())
            truncated();
        std::size_t end = m_pos;
        while (end < m_data.size() && !std::isspace(static_cast<unsigned char>(m_data[end])))
            ++end;
        const std::string_view tok(m_data.data() + m_pos, end - m_pos);
        m_pos = end;
        double v = 0;
        if (!detail::parse_double(tok, v)) {
            fail("'{}' is not a number (element '{}', item {} of {})", tok, *m_element, m_item,
                 m_count);
        }
        return v;
    }

    [[noreturn]] void truncated() const {
        fail("truncated: the data ends in element '{}' at item {} of the {} the header promises",
             *m_element, m_item, m_count);
    }

    const std::string& m_data;
    std::size_t m_pos;
    PlyFormat m_format;
    const std::string* m_element = nullptr;
    std::size_t m_item = 0, m_count = 0;
};

std::size_t min_item_bytes(const PlyElement& e) {
    std::size_t n = 0;
    for (const auto& p : e.properties)
        n += type_size(p.is_list ? p.count_type : p.type);
    return n;
}

Mesh parse_ply(const std::string& data) {
    const PlyHeader h = parse_header(data);
    const PlyElement* vertex_el = nullptr;
    for (const auto& e : h.elements)
        if (e.name == "vertex")
            vertex_el = &e;
    if (!vertex_el)
        fail("no 'vertex' element in the header");
    int xyz[3] = {-1, -1, -1};
    for (std::size_t i = 0; i < vertex_el->properties.size(); ++i) {
        const auto& p = vertex_el->properties[i];
        for (int k = 0; k < 3; ++k)
            if (!p.is_list && p.name == std::string(1, "xyz"[k]))
                xyz[k] = static_cast<int>(i);
    }
    for (int k = 0; k < 3; ++k)
        if (xyz[k] < 0)
            fail("element 'vertex' has no property '{}'", "xyz"[k]);
    const std::size_t num_vertices = vertex_el->count;

    Mesh mesh;
    bool have_faces = false;
    PlyBody body(data, h.body_offset, h.format);
    std::vector<double> row;
    std::vector<std::uint32_t> corners;
    for (const auto& e : h.elements) {
        const std::size_t min_bytes = h.format == PlyFormat::Ascii ? 1 : min_item_bytes(e);
        if (e.properties.empty())
            continue;
        if (e.count > body.remaining() / min_bytes + 1) {
            fail(
                "truncated: the header promises {} items of element '{}' but the file is only {} "
                "bytes",
                e.count, e.name, data.size());
        }
        const bool is_vertex = &e == vertex_el;
        int face_list = -1;
        if (e.name == "face") {
            for (std::size_t i = 0; i < e.properties.size(); ++i) {
                const auto& p = e.properties[i];
                if (p.is_list && (p.name == "vertex_indices" || p.name == "vertex_index"))
                    face_list = static_cast<int>(i);
            }
            if (face_list < 0)
                fail("element 'face' has no list property 'vertex_indices' or 'vertex_index'");
            have_faces = true;
        }
        if (is_vertex)
            mesh.vertices.reserve(e.count);
        for (std::size_t item = 0; item < e.count; ++item) {
            body.set_context(e.name, item, e.count);
            row.assign(e.properties.size(), 0.0);
            for (std::size_t pi = 0; pi < e.properties.size(); ++pi) {
                const auto& p = e.properties[pi];
                if (!p.is_list) {
                    row[pi] = body.next(p.type);
                    continue;
                }
                const double n = body.next(p.count_type);
                if (n < 0 || n != std::floor(n))
                    fail("element '{}' item {}: bad list length {}", e.name, item, n);
                // Each entry takes at least a byte, so a longer list cannot be in the file
                // (and a float count such as 1e30 must not reach the size_t below).
                if (n > static_cast<double>(body.remaining())) {
                    fail(
                        "element '{}' item {}: list length {} is more than the {} bytes left in "
                        "the file (truncated or corrupted)",
                        e.name, item, n, body.remaining());
                }
                const bool wanted = static_cast<int>(pi) == face_list;
                if (wanted)
                    corners.clear();
                for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k) {
                    const double v = body.next(p.type);
                    if (!wanted)
                        continue;
                    if (v < 0 || v >= static_cast<double>(num_vertices) || v != std::floor(v)) {
                        fail(
                            "face {} refers to vertex {}, but the file has {} vertices (valid: "
                            "0..{})",
                            item, v, num_vertices, num_vertices == 0 ? 0 : num_vertices - 1);
                    }
                    corners.push_back(static_cast<std::uint32_t>(v));
                }
                if (wanted) {
                    if (corners.size() < 3)
                        fail("face {} has {} vertices; a face needs at least 3", item,
                             corners.size());
                    for (std::size_t k = 1; k + 1 < corners.size(); ++k) {  // fan triangulation
                        mesh.triangles.push_back({corners[0], corners[k], corners[k + 1]});
                    }
                }
            }
            if (is_vertex) {
                const Vec3 v{row[xyz[0]], row[xyz[1]], row[xyz[2]]};
                if (!is_finite(v))
                    fail("vertex {} is not finite ({}, {}, {})", item, v.x, v.y, v.z);
                mesh.vertices.push_back(v);
            }
        }
    }
    if (!have_faces)
        fail("no 'face' element: radiofield needs triangle meshes, not point clouds");
    mesh.material.assign(mesh.triangles.size(), 0);
    return mesh;
}

}  // namespace

Mesh read_ply(const fs::path& path) {
    const std::string data = detail::read_file_bytes(path, "PLY file");
    try {
        Mesh mesh = parse_ply(data);
        mesh.name = path.stem().string();
        return mesh;
    } catch (const Error& e) {
        fail("PLY file '{}': {}", path.string(), e.what());
    }
}

void write_ply(const Mesh& mesh, const fs::path& path) {
    AtomicOutput out(path);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        if (!f)
            fail("cannot create '{}': check the folder is writable", out.temp_path().string());
        f << "ply\nformat binary_little_endian 1.0\ncomment written by radiofield\n"
          << "element vertex " << mesh.vertices.size() << "\n"
          << "property double x\nproperty double y\nproperty double z\n"
          << "element face " << mesh.triangles.size() << "\n"
          << "property list uchar int vertex_indices\nend_header\n";
        auto put = [&](auto value) {
            unsigned char b[sizeof(value)];
            std::memcpy(b, &value, sizeof(value));
            if constexpr (std::endian::native == std::endian::big)
                std::reverse(b, b + sizeof(value));
            f.write(reinterpret_cast<const char*>(b), sizeof(value));
        };
        for (const Vec3& v : mesh.vertices) {
            put(v.x);
            put(v.y);
            put(v.z);
        }
        for (const Triangle& t : mesh.triangles) {
            put(static_cast<std::uint8_t>(3));
            for (std::uint32_t i : t)
                put(static_cast<std::int32_t>(i));
        }
        f.close();
        if (!f)
            fail("cannot write '{}': disk full or not writable", path.string());
    }
    out.commit();
}

}  // namespace radiofield::scene
