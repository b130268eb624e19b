#include "radiofield/scene/antenna.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::scene {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
}

// 3GPP TR 38.901 Table 7.3-1: single-element radiation pattern, in dBi.
double tr38901_gain_db(double theta, double phi) {
    constexpr double kTheta3db = 65.0 * kPi / 180.0;  // vertical 3 dB beamwidth
    constexpr double kPhi3db = 65.0 * kPi / 180.0;    // horizontal 3 dB beamwidth
    constexpr double kSlaV = 30.0;                    // side-lobe attenuation, dB
    constexpr double kAmax = 30.0;                    // front-back ratio, dB
    constexpr double kMaxGainDb = 8.0;                // G_E,max, dBi
    // Wrap φ into [−π, π) so that the back lobe is at |φ| = π.
    phi = phi + kPi;
    phi -= std::floor(phi / (2 * kPi)) * 2 * kPi;
    phi -= kPi;
    const double tv = (theta - kPi / 2) / kTheta3db;
    const double th = phi / kPhi3db;
    const double a_v = -std::min(12.0 * tv * tv, kSlaV);
    const double a_h = -std::min(12.0 * th * th, kAmax);
    return -std::min(-(a_v + a_h), kAmax) + kMaxGainDb;
}

}  // namespace

std::string_view to_string(PatternKind k) {
    switch (k) {
        case PatternKind::Isotropic:
            return "iso";
        case PatternKind::ShortDipole:
            return "dipole";
        case PatternKind::HalfWaveDipole:
            return "hw_dipole";
        case PatternKind::Tr38901:
            return "tr38901";
    }
    return "?";
}

std::string_view to_string(Polarization p) {
    switch (p) {
        case Polarization::V:
            return "V";
        case Polarization::H:
            return "H";
        case Polarization::Cross:
            return "cross";
    }
    return "?";
}

PatternKind pattern_from_string(std::string_view name) {
    const std::string n = lower(name);
    if (n == "iso" || n == "isotropic")
        return PatternKind::Isotropic;
    if (n == "dipole" || n == "short_dipole")
        return PatternKind::ShortDipole;
    if (n == "hw_dipole" || n == "half_wave_dipole")
        return PatternKind::HalfWaveDipole;
    if (n == "tr38901" || n == "tr_38901" || n == "3gpp")
        return PatternKind::Tr38901;
    fail("unknown antenna pattern '{}': use iso, dipole, hw_dipole or tr38901", name);
}

Polarization polarization_from_string(std::string_view name) {
    const std::string n = lower(name);
    if (n == "v")
        return Polarization::V;
    if (n == "h")
        return Polarization::H;
    if (n == "cross" || n == "x")
        return Polarization::Cross;
    fail("unknown polarization '{}': use V, H or cross", name);
}

Antenna::Antenna(PatternKind kind, Polarization pol) : m_kind(kind), m_pol(pol) {}

double Antenna::element_gain(double theta, double phi) const {
    switch (m_kind) {
        case PatternKind::Isotropic:
            return 1.0;
        case PatternKind::ShortDipole: {
            // Balanis, Antenna Theory, §4.2: D = 1.5, G = 1.5·sin²θ (dipole along z).
            const double s = std::sin(theta);
            return 1.5 * s * s;
        }
        case PatternKind::HalfWaveDipole: {
            // Balanis §4.6: D = 1.643, G = 1.643·[cos(π/2·cosθ)/sinθ]²; 0 on the axis.
            const double s = std::sin(theta);
            if (std::abs(s) < 1e-12)
                return 0.0;
            const double f = std::cos(kPi / 2 * std::cos(theta)) / s;
            return 1.643 * f * f;
        }
        case PatternKind::Tr38901:
            return from_db(tr38901_gain_db(theta, phi));
    }
    return 0.0;
}

double Antenna::slant_angle(int port) const {
    if (port < 0 || port >= num_ports()) {
        fail("antenna port {} does not exist: a {}-polarised antenna has {} port(s)", port,
             to_string(m_pol), num_ports());
    }
    switch (m_pol) {
        case Polarization::V:
            return 0.0;
        case Polarization::H:
            return kPi / 2;
        case Polarization::Cross:
            return port == 0 ? kPi / 4 : -kPi / 4;
    }
    return 0.0;
}

FieldPattern Antenna::field(double theta, double phi, int port) const {
    // 3GPP TR 38.901 §7.3.2, polarisation model 2 (as Sionna RT): the element's amplitude
    // pattern is split between θ̂ and φ̂ by the slant angle ζ: F = √G·(cos ζ, sin ζ).
    const double amplitude = std::sqrt(element_gain(theta, phi));
    const double zeta = slant_angle(port);
    return {amplitude * std::cos(zeta), amplitude * std::sin(zeta)};
}

std::vector<Vec3> PlanarArray::element_offsets() const {
    if (num_rows < 1 || num_cols < 1) {
        fail("planar array of {}x{} elements: rows and columns must be at least 1", num_rows,
             num_cols);
    }
    std::vector<Vec3> out;
    out.reserve(static_cast<std::size_t>(num_elements()));
    const double y0 = 0.5 * (num_cols - 1) * horizontal_spacing;
    const double z0 = 0.5 * (num_rows - 1) * vertical_spacing;
    for (int r = 0; r < num_rows; ++r) {
        for (int c = 0; c < num_cols; ++c) {
            // Row 0 at the top (+z), columns along +y; centred on the device (as Sionna).
            out.push_back({0.0, c * horizontal_spacing - y0, z0 - r * vertical_spacing});
        }
    }
    return out;
}

PlanarArray PlanarArray::half_wavelength(int rows, int cols, double frequency_hz, Antenna antenna) {
    if (rows < 1 || cols < 1)
        fail("planar array of {}x{} elements: rows and columns must be at least 1", rows, cols);
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz)) {
        fail("planar array: frequency {:g} Hz must be positive", frequency_hz);
    }
    PlanarArray a;
    a.num_rows = rows;
    a.num_cols = cols;
    a.vertical_spacing = a.horizontal_spacing = 0.5 * wavelength(frequency_hz);
    a.antenna = antenna;
    return a;
}

}  // namespace radiofield::scene
