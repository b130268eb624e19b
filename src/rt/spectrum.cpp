#include "radiofield/rt/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/core/units.hpp"

namespace radiofield::rt {
namespace {

struct LocalArrival {
    Vec3 u;                    // unit direction in the station's local frame, z ≥ 0
    std::complex<double> a_b;  // baseband coefficient a·e^{−j2πf_cτ}
};

void check_ports(const Paths& paths, int rx_port, int tx_port) {
    if (rx_port < 0 || rx_port >= paths.num_rx_ports || tx_port < 0 ||
        tx_port >= paths.num_tx_ports) {
        fail(
            "spectrum: port pair (rx {}, tx {}) does not exist: these paths have {} receive and {} "
            "transmit port(s)",
            rx_port, tx_port, paths.num_rx_ports, paths.num_tx_ports);
    }
}

// Each path's direction seen from the station, in its local frame, mirrored into z ≥ 0 (a
// planar x–y array cannot distinguish the two half-spaces; see spectrum.hpp).
std::vector<LocalArrival> local_arrivals(
    const Paths& paths, const Mat3& rotation, int rx_port, int tx_port, StationSide side) {
    check_ports(paths, rx_port, tx_port);
    if (!(paths.frequency_hz > 0))
        fail("spectrum: Paths::frequency_hz = {} must be positive", paths.frequency_hz);
    const Mat3 to_local = rotation.transposed();
    const std::complex<double> j(0.0, 1.0);
    std::vector<LocalArrival> out;
    out.reserve(paths.paths.size());
    for (const Path& p : paths.paths) {
        const bool rx = side == StationSide::Receiver;
        Vec3 u =
            to_local * direction_from_angles(rx ? p.theta_r : p.theta_t, rx ? p.phi_r : p.phi_t);
        u.z = std::abs(u.z);
        // Sionna primer eq. h_b: coherent sums need the propagation phase.
        out.push_back({u, p.coefficient(rx_port, tx_port) *
                              std::exp(-j * (2 * kPi * paths.frequency_hz * p.tau))});
    }
    return out;
}

}  // namespace

Vec3 SpectrumGrid::local_direction(int row, int col) const {
    // NeRF2 ray directions: (cos el·cos az, cos el·sin az, sin el).
    const double el = deg2rad(elevation_deg(row)), az = deg2rad(azimuth_deg(col));
    return {std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
}

void SpectrumGrid::validate() const {
    if (n_az < 1 || n_el < 1 || !(step_deg > 0) || !std::isfinite(az0_deg) ||
        !std::isfinite(el0_deg)) {
        fail("spectrum grid {}x{} (az × el), step {}°: sizes must be ≥ 1 and the step positive",
             n_az, n_el, step_deg);
    }
}

std::vector<Vec3> VirtualArray::element_offsets(double wavelength_m) const {
    if (rows < 1 || cols < 1)
        fail("virtual array {}x{}: rows and columns must be at least 1", rows, cols);
    if (spacing_m < 0)
        fail("virtual array spacing {} m must be ≥ 0 (0 means λ/2)", spacing_m);
    const double s = spacing_m > 0 ? spacing_m : 0.5 * wavelength_m;
    std::vector<Vec3> out;
    out.reserve(static_cast<std::size_t>(size()));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            out.push_back({(c - 0.5 * (cols - 1)) * s, (r - 0.5 * (rows - 1)) * s, 0.0});
    return out;
}

BartlettBeamformer::BartlettBeamformer(const SpectrumGrid& grid,
                                       const VirtualArray& array,
                                       double frequency_hz)
    : m_grid(grid), m_frequency_hz(frequency_hz) {
    m_grid.validate();
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz)) {
        fail("Bartlett beamformer: frequency {} Hz must be positive", frequency_hz);
    }
    m_wavelength = wavelength(frequency_hz);
    m_offsets = array.element_offsets(m_wavelength);
    const std::size_t k_count = m_offsets.size(), n = m_grid.size();
    m_steer_re.resize(k_count * n);
    m_steer_im.resize(k_count * n);
    const double k0 = 2 * kPi / m_wavelength;
    for (int row = 0; row < m_grid.n_el; ++row) {
        for (int col = 0; col < m_grid.n_az; ++col) {
            const Vec3 u = m_grid.local_direction(row, col);
            const std::size_t cell = static_cast<std::size_t>(row) * m_grid.n_az + col;
            for (std::size_t k = 0; k < k_count; ++k) {
                // conj(w_k) = e^{−j2π/λ·uᵀd_k} (synthetic-array phase, DESIGN.md §5)
                const double phase = -k0 * dot(u, m_offsets[k]);
                m_steer_re[k * n + cell] = static_cast<float>(std::cos(phase));
                m_steer_im[k * n + cell] = static_cast<float>(std::sin(phase));
            }
        }
    }
}

