// Received-power maps of `radiofield predict` (docs/models.md, "Channel maps").
#include "power_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "radiofield/core/error.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/power_map.hpp"
#include "radiofield/scene/render.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::cli {
namespace fs = std::filesystem;
namespace {

constexpr double kRangeDb = 40;  // the picture's colours span at most this far below the top
constexpr const char* kQuantity =
    "mean over the spectrum grid of the station's linear spectrum (the datasets' unit, W), "
    "calibrated on the training receivers";

// A cell's side along an axis: the grid's step, or 0.5 m for a single value.
double step_of(const std::vector<double>& axis) {
    return axis.size() > 1 ? std::abs(axis[1] - axis[0]) : 0.5;
}

void write_picture(const PowerMapOutput& out,
                   const data::PowerMap& map,
                   const train::SceneData& scene,
                   const std::string& path) {
    std::string json;
    try {
        json = data::DatasetReader(scene.source()).header().scene_json;
    } catch (const Error& e) {
        fail("cannot draw '{}': {}", path, e.what());
    }
    if (json.empty())
        fail(
            "cannot draw '{}': '{}' embeds no scene to draw the map over; write the map as .h5, "
            "or make the data with radiofield simulate (it embeds the scene)",
            path, scene.source());
    const scene::Scene s = scene::scene_from_json_string(json, scene.source());
    double hi = -1e300, lo = 1e300;
    for (std::size_t i = 0; i < map.size(); ++i)
        hi = std::max(hi, map.dbm(i)), lo = std::min(lo, map.dbm(i));
    hi = std::ceil(hi);
    lo = std::max(hi - kRangeDb, std::min(std::floor(lo), hi - 1));
    scene::TopViewOptions o;
    o.title = fmt::format("{}: received power at z = {:.2f} m, {:.4g} GHz", out.model, map.z[0],
                          map.frequency_hz / 1e9);
    const double sx = step_of(map.x), sy = step_of(map.y);
    for (std::size_t j = 0; j < map.y.size(); ++j) {
        for (std::size_t i = 0; i < map.x.size(); ++i) {
            const double t = std::clamp((map.dbm(j * map.x.size() + i) - lo) / (hi - lo), 0.0, 1.0);
            o.cells.push_back({{map.x[i], map.y[j], map.z[0]},
                               sx,
                               sy,
                               data::colour_at(data::ColourMap::Viridis, t)});
        }
    }
    o.markers.push_back({map.station_position, {230, 40, 40}, 6, true});
    o.legend.push_back({"station", {230, 40, 40}, true});
    scene::ColourBar bar;
    bar.label = "received power, dBm (spectrum mean)";
    bar.lo = lo, bar.hi = hi;
    for (int k = 0; k < 256; ++k)
        bar.colours.push_back(data::colour_at(data::ColourMap::Viridis, k / 255.0));
    o.colour_bar = bar;
    scene::write_png(scene::render_top_view(s, o), path);
}

}  // namespace

void check_power_map_paths(const PowerMapOutput& out) {
    for (const auto& p : out.paths) {
        const auto ext = fs::path(p).extension().string();
        if (ext != ".png" && ext != ".h5")
            fail("--power-map must end in .png (a picture) or .h5 (the map), got '{}'", p);
        if (ext == ".png" && out.axes[2].size() != 1)
            fail(
                "--power-map '{}': a picture shows one height, and --grid asks {} heights; give "
                "Z as one value, or write the map as .h5",
                p, out.axes[2].size());
    }
}

void write_power_maps(const PowerMapOutput& out,
                      const torch::Tensor& power,
                      const train::SceneData& scene) {
    data::PowerMap map;
    map.x = out.axes[0], map.y = out.axes[1], map.z = out.axes[2];
    const auto p = power.to(torch::kCPU, torch::kFloat64).contiguous();
    map.power_w.assign(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
    const auto& c = scene.context;
    map.frequency_hz = c.frequency_hz, map.station_position = c.station_position;
    map.quantity = kQuantity;
    map.attrs = nlohmann::json{{"source", "radiofield predict"},
                               {"run", out.source},
                               {"model", out.model},
                               {"support", scene.source()}}
                    .dump();
    for (const auto& path : out.paths) {
        if (fs::path(path).extension() == ".png")
            write_picture(out, map, scene, path);
        else
            data::write_power_map(map, path, true);
    }
}

}  // namespace radiofield::cli
