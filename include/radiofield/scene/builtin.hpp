#pragma once
// Built-in procedural scenes (DESIGN.md §4.1), deterministic for a seed.

#include <cstdint>
#include <string>
#include <vector>

#include "radiofield/scene/scene.hpp"

namespace radiofield::scene {

struct BuiltinInfo {
    std::string name;
    std::string description;
    double frequency_hz;  // the band the scene is meant for
};

// meeting_room_v1..v3, office_v1..v3, lobby, rosslyn_like[_dry|_medium|_wet],
// campus_a[...], campus_b[...].
const std::vector<BuiltinInfo>& builtin_scenes();
bool is_builtin_scene(const std::string& name);
// Throws Error listing the valid names for an unknown name.
Scene make_builtin_scene(const std::string& name, std::uint64_t seed = 0);

}  // namespace radiofield::scene
