// min_cost_assignment: known optima, rectangular shapes, brute force over all permutations,
// ties, degenerate sizes and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "radiofield/core/assignment.hpp"
#include "radiofield/core/error.hpp"

using radiofield::min_cost_assignment;

namespace {

// Each row's column is in range or −1, no column is used twice, and exactly min(rows, cols)
// rows are assigned.
void expect_valid(const std::vector<int>& col_of, int rows, int cols) {
    ASSERT_EQ(static_cast<int>(col_of.size()), rows);
    std::set<int> used;
    int assigned = 0;
    for (int c : col_of) {
        if (c < 0) {
            EXPECT_EQ(c, -1);
            continue;
        }
        EXPECT_LT(c, cols);
        EXPECT_TRUE(used.insert(c).second) << "column " << c << " assigned twice";
        ++assigned;
    }
    EXPECT_EQ(assigned, std::min(rows, cols));
}

double total(const std::vector<double>& cost, int cols, const std::vector<int>& col_of) {
    double t = 0;
    for (std::size_t i = 0; i < col_of.size(); ++i)
        if (col_of[i] >= 0)
            t += cost[i * cols + col_of[i]];
    return t;
}

// Optimum by enumerating every injective map from the smaller side into the larger.
double brute_force(const std::vector<double>& cost, int rows, int cols) {
    const int big = std::max(rows, cols), small = std::min(rows, cols);
    std::vector<int> perm(big);
    std::iota(perm.begin(), perm.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    do {  // the first `small` entries of each permutation of the larger side
        double t = 0;
        for (int k = 0; k < small; ++k)
            t += rows <= cols ? cost[k * cols + perm[k]] : cost[perm[k] * cols + k];
        best = std::min(best, t);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

}  // namespace

TEST(Assignment, ThreeByThreeKnownOptimum) {
    // SciPy's linear_sum_assignment example: the optimum 5 takes (0,1), (1,0), (2,2); the diagonal
    // costs 6.
    const std::vector<double> cost = {4, 1, 3,  //
                                      2, 0, 5,  //
                                      3, 2, 2};
    const auto col_of = min_cost_assignment(cost, 3, 3);
    EXPECT_EQ(col_of, (std::vector<int>{1, 0, 2}));
    EXPECT_DOUBLE_EQ(total(cost, 3, col_of), 5.0);
}

TEST(Assignment, MoreColumnsThanRowsLeavesColumnsFree) {
    const std::vector<double> cost = {9, 9, 1, 9,  //
                                      1, 9, 9, 9};
    const auto col_of = min_cost_assignment(cost, 2, 4);
    EXPECT_EQ(col_of, (std::vector<int>{2, 0}));
}

TEST(Assignment, MoreRowsThanColumnsLeavesRowsUnassigned) {
    const std::vector<double> cost = {9, 9,  //
                                      9, 1,  //
                                      9, 9,  //
                                      1, 9};
    const auto col_of = min_cost_assignment(cost, 4, 2);
    EXPECT_EQ(col_of, (std::vector<int>{-1, 1, -1, 0}));
}

TEST(Assignment, NegativeAndFractionalCostsAreMinimised) {
    // Diagonal −1.25, anti-diagonal 1.25 − 3 = −1.75.
    const std::vector<double> cost = {-0.5, 1.25,  //
                                      -3.0, -0.75};
    const auto col_of = min_cost_assignment(cost, 2, 2);
    EXPECT_EQ(col_of, (std::vector<int>{1, 0}));
    EXPECT_DOUBLE_EQ(total(cost, 2, col_of), -1.75);
}

TEST(Assignment, MatchesBruteForceOnRandomMatrices) {
    std::mt19937 rng(20240607);
    std::uniform_real_distribution<double> uniform(-5.0, 10.0);
    std::uniform_int_distribution<int> size(1, 6);
    std::uniform_int_distribution<int> coarse(0, 3);  // small integers: many ties
    const std::vector<std::pair<int, int>> fixed = {{4, 6}, {6, 4}};
    for (int trial = 0; trial < 200; ++trial) {
        int rows = size(rng), cols = size(rng);
        if (trial < 40)
            rows = fixed[trial % 2].first, cols = fixed[trial % 2].second;
        std::vector<double> cost(rows * cols);
        const bool ties = trial % 3 == 0;
        for (auto& c : cost)
            c = ties ? coarse(rng) : uniform(rng);
        const auto col_of = min_cost_assignment(cost, rows, cols);
        SCOPED_TRACE(testing::Message() << "trial " << trial << ", " << rows << " x " << cols);
        expect_valid(col_of, rows, cols);
        EXPECT_NEAR(total(cost, cols, col_of), brute_force(cost, rows, cols), 1e-9);
    }
}

TEST(Assignment, AllEqualCostsGiveAValidAssignment) {
    const std::vector<double> cost(12, 7.0);
    for (auto [rows, cols] : {std::pair{3, 4}, std::pair{4, 3}}) {
        const auto col_of = min_cost_assignment(cost, rows, cols);
        expect_valid(col_of, rows, cols);
        EXPECT_DOUBLE_EQ(total(cost, cols, col_of), 21.0);
    }
}

TEST(Assignment, OneByOneAndEmpty) {
    EXPECT_EQ(min_cost_assignment({3.5}, 1, 1), (std::vector<int>{0}));
    EXPECT_TRUE(min_cost_assignment({}, 0, 0).empty());
    EXPECT_TRUE(min_cost_assignment({}, 0, 3).empty());
    EXPECT_EQ(min_cost_assignment({}, 2, 0), (std::vector<int>{-1, -1}));
}

TEST(Assignment, RejectsNonFiniteCostsAndWrongSizes) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    try {
        min_cost_assignment({1, 2, 3, nan}, 2, 2);
        FAIL() << "expected an Error";
    } catch (const radiofield::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cost[1][1]"), std::string::npos) << e.what();
    }
    EXPECT_THROW(min_cost_assignment({inf, 0}, 1, 2), radiofield::Error);
    EXPECT_THROW(min_cost_assignment({1, 2, 3}, 2, 2), radiofield::Error);
    EXPECT_THROW(min_cost_assignment({}, -1, 0), radiofield::Error);
}