std::vector<std::complex<double>> BartlettBeamformer::element_signals(const Paths& paths,
                                                                      const Mat3& station_rotation,
                                                                      int rx_port,
                                                                      int tx_port,
                                                                      StationSide side) const {
    if (std::abs(paths.frequency_hz - m_frequency_hz) > 1e-9 * m_frequency_hz) {
        fail(
            "Bartlett beamformer built for {} Hz was given paths at {} Hz; build one per frequency",
            m_frequency_hz, paths.frequency_hz);
    }
    const std::vector<LocalArrival> arrivals =
        local_arrivals(paths, station_rotation, rx_port, tx_port, side);
    const double k0 = 2 * kPi / m_wavelength;
    // Element signals x_k = Σᵢ a_bᵢ e^{j2π/λ·ûᵢᵀd_k} (plane wave arriving from ûᵢ).
    std::vector<std::complex<double>> x(m_offsets.size());
    for (std::size_t k = 0; k < m_offsets.size(); ++k) {
        for (const LocalArrival& arr : arrivals)
            x[k] += arr.a_b * std::polar(1.0, k0 * dot(arr.u, m_offsets[k]));
    }
    return x;
}

void BartlettBeamformer::beamform(std::span<const std::complex<double>> x,
                                  std::vector<float>& y_re,
                                  std::vector<float>& y_im) const {
    const std::size_t k_count = m_offsets.size(), n = m_grid.size();
    if (x.size() != k_count)
        fail("Bartlett beamformer: {} element signals given, the array has {}", x.size(), k_count);
    y_re.assign(n, 0.0f);
    y_im.assign(n, 0.0f);
    // y(dir) = Σ_k conj(w_k(dir))·x_k, accumulated element by element (vectorises over cells).
    for (std::size_t k = 0; k < k_count; ++k) {
        const float xr = static_cast<float>(x[k].real()), xi = static_cast<float>(x[k].imag());
        const float* sr = m_steer_re.data() + k * n;
        const float* si = m_steer_im.data() + k * n;
        for (std::size_t c = 0; c < n; ++c) {
            y_re[c] += sr[c] * xr - si[c] * xi;
            y_im[c] += sr[c] * xi + si[c] * xr;
        }
    }
}

std::vector<float> BartlettBeamformer::power(std::span<const std::complex<double>> x) const {
    std::vector<float> y_re, y_im;
    beamform(x, y_re, y_im);
    const float inv_k2 = 1.0f / static_cast<float>(x.size() * x.size());
    std::vector<float> out(y_re.size());
    for (std::size_t c = 0; c < out.size(); ++c)
        out[c] = (y_re[c] * y_re[c] + y_im[c] * y_im[c]) * inv_k2;
    return out;
}

