// `radiofield scene list | show NAME | render NAME --out top.png`
#include <fmt/format.h>

#include "commands.hpp"
#include "parse.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/render.hpp"
#include "radiofield/scene/scene_io.hpp"

namespace radiofield::cli {
namespace {

void list_scenes() {
    fmt::print("{:<22} {:>9}  {}\n", "name", "band", "description");
    for (const auto& info : scene::builtin_scenes()) {
        fmt::print("{:<22} {:>6.3g} GHz  {}\n", info.name, info.frequency_hz / 1e9,
                   info.description);
    }
    fmt::print(
        "\nA seed jitters a fixed scene's furniture: NAME@SEED, e.g. meeting_room_v1@7.\n"
        "\nRandom room families: FAMILY:SEED names one room (e.g. meeting_room:17; or the "
        "family with --seed 17\nin `scene show` / `scene render`, --scene-seed 17 in "
        "`simulate`). Same seed, same room, on every platform.\n");
    for (const auto& f : scene::room_families()) {
        fmt::print("{:<22} {:>6.3g} GHz  {}\n", f.name + ":SEED", f.frequency_hz / 1e9,
                   f.description);
    }
    fmt::print(
        "\nAny scene file also works where a scene is asked for: .json (radiofield) or "
        ".xml (Mitsuba / Sionna RT).\n");
}

void show_scene(const std::string& name) {
    const scene::Scene s = scene::resolve_scene(name);
    const auto b = s.bounds();
    const auto size = b.size();
    fmt::print("scene       {}\n", s.name);
    if (!s.description.empty())
        fmt::print("about       {}\n", s.description);
    fmt::print(
        "size        {:.2f} x {:.2f} x {:.2f} m  (x {:.2f}..{:.2f}, y {:.2f}..{:.2f}, z "
        "{:.2f}..{:.2f})\n",
        size.x, size.y, size.z, b.lo.x, b.hi.x, b.lo.y, b.hi.y, b.lo.z, b.hi.z);
    fmt::print("objects     {}\n", s.meshes.size());
    fmt::print("triangles   {}\n", s.num_triangles());
    fmt::print("materials   {}\n", s.materials.size());
    const auto counts = s.triangles_per_material();
    for (std::size_t i = 0; i < s.materials.size(); ++i) {
        const auto& m = s.materials[i];
        const std::string kind =
            m.is_itu() ? "ITU-R P.2040 " + m.itu_type
                       : fmt::format("custom eps_r={:.3g} sigma={:.3g} S/m", m.eps_r, m.sigma);
        fmt::print("  {:<24} {:>7} triangles  {}  S={:.2f}\n", m.name, counts[i], kind,
                   m.scattering_coefficient);
    }
    for (const auto& d : s.transmitters) {
        fmt::print("transmitter {} at ({:.2f}, {:.2f}, {:.2f})\n", d.name, d.position.x,
                   d.position.y, d.position.z);
    }
    for (const auto& d : s.receivers) {
        fmt::print("receiver    {} at ({:.2f}, {:.2f}, {:.2f})\n", d.name, d.position.x,
                   d.position.y, d.position.z);
    }
}

constexpr const char* kSceneHelp =
    "Built-in scene (NAME, NAME@SEED, FAMILY:SEED; see `radiofield scene list`) or scene file";
constexpr const char* kSeedHelp =
    "Seed of a built-in scene: with a room family (meeting_room, office, lab) the random room "
    "FAMILY:SEED, with a fixed scene its furniture jitter NAME@SEED";

}  // namespace

void add_scene_commands(CLI::App& app, GlobalOptions& global) {
    auto* scene_cmd =
        app.add_subcommand("scene", "Built-in scenes and scene files: list, show, render");
    scene_cmd->require_subcommand(1);

    auto* list = scene_cmd->add_subcommand("list", "List the built-in scenes");
    list->callback([&global] { global.action = list_scenes; });

    static std::string show_name, show_seed;
    auto* show =
        scene_cmd->add_subcommand("show", "Dimensions, triangle and material counts of a scene");
    show->add_option("scene", show_name, kSceneHelp)->required();
    show->add_option("--seed", show_seed, kSeedHelp);
    show->callback([&global] {
        global.action = [] { show_scene(scene_with_seed(show_name, show_seed, "--seed")); };
    });

    struct RenderArgs {
        std::string name;
        std::string seed;
        std::string out;
        int width = 900;
        double cut = -1;
        bool overwrite = false;
    };
    static RenderArgs r;
    auto* render = scene_cmd->add_subcommand(
        "render", "Top view of a scene coloured by material, with a legend (PNG)");
    render->add_option("scene", r.name, kSceneHelp)->required();
    render->add_option("--seed", r.seed, kSeedHelp);
    render->add_option("-o,--out", r.out, "Output PNG")->required();
    render->add_option("--width", r.width, "Image width in pixels")->check(CLI::Range(200, 8000));
    render->add_flag("--overwrite", r.overwrite, "Replace an existing output file");
    render->add_option("--cut-height", r.cut,
                       "Hide geometry above this height in metres (default: auto)");
    render->callback([&global] {
        global.action = [] {
            // Fail before building the scene; a scene file is never replaced by its picture.
            check_output_path(r.out, r.overwrite, {r.name});
            const scene::Scene s = scene::resolve_scene(scene_with_seed(r.name, r.seed, "--seed"));
            scene::TopViewOptions options;
            options.width_px = r.width;
            options.cut_height = r.cut;
            scene::write_png(scene::render_top_view(s, options), r.out);
            log::info("wrote {}", r.out);
        };
    });
}

}  // namespace radiofield::cli
