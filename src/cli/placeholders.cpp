// Subcommands whose features later work will build. Each says so plainly and exits non-zero;
// none pretends to work.
#include "commands.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::cli {
namespace {

struct Planned {
    const char* name;
    const char* summary;
};

}  // namespace

void add_placeholder_commands(CLI::App& app, GlobalOptions& global) {
    static const Planned planned[] = {
        {"simulate", "Ray-trace ground-truth spectra / CIRs into an HDF5 dataset"},
        {"import", "Import datasets (NeRF2 RFID folders)"},
        {"export", "Export datasets (NeRF2 RFID folders)"},
        {"show", "Summarise a dataset and draw its spectra"},
        {"train", "Train a model on datasets"},
        {"eval", "Evaluate a trained model and write a report"},
        {"predict", "Predict a spectrum / CIR at a position"},
        {"bench", "Benchmarks (ray tracer, models)"},
    };
    for (const auto& p : planned) {
        const auto same_name = [&](CLI::App* sub) { return sub->get_name() == p.name; };
        if (!app.get_subcommands(same_name).empty()) continue;  // already implemented
        auto* sub = app.add_subcommand(p.name, std::string(p.summary) + " [not built yet]");
        sub->allow_extras();
        const std::string name = p.name;
        sub->callback([&global, name] {
            global.action = [name] {
                fail("`radiofield {}` is not built yet in this version; see the README's "
                     "roadmap for what exists today",
                     name);
            };
        });
    }
}

}  // namespace radiofield::cli
