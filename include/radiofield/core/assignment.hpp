#pragma once
// Optimal assignment (linear sum assignment): pair each row of a cost matrix with a distinct
// column so that the total cost is minimal. The Hungarian method (Kuhn 1955, Munkres 1957)
// with row/column potentials and shortest augmenting paths, O(rows²·cols) for rows ≤ cols.
// GeNeRT matches predicted to true propagation paths this way (eq. 24); see
// train/path_metrics.hpp.
//
// Written here because Debian packages no maintained C++ implementation for real-valued
// costs: dlib's max_cost_assignment takes integer costs only.

#include <vector>

namespace radiofield {

// `cost` is a row-major rows × cols matrix of finite values (rectangular allowed). Returns,
// for each row, the column it is assigned to, minimising the sum of the assigned costs.
// When rows ≤ cols every row is assigned and cols − rows columns stay free; when
// rows > cols every column is used once and rows − cols rows get −1. Among equal-cost
// optima one is returned. Throws Error for a size mismatch or a non-finite entry.
std::vector<int> min_cost_assignment(const std::vector<double>& cost, int rows, int cols);

}  // namespace radiofield
