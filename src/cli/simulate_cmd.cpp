// `radiofield simulate`: ray-traced ground truth (spectra and/or paths) into one HDF5 file.
#include <fmt/format.h>

#include <limits>

#include "commands.hpp"
#include "parse.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/memory.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::cli {
namespace {

struct SimulateArgs {
    std::string scene = "meeting_room_v1";
    std::string scene_seed;  // empty: none
    std::string out;
    bool overwrite = false;
    std::string frequency;
    std::string kind = "spectrum";
    std::string moving = "tx";
    std::string station, station_orientation;
    std::string positions = "random";
    std::size_t count = 1000;
    double spacing = 0.25;
    std::string height;
    std::string region;
    std::string z_range;
    std::string polarization = "V";
    std::string csv;
    double clearance = 0.1;
    std::string grid = "90x360";
    std::string method = "bartlett";
    std::string spectrum;  // empty → sim::default_spectrum_convention
    double phase_noise = 0;
    std::string snr = "inf";
    double kernel_deg = 2.0;
    std::string db_range;  // path_gain_db: "LO,HI" dB; empty → from the training split
    std::string array = "4x4";
    double array_spacing = 0;
    int max_depth = 3;
    std::size_t samples = 200'000;
    bool diffuse = false, transmission = false, no_los = false, slab_reflection = false;
    std::uint64_t seed = 0;
    std::string split = "0.8,0.1,0.1";
    bool extrapolate = false;
};

void run_simulate(const SimulateArgs& a, const std::string& command_line) {
    check_output_path(a.out, a.overwrite);  // before any work
    const scene::Scene scene =
        scene::resolve_scene(scene_with_seed(a.scene, a.scene_seed, "--scene-seed"));

    sim::SimulationConfig config;
    config.frequency_hz = a.frequency.empty() ? scene.frequency_hz : parse_frequency(a.frequency);
    config.kind = data::parse_dataset_kind(a.kind);
    config.moving = a.moving;
    if (!a.station.empty())
        config.station_position = parse_vec3(a.station, "--station");
    if (!a.station_orientation.empty()) {
        const Vec3 deg = parse_vec3(a.station_orientation, "--station-orientation");
        config.station_orientation = Vec3{deg2rad(deg.x), deg2rad(deg.y), deg2rad(deg.z)};
    }
    const auto [rows, cols] = parse_size2(a.array, "--array");
    config.array = {rows, cols, a.array_spacing};
    const auto [n_el, n_az] = parse_size2(a.grid, "--grid");
    config.grid.n_el = n_el;
    config.grid.n_az = n_az;
    config.grid.step_deg = std::min(90.0 / n_el, 360.0 / n_az);
    config.grid.el0_deg = config.grid.step_deg;
    if (a.method == "bartlett") {
        config.method = sim::SpectrumMethod::Bartlett;
    } else if (a.method == "binned") {
        config.method = sim::SpectrumMethod::Binned;
    } else {
        fail("--method must be bartlett or binned (got '{}')", a.method);
    }
    if (!a.spectrum.empty())
        data::check_spectrum_convention(a.spectrum, "--spectrum convention");
    config.spectrum = a.spectrum.empty()
                          ? sim::default_spectrum_convention(scene, config, config.frequency_hz)
                          : a.spectrum;
    config.grid.az0_deg = sim::default_azimuth_origin(config.spectrum, config.grid.step_deg);
    config.noise.phase_std_rad = a.phase_noise;
    config.noise.snr_db = a.snr == "inf" || a.snr == "+inf"
                              ? std::numeric_limits<double>::infinity()
                              : parse_number(a.snr, "--snr");
    config.noise.seed = a.seed;
    config.kernel_deg = a.kernel_deg;
    if (!a.db_range.empty()) {
        const auto [lo, hi] = parse_pair(a.db_range, "--db-range");
        config.db_range = std::array<double, 2>{lo, hi};
    }
    config.trace.max_depth = a.max_depth;
    config.trace.samples_per_source = a.samples;
    config.trace.diffuse = a.diffuse;
    config.trace.transmission = a.transmission;
    config.trace.los = !a.no_los;
    config.trace.slab_reflection = a.slab_reflection;
    config.trace.seed = a.seed;
    config.seed = a.seed;
    config.split = parse_fractions(a.split);
    config.extrapolate = a.extrapolate;
    config.polarization = scene::polarization_from_string(a.polarization);
    config.validate();

    sim::PositionSpec spec;
    if (a.positions == "random") {
        spec.mode = sim::PositionSpec::Mode::Random;
    } else if (a.positions == "grid") {
        spec.mode = sim::PositionSpec::Mode::Grid;
    } else if (a.positions == "csv") {
        spec.mode = sim::PositionSpec::Mode::Csv;
        if (a.csv.empty())
            fail("--positions csv needs --csv FILE");
    } else {
        fail("--positions must be random, grid or csv (got '{}')", a.positions);
    }
    spec.count = a.count;
    spec.spacing = a.spacing;
    if (!a.height.empty())
        spec.height = parse_number(a.height, "--height");
    if (!a.region.empty())
        spec.region = parse_region(a.region);
    if (!a.z_range.empty()) {
        const auto v = parse_pair(a.z_range, "--z-range");
        spec.z_range = std::pair{v.first, v.second};
    }
    spec.csv = a.csv;
    spec.clearance = a.clearance;
    // Sizes against memory before any work (random positions are counted before they are
    // drawn; a grid or a file only once they are known).
    const auto check_size = [&](std::size_t n) {
        check_memory(sim::estimate_memory_bytes(config, n),
                     fmt::format("simulate with --grid {} and --array {} for {} positions", a.grid,
                                 a.array, n),
                     "ask for a smaller --grid (e.g. 90x360) or --array (e.g. 4x4), or fewer "
                     "positions (--count)");
    };
    check_size(spec.mode == sim::PositionSpec::Mode::Random ? spec.count : 1);
    const std::vector<Vec3> positions = sim::make_positions(scene, spec, a.seed);
    check_size(positions.size());
    log::info(
        "simulating {} positions in '{}' at {:.4g} GHz ({} spectra by {}, convention {}, max "
        "depth {}, {} rays)",
        positions.size(), scene.name, config.frequency_hz / 1e9, a.kind, a.method, config.spectrum,
        a.max_depth, a.samples);

    // Ctrl-C / SIGTERM stop the simulation between batches and the write between blocks.
    const InterruptScope interrupt;
    data::Dataset ds = sim::simulate(scene, config, positions, &interrupt_flag());
    ds.scene_json = scene::to_json_string(scene);
    ds.attrs["created_by"] = command_line;
    data::write_dataset(ds, a.out, a.overwrite);
    log::info("wrote {} ({} samples: {} train, {} val, {} test)", a.out, ds.size(),
              ds.split.train.size(), ds.split.val.size(), ds.split.test.size());
}

}  // namespace

