#include "radiofield/scene/material.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <set>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::scene {
namespace {

struct ItuEntry {
    const char* type;
    std::vector<ItuBand> bands;
    std::array<float, 3> colour;  // sRGB, chosen to be recognisable in top-view pictures
};

// ITU-R P.2040-3 Table 3: ε_r = a·f^b, σ = c·f^d (f in GHz, σ in S/m); DESIGN.md §4.2.
const std::vector<ItuEntry>& itu_table() {
    static const std::vector<ItuEntry> table = {
        {"concrete", {{1, 100, 5.24, 0, 0.0462, 0.7822}}, {0.62f, 0.62f, 0.60f}},
        {"brick", {{1, 40, 3.91, 0, 0.0238, 0.16}}, {0.70f, 0.33f, 0.22f}},
        {"plasterboard", {{1, 100, 2.73, 0, 0.0085, 0.9395}}, {0.93f, 0.91f, 0.85f}},
        {"wood", {{0.001, 100, 1.99, 0, 0.0047, 1.0718}}, {0.55f, 0.36f, 0.20f}},
        {"glass",
         {{0.1, 100, 6.31, 0, 0.0036, 1.3394}, {220, 450, 5.79, 0, 0.0004, 1.658}},
         {0.65f, 0.85f, 0.95f}},
        {"ceiling_board",
         {{1, 100, 1.48, 0, 0.0011, 1.0750}, {220, 450, 1.52, 0, 0.0029, 1.029}},
         {0.97f, 0.97f, 0.92f}},
        {"chipboard", {{1, 100, 2.58, 0, 0.0217, 0.7800}}, {0.80f, 0.66f, 0.45f}},
        {"plywood", {{1, 40, 2.71, 0, 0.33, 0}}, {0.85f, 0.72f, 0.50f}},
        {"marble", {{1, 60, 7.074, 0, 0.0055, 0.9262}}, {0.90f, 0.89f, 0.86f}},
        {"floorboard", {{50, 100, 3.66, 0, 0.0044, 1.3515}}, {0.65f, 0.45f, 0.28f}},
        {"metal", {{1, 100, 1.0, 0, 1e7, 0}}, {0.44f, 0.52f, 0.62f}},
        {"very_dry_ground", {{1, 10, 3.0, 0, 0.00015, 2.52}}, {0.86f, 0.76f, 0.55f}},
        {"medium_dry_ground", {{1, 10, 15, -0.1, 0.035, 1.63}}, {0.60f, 0.50f, 0.32f}},
        {"wet_ground", {{1, 10, 30, -0.4, 0.15, 1.30}}, {0.36f, 0.30f, 0.20f}},
    };
    return table;
}

std::string format_ranges(const std::vector<ItuBand>& bands) {
    std::vector<std::string> parts;
    for (const auto& b : bands)
        parts.push_back(fmt::format("{:g}–{:g} GHz", b.f_min_ghz, b.f_max_ghz));
    return fmt::format("{}", fmt::join(parts, ", "));
}

// The band holding `f_ghz`, or null. Band edges are inclusive, with a relative slack for
// rounding of the caller's units.
const ItuBand* band_at(const std::vector<ItuBand>& bands, double f_ghz) {
    for (const auto& b : bands) {
        if (f_ghz >= b.f_min_ghz * (1 - 1e-12) && f_ghz <= b.f_max_ghz * (1 + 1e-12))
            return &b;
    }
    return nullptr;
}

// Band of `bands` nearest to `f_ghz` in frequency ratio (log distance), since the bands
// span decades.
const ItuBand& nearest_band(const std::vector<ItuBand>& bands, double f_ghz) {
    const ItuBand* best = &bands.front();
    double best_dist = 1e300;
    for (const auto& b : bands) {
        double dist = 0;
        if (f_ghz < b.f_min_ghz)
            dist = std::log(b.f_min_ghz / f_ghz);
        if (f_ghz > b.f_max_ghz)
            dist = std::log(f_ghz / b.f_max_ghz);
        if (dist < best_dist) {
            best_dist = dist;
            best = &b;
        }
    }
    return *best;
}

// One warning per material name for the process lifetime.
void warn_once(const std::string& name,
               double f_ghz,
               const std::vector<ItuBand>& bands,
               const ItuBand& used) {
    static std::mutex mutex;
    static std::set<std::string> warned;
    {
        std::lock_guard lock(mutex);
        if (!warned.insert(name).second)
            return;
    }
    log::warn(
        "material '{}' is extrapolated to {:g} GHz outside its ITU-R P.2040 range ({}); "
        "using the {:g}–{:g} GHz band's formulas",
        name, f_ghz, format_ranges(bands), used.f_min_ghz, used.f_max_ghz);
}

// Checks `value` lies in [lo, hi]; NaN fails too.
void check_range(
    const std::string& material, const char* field, double value, double lo, double hi) {
    if (!(value >= lo && value <= hi)) {
        fail("material '{}': {} = {:g} is out of range; it must lie in [{:g}, {:g}]", material,
             field, value, lo, hi);
    }
}

std::string strip_itu_prefix(std::string_view type) {
    std::string t(type);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    if (t.rfind("itu_", 0) == 0)
        t = t.substr(4);
    return t;
}

}  // namespace

