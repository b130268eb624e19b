// Scene JSON (docs/scene-format.md) from memory; mesh files it names resolve next to a
// scene file in the fuzzer's work folder.
#include "fuzz_common.hpp"
#include "radiofield/scene/scene_io.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const std::string text(fuzz::as_text(data, size));
    fuzz::parse([&] { scene::scene_from_json_string(text, fuzz::work_dir() / "scene.json"); });
    return 0;
}
