// `radiofield bench rt | nerf2 | graf | genert | rf3dgs`: throughput measurements (reported, never
// asserted).
#include "commands.hpp"

namespace radiofield::cli {

void add_bench_commands(CLI::App& app, GlobalOptions& global) {
    auto* bench = app.add_subcommand("bench",
                                     "Benchmarks: the ray tracer (rt), NeRF2 (nerf2), GRaF (graf), "
                                     "GeNeRT (genert), RF-3DGS+ (rf3dgs)");
    bench->require_subcommand(1);
    add_bench_rt_command(*bench, global);
    add_bench_nerf2_command(*bench, global);
    add_bench_graf_command(*bench, global);
    add_bench_genert_command(*bench, global);
    add_bench_rf3dgs_command(*bench, global);
}

}  // namespace radiofield::cli
