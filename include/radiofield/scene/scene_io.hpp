#pragma once
// Scene files. Formats (docs/scene-format.md):
//  - radiofield JSON (.json): materials, objects with inline meshes or OBJ/PLY files, devices;
//  - Mitsuba / Sionna RT XML (.xml) with PLY shapes and `itu-radio-material` BSDFs (or the
//    legacy `mat-itu_*` ids), so a Sionna scene folder loads unchanged.
// Every error names the file and the problem.

#include <filesystem>
#include <string>

#include "radiofield/scene/scene.hpp"

namespace radiofield::scene {

// By extension: .json → load_json_scene, .xml → load_mitsuba_scene.
Scene load_scene(const std::filesystem::path& path);
Scene load_json_scene(const std::filesystem::path& path);
Scene load_mitsuba_scene(const std::filesystem::path& path);

// The scene as radiofield JSON text (inline meshes), e.g. to embed in a dataset, and back;
// `where` names the source in error messages.
std::string to_json_string(const Scene& scene);
Scene scene_from_json_string(const std::string& text, const std::filesystem::path& where);

// Writes a self-contained JSON scene (inline meshes), atomically.
void save_json_scene(const Scene& scene, const std::filesystem::path& path);
// Writes a Mitsuba XML scene with one binary PLY per object in `<dir>/meshes/` (an object
// with several materials becomes one shape per material, "<object>__<material>"); devices
// and the frequency are not part of Mitsuba scenes.
void save_mitsuba_scene(const Scene& scene, const std::filesystem::path& xml_path);

// Mesh files (positions and triangles only; polygons are fan-triangulated). The mesh is
// named after the file stem and every triangle gets material index 0; the caller assigns
// materials. Errors (missing file, truncation, index out of range, NaN) name the file.
Mesh read_ply(const std::filesystem::path& path);
void write_ply(const Mesh& mesh, const std::filesystem::path& path);  // binary little-endian
Mesh read_obj(const std::filesystem::path& path);

// Scene by name: a fixed built-in scene name (optionally "name@seed", its furniture
// jittered), a random room "FAMILY:SEED" (builtin.hpp), or a scene file path.
Scene resolve_scene(const std::string& name_or_path);
// The name resolve_scene reads for `name` with a separate seed (the CLI's --seed): a room
// family's random room "FAMILY:SEED", a fixed scene's "name@SEED". Throws Error for a scene
// file or a name that already holds a seed.
std::string scene_name_with_seed(const std::string& name, std::uint64_t seed);

}  // namespace radiofield::scene
