// Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to crash or misbehave in the scene
// parsers, kept as tests once fixed: each must now be a clear radiofield::Error.

#include <gtest/gtest.h>

#include "radiofield/scene/scene_io.hpp"
#include "scene_io_test_util.hpp"

namespace radiofield::scene {
namespace {
using test::expect_error;
using test::write_file;

constexpr const char* kPlyHeader =
    "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
    "property float z\nelement face 1\n";

// fuzz_ply: a float list count of 7.6e31 went straight into a size_t (undefined behaviour).
TEST(FuzzRegressions, PlyListLengthBeyondTheFileIsAnErrorNotAnOverflow) {
    test::TempDir dir;
    const std::string ply = std::string(kPlyHeader) +
                            "property list float int vertex_indices\nend_header\n"
                            "0 0 0\n1 0 0\n0 1 0\n";
    for (const char* count : {"7.6e31", "1e300", "40"}) {
        write_file(dir / "count.ply", ply + count + " 0 1 2\n");
        expect_error([&] { read_ply(dir / "count.ply"); },
                     {"count.ply", "list length", "bytes left in the file"});
    }
    write_file(dir / "ok.ply", ply + "3.0 0 1 2\n");
    EXPECT_EQ(read_ply(dir / "ok.ply").triangles.size(), 1u);
}

}  // namespace
}  // namespace radiofield::scene
