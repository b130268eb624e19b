#pragma once
// Channel impulse response, discrete taps and frequency response from traced paths, in
// Sionna RT's conventions (EM primer eqs. H_final, h_b; sionna cir_to_time_channel,
// cir_to_ofdm_channel).
//
// Path::a carries no propagation phase (see field.cpp). The baseband-equivalent coefficient
// is a_bᵢ = aᵢ·e^{−j2πf_cτᵢ} (primer eq. h_b), which is what Sionna's Paths.cir returns and
// what taps and the CFR below use by default (ChannelOptions::baseband).

#include <complex>
#include <vector>

#include "radiofield/rt/paths.hpp"

namespace radiofield::rt {

struct ChannelOptions {
    int rx_port = 0, tx_port = 0;
    // true: coefficients a_bᵢ = aᵢe^{−j2πf_cτᵢ} (Sionna Paths.cir); false: aᵢ as stored.
    bool baseband = true;
    // Shift delays so that the earliest path arrives at τ = 0 (phases keep the true delays).
    bool normalize_delays = false;
};

struct Cir {
    std::vector<std::complex<double>> a;  // [num_paths]
    std::vector<double> tau;              // [num_paths], s
};

// Path coefficients and delays for one port pair (throws Error for a port the paths lack).
Cir cir(const Paths& paths, const ChannelOptions& options = {});

// Discrete taps for bandwidth W (Sionna cir_to_time_channel):
//   h_ℓ = Σᵢ aᵢ · sinc(ℓ − W·τᵢ),  ℓ = l_min … l_max,  sinc(x) = sin(πx)/(πx).
// Returns l_max − l_min + 1 values, index 0 ↔ ℓ = l_min.
std::vector<std::complex<double>> taps(const Paths& paths,
                                       double bandwidth_hz,
                                       int l_min,
                                       int l_max,
                                       const ChannelOptions& options = {});

// Frequency response H(f) = Σᵢ aᵢ e^{−j2πfτᵢ} (primer eq. H_final). With options.baseband the
// frequencies are offsets from the carrier (Sionna subcarrier_frequencies), so
// H(Δf) = Σ aᵢ e^{−j2π(f_c+Δf)τᵢ}; without it they are absolute.
std::vector<std::complex<double>> cfr(const Paths& paths,
                                      const std::vector<double>& frequencies_hz,
                                      const ChannelOptions& options = {});

// Normalised sinc sin(πx)/(πx), 1 at x = 0.
double sinc(double x);

}  // namespace radiofield::rt
