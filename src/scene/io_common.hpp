#pragma once
// Helpers shared by the scene-file readers and writers (private to src/scene).

#include <charconv>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::scene::detail {

// The whole file as bytes; throws Error "cannot read '<path>': no such file" etc.
std::string read_file_bytes(const std::filesystem::path& path, std::string_view what);

// Mitsuba ids ↔ radiofield names (Sionna RT's convention): a bsdf id "mat-<name>" is the
// material <name> and a shape id "mesh-<name>" is the object <name>; ids without the prefix
// are used as they are.
inline constexpr std::string_view kMitsubaMaterialPrefix = "mat-";
inline constexpr std::string_view kMitsubaShapePrefix = "mesh-";

// A mesh file by its extension (.ply, .obj); other extensions throw Error listing both.
Mesh read_mesh_file(const std::filesystem::path& path);

// `path` relative to the folder of `base_file` (absolute paths are kept).
std::filesystem::path relative_to(const std::filesystem::path& base_file, const std::string& path);

// A file name made from an object name: characters outside [A-Za-z0-9_.-] become '_'.
std::string file_safe(std::string_view name);

// Closest candidate by edit distance, or "" when none is close (for "did you mean ...").
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

// Strict number parse of the whole of `s` (a leading '+' allowed); false if not a number.
inline bool parse_double(std::string_view s, double& out) {
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// Runs `load` and validates the scene it returns; any Error (or other exception) coming out
// is rethrown as one Error prefixed with "<path>: ", so every message names the file.
template <typename Load>
Scene load_with_file_context(const std::filesystem::path& path, Load&& load) {
    try {
        Scene scene = load();
        scene.validate();
        return scene;
    } catch (const std::exception& e) {
        throw Error(path.string() + ": " + e.what());
    }
}

}  // namespace radiofield::scene::detail
