// `radiofield import nerf2 DIR --out rfid.h5`, `radiofield export nerf2 DATASET DIR`,
// `radiofield show DATASET [--images N] [--out-dir DIR]`.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <optional>

#include "commands.hpp"
#include "parse.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/data/dataset.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/nerf2.hpp"
#include "radiofield/scene/render.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::cli {
namespace {
namespace fs = std::filesystem;

struct ImportArgs {
    std::string dir, out;
    bool overwrite = false;
    double frequency_hz = 920e6;
    std::uint64_t seed = 0;
    std::string array;  // "RxC"; empty → radiofield.json or NeRF2's 4x4
    double array_spacing = 0;
    std::string spectrum;
};

struct ExportArgs {
    std::string dataset, dir;
    bool overwrite = false;
    std::string convert;
};

struct ShowArgs {
    std::string dataset;
    int images = 0;
    std::string out_dir = ".";
    bool overwrite = false;
    std::string colour_map = "viridis";
};

void run_import(const ImportArgs& a) {
    check_output_path(a.out, a.overwrite);  // fail before reading thousands of PNGs
    data::Nerf2ImportOptions options;
    options.frequency_hz = a.frequency_hz;
    options.split_seed = a.seed;
    if (!a.array.empty() || a.array_spacing > 0) {
        const auto [rows, cols] =
            a.array.empty() ? std::pair{4, 4} : parse_size2(a.array, "--array");
        options.array = data::ArrayConfig{rows, cols, a.array_spacing > 0 ? a.array_spacing : 0.16};
    }
    if (!a.spectrum.empty())
        data::check_spectrum_convention(a.spectrum, "--spectrum convention");
    options.spectrum_convention = a.spectrum;
    data::Dataset d = data::import_nerf2(a.dir, options);
    const InterruptScope interrupt;  // from here Ctrl-C / SIGTERM stop the write, leaving nothing
    d.attrs["created_by"] = fmt::format("radiofield import nerf2 {} --frequency {} --seed {}",
                                        a.dir, a.frequency_hz, a.seed);
    data::write_dataset(d, a.out, a.overwrite);
    log::info("wrote {} ({} spectra: {} train, {} test)", a.out, d.size(), d.split.train.size(),
              d.split.test.size());
}

void run_export(const ExportArgs& a) {
    check_output_folder(a.dir, a.overwrite, {a.dataset});  // before reading anything
    const data::Dataset d = data::read_dataset(a.dataset);
    const InterruptScope interrupt;  // from here Ctrl-C / SIGTERM stop the write, leaving nothing
    data::export_nerf2(d, a.dir, data::Nerf2ExportOptions{a.overwrite, a.convert});
    log::info("wrote NeRF2 folder {}", a.dir);
}

std::string split_of(const data::Split& s, std::int64_t i) {
    for (const auto& [name, part] :
         {std::pair{"train", &s.train}, std::pair{"val", &s.val}, std::pair{"test", &s.test}}) {
        if (std::binary_search(part->begin(), part->end(), i))
            return name;
    }
    return "unsplit";
}

// Top view of the dataset's scene with the station (large red) and the positions coloured
// by split: train blue, val orange, test green.
void write_top_view(const data::Dataset& h, const fs::path& file) {
    const scene::Scene scene = scene::scene_from_json_string(h.scene_json, "the dataset's scene");
    scene::TopViewOptions options;
    options.title = fmt::format("{}: {} {} positions", scene.name, h.size(), h.moving);
    const std::array<std::pair<const std::vector<std::int64_t>*, std::array<std::uint8_t, 3>>, 3>
        parts{std::pair{&h.split.train, std::array<std::uint8_t, 3>{40, 90, 220}},
              std::pair{&h.split.val, std::array<std::uint8_t, 3>{240, 140, 20}},
              std::pair{&h.split.test, std::array<std::uint8_t, 3>{30, 170, 60}}};
    for (const auto& [indices, colour] : parts) {
        for (const std::int64_t i : *indices)
            options.markers.push_back({h.positions[static_cast<std::size_t>(i)], colour, 2});
    }
    options.markers.push_back({h.station_position, {220, 20, 20}, 7});
    scene::write_png(scene::render_top_view(scene, options), file);
    log::info("wrote {}", file.string());
}

void run_show(const ShowArgs& a) {
    const data::ColourMap cmap = data::parse_colour_map(a.colour_map);
    if (a.images > 0) {
        const fs::path out(a.out_dir);
        const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
        if (!fs::is_directory(out) && !fs::is_directory(parent)) {
            fail("--out-dir '{}': neither it nor its parent folder exists; create it first",
                 a.out_dir);
        }
    }
    const data::DatasetReader reader(a.dataset);
    const data::Dataset& h = reader.header();
    const auto& g = h.grid;
    // The pictures to draw: every one is checked before any is written, and none replaces an
    // existing file unless asked.
    std::vector<std::pair<fs::path, std::optional<std::size_t>>> pictures;  // file, sample
    if (a.images > 0 && reader.size() > 0) {
        const fs::path dir = a.out_dir == "." ? fs::path() : fs::path(a.out_dir);
        if (!h.scene_json.empty())
            pictures.emplace_back(dir / "scene_top.png", std::nullopt);  // the top view
        const std::size_t count =
            reader.has_spectra()
                ? std::min<std::size_t>(static_cast<std::size_t>(a.images), reader.size())
                : 0;
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t i =
                count == 1 ? 0 : j * (reader.size() - 1) / (count - 1);  // spread over the set
            pictures.emplace_back(dir / fmt::format("spectrum_{:05d}.png", i), i);
        }
        if (fs::is_directory(dir.empty() ? fs::path(".") : dir)) {
            for (const auto& [file, sample] : pictures)
                check_output_path(file, a.overwrite, {a.dataset});
        }
    }
    fmt::print("dataset     {}\n", a.dataset);
    fmt::print("kind        {}\n", data::to_string(h.kind));
    fmt::print("frequency   {:.6g} GHz\n", h.frequency_hz / 1e9);
    fmt::print("samples     {} (train {}, val {}, test {})\n", h.size(), h.split.train.size(),
               h.split.val.size(), h.split.test.size());
    fmt::print("moving      {}\n", h.moving);
    const auto& p = h.station_position;
    const auto& q = h.station_orientation;
    fmt::print(
        "station     at ({:.3f}, {:.3f}, {:.3f}), orientation (x,y,z,w) ({:.4f}, {:.4f}, {:.4f}, "
        "{:.4f})\n",
        p.x, p.y, p.z, q.x, q.y, q.z, q.w);
    fmt::print("array       {} x {}, spacing {:.4g} m\n", h.array.rows, h.array.cols,
               h.array.spacing_m);
    fmt::print("convention  {}\n", h.spectrum_convention);
    if (reader.has_spectra()) {
        fmt::print(
            "grid        {} x {} (elevation {:g}..{:g} deg, azimuth {:g}..{:g} deg, step {:g} "
            "deg)\n",
            g.n_el, g.n_az, g.el0_deg, g.el0_deg + (g.n_el - 1) * g.step_deg, g.az0_deg,
            g.az0_deg + (g.n_az - 1) * g.step_deg, g.step_deg);
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        std::vector<float> s(g.size());
        // Pixel statistics of the spectra as models see them (min–max per sample).
        std::array<double, 10> histogram{};
        double sum = 0, pixels = 0;
        for (std::size_t i = 0; i < reader.size(); ++i) {
            reader.read_spectrum(i, s);
            const auto [mn, mx] = std::minmax_element(s.begin(), s.end());
            lo = std::min(lo, *mn), hi = std::max(hi, *mx);
            const double low = *mn, range = *mx - *mn;
            for (const float v : s) {
                const double t = range > 0 ? (v - low) / range : 0.0;
                sum += t;
                ++histogram[std::min<std::size_t>(9, static_cast<std::size_t>(t * 10))];
            }
            pixels += static_cast<double>(s.size());
        }
        fmt::print("power       {} ({}), values {:.4g} .. {:.4g}\n", h.power_unit, h.normalization,
                   lo, hi);
        if (pixels > 0) {
            std::vector<std::string> bins;
            for (const double n : histogram)
                bins.push_back(fmt::format("{:.1f}", 100 * n / pixels));
            fmt::print("pixels      min-max per sample: mean {:.3f}; % in tenths 0..1: {}\n",
                       sum / pixels, fmt::join(bins, " "));
        }
    }
    if (reader.has_paths()) {
        std::size_t paths = 0;
        for (std::size_t i = 0; i < reader.size(); ++i)
            paths += reader.read_paths(i).paths.size();
        fmt::print("paths       {} in all, {:.1f} per sample\n", paths,
                   reader.size() ? static_cast<double>(paths) / reader.size() : 0.0);
    }
    fmt::print("scene       {}\n",
               h.scene_json.empty() ? "none"
                                    : fmt::format("embedded JSON, {} bytes", h.scene_json.size()));
    const auto extrapolated = h.attrs.find("extrapolated_materials");
    if (extrapolated != h.attrs.end() && extrapolated->is_array() && !extrapolated->empty()) {
        fmt::print("materials   extrapolated beyond their ITU-R P.2040 ranges: {}\n",
                   fmt::join(extrapolated->get<std::vector<std::string>>(), ", "));
    }
    if (!h.attrs.empty())
        fmt::print("attrs       {}\n", h.attrs.dump());