std::string_view to_string(ScatteringPattern p) {
    switch (p) {
        case ScatteringPattern::Lambertian:
            return "lambertian";
        case ScatteringPattern::Directive:
            return "directive";
        case ScatteringPattern::Backscattering:
            return "backscattering";
    }
    return "?";
}

ScatteringPattern scattering_pattern_from_string(std::string_view name) {
    for (auto p : {ScatteringPattern::Lambertian, ScatteringPattern::Directive,
                   ScatteringPattern::Backscattering}) {
        if (name == to_string(p))
            return p;
    }
    fail("unknown scattering pattern '{}': use lambertian, directive or backscattering", name);
}

bool Material::in_range(double frequency_hz) const {
    return !is_itu() || band_at(bands, frequency_hz / 1e9) != nullptr;
}

std::string Material::ranges() const {
    return format_ranges(bands);
}

MaterialProperties Material::properties(double frequency_hz, Extrapolation extrapolation) const {
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz)) {
        fail("material '{}': frequency {:g} Hz is not a positive number", name, frequency_hz);
    }
    const double f_ghz = frequency_hz / 1e9;  // (× 1e-9 would put 60e9 just above 60)
    double eps = eps_r, sig = sigma;
    if (is_itu()) {
        const ItuBand* band = band_at(bands, f_ghz);
        if (band == nullptr) {
            if (extrapolation == Extrapolation::Error) {
                fail(
                    "material '{}' (ITU-R P.2040 {}) is not defined at {:g} GHz: valid range {}. "
                    "Choose a frequency in range, another material, or pass --extrapolate to use "
                    "the nearest band with a warning",
                    name, itu_type, f_ghz, format_ranges(bands));
            }
            band = &nearest_band(bands, f_ghz);
            if (extrapolation == Extrapolation::Warn)
                warn_once(name, f_ghz, bands, *band);
        }
        // ITU-R P.2040-3 §3, Table 3: ε_r = a·f^b, σ = c·f^d with f in GHz.
        eps = band->a * std::pow(f_ghz, band->b);
        sig = band->c * std::pow(f_ghz, band->d);
    }
    eps *= eps_r_scale;
    sig *= sigma_scale;
    // η = ε_r − jσ/(ε₀ω), ITU-R P.2040-3 §2 (= ε_r − j·17.98·σ/f_GHz), ω = 2πf.
    const double omega = 2.0 * kPi * frequency_hz;
    return {eps, sig, {eps, -sig / (kVacuumPermittivity * omega)}};
}

void Material::validate() const {
    if (name.empty())
        fail("a material has an empty name; give every material a unique name");
    if (is_itu()) {
        for (const auto& b : bands) {
            if (!(b.f_min_ghz > 0 && b.f_max_ghz > b.f_min_ghz)) {
                fail("material '{}': ITU band {:g}–{:g} GHz is empty or not positive", name,
                     b.f_min_ghz, b.f_max_ghz);
            }
            // ε_r = a·f^b is monotonic, so checking the band edges covers the band.
            for (double f : {b.f_min_ghz, b.f_max_ghz}) {
                const auto p = properties(f * 1e9);
                check_range(name, "eps_r", p.eps_r, 1.0, 1e300);
                check_range(name, "sigma", p.sigma, 0.0, 1e300);
            }
        }
    } else {
        check_range(name, "eps_r", eps_r * eps_r_scale, 1.0, 1e300);
        check_range(name, "sigma", sigma * sigma_scale, 0.0, 1e300);
    }
    check_range(name, "scattering_coefficient", scattering_coefficient, 0.0, 1.0);
    check_range(name, "xpd_coefficient", xpd_coefficient, 0.0, 1.0);
    check_range(name, "alpha_r", alpha_r, 1.0, 1e300);
    check_range(name, "alpha_i", alpha_i, 1.0, 1e300);
    check_range(name, "lambda", lambda_, 0.0, 1.0);
    if (!(thickness > 0) || !std::isfinite(thickness)) {
        fail("material '{}': thickness = {:g} m must be positive", name, thickness);
    }
    for (float c : colour)
        check_range(name, "colour", c, 0.0, 1.0);
}

const std::vector<std::string>& itu_material_types() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> t;
        for (const auto& e : itu_table())
            t.emplace_back(e.type);
        return t;
    }();
    return types;
}

Material itu_material(std::string_view type) {
    const std::string key = strip_itu_prefix(type);
    for (const auto& e : itu_table()) {
        if (key != e.type)
            continue;
        Material m;
        m.name = std::string("itu_") + e.type;
        m.itu_type = e.type;
        m.bands = e.bands;
        m.colour = e.colour;
        return m;
    }
    fail(
        "unknown ITU material '{}': use one of {} (optionally prefixed 'itu_'), or a custom "
        "material with eps_r and sigma",
        type, fmt::join(itu_material_types(), ", "));
}

Material custom_material(std::string name, double eps_r, double sigma) {
    Material m;
    m.name = std::move(name);
    m.eps_r = eps_r;
    m.sigma = sigma;
    m.validate();
    return m;
}

}  // namespace radiofield::scene
