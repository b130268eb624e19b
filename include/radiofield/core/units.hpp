#pragma once
// Physical constants (SI) and unit helpers.

#include <cmath>
#include <numbers>

namespace radiofield {

inline constexpr double kPi = std::numbers::pi;
inline constexpr double kSpeedOfLight = 299'792'458.0;           // m/s
inline constexpr double kVacuumPermittivity = 8.8541878128e-12;  // F/m (CODATA 2018)

inline constexpr double wavelength(double frequency_hz) {
    return kSpeedOfLight / frequency_hz;
}
inline constexpr double deg2rad(double deg) {
    return deg * kPi / 180.0;
}
inline constexpr double rad2deg(double rad) {
    return rad * 180.0 / kPi;
}
inline double to_db(double power_ratio) {
    return 10.0 * std::log10(power_ratio);
}
inline double from_db(double db) {
    return std::pow(10.0, db / 10.0);
}

}  // namespace radiofield