std::vector<float> BartlettBeamformer::phase_only_amplitude(
    std::span<const std::complex<double>> x) const {
    // NeRF2 gen_spectrum.py: |Σ_k e^{j(θ_k(dir) − φ_k)}| / K with its theory phase
    // θ_k = −2π/λ·uᵀd_k and its measured phase φ_k; here φ_k = −arg x_k (its reader's phase
    // sign), which is the same magnitude as |Σ_k conj(w_k) e^{j·arg x_k}| / K.
    std::vector<std::complex<double>> unit(x.size());
    for (std::size_t k = 0; k < x.size(); ++k)
        unit[k] = std::polar(1.0, std::arg(x[k]));
    std::vector<float> y_re, y_im;
    beamform(unit, y_re, y_im);
    const float inv_k = 1.0f / static_cast<float>(x.size());
    std::vector<float> out(y_re.size());
    for (std::size_t c = 0; c < out.size(); ++c)
        out[c] = std::sqrt(y_re[c] * y_re[c] + y_im[c] * y_im[c]) * inv_k;
    return out;
}

std::vector<float> BartlettBeamformer::spectrum(const Paths& paths,
                                                const Mat3& station_rotation,
                                                int rx_port,
                                                int tx_port,
                                                StationSide side) const {
    return power(element_signals(paths, station_rotation, rx_port, tx_port, side));
}

void ElementNoise::validate() const {
    if (!(phase_std_rad >= 0) || !std::isfinite(phase_std_rad))
        fail("phase noise std {} rad must be ≥ 0 and finite (0 = off)", phase_std_rad);
    if (std::isnan(snr_db) || snr_db == -std::numeric_limits<double>::infinity())
        fail("SNR {} dB must be a number (+inf = no receiver noise)", snr_db);
}

void add_element_noise(std::span<std::complex<double>> x,
                       const ElementNoise& noise,
                       std::uint64_t stream) {
    if (!noise.enabled() || x.empty())
        return;
    Rng rng(noise.seed, stream);
    // Phase noise first (each element's oscillator / cable), then receiver noise at the SNR.
    if (noise.phase_std_rad > 0) {
        for (auto& v : x)
            v *= std::polar(1.0, noise.phase_std_rad * rng.normal());
    }
    if (std::isfinite(noise.snr_db)) {
        double mean_power = 0;
        for (const auto& v : x)
            mean_power += std::norm(v);
        mean_power /= static_cast<double>(x.size());
        // CN(0, σ²): real and imaginary parts each N(0, σ²/2).
        const double sigma = std::sqrt(mean_power / std::pow(10.0, noise.snr_db / 10) / 2);
        for (auto& v : x) {
            const double re = rng.normal(), im = rng.normal();
            v += std::complex<double>(sigma * re, sigma * im);
        }
    }
}

std::vector<float> bartlett_spectrum(const Paths& paths,
                                     const SpectrumGrid& grid,
                                     const VirtualArray& array,
                                     const Mat3& station_rotation,
                                     int rx_port,
                                     int tx_port,
                                     StationSide side) {
    return BartlettBeamformer(grid, array, paths.frequency_hz)
        .spectrum(paths, station_rotation, rx_port, tx_port, side);
}

