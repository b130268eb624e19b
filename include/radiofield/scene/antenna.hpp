#pragma once
// Antenna patterns and polarisation (Sionna RT conventions, 3GPP TR 38.901 §7.3), and
// planar arrays. Angles in radians, in the antenna's local frame: θ from +z (zenith),
// φ from +x (azimuth); boresight is +x.

#include <complex>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/core/vec.hpp"

namespace radiofield::scene {

enum class PatternKind { Isotropic, ShortDipole, HalfWaveDipole, Tr38901 };
enum class Polarization { V, H, Cross };
std::string_view to_string(PatternKind k);
std::string_view to_string(Polarization p);
PatternKind pattern_from_string(std::string_view name);        // throws Error
Polarization polarization_from_string(std::string_view name);  // throws Error

// Far-field of one port: complex components along θ̂ and φ̂ (amplitude pattern, so that
// |Fθ|²+|Fφ|² is the gain as a linear power ratio).
struct FieldPattern {
    std::complex<double> f_theta, f_phi;
    double gain() const { return std::norm(f_theta) + std::norm(f_phi); }
};

class Antenna {
public:
    explicit Antenna(PatternKind kind = PatternKind::Isotropic, Polarization pol = Polarization::V);
    PatternKind kind() const { return m_kind; }
    Polarization polarization() const { return m_pol; }
    // Ports: 1 for V or H, 2 for Cross (+45° and −45° slant).
    int num_ports() const { return m_pol == Polarization::Cross ? 2 : 1; }
    // Field pattern of port `port` in direction (θ, φ) of the local frame.
    FieldPattern field(double theta, double phi, int port = 0) const;
    // Vertical-polarisation power pattern of the element (linear gain).
    double element_gain(double theta, double phi) const;
    // Polarisation slant angle of a port (0 = vertical, π/2 = horizontal, ±π/4 cross).
    double slant_angle(int port) const;

private:
    PatternKind m_kind;
    Polarization m_pol;
};

// Planar array in the local y–z plane (elements along y = horizontal, z = vertical),
// centred on the device position; spacings in metres.
struct PlanarArray {
    int num_rows = 1;             // along z
    int num_cols = 1;             // along y
    double vertical_spacing = 0;  // m
    double horizontal_spacing = 0;
    Antenna antenna;

    int num_elements() const { return num_rows * num_cols; }
    // Element offsets in the local frame (row-major, row 0 at the top).
    std::vector<Vec3> element_offsets() const;
    // Square array with λ/2 spacing.
    static PlanarArray half_wavelength(int rows,
                                       int cols,
                                       double frequency_hz,
                                       Antenna antenna = Antenna());
};

}  // namespace radiofield::scene
