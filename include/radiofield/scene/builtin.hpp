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

// The fixed scenes: meeting_room_v1..v3, office_v1..v3, lab_v1, lobby,
// rosslyn_like[_dry|_medium|_wet], campus_a[...], campus_b[...]. A seed jitters their
// furniture ("name@SEED" in resolve_scene).
const std::vector<BuiltinInfo>& builtin_scenes();

// Families of seeded random rooms: meeting_room, office, lab. "FAMILY:SEED" (e.g.
// "meeting_room:17") names one room, the same on every platform: its size and shape, wall,
// floor and ceiling materials (ITU-R P.2040), windows, doors, furniture, and the reader's
// place and yaw are drawn from the seed. No random room equals a fixed one. Like the fixed
// rooms: 915 MHz (also 2.412 / 5.805 GHz), an RFID reader (4x4 array) as the receiver.
struct RoomFamilyInfo {
    std::string name;
    std::string description;
    double frequency_hz;
};
const std::vector<RoomFamilyInfo>& room_families();
bool is_room_family(const std::string& name);
// "meeting_room:17"; throws Error for an unknown family.
std::string random_room_name(const std::string& family, std::uint64_t seed);

// A fixed scene's name or a random room's "FAMILY:SEED".
bool is_builtin_scene(const std::string& name);
// The scene of a fixed name (jittered by `seed`) or of "FAMILY:SEED" (`seed` must be 0: a
// random room is not jittered). Throws Error naming the value and the fix for an unknown
// name, a bare family name, or a bad seed.
Scene make_builtin_scene(const std::string& name, std::uint64_t seed = 0);
// Whether a built-in scene is one of GRaF's RFID rooms (a fixed meeting room, office or lab,
// or any random room): 915 MHz, a reader as the station, moving tags.
bool is_rfid_room_name(const std::string& name);

}  // namespace radiofield::scene
