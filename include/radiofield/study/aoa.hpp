#pragma once
// Downstream angle-of-arrival estimation from a spectrum (GRaF §V, DESIGN.md §6.3): the
// direction of the strongest grid cell; the error between two spectra is the great-circle
// angle between their strongest directions.

#include <span>

#include "radiofield/data/dataset.hpp"

namespace radiofield::study {

struct Direction {
    double elevation_deg = 0;
    double azimuth_deg = 0;
};

// The grid direction of the largest value (the first one on ties); spectrum [n_el * n_az].
Direction peak_direction(std::span<const float> spectrum, const data::SpectrumGrid& grid);

// Great-circle angle between two directions, degrees in [0, 180].
double great_circle_deg(const Direction& a, const Direction& b);

// AoA error of a predicted spectrum against the true one on the same grid, degrees.
double aoa_error_deg(std::span<const float> predicted,
                     std::span<const float> truth,
                     const data::SpectrumGrid& grid);

}  // namespace radiofield::study
