// Study files (studies/*.json, docs/studies.md): the runs' settings, datasets, evaluations,
// profiles and sweeps. Built from src/study/spec.cpp alone, as the study library links
// LibTorch and its reader needs none of it.
#include "radiofield/study/study.hpp"

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto path = fuzz::write_input("study.json", data, size);
    fuzz::parse([&] { study::load_study(path, "quick"); });
    return 0;
}
