// A power–delay profile of one link's true and predicted paths as inline SVG, for reports.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/train/path_metrics.hpp"
#include "xml_escape.hpp"

namespace radiofield::train {
namespace {

constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 72, kRight = kWidth - 24, kTop = 72, kBottom = kHeight - 52;
constexpr const char* kTrueColour = "#1f77b4";
constexpr const char* kPredColour = "#d95f02";

// A step of 1, 2 or 5 × 10^n giving about `target` intervals over `span`.
double nice_step(double span, int target) {
    const double raw = span / target;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (m * decade >= raw)
            return m * decade;
    return 10.0 * decade;
}

// Multiples of `step` within [lo, hi].
std::vector<double> ticks(double lo, double hi, double step) {
    std::vector<double> t;
    for (auto i = static_cast<long long>(std::ceil(lo / step - 1e-9)); i * step <= hi + 1e-9 * step;
         ++i)
        t.push_back(static_cast<double>(i) * step);
    return t;
}

std::string tick_label(double value, double step) {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    if (std::abs(value) < step * 1e-9)
        value = 0;  // no "-0"
    return fmt::format("{:.{}f}", value, decimals);
}

struct Axis {
    double lo, hi;  // data range
    double pixel_lo, pixel_hi;
    double to_pixel(double v) const {
        return pixel_lo + (v - lo) / (hi - lo) * (pixel_hi - pixel_lo);
    }
};

// Data range [lo, hi] widened by `pad` of the span (at least `min_span`).
std::pair<double, double> padded(double lo, double hi, double pad, double min_span) {
    if (hi - lo < min_span) {
        const double mid = (lo + hi) / 2;
        lo = mid - min_span / 2, hi = mid + min_span / 2;
    }
    const double p = (hi - lo) * pad;
    return {lo - p, hi + p};
}

std::string error_text(const PathErrors& e) {
    auto db = [](double nmse, int count) -> std::string {
        if (count == 0)
            return "n/a";
        if (nmse == 0)
            return "-inf dB";
        return fmt::format("{:.2f} dB", to_db(nmse));
    };
    const std::string delay =
        e.delay_links > 0 ? fmt::format("{:.2f} ns", e.avg_delay_error_ns()) : "n/a";
    return fmt::format("Overall {} \u00b7 RCM {} \u00b7 AvgDelay {}",
                       db(e.overall_nmse, e.overall_paths), db(e.rcm_nmse, e.rcm_paths), delay);
}

}  // namespace

std::string path_set_svg(const PathSet& truth,
                         const PathSet& pred,
                         const PathMatch& match,
                         const PathErrors& errors,
                         const std::string& title) {
    if (match.pred_of_true.size() != truth.size()) {
        fail(
            "path_set_svg: the match has {} entries for {} true paths; pass the match of this "
            "truth (match_paths)",
            match.pred_of_true.size(), truth.size());
    }
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const int j = match.pred_of_true[i];
        if (j < -1 || j >= static_cast<int>(pred.size()))
            fail("path_set_svg: true path {} is matched to predicted path {} of {}", i, j,
                 pred.size());
    }
    if (truth.a.size() != truth.size() || pred.a.size() != pred.size())
        fail("path_set_svg: a path set has a different number of coefficients and delays");

    // Path powers in dB (10·log10 P_k); a zero-power path sits on the bottom axis.
    auto powers_db = [](const PathSet& s) {
        std::vector<double> p(s.size());
        for (std::size_t k = 0; k < s.size(); ++k)
            p[k] = to_db(s.power(k));
        return p;
    };
    const auto p_true = powers_db(truth), p_pred = powers_db(pred);
    constexpr double kInf = std::numeric_limits<double>::infinity();
    double t_lo = kInf, t_hi = -kInf, p_lo = kInf, p_hi = -kInf;
    for (const auto* s : {&truth, &pred}) {
        for (double t : s->tau)
            t_lo = std::min(t_lo, t * 1e9), t_hi = std::max(t_hi, t * 1e9);
    }
    for (const auto* v : {&p_true, &p_pred}) {
        for (double p : *v) {
            if (std::isfinite(p))
                p_lo = std::min(p_lo, p), p_hi = std::max(p_hi, p);
        }
    }
    if (!(t_lo <= t_hi))
        t_lo = 0, t_hi = 100;
    if (!(p_lo <= p_hi))
        p_lo = -120, p_hi = -60;
    const auto [x_lo, x_hi] = padded(t_lo, t_hi, 0.05, 1.0);
    const double y_step = nice_step(std::max(p_hi - p_lo, 10.0) + 6, 5);
    const Axis x{x_lo, x_hi, kLeft, kRight};
    const Axis y{std::floor((p_lo - 3) / y_step) * y_step, std::ceil((p_hi + 3) / y_step) * y_step,
                 kBottom, kTop};
    auto py = [&](double db) { return std::isfinite(db) ? y.to_pixel(db) : kBottom; };