    if (pictures.empty())
        return;
    const InterruptScope interrupt;  // Ctrl-C / SIGTERM: stop after the picture being written
    fs::create_directories(a.out_dir);
    data::SpectrumImageOptions options;
    options.colour_map = cmap;
    options.scale = h.power_unit == "linear" ? data::ValueScale::Db : data::ValueScale::Linear;
    for (const auto& [file, sample] : pictures) {
        throw_if_interrupted(fmt::format("stopped before '{}'", file.string()));
        if (!sample) {
            write_top_view(h, file);
            continue;
        }
        const std::size_t i = *sample;
        const auto& pos = h.positions[i];
        options.title = fmt::format("sample {} ({}) {} at ({:.2f}, {:.2f}, {:.2f})", i,
                                    split_of(h.split, static_cast<std::int64_t>(i)), h.moving,
                                    pos.x, pos.y, pos.z);
        data::spectrum_to_png(reader.read_spectrum(i), g, file, options);
        log::info("wrote {}", file.string());
    }
}

}  // namespace

void add_data_commands(CLI::App& app, GlobalOptions& global) {
    static ImportArgs ia;
    auto* import_cmd =
        app.add_subcommand("import", "Import datasets (NeRF2 RFID folders) into HDF5");
    import_cmd->require_subcommand(1);
    auto* import_nerf2 = import_cmd->add_subcommand(
        "nerf2", "NeRF2 RFID folder (spectrum/*.png, tx_pos.csv, gateway_info.yml)");
    import_nerf2->add_option("dir", ia.dir, "NeRF2 folder")->required();
    import_nerf2->add_option("-o,--out", ia.out, "Output dataset (.h5)")->required();
    import_nerf2->add_flag("--overwrite", ia.overwrite, "Replace the output if it exists");
    import_nerf2->add_option("--frequency", ia.frequency_hz,
                             "Carrier frequency in Hz (NeRF2 RFID: 920e6)");
    import_nerf2->add_option("--seed", ia.seed,
                             "Seed of the 80/20 split used when the folder has no index files");
    import_nerf2->add_option("--array", ia.array,
                             "Reader array rows x cols (default: radiofield.json, else 4x4)");
    import_nerf2->add_option(
        "--array-spacing", ia.array_spacing,
        "Reader array spacing in metres (default: radiofield.json, else 0.16)");
    import_nerf2->add_option("--spectrum", ia.spectrum,
                             "Convention of the PNGs: nerf2 or bartlett_power (default: "
                             "radiofield.json, else nerf2)");
    import_nerf2->callback([&global] { global.action = [] { run_import(ia); }; });

    static ExportArgs ea;
    auto* export_cmd = app.add_subcommand("export", "Export datasets (NeRF2 RFID folders)");
    export_cmd->require_subcommand(1);
    auto* export_nerf2 =
        export_cmd->add_subcommand("nerf2", "Write a NeRF2 RFID folder from a spectrum dataset");
    export_nerf2->add_option("dataset", ea.dataset, "Dataset (.h5)")->required();
    export_nerf2->add_option("dir", ea.dir, "Output folder")->required();
    export_nerf2->add_flag("--overwrite", ea.overwrite, "Replace the folder if it exists");
    export_nerf2->add_option(
        "--convert", ea.convert,
        "Write this convention instead of NeRF2's where a conversion exists: the dataset's own "
        "(nerf2, bartlett_power) or physical -> bartlett_power (min-max)");
    export_nerf2->callback([&global] { global.action = [] { run_export(ea); }; });

    static ShowArgs sa;
    auto* show = app.add_subcommand("show", "Summarise a dataset and draw some of its spectra");
    show->add_option("dataset", sa.dataset, "Dataset (.h5)")->required();
    show->add_option("--images", sa.images, "Draw this many spectra, spread over the dataset")
        ->check(CLI::Range(0, 10000));
    show->add_option("--out-dir", sa.out_dir, "Folder for the spectrum PNGs (created if missing)");
    show->add_flag("--overwrite", sa.overwrite, "Replace existing pictures in --out-dir");
    show->add_option("--colour-map", sa.colour_map, "viridis, magma or gray")
        ->check(CLI::IsMember({"viridis", "magma", "gray"}));
    show->callback([&global] { global.action = [] { run_show(sa); }; });
}

}  // namespace radiofield::cli
