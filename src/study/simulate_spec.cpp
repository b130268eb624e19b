// Simulate settings of a study dataset → sim::SimulationConfig + sim::PositionSpec, with the
// defaults of `radiofield simulate`.
#include "simulate_spec.hpp"

#include <cctype>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::study {
using nlohmann::json;
namespace {

std::vector<double> numbers(const json& s,
                            const char* key,
                            std::size_t n,
                            const std::string& where) {
    const auto v = get_or<std::vector<double>>(s, key, {}, where);
    if (v.size() != n)
        fail("{}: \"{}\" must be a list of {} numbers (got {})", where, key, n, s.at(key).dump());
    return v;
}

Vec3 vec3(const json& s, const char* key, const std::string& where) {
    const auto v = numbers(s, key, 3, where);
    return {v[0], v[1], v[2]};
}

// "90x360" → (90, 360).
std::pair<int, int> size2(const json& s,
                          const char* key,
                          const char* fallback,
                          const std::string& where) {
    const std::string text = get_or<std::string>(s, key, fallback, where);
    const auto x = text.find('x');
    try {
        if (x == std::string::npos)
            throw std::invalid_argument(text);
        return {std::stoi(text.substr(0, x)), std::stoi(text.substr(x + 1))};
    } catch (const std::exception&) {
        fail("{}: \"{}\" must look like \"{}\" (got '{}')", where, key, fallback, text);
    }
}

}  // namespace

double parse_frequency(const json& value, const std::string& where) {
    if (value.is_number())
        return value.get<double>();
    if (!value.is_string())
        fail("{}: \"frequency\" must be a number of Hz or a string such as \"915MHz\"", where);
    const std::string text = value.get<std::string>();
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        fail("{}: cannot read the frequency '{}' (e.g. \"915MHz\", \"2.412GHz\", 915e6)", where,
             text);
    }
    std::string unit;
    for (char c : text.substr(used)) {
        if (!std::isspace(static_cast<unsigned char>(c)))
            unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (unit.empty() || unit == "hz")
        return v;
    if (unit == "khz")
        return v * 1e3;
    if (unit == "mhz")
        return v * 1e6;
    if (unit == "ghz")
        return v * 1e9;
    if (unit == "thz")
        return v * 1e12;
    fail("{}: unknown frequency unit in '{}' (Hz, kHz, MHz, GHz, THz)", where, text);
}

SimulationPlan plan_simulation(const json& s, const std::string& where) {
    SimulationPlan p;
    p.scene = scene::resolve_scene(get_or<std::string>(s, "scene", "", where));
    p.seed = get_or<std::uint64_t>(s, "seed", 0, where);
    auto& c = p.config;
    c.frequency_hz =
        s.contains("frequency") ? parse_frequency(s.at("frequency"), where) : p.scene.frequency_hz;
    c.kind = data::parse_dataset_kind(get_or<std::string>(s, "kind", "spectrum", where));
    c.moving = get_or<std::string>(s, "moving", "tx", where);
    if (s.contains("station"))
        c.station_position = vec3(s, "station", where);
    if (s.contains("station_orientation")) {
        const Vec3 d = vec3(s, "station_orientation", where);
        c.station_orientation = Vec3{deg2rad(d.x), deg2rad(d.y), deg2rad(d.z)};
    }
    const auto [rows, cols] = size2(s, "array", "4x4", where);
    c.array = {rows, cols, get_or<double>(s, "array_spacing", 0.0, where)};
    const auto [n_el, n_az] = size2(s, "grid", "90x360", where);
    c.grid.n_el = n_el;
    c.grid.n_az = n_az;
    c.grid.step_deg = std::min(90.0 / n_el, 360.0 / n_az);
    c.grid.el0_deg = c.grid.step_deg;
    const std::string method = get_or<std::string>(s, "method", "bartlett", where);
    if (method == "bartlett") {
        c.method = sim::SpectrumMethod::Bartlett;
    } else if (method == "binned") {
        c.method = sim::SpectrumMethod::Binned;
    } else {
        fail("{}: \"method\" must be bartlett or binned (got '{}')", where, method);
    }
    c.spectrum = get_or<std::string>(s, "spectrum", "", where);
    if (c.spectrum.empty()) {
        c.spectrum = sim::default_spectrum_convention(p.scene, c, c.frequency_hz);
    } else {
        data::check_spectrum_convention(c.spectrum, where + ": \"spectrum\"");
    }
    c.grid.az0_deg = sim::default_azimuth_origin(c.spectrum, c.grid.step_deg);
    c.noise.phase_std_rad = get_or<double>(s, "phase_noise", 0.0, where);
    c.noise.snr_db = get_or<double>(s, "snr", std::numeric_limits<double>::infinity(), where);
    c.noise.seed = p.seed;
    c.kernel_deg = get_or<double>(s, "kernel", 2.0, where);
    if (s.contains("db_range")) {
        const auto r = numbers(s, "db_range", 2, where);
        c.db_range = std::array<double, 2>{r[0], r[1]};
    }
    c.trace.max_depth = get_or<int>(s, "max_depth", 3, where);
    c.trace.samples_per_source =
        get_or<std::size_t>(s, "samples", rt::TraceOptions{}.samples_per_source, where);
    c.trace.diffuse = get_or<bool>(s, "diffuse", false, where);
    c.trace.transmission = get_or<bool>(s, "transmission", false, where);
    c.trace.los = !get_or<bool>(s, "no_los", false, where);
    c.trace.slab_reflection = get_or<bool>(s, "slab_reflection", false, where);
    c.trace.seed = p.seed;
    c.seed = p.seed;
    if (s.contains("split")) {
        const auto f = numbers(s, "split", 3, where);
        c.split = {f[0], f[1], f[2]};
    }
    c.extrapolate = get_or<bool>(s, "extrapolate", false, where);
    c.polarization =
        scene::polarization_from_string(get_or<std::string>(s, "polarization", "V", where));
    c.validate();

    auto& ps = p.positions;
    const std::string mode = get_or<std::string>(s, "positions", "random", where);
    if (mode == "random") {
        ps.mode = sim::PositionSpec::Mode::Random;
    } else if (mode == "grid") {
        ps.mode = sim::PositionSpec::Mode::Grid;
    } else if (mode == "csv") {
        ps.mode = sim::PositionSpec::Mode::Csv;
        ps.csv = get_or<std::string>(s, "csv", "", where);
        if (ps.csv.empty())
            fail("{}: \"positions\": \"csv\" needs \"csv\": FILE", where);
        ps.csv = std::filesystem::absolute(ps.csv);
    } else {
        fail("{}: \"positions\" must be random, grid or csv (got '{}')", where, mode);
    }
    ps.count = get_or<std::size_t>(s, "count", 1000, where);
    ps.spacing = get_or<double>(s, "spacing", 0.25, where);
    if (s.contains("height"))
        ps.height = get_or<double>(s, "height", 0.0, where);
    if (s.contains("region")) {
        const auto r = numbers(s, "region", 6, where);
        scene::Bounds b;
        b.lo = {r[0], r[1], r[2]};
        b.hi = {r[3], r[4], r[5]};
        ps.region = b;
    }
    if (s.contains("z_range")) {
        const auto z = numbers(s, "z_range", 2, where);
        ps.z_range = std::pair{z[0], z[1]};
    }
    ps.clearance = get_or<double>(s, "clearance", 0.1, where);
    return p;
}

}  // namespace radiofield::study
