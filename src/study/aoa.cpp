// Angle of arrival from the strongest cell of a spectrum.
#include "radiofield/study/aoa.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::study {

Direction peak_direction(std::span<const float> spectrum, const data::SpectrumGrid& grid) {
    if (spectrum.size() != grid.size() || spectrum.empty())
        fail("AoA: a spectrum of {} values for a {}x{} grid", spectrum.size(), grid.n_el,
             grid.n_az);
    const auto peak =
        static_cast<int>(std::max_element(spectrum.begin(), spectrum.end()) - spectrum.begin());
    return {grid.elevation_deg(peak / grid.n_az), grid.azimuth_deg(peak % grid.n_az)};
}

double great_circle_deg(const Direction& a, const Direction& b) {
    // Unit vectors (cos el cos az, cos el sin az, sin el); atan2 of |cross| and dot stays
    // accurate for small and near-antipodal angles alike.
    const double ea = deg2rad(a.elevation_deg), aa = deg2rad(a.azimuth_deg);
    const double eb = deg2rad(b.elevation_deg), ab = deg2rad(b.azimuth_deg);
    const double ax = std::cos(ea) * std::cos(aa), ay = std::cos(ea) * std::sin(aa),
                 az = std::sin(ea);
    const double bx = std::cos(eb) * std::cos(ab), by = std::cos(eb) * std::sin(ab),
                 bz = std::sin(eb);
    const double cx = ay * bz - az * by, cy = az * bx - ax * bz, cz = ax * by - ay * bx;
    return rad2deg(std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), ax * bx + ay * by + az * bz));
}

double aoa_error_deg(std::span<const float> predicted,
                     std::span<const float> truth,
                     const data::SpectrumGrid& grid) {
    return great_circle_deg(peak_direction(predicted, grid), peak_direction(truth, grid));
}

}  // namespace radiofield::study
