// Scene contexts (train/run_config.hpp): how they read and write as JSON, describe
// themselves in messages and agree with each other. No LibTorch.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "context_json.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/train/run_config.hpp"

namespace radiofield::train {
namespace {

nlohmann::json vec_json(const Vec3& v) {
    return {v.x, v.y, v.z};
}

Vec3 vec_from(const nlohmann::json& j, const char* key) {
    const auto& a = j.at(key);
    if (!a.is_array() || a.size() != 3)
        fail("scene context: '{}' must be [x, y, z], got {}", key, a.dump());
    return {a[0].get<double>(), a[1].get<double>(), a[2].get<double>()};
}

bool same_station(const SceneContext& a, const SceneContext& b) {
    if (norm(a.station_position - b.station_position) > 1e-6)
        return false;
    const Quat &p = a.station_orientation, &q = b.station_orientation;
    const double dot = p.x * q.x + p.y * q.y + p.z * q.z + p.w * q.w;  // q and −q are one rotation
    return std::abs(std::abs(dot) - 1.0) < 1e-9;
}

}  // namespace

std::string_view to_string(ContextField field) {
    switch (field) {
        case ContextField::Frequency:
            return "frequency";
        case ContextField::Grid:
            return "spectrum grid";
        case ContextField::Station:
            return "station";
        case ContextField::Moving:
            return "moving end";
        case ContextField::Convention:
            return "spectrum convention";
    }
    return "?";
}

std::string SceneContext::describe(ContextField field) const {
    switch (field) {
        case ContextField::Frequency:
            return fmt::format("{:.6g} Hz", frequency_hz);
        case ContextField::Grid:
            return fmt::format("{}x{} (elevation from {} deg, azimuth from {} deg, step {} deg)",
                               grid.n_el, grid.n_az, grid.el0_deg, grid.az0_deg, grid.step_deg);
        case ContextField::Station: {
            const Quat& q = station_orientation;
            return fmt::format(
                "at ({:.4g}, {:.4g}, {:.4g}) m, orientation ({:.4g}, {:.4g}, {:.4g}, {:.4g})",
                station_position.x, station_position.y, station_position.z, q.x, q.y, q.z, q.w);
        }
        case ContextField::Moving:
            return moving;
        case ContextField::Convention:
            return db_range ? fmt::format("{} ({:g} .. {:g} dB)", convention, (*db_range)[0],
                                          (*db_range)[1])
                            : convention;
    }
    return "?";
}

bool SceneContext::agrees(const SceneContext& other, ContextField field) const {
    switch (field) {
        case ContextField::Frequency:
            return std::abs(frequency_hz - other.frequency_hz) <=
                   1e-9 * std::max(1.0, std::abs(frequency_hz));
        case ContextField::Grid:
            return grid == other.grid;
        case ContextField::Station:
            return same_station(*this, other);
        case ContextField::Moving:
            return moving == other.moving;
        case ContextField::Convention:
            return convention == other.convention && db_range == other.db_range;
    }
    return false;
}

nlohmann::json SceneContext::to_json() const {
    const Quat& q = station_orientation;
    nlohmann::json j = {{"source", source},
                        {"frequency_hz", frequency_hz},
                        {"grid",
                         {{"n_el", grid.n_el},
                          {"n_az", grid.n_az},
                          {"el0_deg", grid.el0_deg},
                          {"az0_deg", grid.az0_deg},
                          {"step_deg", grid.step_deg}}},
                        {"station_position", vec_json(station_position)},
                        {"station_orientation", {q.x, q.y, q.z, q.w}},
                        {"moving", moving},
                        {"convention", convention},
                        {"lo", vec_json(lo)},
                        {"hi", vec_json(hi)}};
    if (db_range)
        j["db_range"] = {(*db_range)[0], (*db_range)[1]};
    return j;
}

std::array<double, 2> db_range_from_json(const nlohmann::json& j, std::string_view where) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number() ||
        !std::isfinite(j[0].get<double>()) || !std::isfinite(j[1].get<double>()) ||
        !(j[0].get<double>() < j[1].get<double>()))
        fail("{} must be [lo, hi] in dB with lo < hi, got {}", where, j.dump());
    return {j[0].get<double>(), j[1].get<double>()};
}

SceneContext SceneContext::from_json(const nlohmann::json& j) {
    try {
        SceneContext c;
        c.source = j.at("source").get<std::string>();
        c.frequency_hz = j.at("frequency_hz").get<double>();
        const auto& g = j.at("grid");
        const auto whole = [&](const char* key) {  // get<int>() would cast 1e30 unchecked
            const auto v = whole_number<int>(g.at(key));
            if (!v)
                fail("scene context: grid.{} must be a whole number, got {}", key,
                     g.at(key).dump());
            return *v;
        };
        c.grid = {whole("n_el"), whole("n_az"), g.at("el0_deg").get<double>(),
                  g.at("az0_deg").get<double>(), g.at("step_deg").get<double>()};
        c.station_position = vec_from(j, "station_position");
        const auto& q = j.at("station_orientation");
        if (!q.is_array() || q.size() != 4)
            fail("scene context: station_orientation must be [x, y, z, w]");
        c.station_orientation = {q[0].get<double>(), q[1].get<double>(), q[2].get<double>(),
                                 q[3].get<double>()};
        c.moving = j.at("moving").get<std::string>();
        c.convention = j.value("convention", std::string("bartlett_power"));
        if (j.contains("db_range"))
            c.db_range = db_range_from_json(j.at("db_range"), "scene context: db_range");
        c.lo = vec_from(j, "lo"), c.hi = vec_from(j, "hi");
        return c;
    } catch (const nlohmann::json::exception& e) {
        fail("scene context is malformed ({}): {}", e.what(), j.dump());
    }
}

void check_agreement(const SceneContext& a,
                     const SceneContext& b,
                     const std::vector<ContextField>& fields,
                     std::string_view fix) {
    for (const ContextField f : fields) {
        if (a.agrees(b, f))
            continue;
        fail("'{}' and '{}' differ in {}: {} vs {}; {}", b.source, a.source, to_string(f),
             b.describe(f), a.describe(f), fix);
    }
}

}  // namespace radiofield::train
