// `radiofield render-views`: camera images of a built-in room with their COLMAP poses, and
// an existing output folder kept unless --overwrite.
#include <fstream>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

namespace fs = std::filesystem;

class RenderViews : public CliTest {};

TEST_F(RenderViews, WritesImagesDepthAndAColmapModel) {
    const auto r = run({"-q", "render-views", "--scene", "meeting_room_v1", "--count", "3",
                        "--size", "32x24", "--points", "40", "--out", "views"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    std::set<std::string> files;
    for (const auto& [name, contents] : snapshot(work()))
        files.insert(name);
    const std::set<std::string> expected{"views",
                                         "views/images",
                                         "views/images/0000.png",
                                         "views/images/0001.png",
                                         "views/images/0002.png",
                                         "views/depth",
                                         "views/depth/0000.npy",
                                         "views/depth/0001.npy",
                                         "views/depth/0002.npy",
                                         "views/sparse",
                                         "views/sparse/0",
                                         "views/sparse/0/cameras.txt",
                                         "views/sparse/0/images.txt",
                                         "views/sparse/0/points3D.txt"};
    EXPECT_EQ(files, expected);
    // Three images on one PINHOLE camera, forty points.
    std::ifstream cams(path("views/sparse/0/cameras.txt"));
    std::string line, last;
    while (std::getline(cams, line))
        if (!line.empty() && line[0] != '#')
            last = line;
    EXPECT_EQ(last.rfind("1 PINHOLE 32 24 ", 0), 0u) << last;
    std::ifstream images(path("views/sparse/0/images.txt"));
    int image_lines = 0;
    while (std::getline(images, line))
        image_lines += line.find(".png") != std::string::npos;
    EXPECT_EQ(image_lines, 3);
    std::ifstream points(path("views/sparse/0/points3D.txt"));
    int point_lines = 0;
    while (std::getline(points, line))
        point_lines += !line.empty() && line[0] != '#';
    EXPECT_EQ(point_lines, 40);
}

TEST_F(RenderViews, KeepsAnExistingFolderUnlessAsked) {
    ASSERT_EQ(run({"-q", "render-views", "--scene", "meeting_room_v1", "--count", "2", "--size",
                   "16x12", "--points", "5", "--out", "views"})
                  .exit_code,
              0);
    write("views/notes.txt", "mine\n");
    expect_clean_failure({"render-views", "--scene", "meeting_room_v1", "--count", "2", "--size",
                          "16x12", "--out", "views"},
                         {"views", "--overwrite"});
    const auto r = run({"-q", "render-views", "--scene", "meeting_room_v1", "--count", "1",
                        "--size", "16x12", "--points", "5", "--out", "views", "--overwrite"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_FALSE(fs::exists(path("views/notes.txt"))) << "the old folder was replaced";
    EXPECT_FALSE(fs::exists(path("views/images/0001.png")));
    EXPECT_TRUE(fs::exists(path("views/images/0000.png")));
}

TEST_F(RenderViews, BadValuesAreNamed) {
    expect_clean_failure(
        {"render-views", "--scene", "meeting_room_v1", "--size", "32by24", "--out", "views"},
        {"--size", "32by24"});
    expect_clean_failure(
        {"render-views", "--scene", "meeting_room_v1", "--size", "4x4", "--out", "views"},
        {"--size", "4x4"});
    expect_clean_failure({"render-views", "--scene", "no_such_room", "--out", "views"},
                         {"no_such_room"});
    expect_clean_failure(
        {"render-views", "--scene", "meeting_room_v1", "--texture", "2", "--out", "views"},
        {"--texture"});
    expect_clean_failure(
        {"render-views", "--scene", "meeting_room_v1", "--texture-scale", "0", "--out", "views"},
        {"--texture-scale"});
}

}  // namespace
}  // namespace radiofield::test
