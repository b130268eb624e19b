// Registry of the built-in scenes (DESIGN.md §4.1): name → description, band and builder.
#include "radiofield/scene/builtin.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>

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
        Scene probe = builtin::lab(0);
        r.push_back({{probe.name, probe.description, probe.frequency_hz}, builtin::lab});
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

// "FAMILY:SEED" split at its last ':'; nullopt unless the text before it is a family.
// Throws for a family with a seed that is not a non-negative integer.
std::optional<std::pair<std::string, std::uint64_t>> parse_random_room(const std::string& name) {
    const auto colon = name.rfind(':');
    if (colon == std::string::npos || !is_room_family(name.substr(0, colon)))
        return std::nullopt;
    const std::string family = name.substr(0, colon), text = name.substr(colon + 1);
    std::uint64_t seed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        fail(
            "scene '{}': the seed after ':' must be a non-negative integer below 2^64, e.g. "
            "{}:17",
            name, family);
    }
    return std::pair{family, seed};
}

bool parses_as_random_room(const std::string& name) {
    try {
        return parse_random_room(name).has_value();
    } catch (const Error&) {
        return false;
    }
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

bool is_room_family(const std::string& name) {
    const auto& f = room_families();
    return std::any_of(f.begin(), f.end(), [&](const RoomFamilyInfo& i) { return i.name == name; });
}

std::string random_room_name(const std::string& family, std::uint64_t seed) {
    if (!is_room_family(family)) {
        std::vector<std::string> names;
        for (const RoomFamilyInfo& f : room_families())
            names.push_back(f.name);
        fail("unknown room family '{}'; valid families: {}", family, fmt::join(names, ", "));
    }
    return fmt::format("{}:{}", family, seed);
}

bool is_builtin_scene(const std::string& name) {
    for (const Entry& e : registry()) {
        if (e.info.name == name)
            return true;
    }
    return parses_as_random_room(name);
}

bool is_rfid_room_name(const std::string& name) {
    return name.starts_with("meeting_room_v") || name.starts_with("office_v") || name == "lab_v1" ||
           parses_as_random_room(name);
}

Scene make_builtin_scene(const std::string& name, std::uint64_t seed) {
    for (const Entry& e : registry()) {
        if (e.info.name == name) {
            Scene scene = e.build(seed);
            scene.builtin = true;
            return scene;
        }
    }
    if (const auto room = parse_random_room(name)) {
        if (seed != 0) {
            fail(
                "scene '{}@{}': a random room takes no '@' jitter; its seed is the number after "
                "':' (give another, e.g. {}:{})",
                name, seed, room->first, seed);
        }
        Scene scene = builtin::random_room(room->first, room->second);
        scene.builtin = true;
        return scene;
    }
    if (is_room_family(name)) {
        fail(
            "'{}' is a family of random rooms: name one as {}:SEED (e.g. {}:17, or --seed 17 "
            "where the command has it){}",
            name, name, name,
            name == "lab" ? ", or take the fixed lab_v1"
                          : fmt::format(", or take a fixed room {}_v1..v3", name));
    }
    std::vector<std::string> names;
    for (const Entry& e : registry())
        names.push_back(e.info.name);
    for (const RoomFamilyInfo& f : room_families())
        names.push_back(f.name + ":SEED");
    fail("unknown built-in scene '{}'; valid names: {} (or give a .json / .xml scene file)", name,
         fmt::join(names, ", "));
}

}  // namespace radiofield::scene
