#include "parse.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::cli {
namespace {

std::vector<double> parse_list(const std::string& text, const std::string& option, char sep) {
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find(sep, start);
        const std::string item =
            text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        out.push_back(parse_number(item, option));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return out;
}

}  // namespace

std::uint64_t parse_seed(const std::string& text, const std::string& option) {
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        fail("{}: '{}' is not a seed; give a non-negative integer below 2^64, e.g. 17", option,
             text);
    return v;
}

std::string scene_with_seed(const std::string& scene,
                            const std::string& seed,
                            const std::string& seed_option) {
    if (seed.empty())
        return scene;
    const std::uint64_t n = parse_seed(seed, seed_option);
    try {
        return scene::scene_name_with_seed(scene, n);
    } catch (const Error& e) {
        fail("{} {}: {}", seed_option, seed, e.what());
    }
}

double parse_number(const std::string& text, const std::string& option) {
    std::size_t b = text.find_first_not_of(" \t"), e = text.find_last_not_of(" \t");
    const std::string t = b == std::string::npos ? "" : text.substr(b, e - b + 1);
    double v = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) {
        fail("{}: '{}' is not a number", option, text);
    }
    return v;
}

double parse_frequency(const std::string& text) {
    std::string t;
    for (char c : text) {
        if (!std::isspace(static_cast<unsigned char>(c)))
            t += c;
    }
    double scale = 1;
    std::string lower;
    for (char c : t)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [suffix, s] :
         {std::pair{"ghz", 1e9}, {"mhz", 1e6}, {"khz", 1e3}, {"hz", 1.0}}) {
        const std::string suf = suffix;
        if (lower.size() > suf.size() &&
            lower.compare(lower.size() - suf.size(), suf.size(), suf) == 0) {
            scale = s;
            t.resize(t.size() - suf.size());
            break;
        }
    }
    const double f = parse_number(t, "--frequency") * scale;
    if (!(f > 0))
        fail("--frequency must be positive (got '{}')", text);
    return f;
}

Vec3 parse_vec3(const std::string& text, const std::string& option) {
    const auto v = parse_list(text, option, ',');
    if (v.size() != 3)
        fail("{}: expected three comma-separated numbers x,y,z (got '{}')", option, text);
    return {v[0], v[1], v[2]};
}

std::pair<int, int> parse_size2(const std::string& text, const std::string& option) {
    const auto v = parse_list(text, option, 'x');
    if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] != static_cast<int>(v[0]) ||
        v[1] != static_cast<int>(v[1])) {
        fail("{}: expected two positive whole numbers like 4x4 (got '{}')", option, text);
    }
    return {static_cast<int>(v[0]), static_cast<int>(v[1])};
}

std::pair<double, double> parse_pair(const std::string& text, const std::string& option) {
    const auto v = parse_list(text, option, ',');
    if (v.size() != 2)
        fail("{}: expected two comma-separated numbers (got '{}')", option, text);
    return {v[0], v[1]};
}

std::array<double, 3> parse_fractions(const std::string& text) {
    const auto v = parse_list(text, "--split", ',');
    if (v.size() != 3)
        fail("--split: expected train,val,test fractions like 0.8,0.1,0.1 (got '{}')", text);
    return {v[0], v[1], v[2]};
}

scene::Bounds parse_region(const std::string& text) {
    const auto v = parse_list(text, "--region", ',');
    if (v.size() != 6 || !(v[0] < v[3] && v[1] < v[4] && v[2] <= v[5])) {
        fail("--region: expected x0,y0,z0,x1,y1,z1 with x0<x1, y0<y1, z0≤z1 (got '{}')", text);
    }
    scene::Bounds b;
    b.lo = {v[0], v[1], v[2]};
    b.hi = {v[3], v[4], v[5]};
    return b;
}

CLI::Validator finite_range(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
                return fmt::format("'{}' is not a finite number", text);
            if (v < lo)
                return fmt::format("{} is too small: give at least {}", text, lo);
            if (v > hi)
                return fmt::format("{} is too large: give at most {}", text, hi);
            return {};
        },
        fmt::format("NUMBER in [{}, {}]", lo, hi));
}

}  // namespace radiofield::cli
