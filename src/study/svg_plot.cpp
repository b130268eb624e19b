// SVG plots for the study report.
#include "svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace radiofield::study {
namespace {

constexpr std::array<const char*, 8> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string esc(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

std::string tick_label(double v) {
    return fmt::format("{:g}", std::abs(v) < 1e-12 ? 0.0 : v);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
    if (!(hi > lo))
        return {lo};
    const double raw = (hi - lo) / std::max(1, count);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * mag;
        if (step >= raw)
            break;
    }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step)
        ticks.push_back(t);
    return ticks;
}

std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& o) {
    const int W = o.width, H = o.height, L = 64, R = 160, T = o.title.empty() ? 16 : 36, B = 48;
    std::string svg = fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif" font-size="12"><rect width="{0}" height="{1}" fill="white"/>)",
        W, H);
    if (!o.title.empty())
        svg += fmt::format(R"(<text x="{}" y="20" font-size="14" text-anchor="middle">{}</text>)",
                           L + (W - L - R) / 2, esc(o.title));
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    auto fx = [&](double x) { return o.log_x ? std::log10(std::max(x, 1e-300)) : x; };
    for (const auto& s : series) {
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]))
                continue;
            x0 = std::min(x0, fx(s.x[i])), x1 = std::max(x1, fx(s.x[i]));
            y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
            if (!s.lo.empty() && std::isfinite(s.lo[i]) && std::isfinite(s.hi[i]))
                y0 = std::min(y0, s.lo[i]), y1 = std::max(y1, s.hi[i]);
        }
    }
    if (!std::isfinite(x0))
        return svg + R"(<text x="20" y="60">no finite values to plot</text></svg>)";
    if (x1 - x0 < 1e-12)
        x0 -= 0.5, x1 += 0.5;
    if (y1 - y0 < 1e-12)
        y0 -= 0.5, y1 += 0.5;
    const double pad = 0.05 * (y1 - y0);
    y0 -= pad, y1 += pad;
    const double pw = W - L - R, ph = H - T - B;
    auto X = [&](double x) { return L + (fx(x) - x0) / (x1 - x0) * pw; };
    auto Y = [&](double y) { return T + ph - (y - y0) / (y1 - y0) * ph; };
    // Axes and ticks.
    svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#444"/>)",
                       L, T, pw, ph);
    std::vector<double> xt;
    if (o.log_x) {
        for (double e = std::floor(x0); e <= std::ceil(x1); e += 1) {
            for (double m : {1.0, 2.0, 5.0}) {
                const double v = m * std::pow(10.0, e);
                if (std::log10(v) >= x0 - 1e-9 && std::log10(v) <= x1 + 1e-9)
                    xt.push_back(v);
            }
        }
    } else {
        xt = nice_ticks(x0, x1, 6);
    }
    for (double t : xt) {
        svg += fmt::format(
            R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ccc"/><text x="{0:.1f}" y="{3}" text-anchor="middle">{4}</text>)",
            X(t), T, T + ph, T + ph + 16, tick_label(t));
    }
    for (double t : nice_ticks(y0, y1, 5)) {
        svg += fmt::format(
            R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#ccc"/><text x="{3}" y="{4:.1f}" text-anchor="end">{5}</text>)",
            L, Y(t), L + pw, L - 6, Y(t) + 4, tick_label(t));
    }
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", L + pw / 2, H - 10,
                       esc(o.x_label));
    svg += fmt::format(
        R"svg(<text x="16" y="{0}" text-anchor="middle" transform="rotate(-90 16 {0})">{1}</text>)svg",
        T + ph / 2, esc(o.y_label));
    // Bands, then lines, then the legend.
    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& s = series[k];
        const char* colour = kColours[k % kColours.size()];
        if (!s.lo.empty() && s.x.size() > 1) {
            std::string pts;
            for (std::size_t i = 0; i < s.x.size(); ++i)
                pts += fmt::format("{:.1f},{:.1f} ", X(s.x[i]), Y(s.hi[i]));
            for (std::size_t i = s.x.size(); i-- > 0;)
                pts += fmt::format("{:.1f},{:.1f} ", X(s.x[i]), Y(s.lo[i]));
            svg +=
                fmt::format(R"(<polygon points="{}" fill="{}" fill-opacity="0.18" stroke="none"/>)",
                            pts, colour);
        }
        std::string pts;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (s.step && i > 0)
                pts += fmt::format("{:.1f},{:.1f} ", X(s.x[i]), Y(s.y[i - 1]));
            pts += fmt::format("{:.1f},{:.1f} ", X(s.x[i]), Y(s.y[i]));
        }
        svg += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>)",
                           pts, colour);
        if (!s.step) {
            for (std::size_t i = 0; i < s.x.size(); ++i) {
                svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"/>)",
                                   X(s.x[i]), Y(s.y[i]), colour);
                if (!s.lo.empty())
                    svg += fmt::format(
                        R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="{3}"/>)",
                        X(s.x[i]), Y(s.lo[i]), Y(s.hi[i]), colour);
            }
        }
        const int ly = T + 12 + static_cast<int>(k) * 18;
        svg += fmt::format(
            R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="3"/><text x="{4}" y="{5}">{6}</text>)",
            L + pw + 12, ly, L + pw + 32, colour, L + pw + 38, ly + 4, esc(s.label));
    }
    return svg + "</svg>";
}

}  // namespace radiofield::study
