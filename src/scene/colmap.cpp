// COLMAP text models: read with errors naming the file and line, written so that they read
// back exactly (fmt's shortest round-trip formatting of doubles).
#include "radiofield/scene/colmap.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <string_view>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;
namespace {

// Parameters each supported camera model has, and how many of them come before distortion.
struct ModelInfo {
    const char* name;
    std::size_t params;
    bool single_focal;  // f cx cy ... rather than fx fy cx cy ...
};
constexpr ModelInfo kModels[] = {
    {"SIMPLE_PINHOLE", 3, true}, {"PINHOLE", 4, false}, {"SIMPLE_RADIAL", 4, true},
    {"RADIAL", 5, true},         {"OPENCV", 8, false},  {"FULL_OPENCV", 12, false},
};

const ModelInfo* find_model(std::string_view name) {
    for (const auto& m : kModels)
        if (name == m.name)
            return &m;
    return nullptr;
}

std::string model_names() {
    std::string s;
    for (const auto& m : kModels)
        s += (s.empty() ? "" : ", ") + std::string(m.name);
    return s;
}

// One data line of a model file, split on whitespace, that knows where it came from.
class Line {
public:
    Line(const fs::path& file, int number, std::string_view text) : m_file(file), m_number(number) {
        std::size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
                ++i;
            const std::size_t start = i;
            while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
                ++i;
            if (i > start)
                m_tokens.emplace_back(text.substr(start, i - start));
        }
    }
    std::size_t size() const { return m_tokens.size(); }
    const std::string& token(std::size_t i) const { return m_tokens.at(i); }

    template <typename... Args>
    [[noreturn]] void error(fmt::format_string<Args...> f, Args&&... a) const {
        fail("{} line {}: {}", m_file.string(), m_number, fmt::format(f, std::forward<Args>(a)...));
    }
    void need(std::size_t n, std::string_view what) const {
        if (m_tokens.size() < n)
            error("expected {}, found {} value{}", what, m_tokens.size(),
                  m_tokens.size() == 1 ? "" : "s");
    }
    template <typename T>
    T number(std::size_t i, std::string_view what) const {
        const std::string& s = m_tokens.at(i);
        T value{};
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec != std::errc() || end != s.data() + s.size())
            error("{} '{}' is not a valid number", what, s);
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(value))
                error("{} '{}' is not finite", what, s);
        }
        return value;
    }

private:
    const fs::path& m_file;
    int m_number;
    std::vector<std::string> m_tokens;
};

// The lines of a file with their numbers; `keep_blank` keeps empty lines (images.txt's
// keypoint line may be empty), comments are always dropped.
std::vector<std::pair<int, std::string>> read_lines(const fs::path& file) {
    std::ifstream f(file);
    if (!f)
        fail("cannot open {}: a COLMAP text model needs cameras.txt, images.txt and points3D.txt",
             file.string());
    std::vector<std::pair<int, std::string>> lines;
    std::string line;
    for (int n = 1; std::getline(f, line); ++n) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.emplace_back(n, line);
    }
    return lines;
}

bool is_skipped(const std::string& line) {
    const auto first = line.find_first_not_of(" \t");
    return first == std::string::npos || line[first] == '#';
}

std::vector<ColmapCamera> read_cameras(const fs::path& file) {
    std::vector<ColmapCamera> cameras;
    for (const auto& [n, text] : read_lines(file)) {
        if (is_skipped(text))
            continue;
        const Line line(file, n, text);
        line.need(4, "CAMERA_ID MODEL WIDTH HEIGHT PARAMS[]");
        ColmapCamera cam;
        cam.id = line.number<std::uint32_t>(0, "CAMERA_ID");
        cam.model = line.token(1);
        const ModelInfo* info = find_model(cam.model);
        if (!info)
            line.error(
                "camera model {} is not supported; use one of {} (undistort other models "
                "with colmap image_undistorter)",
                cam.model, model_names());
        cam.width = line.number<int>(2, "WIDTH");
        cam.height = line.number<int>(3, "HEIGHT");
        if (cam.width <= 0 || cam.height <= 0)
            line.error("image size {}x{} must be positive", cam.width, cam.height);
        if (line.size() != 4 + info->params)
            line.error("camera model {} has {} parameters, found {}", cam.model, info->params,
                       line.size() - 4);
        for (std::size_t i = 4; i < line.size(); ++i)
            cam.params.push_back(line.number<double>(i, "camera parameter"));
        const auto f = cam.focal_and_centre();
        if (!(f[0] > 0) || !(f[1] > 0))
            line.error("focal length must be positive, got {} {}", f[0], f[1]);
        if (std::any_of(cameras.begin(), cameras.end(), [&](auto& c) { return c.id == cam.id; }))
            line.error("camera id {} appears twice", cam.id);
        cameras.push_back(std::move(cam));
    }
    return cameras;
}

