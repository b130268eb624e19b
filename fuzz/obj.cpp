// Wavefront OBJ meshes.
#include "fuzz_common.hpp"
#include "radiofield/scene/scene_io.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto path = fuzz::write_input("mesh.obj", data, size);
    fuzz::parse([&] { scene::read_obj(path); });
    return 0;
}
