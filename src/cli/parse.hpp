#pragma once
// Parsing of CLI values (numbers with units, vectors, sizes); errors name the option.

#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::cli {

double parse_number(const std::string& text, const std::string& option);
// "915e6", "915MHz", "2.412 GHz", "300GHz" → Hz.
double parse_frequency(const std::string& text);
// A seed: a non-negative integer below 2^64 ("17").
std::uint64_t parse_seed(const std::string& text, const std::string& option);
// The scene name that `--scene NAME` / a positional scene with `seed_option` SEED (empty:
// not given) stands for: scene::scene_name_with_seed, its errors naming the option.
std::string scene_with_seed(const std::string& scene,
                            const std::string& seed,
                            const std::string& seed_option);
Vec3 parse_vec3(const std::string& text, const std::string& option);
// "4x4" / "90x360" → (a, b).
std::pair<int, int> parse_size2(const std::string& text, const std::string& option);
std::pair<double, double> parse_pair(const std::string& text, const std::string& option);
std::array<double, 3> parse_fractions(const std::string& text);
scene::Bounds parse_region(const std::string& text);

// A CLI11 check that the value is a finite number in [lo, hi], as text before conversion (so
// "-1" never wraps in an unsigned option and "nan" / "inf" are refused, which CLI::Range and
// CLI::PositiveNumber let through).
CLI::Validator finite_range(double lo, double hi);

}  // namespace radiofield::cli