void add_simulate_command(CLI::App& app, GlobalOptions& global) {
    static SimulateArgs a;
    auto* sub = app.add_subcommand("simulate",
                                   "Ray-trace ground-truth spectra / paths into an HDF5 dataset");
    sub->add_option("--scene", a.scene,
                    "Built-in scene (NAME, NAME@SEED, a random room FAMILY:SEED; see `radiofield "
                    "scene list`) or scene file")
        ->capture_default_str();
    sub->add_option("--scene-seed", a.scene_seed,
                    "Seed of the built-in scene: with a room family (meeting_room, office, lab) "
                    "the random room FAMILY:SEED, with a fixed scene NAME@SEED");
    sub->add_option("-o,--out", a.out, "Output dataset (.h5)")->required();
    sub->add_flag("--overwrite", a.overwrite, "Replace an existing output file");
    sub->add_option("--frequency", a.frequency,
                    "Carrier, e.g. 915e6, 915MHz, 2.412GHz (default: the scene's)");
    sub->add_option("--kind", a.kind, "spectrum, cir or both")->capture_default_str();
    sub->add_option("--moving", a.moving, "Which end moves: tx (RFID tags) or rx")
        ->capture_default_str();
    sub->add_option("--station", a.station,
                    "Fixed station position x,y,z (default: the scene's device)");
    sub->add_option("--station-orientation", a.station_orientation,
                    "Station yaw,pitch,roll in degrees");
    sub->add_option("--positions", a.positions, "random, grid or csv")->capture_default_str();
    // Numbers are range-checked as text, before conversion: "-5" never wraps to 2^64 − 5.
    sub->add_option("-n,--count", a.count, "Number of random positions")
        ->capture_default_str()
        ->check(finite_range(1, 10'000'000));
    sub->add_option("--spacing", a.spacing, "Grid spacing in metres")->capture_default_str();
    sub->add_option("--height", a.height, "Fixed height of the positions in metres");
    sub->add_option(
        "--region", a.region,
        "x0,y0,z0,x1,y1,z1 box for the positions (default: the scene's box; docs/scene-format.md)");
    sub->add_option("--z-range", a.z_range, "zmin,zmax heights of random positions (m)");
    sub->add_option("--polarization", a.polarization, "Antenna polarisation at both ends: V or H")
        ->capture_default_str()
        ->check(CLI::IsMember({"V", "H"}));
    sub->add_option("--csv", a.csv, "Positions file (x,y,z per line, optional header)");
    sub->add_option("--clearance", a.clearance, "Minimum distance of positions to surfaces (m)")
        ->capture_default_str()
        ->check(finite_range(0.0, 100.0));
    sub->add_option("--grid", a.grid, "Spectrum grid n_el x n_az")->capture_default_str();
    sub->add_option("--method", a.method, "Spectrum: bartlett (virtual array) or binned (per path)")
        ->capture_default_str();
    sub->add_option(
        "--spectrum", a.spectrum,
        "Spectrum convention (docs/conventions.md): bartlett_power = Bartlett power "
        "|sum_k conj(w_k) x_k|^2/K^2 of the complex element signals, stored linear, min-max per "
        "sample for models; nerf2 = NeRF2's gen_spectrum.py: |sum_k conj(w_k) e^{j arg x_k}|/K "
        "of phase-only signals, min-max, azimuth 0..359 deg; physical = the Bartlett power, "
        "unnormalised (dB); path_gain_db = the power in dB mapped to 0..1 by one range for every "
        "sample (--db-range; RF-3DGS+'s path-loss spectra, best with --method binned). Default: "
        "nerf2 for a built-in RFID room (meeting room, office or lab; "
        "fixed or random) with moving tags at 860-960 MHz, bartlett_power elsewhere");
    sub->add_option("--phase-noise", a.phase_noise,
                    "Per-element phase noise std in radians, before the spectrum (0 = off)")
        ->capture_default_str();
    sub->add_option("--snr", a.snr,
                    "Receiver noise: per-element SNR in dB relative to the mean element power "
                    "(inf = off); seeded by --seed")
        ->capture_default_str();
    sub->add_option("--kernel", a.kernel_deg, "Binned spectra: kernel width in degrees")
        ->capture_default_str();
    sub->add_option("--db-range", a.db_range,
                    "path_gain_db: LO,HI in dB mapped to 0 and 1 for every sample (default: HI "
                    "= the training split's strongest cell rounded up to 10 dB, LO = HI - 100)");
    sub->add_option("--array", a.array, "Virtual array rows x cols")->capture_default_str();
    sub->add_option("--array-spacing", a.array_spacing, "Element spacing in metres (0 = λ/2)")
        ->capture_default_str();
    sub->add_option("--max-depth", a.max_depth, "Interactions per path")->capture_default_str();
    sub->add_option("--samples", a.samples,
                    "Rays shot from the station (candidate search; the default finds every "
                    "path up to depth 3 on the built-in scenes)")
        ->capture_default_str()
        ->check(finite_range(1.0, 4.0e9));
    sub->add_flag("--diffuse", a.diffuse, "Diffuse scattering (next-event estimation)");
    sub->add_flag("--transmission", a.transmission, "Thin-slab transmission through surfaces");
    sub->add_flag("--no-los", a.no_los, "Leave out the line-of-sight path");
    sub->add_flag(
        "--slab-reflection", a.slab_reflection,
        "Reflect with the ITU-R P.2040 slab formula and each material's thickness (as Sionna RT "
        "does; for scenes whose walls are single surfaces, e.g. Sionna XML scenes)");
    sub->add_option("--seed", a.seed, "Seed for positions and split")
        ->capture_default_str()
        ->check(finite_range(0.0, 1.8e19));
    sub->add_option("--split", a.split, "train,val,test fractions")->capture_default_str();
    sub->add_flag("--extrapolate", a.extrapolate,
                  "Use materials outside their ITU-R P.2040 frequency range (warns; a built-in "
                  "scene at its own frequency does so without it)");
    sub->callback([&global, sub] {
        std::string cmd = "radiofield simulate";
        for (const auto& r : sub->get_options()) {
            if (r->count() > 0 && !r->get_lnames().empty()) {
                cmd += " --" + r->get_lnames().front();
                if (r->get_type_size_max() == 0)
                    continue;  // a flag: no value to repeat
                for (const auto& v : r->results())
                    cmd += " " + v;
            }
        }
        global.action = [cmd] { run_simulate(a, cmd); };
    });
}

}  // namespace radiofield::cli
