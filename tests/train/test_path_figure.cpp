// path_set_svg: a well-formed SVG with one marker per path, one line per matched pair, and
// the title escaped for XML.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/train/path_metrics.hpp"

namespace {

using namespace radiofield::train;

constexpr double kFreq = 3.5e9;

PathSet paths(const std::vector<double>& tau_ns, const std::vector<double>& amplitude) {
    PathSet s;
    for (std::size_t k = 0; k < tau_ns.size(); ++k) {
        s.a.push_back({std::complex<double>(amplitude[k], 0)});
        s.tau.push_back(tau_ns[k] * 1e-9);
        s.theta_t.push_back(0), s.phi_t.push_back(0);
        s.theta_r.push_back(1.5), s.phi_r.push_back(0.1 * static_cast<double>(k));
        s.depth.push_back(k == 0 ? 0 : 1);
    }
    return s;
}

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

// Tags balance: every <name ...> is closed by </name> in order, or self-closed with />.
// Returns the first problem, or "" when the document is balanced.
std::string unbalanced(const std::string& svg) {
    std::vector<std::string> open;
    for (auto lt = svg.find('<'); lt != std::string::npos; lt = svg.find('<', lt + 1)) {
        const auto gt = svg.find('>', lt);
        if (gt == std::string::npos)
            return "unterminated tag at " + std::to_string(lt);
        const std::string tag = svg.substr(lt + 1, gt - lt - 1);
        if (tag.empty())
            return "empty tag at " + std::to_string(lt);
        if (tag[0] == '?' || tag[0] == '!')
            continue;
        if (tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (open.empty() || open.back() != name)
                return "unexpected </" + name + ">";
            open.pop_back();
            continue;
        }
        if (tag.back() == '/')
            continue;
        open.push_back(tag.substr(0, tag.find_first_of(" \n\t")));
    }
    return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

}  // namespace

TEST(PathFigure, SvgIsBalancedWithOneMarkerPerPath) {
    const auto truth = paths({100, 130, 170}, {1e-4, 3e-5, 1e-5});
    const auto pred = paths({100.2, 131, 400, 520}, {1.1e-4, 2e-5, 1e-6, 2e-6});
    const auto match = match_paths(truth, pred);
    ASSERT_EQ(match.matched(), 2);  // the 170 ns path has no prediction near it
    const auto svg =
        path_set_svg(truth, pred, match, path_errors(truth, pred, match, kFreq), "link 7");
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_EQ(unbalanced(svg), "");
    EXPECT_EQ(count(svg, "class=\"true-marker\""), 3);
    EXPECT_EQ(count(svg, "class=\"pred-marker\""), 4);
    EXPECT_EQ(count(svg, "class=\"match-line\""), 2);
    EXPECT_NE(svg.find("delay (ns)"), std::string::npos);
    EXPECT_NE(svg.find("Overall"), std::string::npos);
    EXPECT_NE(svg.find("AvgDelay"), std::string::npos);
}

TEST(PathFigure, TitleIsEscapedForXml) {
    const auto truth = paths({100}, {1e-4});
    const auto match = match_paths(truth, truth);
    const auto svg = path_set_svg(truth, truth, match, path_errors(truth, truth, match, kFreq),
                                  "Tx<3> & \"Rx\" 'b'");
    EXPECT_NE(svg.find("Tx&lt;3&gt; &amp; &quot;Rx&quot; &apos;b&apos;"), std::string::npos);
    EXPECT_EQ(svg.find("Tx<3>"), std::string::npos);
    EXPECT_EQ(unbalanced(svg), "");
}

TEST(PathFigure, EmptySetsStillDrawAxes) {
    const auto svg = path_set_svg(PathSet{}, PathSet{}, PathMatch{}, PathErrors{}, "empty");
    EXPECT_EQ(unbalanced(svg), "");
    EXPECT_EQ(count(svg, "marker"), 0);
    EXPECT_NE(svg.find("n/a"), std::string::npos);  // no errors to show
}

TEST(PathFigure, RejectsAMatchOfAnotherTruth) {
    const auto truth = paths({100, 130}, {1e-4, 3e-5});
    EXPECT_THROW(path_set_svg(truth, truth, PathMatch{}, PathErrors{}, "x"), radiofield::Error);
}
