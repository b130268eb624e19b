// Run configs (train/run_config.hpp): RUN/config.json, `radiofield train --config FILE`, the
// JSON a training run is configured from. Read from a file as the command does; a config
// that is accepted must also survive being written and read again unchanged (what a run
// folder does with it), or the target aborts (a finding).
#include "radiofield/train/run_config.hpp"

#include <cstdio>
#include <cstdlib>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto path = fuzz::write_input("config.json", data, size);
    fuzz::parse([&] {
        const train::RunConfig config = train::RunConfig::read(path);
        const nlohmann::json written = config.to_json();
        try {
            const nlohmann::json again = train::RunConfig::from_json(written).to_json();
            if (again != written) {
                std::fprintf(stderr, "run config changed when written and read again:\n%s\n%s\n",
                             written.dump().c_str(), again.dump().c_str());
                std::abort();
            }
        } catch (const Error& e) {
            std::fprintf(stderr, "an accepted run config cannot be read back once written: %s\n",
                         e.what());
            std::abort();
        }
    });
    return 0;
}
