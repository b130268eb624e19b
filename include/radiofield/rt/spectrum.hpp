#pragma once
// Spatial spectrum at a station (DESIGN.md §4.4, §5): power per direction on an elevation ×
// azimuth grid, either by Bartlett beamforming of a virtual planar array (like NeRF2's
// measured RFID spectra) or by binning the ideal per-path power with a Gaussian kernel.
//
// Grid directions follow NeRF2: (cos el·cos az, cos el·sin az, sin el) in the station's local
// frame, el = el0 + i·step (row i), az = az0 + j·step (column j), rotated to the global frame
// by the station rotation (local → global). Output layout: [n_el × n_az] row-major, row =
// elevation index, linear power (|a|² units).
//
// Path coefficients: the spectrum sums paths coherently, so it uses the baseband coefficient
// a_bᵢ = aᵢ·e^{−j2πf_cτᵢ} (Path::a has no propagation phase, see field.cpp).
//
// Paths arriving from below the array plane (local z < 0): a planar array in the local x–y
// plane cannot tell û from its mirror image (û_x, û_y, −û_z), so such a path shows up at the
// mirrored elevation — in the Bartlett spectrum by the physics of the array, and in the binned
// spectrum by the same mirroring, applied explicitly, so both spectra agree.

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/paths.hpp"

namespace radiofield::rt {

// Angular grid of a spectrum: row r ↔ elevation el0 + r·step above the array plane,
// column c ↔ azimuth az0 + c·step (degrees). Default = NeRF2's 90×360, 1°..90°, 1°..360°.
// Datasets store it as is (data::SpectrumGrid is this type).
struct SpectrumGrid {
    int n_el = 90, n_az = 360;
    double el0_deg = 1, az0_deg = 1, step_deg = 1;

    std::size_t size() const {
        return static_cast<std::size_t>(n_el) * static_cast<std::size_t>(n_az);
    }
    bool operator==(const SpectrumGrid&) const = default;
    double elevation_deg(int row) const { return el0_deg + row * step_deg; }
    double azimuth_deg(int col) const { return az0_deg + col * step_deg; }
    // Unit direction of cell (row, col) in the station's local frame.
    Vec3 local_direction(int row, int col) const;
    void validate() const;  // throws Error on non-positive sizes or step
};

// rows × cols isotropic elements in the local x–y plane (normal = local z), centred on the
// station; element (r, c) at ((c − (cols−1)/2)·s, (r − (rows−1)/2)·s, 0).
struct VirtualArray {
    int rows = 4, cols = 4;
    double spacing_m = 0;  // 0 → λ/2 at the paths' frequency

    int size() const { return rows * cols; }
    std::vector<Vec3> element_offsets(double wavelength_m) const;  // local frame, [K]
};

// Which end of the paths the station is: its arrival directions (θ_r, φ_r) or, for a
// transmitting station, its departure directions (θ_t, φ_t).
enum class StationSide { Receiver, Transmitter };

// Measurement realism for the element signals x_k (docs/conventions.md, "Measurement noise"):
// each element's phase is perturbed by δ_k ~ N(0, phase_std_rad²), then complex white
// Gaussian receiver noise n_k ~ CN(0, σ²) is added with σ² = mean_k |x_k|² / 10^{snr_db/10}
// (the SNR per element, relative to the mean element power of that sample). Deterministic
// for (seed, stream); phase_std_rad = 0 and snr_db = +∞ leave x unchanged bit for bit.
struct ElementNoise {
    double phase_std_rad = 0;
    double snr_db = std::numeric_limits<double>::infinity();
    std::uint64_t seed = 0;

    bool enabled() const { return phase_std_rad > 0 || std::isfinite(snr_db); }
    void validate() const;  // throws Error on a negative / non-finite std or a NaN SNR
};
void add_element_noise(std::span<std::complex<double>> x,
                       const ElementNoise& noise,
                       std::uint64_t stream);

// Bartlett beamformer with the grid, array and frequency fixed: the steering phases
// conj(w_k(dir)) = e^{−j2π/λ·u(dir)ᵀd_k} are precomputed once (they do not depend on the
// station rotation, which only enters through the path directions), so each spectrum costs
// K sums over the paths plus n_el·n_az·K complex multiply-adds.
//   x_k = Σᵢ a_bᵢ e^{j2π/λ·ûᵢᵀd_k},   P(dir) = |Σ_k conj(w_k) x_k|² / K²
// so a single path from a grid direction gives P = |a|² there.
class BartlettBeamformer {
public:
    BartlettBeamformer(const SpectrumGrid& grid, const VirtualArray& array, double frequency_hz);

    // Element signals x_k = Σᵢ a_bᵢ e^{j2π/λ·ûᵢᵀd_k}, [K] (row-major over the array).
    std::vector<std::complex<double>> element_signals(
        const Paths& paths,
        const Mat3& station_rotation,
        int rx_port = 0,
        int tx_port = 0,
        StationSide side = StationSide::Receiver) const;
    // Bartlett power of complex element signals: P(dir) = |Σ_k conj(w_k) x_k|² / K².
    std::vector<float> power(std::span<const std::complex<double>> x) const;
    // Bartlett amplitude of phase-only element signals (NeRF2, dataset_tools/gen_spectrum.py):
    //   A(dir) = |Σ_k conj(w_k(dir)) e^{j·arg x_k}| / K  ∈ [0, 1]
    // (an RFID reader reports each antenna's phase; the magnitude is dropped). An element
    // with x_k = 0 has no phase and counts as e^{j0}.
    std::vector<float> phase_only_amplitude(std::span<const std::complex<double>> x) const;

    // power(element_signals(...)).
    std::vector<float> spectrum(const Paths& paths,
                                const Mat3& station_rotation,
                                int rx_port = 0,
                                int tx_port = 0,
                                StationSide side = StationSide::Receiver) const;

    const SpectrumGrid& grid() const { return m_grid; }
    double frequency_hz() const { return m_frequency_hz; }

private:
    // y(dir) = Σ_k conj(w_k(dir))·x_k for every cell, [n] each.
    void beamform(std::span<const std::complex<double>> x,
                  std::vector<float>& y_re,
                  std::vector<float>& y_im) const;

    SpectrumGrid m_grid;
    double m_frequency_hz, m_wavelength;
    std::vector<Vec3> m_offsets;                // [K], local frame
    std::vector<float> m_steer_re, m_steer_im;  // [K][n_el·n_az], conj(w_k)
};

// One-shot Bartlett spectrum (builds a BartlettBeamformer at paths.frequency_hz; reuse a
// BartlettBeamformer when computing many spectra).
std::vector<float> bartlett_spectrum(const Paths& paths,
                                     const SpectrumGrid& grid,
                                     const VirtualArray& array,
                                     const Mat3& station_rotation,
                                     int rx_port = 0,
                                     int tx_port = 0,
                                     StationSide side = StationSide::Receiver);

// Ideal spectrum: Σᵢ |aᵢ|²·K(γ)/Σ_cells K(γ), K(γ) = exp(−γ²/(2σ²)) with γ the angle between
// ûᵢ and the cell direction and σ = kernel_width_deg; the kernel is cut at 4σ. Each path's
// power is spread over the grid so that the grid total equals Σ|aᵢ|².
std::vector<float> binned_spectrum(const Paths& paths,
                                   const SpectrumGrid& grid,
                                   double kernel_width_deg,
                                   const Mat3& station_rotation,
                                   int rx_port = 0,
                                   int tx_port = 0,
                                   StationSide side = StationSide::Receiver);

}  // namespace radiofield::rt
