// radiofield — neural radio propagation modelling. Parses the command line and runs one
// subcommand; every error ends here with one message and exit status 1.
#include <cstdio>

#include "commands.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/models/registry.hpp"
#include "radiofield/nn/device.hpp"
#include "report_exception.hpp"

int main(int argc, char** argv) {
    using namespace radiofield;
    models::register_builtin_models();
    CLI::App app{"radiofield: neural radio propagation modelling (spectra and channel responses)"};
    app.require_subcommand(0, 1);
    cli::GlobalOptions global;
    bool version = false;
    app.add_flag("--version", version, "Print versions (radiofield, LibTorch, CUDA, Embree)");
    app.add_option("--device", global.device, "Compute device: auto, cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    app.add_flag("-q,--quiet", global.quiet, "No progress output");

    cli::add_scene_commands(app, global);
    cli::add_data_commands(app, global);
    cli::add_simulate_command(app, global);
    cli::add_render_views_command(app, global);
    cli::add_train_commands(app, global);
    cli::add_bench_commands(app, global);
    cli::add_study_command(app, global);

    try {
        app.parse(argc, argv);
        if (version) {
            cli::print_version();
            return 0;
        }
        log::set_level(global.log_level);
        Progress::set_enabled(!global.quiet);
        if (!global.action) {
            std::fputs(app.help().c_str(), stdout);
            return 0;
        }
        // Resolve --device once here, so a bad request fails before any work starts.
        nn::resolve_device(nn::parse_device(global.device));
        global.action();
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)  // --help, --help-all
            return app.exit(e);
        // A bad option or value: one error line like every other error, naming it.
        log::error("{}; run the command with --help for its options", e.what());
        return e.get_exit_code();
    } catch (...) {
        return cli::report_exception(std::current_exception());
    }
    return 0;
}
