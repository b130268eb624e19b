#pragma once
// Parsing of CLI values (numbers with units, vectors, sizes); errors name the option.

#include <CLI/CLI.hpp>
#include <array>
#include <string>
#include <utility>

#include "radiofield/core/vec.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::cli {

double parse_number(const std::string& text, const std::string& option);
// "915e6", "915MHz", "2.412 GHz", "300GHz" → Hz.
double parse_frequency(const std::string& text);
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
