#pragma once
// Propagation paths between one transmitter and one receiver, in Sionna RT's conventions
// (docs/conventions.md): a = (λ/4π)(1/L)·C_Rᴴ·T·C_T, τ = length / c, angles in the
// global frame (θ zenith from +z, φ azimuth from +x), departure = direction leaving the
// transmitter, arrival = direction from the receiver towards where the wave comes from.

#include <array>
#include <complex>
#include <cstdint>
#include <vector>

#include "radiofield/core/vec.hpp"

namespace radiofield::rt {

enum class InteractionType : std::uint8_t { None = 0, Specular = 1, Diffuse = 2, Transmission = 3 };

struct Interaction {
    InteractionType type = InteractionType::None;
    Vec3 point;                       // where the interaction happens
    std::uint32_t object = 0;         // Scene::meshes index
    std::uint32_t primitive = 0;      // triangle index within that mesh
    std::uint32_t material = 0;       // Scene::materials index
    double incidence_angle = 0;       // from the surface normal, radians
    std::complex<double> c_te, c_tm;  // TE/TM coefficient applied (reflection or transmission)
};

struct Path {
    // Coefficient per antenna-port pair: a[rx_port * 2 + tx_port] (ports ≤ 2 each).
    std::array<std::complex<double>, 4> a{};
    double tau = 0;                         // delay, s
    double length = 0;                      // total unfolded length, m
    double theta_t = 0, phi_t = 0;          // angles of departure
    double theta_r = 0, phi_r = 0;          // angles of arrival
    std::vector<Interaction> interactions;  // in order from Tx to Rx; empty for LoS

    int depth() const { return static_cast<int>(interactions.size()); }
    bool is_los() const { return interactions.empty(); }
    std::complex<double> coefficient(int rx_port = 0, int tx_port = 0) const {
        return a[rx_port * 2 + tx_port];
    }
};

struct Paths {
    double frequency_hz = 0;
    Vec3 tx_position, rx_position;
    int num_tx_ports = 1, num_rx_ports = 1;
    std::vector<Path> paths;
};

}  // namespace radiofield::rt