std::vector<ColmapImage> read_images(const fs::path& file) {
    std::vector<ColmapImage> images;
    const auto lines = read_lines(file);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (is_skipped(lines[i].second))
            continue;
        const Line line(file, lines[i].first, lines[i].second);
        line.need(10, "IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME");
        if (line.size() > 10)
            line.error(
                "expected 10 values (IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME), found "
                "{}; image names with spaces are not supported",
                line.size());
        ColmapImage img;
        img.id = line.number<std::uint32_t>(0, "IMAGE_ID");
        img.qw = line.number<double>(1, "QW");
        img.qx = line.number<double>(2, "QX");
        img.qy = line.number<double>(3, "QY");
        img.qz = line.number<double>(4, "QZ");
        img.translation = {line.number<double>(5, "TX"), line.number<double>(6, "TY"),
                           line.number<double>(7, "TZ")};
        img.camera_id = line.number<std::uint32_t>(8, "CAMERA_ID");
        img.name = line.token(9);
        const double qn =
            std::sqrt(img.qw * img.qw + img.qx * img.qx + img.qy * img.qy + img.qz * img.qz);
        if (std::abs(qn - 1) > 1e-3)
            line.error("the quaternion (QW QX QY QZ) must have unit length, has {}", qn);
        if (std::any_of(images.begin(), images.end(), [&](auto& m) { return m.id == img.id; }))
            line.error("image id {} appears twice", img.id);
        // The keypoint line follows directly (it may be empty); a missing one is allowed at
        // the end of the file.
        if (i + 1 < lines.size()) {
            ++i;
            const Line points(file, lines[i].first, lines[i].second);
            if (points.size() % 3 != 0)
                points.error(
                    "the keypoint line of image {} must hold triples X Y POINT3D_ID, "
                    "found {} values",
                    img.id, points.size());
            for (std::size_t k = 0; k < points.size(); k += 3) {
                img.keypoints.push_back({points.number<double>(k, "X"),
                                         points.number<double>(k + 1, "Y"),
                                         points.number<std::int64_t>(k + 2, "POINT3D_ID")});
            }
        }
        images.push_back(std::move(img));
    }
    return images;
}

std::vector<ColmapPoint> read_points(const fs::path& file) {
    std::vector<ColmapPoint> points;
    for (const auto& [n, text] : read_lines(file)) {
        if (is_skipped(text))
            continue;
        const Line line(file, n, text);
        line.need(8, "POINT3D_ID X Y Z R G B ERROR TRACK[]");
        if ((line.size() - 8) % 2 != 0)
            line.error("the track must hold pairs IMAGE_ID POINT2D_IDX, found {} values",
                       line.size() - 8);
        ColmapPoint p;
        p.id = line.number<std::uint64_t>(0, "POINT3D_ID");
        p.position = {line.number<double>(1, "X"), line.number<double>(2, "Y"),
                      line.number<double>(3, "Z")};
        for (int c = 0; c < 3; ++c) {
            const int v = line.number<int>(4 + c, "colour");
            if (v < 0 || v > 255)
                line.error("colour value {} must lie in 0..255", v);
            p.colour[c] = static_cast<std::uint8_t>(v);
        }
        p.error = line.number<double>(7, "ERROR");
        for (std::size_t k = 8; k < line.size(); k += 2)
            p.track.push_back({line.number<std::uint32_t>(k, "IMAGE_ID"),
                               line.number<std::uint32_t>(k + 1, "POINT2D_IDX")});
        points.push_back(std::move(p));
    }
    return points;
}

template <typename Fill>
void write_text(const fs::path& path, Fill fill) {
    AtomicOutput out(path);
    {
        std::ofstream f(out.temp_path());
        fill(f);
        if (!f)
            fail("could not write {}: is the disk full?", path.string());
    }
    out.commit();
}

}  // namespace

std::array<double, 4> ColmapCamera::focal_and_centre() const {
    const ModelInfo* info = find_model(model);
    if (!info || params.size() < info->params)
        fail("camera {}: model {} with {} parameters is not supported (use one of {})", id, model,
             params.size(), model_names());
    if (info->single_focal)
        return {params[0], params[0], params[1], params[2]};
    return {params[0], params[1], params[2], params[3]};
}

bool ColmapCamera::has_distortion() const {
    const ModelInfo* info = find_model(model);
    const std::size_t first = info && info->single_focal ? 3 : 4;
    for (std::size_t i = first; i < params.size(); ++i)
        if (params[i] != 0)
            return true;
    return false;
}

Mat3 ColmapImage::rotation() const {
    return Quat{qx, qy, qz, qw}.to_matrix();
}

Vec3 ColmapImage::centre() const {
    return -(rotation().transposed() * translation);
}

const ColmapCamera& ColmapModel::camera(std::uint32_t id) const {
    for (const auto& c : cameras)
        if (c.id == id)
            return c;
    fail("COLMAP model: no camera with id {} ({} cameras in cameras.txt)", id, cameras.size());
}

std::vector<ViewCamera> ColmapModel::views() const {
    std::vector<ViewCamera> views;
    views.reserve(images.size());
    for (const auto& img : images) {
        const ColmapCamera& cam = camera(img.camera_id);
        const auto [fx, fy, cx, cy] = cam.focal_and_centre();
        ViewCamera v;
        v.rotation = img.rotation();
        v.translation = img.translation;
        v.fx = fx, v.fy = fy;
        v.cx = cx - 0.5, v.cy = cy - 0.5;  // COLMAP's pixel centres are at c + 0.5
        v.width = cam.width, v.height = cam.height;
        views.push_back(v);
    }
    return views;
}

