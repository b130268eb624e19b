// Registry of the built-in scenes (DESIGN.md §4.1): name → description, band and builder.
#include "radiofield/scene/builtin.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>

#include "builtin_parts.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::scene {
namespace {

using Builder = std::function<Scene(std::uint64_t seed)>;

struct Entry {
    BuiltinInfo info;
    Builder build;
};

// Humidity variants (DESIGN.md §4.1): ground ITU type and the scale of the other materials'
// ε_r and σ. The plain name is the medium variant.
struct HumidityVariant {
    const char* suffix;
    const char* label;
    builtin::Climate climate;
};
const HumidityVariant kHumidity[] = {
    {"", "medium humidity", {"medium_dry_ground", 1.3}},
    {"_dry", "dry", {"very_dry_ground", 1.0}},
    {"_medium", "medium humidity", {"medium_dry_ground", 1.3}},
    {"_wet", "wet", {"wet_ground", 1.6}},
};

std::vector<Entry> make_registry() {
    std::vector<Entry> r;
    for (int v = 1; v <= 3; ++v) {
        Scene probe = builtin::meeting_room(v, 0);
        r.push_back({{probe.name, probe.description, probe.frequency_hz},
                     [v](std::uint64_t seed) { return builtin::meeting_room(v, seed); }});
    }
    for (int v = 1; v <= 3; ++v) {
        Scene probe = builtin::office(v, 0);
        r.push_back({{probe.name, probe.description, probe.frequency_hz},
                     [v](std::uint64_t seed) { return builtin::office(v, seed); }});
    }
    {
        Scene probe = builtin::lobby(0);
        r.push_back({{probe.name, probe.description, probe.frequency_hz}, builtin::lobby});
    }
    struct CityKind {
        const char* name;
        builtin::City city;
        const char* about;
    };
    const CityKind cities[] = {
        {"rosslyn_like", builtin::City::RosslynLike, "10 box buildings on a street grid, 60 faces"},
        {"campus_a", builtin::City::CampusA,
         "4 campus buildings with panelled facades, ~1.5k faces"},
        {"campus_b", builtin::City::CampusB, "6 campus buildings around a quad, ~500 faces"},
    };
    for (const CityKind& c : cities) {
        for (const HumidityVariant& h : kHumidity) {
            const std::string name = std::string(c.name) + h.suffix;
            const std::string description =
                fmt::format("outdoor: {}; {} ({} ground, eps_r and sigma x{:.1f}); 3.5 GHz",
                            c.about, h.label, h.climate.ground_type, h.climate.scale);
            const builtin::City city = c.city;
            const builtin::Climate climate = h.climate;
            r.push_back({{name, description, 3.5e9}, [=](std::uint64_t seed) {
                             Scene s = builtin::city(city, climate, seed);
                             s.name = name;
                             s.description = description;
                             return s;
                         }});
        }
    }
    return r;
}

const std::vector<Entry>& registry() {
    static const std::vector<Entry> r = make_registry();
    return r;
}

}  // namespace

const std::vector<BuiltinInfo>& builtin_scenes() {
    static const std::vector<BuiltinInfo> infos = [] {
        std::vector<BuiltinInfo> v;
        for (const Entry& e : registry())
            v.push_back(e.info);
        return v;
    }();
    return infos;
}

bool is_builtin_scene(const std::string& name) {
    for (const Entry& e : registry()) {
        if (e.info.name == name)
            return true;
    }
    return false;
}

Scene make_builtin_scene(const std::string& name, std::uint64_t seed) {
    for (const Entry& e : registry()) {
        if (e.info.name == name) {
            Scene scene = e.build(seed);
            scene.builtin = true;
            return scene;
        }
    }
    std::vector<std::string> names;
    for (const Entry& e : registry())
        names.push_back(e.info.name);
    fail("unknown built-in scene '{}'; valid names: {} (or give a .json / .xml scene file)", name,
         fmt::join(names, ", "));
}

}  // namespace radiofield::scene
