#pragma once
// A small SVG plot writer for the study report: axes with ticks, lines with markers, a
// min–max band per series, step curves (CDFs) and a legend.

#include <string>
#include <vector>

namespace radiofield::study {

struct PlotSeries {
    std::string label;
    std::vector<double> x, y;
    std::vector<double> lo, hi;  // band (same size as x), or empty
    bool step = false;           // a staircase (empirical CDF) without markers
};

struct PlotOptions {
    std::string title, x_label, y_label;
    bool log_x = false;
    int width = 640, height = 360;
};

std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& options);

// About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps).
std::vector<double> nice_ticks(double lo, double hi, int count = 5);

}  // namespace radiofield::study
