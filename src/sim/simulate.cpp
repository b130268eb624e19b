// `radiofield simulate`: ray-traced ground truth into a Dataset.
#include "radiofield/sim/simulate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/spectrum.hpp"
#include "radiofield/scene/builtin.hpp"

namespace radiofield::sim {

void SimulationConfig::validate() const {
    if (frequency_hz < 0 || !std::isfinite(frequency_hz)) {
        fail("frequency must be positive (got {} Hz)", frequency_hz);
    }
    if (moving != "tx" && moving != "rx")
        fail("--moving must be tx or rx (got '{}')", moving);
    if (array.rows < 1 || array.cols < 1) {
        fail("array must have at least 1x1 elements (got {}x{})", array.rows, array.cols);
    }
    if (array.spacing_m < 0)
        fail("array spacing must be ≥ 0 (0 = half a wavelength)");
    if (grid.n_el < 1 || grid.n_az < 1 || !(grid.step_deg > 0)) {
        fail("spectrum grid must have positive sizes and step (got {}x{}, step {})", grid.n_el,
             grid.n_az, grid.step_deg);
    }
    if (!spectrum.empty()) {
        data::check_spectrum_convention(spectrum, "--spectrum convention");
        if (spectrum == "nerf2" && method != SpectrumMethod::Bartlett) {
            fail(
                "--spectrum nerf2 needs Bartlett beamforming (element phases); --method binned "
                "has none: use --method bartlett or --spectrum bartlett_power|physical");
        }
    }
    noise.validate();
    if (noise.enabled() && method != SpectrumMethod::Bartlett) {
        fail(
            "--phase-noise/--snr act on the virtual array's element signals; --method binned "
            "has none: use --method bartlett or drop them");
    }
    if (!(kernel_deg > 0))
        fail("--kernel must be positive degrees (got {})", kernel_deg);
    if (db_range) {
        const auto [lo, hi] = *db_range;
        if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
            fail("--db-range must be two finite dB values LO,HI with LO < HI (got {},{})", lo, hi);
        if (spectrum != "path_gain_db")
            fail(
                "--db-range sets the range of --spectrum path_gain_db; drop it or choose that "
                "convention");
    }
    if (batch == 0)
        fail("batch size must be at least 1");
    trace.validate();
    const double sum = split[0] + split[1] + split[2];
    if (std::abs(sum - 1.0) > 1e-9 || split[0] < 0 || split[1] < 0 || split[2] < 0) {
        fail("split fractions must be ≥ 0 and sum to 1 (got {}, {}, {})", split[0], split[1],
             split[2]);
    }
}

Mat3 spectrum_frame(const Vec3& ypr) {
    // Columns: where the spectrum frame's x, y, z axes point in the device frame.
    Mat3 axes;
    axes.m = {0, 0, 1, 1, 0, 0, 0, 1, 0};
    return rotation_zyx(ypr.x, ypr.y, ypr.z) * axes;
}

std::string default_spectrum_convention(const scene::Scene& scene,
                                        const SimulationConfig& config,
                                        double frequency_hz) {
    const bool rfid_room = scene.builtin && scene::is_rfid_room_name(scene.name);
    const bool uhf_rfid = frequency_hz >= 860e6 && frequency_hz <= 960e6;
    const bool rfid_like =
        rfid_room && uhf_rfid && config.moving == "tx" && config.method == SpectrumMethod::Bartlett;
    return rfid_like ? "nerf2" : "bartlett_power";
}

double default_azimuth_origin(std::string_view convention, double step_deg) {
    return convention == "nerf2" ? 0.0 : step_deg;
}

double estimate_memory_bytes(const SimulationConfig& config, std::size_t positions) {
    if (!data::has_spectra(config.kind))
        return 0;
    const double pixels = static_cast<double>(config.grid.n_el) * config.grid.n_az;
    const double elements = static_cast<double>(config.array.rows) * config.array.cols;
    const double threads = std::max(1u, std::thread::hardware_concurrency());
    double bytes = static_cast<double>(positions) * pixels * sizeof(float);
    if (config.method == SpectrumMethod::Bartlett) {
        bytes += elements * pixels * 2 * sizeof(float);  // steering table, re and im
        bytes += threads * (elements * 2 * sizeof(double) + pixels * 3 * sizeof(float));
    } else {
        bytes += threads * pixels * sizeof(float);
    }
    return bytes;
}

namespace {

// Per-sample min–max to [0, 1] (a flat spectrum becomes all zeros).
void minmax_normalise(std::vector<float>& s) {
    const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
    const float mn = *lo, range = *hi - *lo;
    const float scale = range > 0 ? 1.0f / range : 0.0f;
    for (float& v : s)
        v = (v - mn) * scale;
}

// path_gain_db: each cell's power in dB mapped by one range for all samples, 0 at lo (and
// below, where no path arrives), 1 at hi (and above). The range is `range`, or one from the
// training samples' largest cell (`train`: their indices; all samples if empty).
std::array<double, 2> to_path_gain_db(std::vector<float>& spectra,
                                      std::size_t cells,
                                      const std::vector<std::int64_t>& train,
                                      std::optional<std::array<double, 2>> range) {
    if (!range) {
        double peak = 0;
        const auto scan = [&](std::size_t i) {
            for (std::size_t c = 0; c < cells; ++c)
                peak = std::max(peak, static_cast<double>(spectra[i * cells + c]));
        };
        if (train.empty()) {
            for (std::size_t i = 0; i < spectra.size() / cells; ++i)
                scan(i);
        } else {
            for (auto i : train)
                scan(static_cast<std::size_t>(i));
        }
        if (!(peak > 0))
            fail(
                "path_gain_db: no path reaches any training position, so there is no level to "
                "set the dB range from; give --db-range LO,HI or move the station");
        const double hi = 10 * std::ceil(std::log10(peak));  // 10·log10, rounded up to 10 dB
        range = std::array<double, 2>{hi - SimulationConfig::kDefaultDbSpan, hi};
    }
    const double lo = (*range)[0], span = (*range)[1] - (*range)[0];
    for (float& v : spectra) {
        const double db = v > 0 ? 10 * std::log10(static_cast<double>(v)) : lo;
        v = static_cast<float>(std::clamp((db - lo) / span, 0.0, 1.0));
    }
    return *range;
}

scene::Device station_device(const scene::Scene& scene, const SimulationConfig& config) {
    const bool station_is_rx = config.moving == "tx";
    const auto& candidates = station_is_rx ? scene.receivers : scene.transmitters;
    scene::Device station;
    if (!candidates.empty())
        station = candidates.front();
    station.name = station_is_rx ? "station_rx" : "station_tx";
    if (config.station_position) {
        station.position = *config.station_position;
    } else if (candidates.empty()) {
        fail("scene '{}' defines no {}; give the station with --station x,y,z", scene.name,
             station_is_rx ? "receiver" : "transmitter");
    }
    if (config.station_orientation)
        station.orientation = *config.station_orientation;
    // The station is traced as one element; its array is synthesised by beamforming.
    station.array = scene::PlanarArray{
        1, 1, 0, 0, scene::Antenna(station.array.antenna.kind(), config.polarization)};
    return station;
}

// "915 MHz", "2.412 GHz", "300 GHz".
std::string frequency_text(double hz) {
    return hz < 1e9 ? fmt::format("{:g} MHz", hz / 1e6) : fmt::format("{:g} GHz", hz / 1e9);
}

// The materials extrapolated beyond their ITU-R P.2040 ranges at `frequency` (scene material
// names), with one warning for all of them. A built-in scene at its own nominal frequency
// extrapolates without being asked (its materials were chosen for it, docs/materials.md);
// anywhere else it takes config.extrapolate, and without it the Tracer's Error names the
// first material out of range.
std::vector<std::string> extrapolated_materials(const scene::Scene& scene,
                                                double frequency,
                                                bool extrapolate) {
    const std::vector<std::uint32_t> outside = scene.materials_out_of_range(frequency);
    const bool at_nominal =
        scene.builtin && std::abs(frequency - scene.frequency_hz) <= 1e-9 * scene.frequency_hz;
    if (outside.empty() || !(extrapolate || at_nominal))
        return {};
    std::vector<std::string> names, described;
    for (std::uint32_t i : outside) {
        const scene::Material& m = scene.materials[i];
        names.push_back(m.name);
        described.push_back(fmt::format("{} ({})", m.name, m.ranges()));
    }
    log::warn(
        "extrapolating ITU-R P.2040 materials beyond their frequency ranges at {}: {}; "
        "results for these materials are model extrapolations",
        frequency_text(frequency), fmt::join(described, ", "));
    return names;
}

// Scattering needs a material that scatters: --diffuse on a scene whose materials all have
// scattering coefficient 0 adds nothing, which is said rather than left to be discovered.
void check_diffuse_has_effect(const scene::Scene& scene, const SimulationConfig& config) {
    if (!config.trace.diffuse)
        return;
    const bool any =
        std::any_of(scene.materials.begin(), scene.materials.end(),
                    [](const scene::Material& m) { return m.scattering_coefficient > 0; });
    if (!any)
        log::warn(
            "--diffuse: no material of scene '{}' scatters (every scattering_coefficient is 0), "
            "so there will be no diffuse paths; give materials a scattering_coefficient > 0 "
            "(docs/scene-format.md) or leave out --diffuse",
            scene.name);
}

// The samples whose spectrum, or whose channel response (path set), is all zero: nothing
// reached the station. A few happen (a position shadowed at --max-depth); all of them means
// the run is useless as it stands, so the warning names the likely causes.
void report_zero_samples(const data::Dataset& ds) {
    const std::size_t n = ds.size();
    for (const bool spectra : {true, false}) {
        if (spectra ? !data::has_spectra(ds.kind) : !data::has_paths(ds.kind))
            continue;
        std::vector<std::size_t> zero;
        for (std::size_t i = 0; i < n; ++i) {
            bool all_zero = true;
            if (spectra) {
                const auto s = ds.spectrum(i);
                all_zero = std::all_of(s.begin(), s.end(), [](float v) { return v == 0.0f; });
            } else {
                for (const auto& p : ds.paths[i].paths)
                    all_zero = all_zero && std::all_of(p.a.begin(), p.a.end(), [](const auto& a) {
                                   return a == std::complex<double>{};
                               });
            }
            if (all_zero)
                zero.push_back(i);
        }
        const char* what = spectra ? "spectra" : "channel responses (path sets)";
        if (zero.size() == n) {
            log::warn(
                "ALL {} {} are zero: nothing reached the station. Likely causes: the positions "
                "or the station are inside a solid, the frequency ({}) is far outside the "
                "materials' tables (--extrapolate), or no path connects them (--max-depth, "
                "--no-los, --samples). The dataset is written, but it holds no signal",
                n, what, frequency_text(ds.frequency_hz));
        } else if (!zero.empty()) {
            const std::size_t count = zero.size();
            zero.resize(std::min<std::size_t>(count, 10));
            log::warn(
                "{} of {} {} are zero (samples {}{}): nothing reached the station from there; "
                "raise --max-depth or --samples, or check that those positions are in free space",
                count, n, what, fmt::join(zero, ", "), count > zero.size() ? ", ..." : "");
        }
    }
}

}  // namespace

data::Dataset simulate(const scene::Scene& scene,
                       const SimulationConfig& config,
                       const std::vector<Vec3>& positions,
                       const std::atomic<bool>* cancel) {
    config.validate();
    if (positions.empty())
        fail("no positions to simulate");
    const double frequency = config.frequency_hz > 0 ? config.frequency_hz : scene.frequency_hz;
    if (!(frequency > 0))
        fail("scene '{}' has no nominal frequency; pass --frequency", scene.name);

    const std::vector<std::string> extrapolated =
        extrapolated_materials(scene, frequency, config.extrapolate);
    check_diffuse_has_effect(scene, config);
    // Reported above, once for all materials; without consent the tracer's Error names one.
    const auto extrapolation =
        extrapolated.empty() ? scene::Extrapolation::Error : scene::Extrapolation::Allow;
    const rt::Tracer tracer(scene, frequency, extrapolation);
    const scene::Device station = station_device(scene, config);
    require_free_position(FreeSpace(tracer.geometry()), station.position, acceptance_region(scene),
                          "station position", "give --station a point in free space");
    scene::Device mover;
    mover.name = config.moving;
    mover.array = scene::PlanarArray{
        1, 1, 0, 0, scene::Antenna(scene::PatternKind::Isotropic, config.polarization)};

    data::Dataset ds;
    ds.kind = config.kind;
    ds.frequency_hz = frequency;
    ds.moving = config.moving;
    ds.station_position = station.position;
    const Mat3 frame = spectrum_frame(station.orientation);
    ds.station_orientation = Quat::from_matrix(frame);
    ds.array = config.array;
    if (ds.array.spacing_m == 0)
        ds.array.spacing_m = wavelength(frequency) / 2;
    ds.grid = config.grid;
    ds.positions = positions;
    const std::size_t n = positions.size();
    if (data::has_spectra(config.kind))
        ds.spectra.assign(n * ds.grid.size(), 0.0f);
    if (data::has_paths(config.kind))
        ds.paths.resize(n);

    ds.spectrum_convention = config.spectrum.empty()
                                 ? default_spectrum_convention(scene, config, frequency)
                                 : config.spectrum;
    const bool nerf2 = ds.spectrum_convention == "nerf2";
    if (nerf2) {
        ds.power_unit = "normalized";
        ds.normalization = "minmax";  // per spectrum, of the phase-only Bartlett amplitude
    }
    const rt::SpectrumGrid& grid = ds.grid;
    const rt::VirtualArray varray{ds.array.rows, ds.array.cols, ds.array.spacing_m};
    std::optional<rt::BartlettBeamformer> beamformer;
    if (data::has_spectra(config.kind) && config.method == SpectrumMethod::Bartlett) {
        beamformer.emplace(grid, varray, frequency);
    }
    const bool station_is_rx = config.moving == "tx";
    const auto side = station_is_rx ? rt::StationSide::Receiver : rt::StationSide::Transmitter;
    const auto fixed_end = station_is_rx ? rt::FixedEnd::Rx : rt::FixedEnd::Tx;

    Progress progress("simulate", static_cast<std::int64_t>(n), "positions");
    const std::size_t batch = std::max(config.batch, (n + 19) / 20);
    for (std::size_t start = 0; start < n; start += batch) {
        if (cancel && cancel->load())
            throw Interrupted(
                fmt::format("interrupted after {} of {} positions; no output written", start, n));
        const std::size_t end = std::min(n, start + batch);
        const std::span<const Vec3> chunk(positions.data() + start, end - start);
        std::vector<rt::Paths> paths =
            tracer.compute_many(station, chunk, mover, config.trace, fixed_end);
        tbb::parallel_for(std::size_t{0}, paths.size(), [&](std::size_t k) {
            const std::size_t i = start + k;
            if (!data::has_spectra(config.kind))
                return;
            std::vector<float> s;
            if (beamformer) {
                std::vector<std::complex<double>> x =
                    beamformer->element_signals(paths[k], frame, 0, 0, side);
                rt::add_element_noise(x, config.noise, i);
                if (nerf2) {
                    s = beamformer->phase_only_amplitude(x);
                    minmax_normalise(s);
                } else {
                    s = beamformer->power(x);  // bartlett_power and physical store power
                }
            } else {
                s = rt::binned_spectrum(paths[k], grid, config.kernel_deg, frame, 0, 0, side);
            }
            std::copy(s.begin(), s.end(),
                      ds.spectra.begin() + static_cast<std::ptrdiff_t>(i * ds.grid.size()));
        });
        if (data::has_paths(config.kind)) {
            std::move(paths.begin(), paths.end(),
                      ds.paths.begin() + static_cast<std::ptrdiff_t>(start));
        }
        progress.advance(static_cast<std::int64_t>(end - start));
    }
    progress.finish();
    report_zero_samples(ds);

    ds.split = data::make_split(n, config.split, config.seed);
    if (ds.spectrum_convention == "path_gain_db" && data::has_spectra(config.kind)) {
        const auto range =
            to_path_gain_db(ds.spectra, ds.grid.size(), ds.split.train, config.db_range);
        ds.power_unit = "normalized";
        ds.normalization = "db_range";
        ds.attrs["db_range"] = {range[0], range[1]};
    }
    ds.attrs["seed"] = config.seed;
    ds.attrs["scene_name"] = scene.name;
    ds.attrs["spectrum_method"] = config.method == SpectrumMethod::Bartlett ? "bartlett" : "binned";
    ds.attrs["phase_noise_rad"] = config.noise.phase_std_rad;
    // null = no receiver noise (SNR +inf); JSON has no infinity.
    ds.attrs["snr_db"] =
        std::isfinite(config.noise.snr_db) ? nlohmann::json(config.noise.snr_db) : nlohmann::json();
    if (config.noise.enabled())
        ds.attrs["noise_seed"] = config.noise.seed;
    ds.attrs["max_depth"] = config.trace.max_depth;
    ds.attrs["samples_per_source"] = config.trace.samples_per_source;
    ds.attrs["diffuse"] = config.trace.diffuse;
    ds.attrs["transmission"] = config.trace.transmission;
    ds.attrs["polarization"] = std::string(scene::to_string(config.polarization));
    ds.attrs["extrapolated_materials"] = extrapolated;
    return ds;
}

}  // namespace radiofield::sim
