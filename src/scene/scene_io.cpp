// Scene files by extension, and scenes by name (built-in or file).

#include "radiofield/scene/scene_io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/builtin.hpp"

namespace radiofield::scene {
namespace fs = std::filesystem;

Scene load_scene(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (ext == ".json")
        return load_json_scene(path);
    if (ext == ".xml")
        return load_mitsuba_scene(path);
    fail(
        "cannot load scene '{}': unsupported extension '{}'; supported: .json (radiofield scene), "
        ".xml (Mitsuba / Sionna RT scene)",
        path.string(), ext);
}

Scene resolve_scene(const std::string& name_or_path) {
    std::string name = name_or_path;
    std::uint64_t seed = 0;
    const auto at = name_or_path.rfind('@');
    if (at != std::string::npos && is_builtin_scene(name_or_path.substr(0, at))) {
        name = name_or_path.substr(0, at);
        const std::string s = name_or_path.substr(at + 1);
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seed);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
            fail("scene '{}': the seed after '@' must be a non-negative integer, e.g. {}@7",
                 name_or_path, name);
        }
    }
    if (is_builtin_scene(name))
        return make_builtin_scene(name, seed);
    std::error_code ec;
    if (fs::is_regular_file(name_or_path, ec))
        return load_scene(name_or_path);
    // A room family without a seed or with a bad one: make_builtin_scene says how to name one.
    if (is_room_family(name_or_path.substr(0, name_or_path.find(':'))))
        return make_builtin_scene(name_or_path);
    fail("unknown scene '{}': not a built-in scene (see `radiofield scene list`) and no such file",
         name_or_path);
}

std::string scene_name_with_seed(const std::string& name, std::uint64_t seed) {
    if (is_room_family(name))
        return random_room_name(name, seed);
    const auto mark = name.find_first_of("@:");
    const bool jittered = mark != std::string::npos && is_builtin_scene(name.substr(0, mark));
    if (jittered || (name.find(':') != std::string::npos && is_builtin_scene(name))) {
        fail(
            "scene '{}' already holds a seed; give the seed once (the scene's own name with the "
            "seed option, or the name with its seed alone)",
            name);
    }
    if (is_builtin_scene(name))
        return fmt::format("{}@{}", name, seed);
    std::vector<std::string> families;
    for (const RoomFamilyInfo& f : room_families())
        families.push_back(f.name);
    fail(
        "a seed applies to built-in scenes only, not to '{}'; give a room family ({}) or a "
        "fixed built-in scene (see `radiofield scene list`)",
        name, fmt::join(families, ", "));
}

}  // namespace radiofield::scene
