#include "radiofield/rt/channel.hpp"

#include <algorithm>
#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::rt {
namespace {

void check_ports(const Paths& paths, const ChannelOptions& o) {
    if (o.rx_port < 0 || o.rx_port >= paths.num_rx_ports || o.tx_port < 0 ||
        o.tx_port >= paths.num_tx_ports) {
        fail(
            "port pair (rx {}, tx {}) does not exist: these paths have {} receive and {} transmit "
            "port(s)",
            o.rx_port, o.tx_port, paths.num_rx_ports, paths.num_tx_ports);
    }
}

}  // namespace

double sinc(double x) {
    if (std::abs(x) < 1e-8)
        return 1.0 - kPi * kPi * x * x / 6.0;
    return std::sin(kPi * x) / (kPi * x);
}

Cir cir(const Paths& paths, const ChannelOptions& options) {
    check_ports(paths, options);
    if (options.baseband && !(paths.frequency_hz > 0)) {
        fail("baseband CIR needs the carrier frequency, but Paths::frequency_hz = {}",
             paths.frequency_hz);
    }
    Cir out;
    out.a.reserve(paths.paths.size());
    out.tau.reserve(paths.paths.size());
    const std::complex<double> j(0.0, 1.0);
    for (const Path& p : paths.paths) {
        std::complex<double> a = p.coefficient(options.rx_port, options.tx_port);
        // Sionna primer eq. h_b: a_b = a·e^{−j2πf_cτ}.
        if (options.baseband)
            a *= std::exp(-j * (2 * kPi * paths.frequency_hz * p.tau));
        out.a.push_back(a);
        out.tau.push_back(p.tau);
    }
    if (options.normalize_delays && !out.tau.empty()) {
        const double t0 = *std::min_element(out.tau.begin(), out.tau.end());
        for (double& t : out.tau)
            t -= t0;
    }
    return out;
}

std::vector<std::complex<double>> taps(
    const Paths& paths, double bandwidth_hz, int l_min, int l_max, const ChannelOptions& options) {
    if (!(bandwidth_hz > 0) || !std::isfinite(bandwidth_hz)) {
        fail("taps: bandwidth {} Hz must be positive", bandwidth_hz);
    }
    if (l_max < l_min)
        fail("taps: l_max ({}) must be ≥ l_min ({})", l_max, l_min);
    const Cir c = cir(paths, options);
    std::vector<std::complex<double>> h(static_cast<std::size_t>(l_max - l_min + 1));
    // Sionna cir_to_time_channel: h_ℓ = Σ a_i sinc(ℓ − Wτ_i).
    for (std::size_t i = 0; i < c.a.size(); ++i) {
        const double w_tau = bandwidth_hz * c.tau[i];
        for (int l = l_min; l <= l_max; ++l)
            h[static_cast<std::size_t>(l - l_min)] += c.a[i] * sinc(l - w_tau);
    }
    return h;
}

std::vector<std::complex<double>> cfr(const Paths& paths,
                                      const std::vector<double>& frequencies_hz,
                                      const ChannelOptions& options) {
    const Cir c = cir(paths, options);
    std::vector<std::complex<double>> h(frequencies_hz.size());
    const std::complex<double> j(0.0, 1.0);
    // Sionna primer eq. H_final / cir_to_ofdm_channel: H(f) = Σ a_i e^{−j2πfτ_i}.
    for (std::size_t k = 0; k < frequencies_hz.size(); ++k) {
        std::complex<double> sum = 0.0;
        for (std::size_t i = 0; i < c.a.size(); ++i) {
            sum += c.a[i] * std::exp(-j * (2 * kPi * frequencies_hz[k] * c.tau[i]));
        }
        h[k] = sum;
    }
    return h;
}

}  // namespace radiofield::rt
