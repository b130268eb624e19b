// NeRF2 spectrum PNGs (libpng with every checksum verified) from memory.
#include "fuzz_common.hpp"
#include "radiofield/data/image.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    fuzz::parse([&] { data::decode_gray_png({data, size}, "00001.png"); });
    return 0;
}
