#pragma once
// One link's propagation paths as a model predicts them and as the path-set evaluator scores
// them (DESIGN.md §6.5): per path the coefficient of each polarisation element, the delay,
// the angles and the number of interactions. Conventions are Sionna RT's (rt/paths.hpp):
// a excludes the e^{−j2πfτ} phase; angles in the global frame, radians.

#include <array>
#include <complex>
#include <cstdint>
#include <vector>

#include "radiofield/rt/paths.hpp"

namespace radiofield::train {

struct PathSet {
    // Coefficient per element: a[k][rx_port * 2 + tx_port]; only the first `elements()`
    // entries (rx_ports × tx_ports, 1 or up to 4) are meaningful.
    std::vector<std::array<std::complex<double>, 4>> a;
    std::vector<double> tau;             // [K] delay, s
    std::vector<double> theta_t, phi_t;  // [K] departure (zenith, azimuth), rad
    std::vector<double> theta_r, phi_r;  // [K] arrival, rad
    std::vector<int> depth;              // [K] interactions (0 = line of sight)
    // [K] interaction points from Tx to Rx (the endpoints excluded), for pictures; either
    // empty (unknown) or one list per path.
    std::vector<std::vector<Vec3>> points;
    int tx_ports = 1, rx_ports = 1;

    std::size_t size() const { return tau.size(); }
    int elements() const { return tx_ports * rx_ports; }
    // Element index e ∈ [0, elements()) → slot in a[k] (rx_port * 2 + tx_port).
    int slot(int e) const { return (e / tx_ports) * 2 + (e % tx_ports); }
    double power(std::size_t k) const;     // Σ_e |a_e|²
    void push_back(const rt::Path& path);  // appends one traced path (with its points)
    bool has_points() const { return !tau.empty() && points.size() == tau.size(); }

    static PathSet from(const rt::Paths& paths);
};

}  // namespace radiofield::train
