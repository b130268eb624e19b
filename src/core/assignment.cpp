// Hungarian method for rectangular real-valued cost matrices.
#include "radiofield/core/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "radiofield/core/error.hpp"

namespace radiofield {
namespace {

// Hungarian method in its shortest-augmenting-path form with dual potentials (Tomizawa
// 1971; Edmonds & Karp 1972), for n ≤ m rows: rows are added one at a time; each addition grows a
// Dijkstra-like tree over columns in reduced costs c(i, j) − u(i) − v(j) ≥ 0 until it reaches a
// free column, then flips the path. `at(i, j)` is the cost of row i, column j (0-based). Returns
// the column of each row.
template <typename At>
std::vector<int> hungarian(int n, int m, At at) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    // 1-based below; column 0 is the virtual start of each augmenting tree.
    std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0), min_to(m + 1);
    std::vector<int> row_of(m + 1, 0), way(m + 1, 0);
    std::vector<char> used(m + 1);
    for (int i = 1; i <= n; ++i) {
        row_of[0] = i;
        int j0 = 0;
        std::fill(min_to.begin(), min_to.end(), kInf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[j0] = 1;
            const int i0 = row_of[j0];
            double delta = kInf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used[j])
                    continue;
                const double reduced = at(i0 - 1, j - 1) - u[i0] - v[j];
                if (reduced < min_to[j])
                    min_to[j] = reduced, way[j] = j0;
                if (min_to[j] < delta)
                    delta = min_to[j], j1 = j;
            }
            for (int j = 0; j <= m; ++j) {
                if (used[j]) {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
        } while (row_of[j0] != 0);
        do {  // flip the augmenting path back to the start
            const int j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int> col_of(n, -1);
    for (int j = 1; j <= m; ++j)
        if (row_of[j] != 0)
            col_of[row_of[j] - 1] = j - 1;
    return col_of;
}

}  // namespace

std::vector<int> min_cost_assignment(const std::vector<double>& cost, int rows, int cols) {
    if (rows < 0 || cols < 0)
        fail("min_cost_assignment: the matrix is {} x {}; sizes must be ≥ 0", rows, cols);
    if (cost.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)) {
        fail(
            "min_cost_assignment: {} costs given for a {} x {} matrix; pass rows * cols "
            "values, row-major",
            cost.size(), rows, cols);
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            const double c = cost[static_cast<std::size_t>(i) * cols + j];
            if (!std::isfinite(c)) {
                fail(
                    "min_cost_assignment: cost[{}][{}] = {}; costs must be finite (use a "
                    "large finite value for a forbidden pair)",
                    i, j, c);
            }
        }
    }
    if (rows == 0 || cols == 0)
        return std::vector<int>(rows, -1);

    auto at = [&](int i, int j) { return cost[static_cast<std::size_t>(i) * cols + j]; };
    if (rows <= cols)
        return hungarian(rows, cols, at);
    // More rows than columns: assign the columns to rows on the transpose, then invert.
    const auto row_of_col = hungarian(cols, rows, [&](int j, int i) { return at(i, j); });
    std::vector<int> col_of(rows, -1);
    for (int j = 0; j < cols; ++j)
        col_of[row_of_col[j]] = j;
    return col_of;
}

}  // namespace radiofield
