// Mitsuba / Sionna RT XML scenes. The input is the XML file; a PLY it names resolves in the
// fuzzer's work folder, where only the XML itself lies (so the PLY reader meets XML too).
#include "fuzz_common.hpp"
#include "radiofield/scene/scene_io.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto path = fuzz::write_input("scene.xml", data, size);
    fuzz::parse([&] { scene::load_mitsuba_scene(path); });
    return 0;
}
