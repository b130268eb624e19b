#pragma once
// Radio materials: ITU-R P.2040-3 Table 3 (ε_r = a·f^b, σ = c·f^d, f in GHz) and custom
// (ε_r, σ) materials, plus the surface-scattering parameters the ray tracer uses.

#include <array>
#include <complex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radiofield::scene {

// One frequency band of an ITU-R P.2040 material.
struct ItuBand {
    double f_min_ghz, f_max_ghz;
    double a, b, c, d;
};

enum class ScatteringPattern { Lambertian, Directive, Backscattering };
std::string_view to_string(ScatteringPattern p);
ScatteringPattern scattering_pattern_from_string(std::string_view name);  // throws Error

// Electromagnetic properties at one frequency.
struct MaterialProperties {
    double eps_r;              // relative permittivity (real part)
    double sigma;              // conductivity, S/m
    std::complex<double> eta;  // complex relative permittivity ε_r − jσ/(ε₀ω)
};

// What to do when a frequency is outside every band of an ITU material: throw, use the
// nearest band with a warning per material, or use it silently (the caller reports it, as
// sim::simulate does with one line for all the scene's materials).
enum class Extrapolation { Error, Warn, Allow };

struct Material {
    std::string name;            // unique within a scene, e.g. "itu_concrete", "wall_paint"
    std::string itu_type;        // "concrete" etc.; empty for custom materials
    std::vector<ItuBand> bands;  // ITU bands (empty for custom materials)
    double eps_r = 1.0;          // custom materials only
    double sigma = 0.0;          // custom materials only, S/m
    double eps_r_scale = 1.0;    // humidity variants scale ITU ε_r ...
    double sigma_scale = 1.0;    // ... and σ (DESIGN.md §4.1)
    double scattering_coefficient = 0.0;  // S ∈ [0,1]
    double xpd_coefficient = 0.0;         // K_x ∈ [0,1]
    ScatteringPattern scattering_pattern = ScatteringPattern::Lambertian;
    double alpha_r = 4.0;    // directive / backscattering lobe width (integer ≥ 1)
    double alpha_i = 4.0;    // backscattering lobe width towards the incident direction
    double lambda_ = 0.75;   // backscattering: share of the forward lobe, Λ ∈ [0,1]
    double thickness = 0.1;  // slab thickness for transmission, m
    std::array<float, 3> colour{0.6f, 0.6f, 0.6f};  // sRGB for pictures

    bool is_itu() const { return !bands.empty(); }
    // Whether the material has properties at `frequency_hz` without extrapolation: custom
    // materials everywhere, ITU materials inside one of their bands (edges inclusive).
    bool in_range(double frequency_hz) const;
    // The ITU bands as text, e.g. "1–100 GHz" or "0.1–100 GHz, 220–450 GHz"; empty for
    // custom materials.
    std::string ranges() const;

    // ε_r, σ and η at `frequency_hz`. ITU materials outside their bands throw Error naming
    // the material, the frequency and the valid ranges, unless `extrapolation` is Warn (then
    // the nearest band is used and a warning logged once per material) or Allow (the nearest
    // band, no log).
    MaterialProperties properties(double frequency_hz,
                                  Extrapolation extrapolation = Extrapolation::Error) const;

    // Throws Error if a field is out of range (ε_r ≥ 1, σ ≥ 0, 0 ≤ S ≤ 1, 0 ≤ K_x ≤ 1,
    // α ≥ 1, 0 ≤ Λ ≤ 1, thickness > 0).
    void validate() const;
};

// The ITU-R P.2040 material table (DESIGN.md §4.2), by type name: "concrete", "brick",
// "plasterboard", "wood", "glass", "ceiling_board", "chipboard", "plywood", "marble",
// "floorboard", "metal", "very_dry_ground", "medium_dry_ground", "wet_ground".
const std::vector<std::string>& itu_material_types();
// A material of the given ITU type, named "itu_<type>". Unknown types throw Error listing
// the valid names.
Material itu_material(std::string_view type);
// A custom material with fixed ε_r and σ; validated.
Material custom_material(std::string name, double eps_r, double sigma);

}  // namespace radiofield::scene