ColmapModel make_colmap_model(const std::vector<ViewCamera>& views,
                              const std::vector<std::string>& names,
                              const std::vector<SurfacePoint>& points) {
    if (names.size() != views.size())
        fail("make_colmap_model: {} views but {} names", views.size(), names.size());
    ColmapModel model;
    for (std::size_t i = 0; i < views.size(); ++i) {
        const ViewCamera& v = views[i];
        v.validate();
        const std::vector<double> params{v.fx, v.fy, v.cx + 0.5, v.cy + 0.5};
        auto it = std::find_if(model.cameras.begin(), model.cameras.end(), [&](auto& c) {
            return c.width == v.width && c.height == v.height && c.params == params;
        });
        if (it == model.cameras.end()) {
            model.cameras.push_back({static_cast<std::uint32_t>(model.cameras.size() + 1),
                                     "PINHOLE", v.width, v.height, params});
            it = model.cameras.end() - 1;
        }
        ColmapImage img;
        img.id = static_cast<std::uint32_t>(i + 1);
        const Quat q = Quat::from_matrix(v.rotation);
        const double sign = q.w < 0 ? -1 : 1;  // COLMAP writes qw ≥ 0
        img.qw = sign * q.w, img.qx = sign * q.x, img.qy = sign * q.y, img.qz = sign * q.z;
        img.translation = v.translation;
        img.camera_id = it->id;
        img.name = names[i];
        model.images.push_back(std::move(img));
    }
    for (std::size_t i = 0; i < points.size(); ++i)
        model.points.push_back({i + 1, points[i].position, points[i].colour, 0.0, {}});
    return model;
}

ColmapModel read_colmap_text(const fs::path& folder) {
    fs::path dir = folder;
    if (!fs::exists(dir / "cameras.txt") && fs::exists(dir / "sparse" / "0" / "cameras.txt"))
        dir = dir / "sparse" / "0";
    if (!fs::is_directory(dir))
        fail("COLMAP model folder {} does not exist", folder.string());
    ColmapModel model;
    model.cameras = read_cameras(dir / "cameras.txt");
    model.images = read_images(dir / "images.txt");
    model.points = read_points(dir / "points3D.txt");
    for (const auto& img : model.images) {
        if (std::none_of(model.cameras.begin(), model.cameras.end(),
                         [&](auto& c) { return c.id == img.camera_id; }))
            fail("{}: image {} ({}) names camera {}, which {} does not define",
                 (dir / "images.txt").string(), img.id, img.name, img.camera_id,
                 (dir / "cameras.txt").string());
    }
    for (const auto& cam : model.cameras) {
        if (cam.has_distortion())
            log::warn(
                "COLMAP camera {} ({}): its lens distortion is ignored; undistort the "
                "images (colmap image_undistorter) for exact poses",
                cam.id, cam.model);
    }
    return model;
}

void write_colmap_text(const ColmapModel& model, const fs::path& folder) {
    write_text(folder / "cameras.txt", [&](std::ostream& f) {
        f << "# Camera list with one line of data per camera:\n"
             "#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n"
          << fmt::format("# Number of cameras: {}\n", model.cameras.size());
        for (const auto& c : model.cameras)
            f << fmt::format("{} {} {} {} {}\n", c.id, c.model, c.width, c.height,
                             fmt::join(c.params, " "));
    });
    write_text(folder / "images.txt", [&](std::ostream& f) {
        f << "# Image list with two lines of data per image:\n"
             "#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n"
             "#   POINTS2D[] as (X, Y, POINT3D_ID)\n"
          << fmt::format("# Number of images: {}\n", model.images.size());
        for (const auto& m : model.images) {
            f << fmt::format("{} {} {} {} {} {} {} {} {} {}\n", m.id, m.qw, m.qx, m.qy, m.qz,
                             m.translation.x, m.translation.y, m.translation.z, m.camera_id,
                             m.name);
            std::string keypoints;
            for (const auto& k : m.keypoints)
                keypoints +=
                    fmt::format("{}{} {} {}", keypoints.empty() ? "" : " ", k.x, k.y, k.point3d_id);
            f << keypoints << '\n';
        }
    });
    write_text(folder / "points3D.txt", [&](std::ostream& f) {
        f << "# 3D point list with one line of data per point:\n"
             "#   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n"
          << fmt::format("# Number of points: {}\n", model.points.size());
        for (const auto& p : model.points) {
            f << fmt::format("{} {} {} {} {} {} {} {}", p.id, p.position.x, p.position.y,
                             p.position.z, p.colour[0], p.colour[1], p.colour[2], p.error);
            for (const auto& t : p.track)
                f << fmt::format(" {} {}", t.image_id, t.point2d_index);
            f << '\n';
        }
    });
}

}  // namespace radiofield::scene
