#pragma once
// Ground-truth datasets from the physics ray tracer (`radiofield simulate`): one fixed
// station, many positions of the moving end, spectra at the station and/or paths.
// Parallel over positions (TBB) and deterministic for a seed whatever the thread count.

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "radiofield/data/dataset.hpp"
#include "radiofield/rt/spectrum.hpp"
#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/scene.hpp"
#include "radiofield/sim/free_space.hpp"

namespace radiofield::sim {

enum class SpectrumMethod { Bartlett, Binned };

struct SimulationConfig {
    double frequency_hz = 0;  // 0 → the scene's nominal frequency
    data::DatasetKind kind = data::DatasetKind::Spectrum;
    std::string moving = "tx";  // the moving end: "tx" (RFID tags) or "rx"
    // Station pose; nullopt → the scene's first receiver (moving tx) or transmitter (moving rx).
    std::optional<Vec3> station_position;
    std::optional<Vec3> station_orientation;  // yaw, pitch, roll (radians), device frame
    data::ArrayConfig array{4, 4, 0.0};       // virtual array for Bartlett; spacing 0 → λ/2
    rt::SpectrumGrid grid;
    SpectrumMethod method = SpectrumMethod::Bartlett;
    double kernel_deg = 2.0;  // binned spectra: Gaussian kernel width
    // Spectrum convention (data::kSpectrumConventions, docs/conventions.md); empty → the
    // default for the scene and frequency (default_spectrum_convention).
    std::string spectrum;
    // path_gain_db: the one range [lo, hi] in dB that maps every spectrum's cells to 0..1
    // (docs/conventions.md); unset: hi = the training split's largest cell rounded up to 10 dB,
    // lo = hi − kDefaultDbSpan.
    std::optional<std::array<double, 2>> db_range;
    static constexpr double kDefaultDbSpan = 100.0;
    // Measurement noise on the element signals before the spectrum is formed (Bartlett
    // only); off by default. Each sample draws from stream = its index, so results do not
    // depend on the thread count.
    rt::ElementNoise noise;
    rt::TraceOptions trace;
    std::array<double, 3> split{0.8, 0.1, 0.1};
    std::uint64_t seed = 0;
    // Allow materials outside their ITU-R P.2040 ranges (one warning listing them). A built-in
    // scene at its own nominal frequency does so without it; either way the dataset records
    // the list in attrs["extrapolated_materials"].
    bool extrapolate = false;
    scene::Polarization polarization = scene::Polarization::V;  // both ends (isotropic)
    std::size_t batch = 64;  // positions per work unit (progress granularity)

    void validate() const;  // throws Error naming the bad field
};

// Where the moving end goes.
struct PositionSpec {
    enum class Mode { Random, Grid, Csv } mode = Mode::Random;
    std::size_t count = 1000;      // random
    double spacing = 0.25;         // grid, metres
    std::optional<double> height;  // fixed z for random/grid; nullopt → random in region
    // nullopt → drawing_region() for random/grid, acceptance_region() for CSV (free_space.hpp)
    std::optional<scene::Bounds> region;
    std::optional<std::pair<double, double>> z_range;  // overrides the region's heights
    std::filesystem::path csv;                         // x,y,z with a header line
    double clearance = 0.1;                            // minimum distance to any surface, metres
};

// Positions for a scene: inside the region, in free space (outside every solid object; the
// inside of a room shell is free, free_space.hpp), random and grid ones at least `clearance`
// from surfaces; deterministic for `seed`. Throws Error when a CSV position is inside a solid
// (naming the row, the object and its material) or outside the region, or when too few
// valid random positions can be found.
std::vector<Vec3> make_positions(const scene::Scene& scene,
                                 const PositionSpec& spec,
                                 std::uint64_t seed);
// Whether `p` lies inside acceptance_region() and in free space with `clearance` (builds a
// FreeSpace on each call; make_positions keeps one).
bool is_free_position(const rt::EmbreeScene& geometry, const Vec3& p, double clearance);

// The rotation of the station's spectrum frame (array plane = local x–y, normal = local z):
// the device frame (boresight +x) with its spectrum axes x→y, y→z, z→x, so the array
// normal is the device's boresight (docs/conventions.md).
Mat3 spectrum_frame(const Vec3& yaw_pitch_roll);

// The convention `simulate` uses when none is given: "nerf2" for an RFID-like dataset — a
// built-in RFID room (meeting_room_v*, office_v*, any random room FAMILY:SEED;
// scene::is_rfid_room_name) with the tags moving
// (moving "tx"), Bartlett spectra, at a UHF RFID carrier (860–960 MHz: ETSI EN 302 208 and
// FCC §15.247 bands, the rooms' own 915 MHz among them) — and "bartlett_power" elsewhere.
std::string default_spectrum_convention(const scene::Scene& scene,
                                        const SimulationConfig& config,
                                        double frequency_hz);
// The first azimuth of a grid of `step_deg` for a convention: 0° for "nerf2" (NeRF2's
// generator lays azimuth on 0..359°), `step_deg` otherwise (1..360° by default).
double default_azimuth_origin(std::string_view convention, double step_deg);

// What a simulation of `positions` positions needs in memory at its peak, in bytes (an
// estimate, as a double so that large sizes cannot wrap): the spectra it holds (positions x
// grid x 4 B), the Bartlett steering table (elements x grid x 8 B) and each thread's working
// spectra. Path sets are not counted: their size depends on the scene.
double estimate_memory_bytes(const SimulationConfig& config, std::size_t positions);

// Runs the simulation. Throws Error when the station is outside acceptance_region() or inside
// a solid, naming the object and its material. `cancel` (may be null) is polled between batches;
// when set, the function throws Interrupted (core/interrupt.hpp) and nothing is returned. Throws
// Error naming the material when one is outside its ITU-R P.2040 ranges and extrapolation is not
// allowed (SimulationConfig::extrapolate).
data::Dataset simulate(const scene::Scene& scene,
                       const SimulationConfig& config,
                       const std::vector<Vec3>& positions,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace radiofield::sim