    std::string s = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
        "<title>{2}</title>\n"
        "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
        kWidth, kHeight, xml_escape(title));
    s += fmt::format("<text x=\"{}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
                     kLeft, xml_escape(title));
    s += fmt::format(
        "<text x=\"{0}\" y=\"43\" fill=\"#333\">{1}</text>\n"
        "<text x=\"{0}\" y=\"59\" fill=\"#666\" font-size=\"11\">{2} true paths \u00b7 {3} "
        "matched \u00b7 {4} spurious</text>\n",
        kLeft, xml_escape(error_text(errors)), truth.size(), match.matched(), match.spurious);

    // Grid, ticks and tick labels.
    const double x_step = nice_step(x.hi - x.lo, 6);
    s += "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n";
    for (double v : ticks(x.lo, x.hi, x_step))
        s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>\n",
                         x.to_pixel(v), kTop, kBottom);
    for (double v : ticks(y.lo, y.hi, y_step))
        s += fmt::format("<line x1=\"{1}\" y1=\"{0:.1f}\" x2=\"{2}\" y2=\"{0:.1f}\"/>\n",
                         y.to_pixel(v), kLeft, kRight);
    s += "</g>\n<g fill=\"#333\">\n";
    for (double v : ticks(x.lo, x.hi, x_step)) {
        s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                         x.to_pixel(v), kBottom + 16, tick_label(v, x_step));
    }
    for (double v : ticks(y.lo, y.hi, y_step)) {
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 6,
                         y.to_pixel(v) + 4, tick_label(v, y_step));
    }
    s += "</g>\n";
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n",
        kLeft, kTop, kRight - kLeft, kBottom - kTop);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">delay (ns)</text>\n",
                     (kLeft + kRight) / 2, kHeight - 14);
    s += fmt::format(
        "<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">path power "
        "(dB)</text>\n",
        (kTop + kBottom) / 2);

    // Stems: true solid, predicted dashed.
    s += fmt::format("<g stroke=\"{}\" stroke-width=\"1.5\">\n", kTrueColour);
    for (std::size_t k = 0; k < truth.size(); ++k) {
        s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n",
                         x.to_pixel(truth.tau[k] * 1e9), kBottom, py(p_true[k]));
    }
    s += fmt::format("</g>\n<g stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"3 2\">\n",
                     kPredColour);
    for (std::size_t k = 0; k < pred.size(); ++k) {
        s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n",
                         x.to_pixel(pred.tau[k] * 1e9), kBottom, py(p_pred[k]));
    }
    s += "</g>\n";

    // Matched pairs.
    s += "<g stroke=\"#555\" stroke-width=\"0.8\">\n";
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const int j = match.pred_of_true[i];
        if (j < 0)
            continue;
        s += fmt::format(
            "<line class=\"match-line\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
            "y2=\"{:.1f}\"/>\n",
            x.to_pixel(truth.tau[i] * 1e9), py(p_true[i]), x.to_pixel(pred.tau[j] * 1e9),
            py(p_pred[j]));
    }
    s += "</g>\n";

    // Markers, each with a tooltip.
    auto depth_of = [&](std::size_t k) {
        return k < truth.depth.size() ? fmt::format(", depth {}", truth.depth[k]) : std::string{};
    };
    for (std::size_t k = 0; k < truth.size(); ++k) {
        s += fmt::format(
            "<circle class=\"true-marker\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\" "
            "stroke=\"white\" stroke-width=\"1\"><title>true path {}: {:.2f} ns, {:.1f} "
            "dB{}</title></circle>\n",
            x.to_pixel(truth.tau[k] * 1e9), py(p_true[k]), kTrueColour, k, truth.tau[k] * 1e9,
            p_true[k], depth_of(k));
    }
    for (std::size_t k = 0; k < pred.size(); ++k) {
        const double cx = x.to_pixel(pred.tau[k] * 1e9), cy = py(p_pred[k]);
        s += fmt::format(
            "<path class=\"pred-marker\" d=\"M{0:.1f} {1:.1f}l10 10m0 -10l-10 10\" fill=\"none\" "
            "stroke=\"{2}\" stroke-width=\"2\"><title>predicted path {3}: {4:.2f} ns, {5:.1f} "
            "dB</title></path>\n",
            cx - 5, cy - 5, kPredColour, k, pred.tau[k] * 1e9, p_pred[k]);
    }

    // Legend, top right.
    const double lx = kRight - 150;
    s += fmt::format(
        "<g>\n<line x1=\"{0}\" y1=\"20\" x2=\"{1}\" y2=\"20\" stroke=\"{2}\" stroke-width=\"1.5\"/>"
        "<circle cx=\"{1}\" cy=\"20\" r=\"4\" fill=\"{2}\"/>"
        "<text x=\"{3}\" y=\"24\">true paths</text>\n"
        "<line x1=\"{0}\" y1=\"40\" x2=\"{1}\" y2=\"40\" stroke=\"{4}\" stroke-width=\"1.2\" "
        "stroke-dasharray=\"3 2\"/>"
        "<path d=\"M{5} 35l10 10m0 -10l-10 10\" fill=\"none\" stroke=\"{4}\" stroke-width=\"2\"/>"
        "<text x=\"{3}\" y=\"44\">predicted paths</text>\n"
        "<line x1=\"{0}\" y1=\"58\" x2=\"{1}\" y2=\"58\" stroke=\"#555\" stroke-width=\"0.8\"/>"
        "<text x=\"{3}\" y=\"62\">matched pair</text>\n</g>\n",
        lx, lx + 20, kTrueColour, lx + 32, kPredColour, lx + 15);
    s += "</svg>\n";
    return s;
}

}  // namespace radiofield::train
