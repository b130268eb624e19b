#pragma once
// Subcommand registration. Each command file adds its subcommand to the app; the handlers
// parse, validate and call the library — no modelling logic lives here.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace radiofield::cli {

struct GlobalOptions {
    std::string device = "auto";
    std::string log_level = "info";
    bool quiet = false;
    // The chosen subcommand's work; set by its parse callback, run by main after all
    // options are parsed and the device is resolved.
    std::function<void()> action;
};

void add_scene_commands(CLI::App& app, GlobalOptions& global);
void add_data_commands(CLI::App& app, GlobalOptions& global);
void add_simulate_command(CLI::App& app, GlobalOptions& global);
void add_train_commands(CLI::App& app, GlobalOptions& global);  // train, eval, predict, models
void add_bench_commands(CLI::App& app, GlobalOptions& global);
void add_study_command(CLI::App& app, GlobalOptions& global);  // study FILE
void add_render_views_command(CLI::App& app, GlobalOptions& global);
void add_bench_rt_command(CLI::App& bench, GlobalOptions& global);
void add_bench_nerf2_command(CLI::App& bench, GlobalOptions& global);
void add_bench_graf_command(CLI::App& bench, GlobalOptions& global);
void add_bench_genert_command(CLI::App& bench, GlobalOptions& global);
void add_bench_rf3dgs_command(CLI::App& bench, GlobalOptions& global);
void print_version();

}  // namespace radiofield::cli
