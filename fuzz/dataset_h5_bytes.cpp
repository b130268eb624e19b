// radiofield HDF5 datasets as raw bytes: the whole-file reader, then the lazy reader sample
// by sample. Most of what this finds lies inside libhdf5's own parsing of damaged files
// (docs/fuzzing.md), so CI runs the structured target dataset_h5 instead; run this one by
// name to look at libhdf5 with our reader on top.
#include "fuzz_common.hpp"
#include "radiofield/data/dataset.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto path = fuzz::write_input("dataset.h5", data, size);
    fuzz::parse([&] { data::read_dataset(path); });
    fuzz::parse([&] {
        const data::DatasetReader reader(path);
        for (std::size_t i = 0; i < reader.size() && i < 64; ++i) {
            if (reader.has_spectra())
                reader.read_spectrum(i);
            if (reader.has_paths())
                reader.read_paths(i);
        }
    });
    return 0;
}