namespace {

// The columns of `row` that may lie within `reach` (radians) of the unit direction u, in
// ascending order: a superset of them (the caller tests each cell), found from the spherical
// law of cosines. The great-circle distance to a cell is at least the difference of
// elevations, so rows farther than `reach` in elevation have none; within reach, cos Δaz ≥
// (cos reach − sin el_u sin el_r) / (cos el_u cos el_r) bounds the azimuths. Near a pole,
// for elevations outside ±90° or a direction that is not unit, every column.
void kernel_columns(
    const SpectrumGrid& grid, int row, const Vec3& u, double reach, std::vector<int>& cols) {
    cols.clear();
    const auto all = [&] {
        for (int c = 0; c < grid.n_az; ++c)
            cols.push_back(c);
    };
    constexpr double kMargin = 1e-6;  // radians: rounding in the bounds below
    const double el_r = deg2rad(grid.elevation_deg(row));
    const double len = norm(u);
    if (reach >= kPi || std::abs(el_r) > kPi / 2 || std::abs(len - 1) > 1e-6)
        return all();
    const double el_u = std::asin(std::clamp(u.z / len, -1.0, 1.0));
    if (std::abs(el_r - el_u) > reach + kMargin)
        return;
    const double cos_both = std::cos(el_u) * std::cos(el_r);
    if (cos_both < 1e-9)
        return all();
    const double t = (std::cos(reach) - std::sin(el_u) * std::sin(el_r)) / cos_both;
    if (t <= -1)
        return all();
    const double half = std::acos(std::min(t, 1.0)) + kMargin;  // t > 1: only rounding's cells
    if (half >= kPi)
        return all();
    const double az_u = std::atan2(u.y, u.x);
    const double step = deg2rad(grid.step_deg), az0 = deg2rad(grid.az0_deg);
    // The window [az_u − half, az_u + half] and its copies a turn away (a window of width
    // < 2π meets each column's azimuth in at most one of them).
    for (int turn = -2; turn <= 2; ++turn) {
        const double centre = az_u + turn * 2 * kPi - az0;
        const double lo = std::ceil((centre - half) / step),
                     hi = std::floor((centre + half) / step);
        const double first = std::max(lo, 0.0), last = std::min(hi, grid.n_az - 1.0);
        for (double c = first; c <= last; ++c)
            cols.push_back(static_cast<int>(c));
    }
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
}

}  // namespace

std::vector<float> binned_spectrum(const Paths& paths,
                                   const SpectrumGrid& grid,
                                   double kernel_width_deg,
                                   const Mat3& station_rotation,
                                   int rx_port,
                                   int tx_port,
                                   StationSide side) {
    grid.validate();
    if (!(kernel_width_deg > 0) || !std::isfinite(kernel_width_deg)) {
        fail("binned spectrum: kernel width {}° must be positive", kernel_width_deg);
    }
    const std::vector<LocalArrival> arrivals =
        local_arrivals(paths, station_rotation, rx_port, tx_port, side);
    const std::size_t n = grid.size();
    std::vector<Vec3> dirs(n);
    for (int row = 0; row < grid.n_el; ++row)
        for (int col = 0; col < grid.n_az; ++col)
            dirs[static_cast<std::size_t>(row) * grid.n_az + col] = grid.local_direction(row, col);

    const double sigma = deg2rad(kernel_width_deg);
    const double reach = std::min(4 * sigma, kPi);  // the kernel's support, radians
    const double cos_cut = std::cos(reach);
    // Each arrival weighs the cells within `reach` of it: a few rows, and in each a window of
    // columns around its azimuth (kernel_columns), instead of all n cells; the cells outside
    // have weight 0, so the sums (in ascending cell order, as a full scan) are the same.
    std::vector<double> acc(n, 0.0);
    std::vector<std::pair<std::size_t, double>> weights;
    std::vector<int> cols;
    for (const LocalArrival& arr : arrivals) {
        const double power = std::norm(arr.a_b);
        if (power == 0)
            continue;
        weights.clear();
        double total = 0;
        for (int row = 0; row < grid.n_el; ++row) {
            kernel_columns(grid, row, arr.u, reach, cols);
            for (const int col : cols) {
                const std::size_t c = static_cast<std::size_t>(row) * grid.n_az + col;
                const double cos_g = std::clamp(dot(arr.u, dirs[c]), -1.0, 1.0);
                if (cos_g < cos_cut)
                    continue;
                const double g = std::acos(cos_g);
                const double w = std::exp(-g * g / (2 * sigma * sigma));  // Gaussian kernel
                weights.emplace_back(c, w);
                total += w;
            }
        }
        if (total == 0)
            continue;  // the kernel misses the grid entirely (path outside its span)
        for (const auto& [c, w] : weights)
            acc[c] += power * w / total;
    }
    std::vector<float> out(n);
    for (std::size_t c = 0; c < n; ++c)
        out[c] = static_cast<float>(acc[c]);
    return out;
}

}  // namespace radiofield::rt
