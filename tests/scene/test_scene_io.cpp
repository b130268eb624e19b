// radiofield JSON scenes, PLY/OBJ mesh files, load_scene / resolve_scene, and the errors
// malformed files must give.

#include <gtest/gtest.h>

#include "radiofield/scene/builtin.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "scene_io_test_util.hpp"

namespace radiofield::scene {
namespace {
using test::expect_error;
using test::write_file;

constexpr const char* kTwoTriangleObj = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n";

std::string json_scene(const std::string& objects, const std::string& extra = "") {
    return R"({"format": "radiofield-scene", "version": 1, "frequency_hz": 2.4e9,
               "materials": [{"name": "paint", "eps_r": 3.0, "sigma": 0.01}],
               "objects": )" +
           objects + extra + "}";
}

TEST(SceneJson, RoundTripReproducesVerticesTrianglesMaterialsAndDevicesExactly) {
    test::TempDir dir;
    const Scene a = test::make_io_test_scene();
    save_json_scene(a, dir / "scene.json");
    const Scene b = load_scene(dir / "scene.json");
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.description, a.description);
    EXPECT_EQ(b.frequency_hz, a.frequency_hz);
    ASSERT_EQ(b.materials.size(), a.materials.size());
    for (std::size_t i = 0; i < a.materials.size(); ++i)
        test::expect_same_material(a.materials[i], b.materials[i]);
    ASSERT_EQ(b.meshes.size(), a.meshes.size());
    for (std::size_t i = 0; i < a.meshes.size(); ++i)
        test::expect_same_geometry(a.meshes[i], b.meshes[i]);
    ASSERT_EQ(b.transmitters.size(), 1u);
    ASSERT_EQ(b.receivers.size(), 1u);
    const Device& tx = b.transmitters[0];
    EXPECT_EQ(tx.name, "tx");
    EXPECT_EQ(tx.position, a.transmitters[0].position);
    EXPECT_EQ(tx.orientation, a.transmitters[0].orientation);
    EXPECT_EQ(tx.array.num_rows, 4);
    EXPECT_EQ(tx.array.num_cols, 4);
    EXPECT_EQ(tx.array.vertical_spacing, 0.0428);
    EXPECT_EQ(tx.array.antenna.kind(), PatternKind::Tr38901);
    EXPECT_EQ(tx.array.antenna.polarization(), Polarization::Cross);
    EXPECT_EQ(b.receivers[0].position, a.receivers[0].position);
}

TEST(SceneJson, MeshFilesAreFoundRelativeToTheSceneFileAndItuNamesNeedNoDeclaration) {
    test::TempDir dir;
    write_file(dir / "scenes/meshes/table.obj", kTwoTriangleObj);
    write_ply(read_obj(dir / "scenes/meshes/table.obj"), dir / "scenes/meshes/table.ply");
    write_file(
        dir / "scenes/room.json",
        json_scene(
            R"([
        {"name": "table", "material": "itu_wood", "file": "meshes/table.obj"},
        {"name": "top", "triangle_materials": [0, "itu_glass"], "file": "meshes/table.ply"}])",
            R"(, "transmitters": [{"name": "ap", "position": [1, 2, 3], "array": {"rows": 2, "cols": 2}}])"));
    const Scene s = load_scene(dir / "scenes/room.json");
    EXPECT_EQ(s.name, "room");
    ASSERT_EQ(s.meshes.size(), 2u);
    EXPECT_EQ(s.meshes[0].num_triangles(), 2u);
    ASSERT_TRUE(s.find_material("itu_wood").has_value());
    EXPECT_EQ(s.materials[*s.find_material("itu_wood")].itu_type, "wood");
    EXPECT_EQ(s.meshes[1].material, (std::vector<std::uint32_t>{0, *s.find_material("itu_glass")}));
    // Spacing defaults to λ/2 at the scene frequency.
    EXPECT_DOUBLE_EQ(s.transmitters[0].array.vertical_spacing, 0.5 * 299792458.0 / 2.4e9);
}

TEST(MeshFiles, AsciiPlySkipsExtraPropertiesAndElementsAndFanTriangulatesPolygons) {
    test::TempDir dir;
    write_file(dir / "m.ply",
               "ply\nformat ascii 1.0\ncomment hand written\n"
               "element vertex 5\nproperty double x\nproperty float nx\nproperty double y\n"
               "property double z\nproperty list uchar float weights\n"
               "element face 2\nproperty uchar flags\nproperty list uint uint vertex_index\n"
               "element edge 1\nproperty int vertex1\nproperty int vertex2\nend_header\n"
               "0 9 0 0 2 0.5 0.5\n1 9 0 0 0\n1 9 1 0 1 7\n0 9 1 +0 0\n0.5 9 0.5 1 0\n"
               "3 4 0 1 2 3\n0 3 0 1 4\n"
               "0 1\n");
    const Mesh m = read_ply(dir / "m.ply");
    ASSERT_EQ(m.vertices.size(), 5u);
    EXPECT_EQ(m.vertices[2], (Vec3{1, 1, 0}));
    EXPECT_EQ(m.vertices[4], (Vec3{0.5, 0.5, 1}));
    EXPECT_EQ(m.triangles, (std::vector<Triangle>{{0, 1, 2}, {0, 2, 3}, {0, 1, 4}}));
    EXPECT_EQ(m.material.size(), 3u);
}

TEST(MeshFiles, BinaryPlyRoundTripIsExactInDoublePrecision) {
    test::TempDir dir;
    Mesh a;
    a.vertices = {{0.1, 1.0 / 3.0, -2e-9}, {1e6 + 0.125, 0, 0}, {0, 7.77, 1}};
    a.triangles = {{0, 1, 2}, {2, 1, 0}};
    write_ply(a, dir / "a.ply");
    const Mesh b = read_ply(dir / "a.ply");
    EXPECT_EQ(b.vertices, a.vertices);
    EXPECT_EQ(b.triangles, a.triangles);
}

TEST(MeshFiles, ObjQuadsBecomeTwoTrianglesAndSlashAndNegativeIndicesWork) {
    test::TempDir dir;
    write_file(dir / "q.obj",
               "# quad and a triangle\no thing\nv 0 0 0\nv 2 0 0\nv 2 2 0\nv 0 2 0\n"
               "vt 0 0\nvn 0 0 1\nusemtl whatever\nf 1/1/1 2/1/1 3//1 4\n"
               "v 1 1 3\nf -4 -3 -1\n");
    const Mesh m = read_obj(dir / "q.obj");
    EXPECT_EQ(m.name, "q");
    ASSERT_EQ(m.vertices.size(), 5u);
    EXPECT_EQ(m.triangles, (std::vector<Triangle>{{0, 1, 2}, {0, 2, 3}, {1, 2, 4}}));
}

TEST(SceneFiles, LoadSceneRejectsAnUnknownExtensionListingTheSupportedOnes) {
    test::TempDir dir;
    write_file(dir / "scene.yaml", "a: 1\n");
    expect_error([&] { load_scene(dir / "scene.yaml"); }, {"scene.yaml", ".yaml", ".json", ".xml"});
}

TEST(SceneFiles, ResolveSceneTakesBuiltinNamesWithSeedsThenFiles) {
    ASSERT_FALSE(builtin_scenes().empty());
    const std::string name = builtin_scenes().front().name;
    const Scene s = resolve_scene(name + "@3");
    EXPECT_EQ(s.num_triangles(), make_builtin_scene(name, 3).num_triangles());
    test::TempDir dir;
    save_json_scene(test::make_io_test_scene(), dir / "mine.json");
    EXPECT_EQ(resolve_scene((dir / "mine.json").string()).name, "io_test");
    expect_error([] { resolve_scene("no_such_scene"); },
                 {"unknown scene 'no_such_scene'", "not a built-in scene", "radiofield scene list",
                  "no such file"});
    expect_error([&] { resolve_scene(name + "@x"); }, {"seed"});
}

TEST(SceneJson, TheExampleInDocsSceneFormatLoads) {
    const std::string doc =
        test::read_text(std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "docs/scene-format.md");
    test::TempDir dir;
    write_file(dir / "example.json", test::code_block(doc, "json"));
    write_file(dir / "meshes/table.obj", kTwoTriangleObj);
    write_ply(read_obj(dir / "meshes/table.obj"), dir / "meshes/cabinet.ply");
    const Scene s = load_scene(dir / "example.json");
    EXPECT_EQ(s.name, "small_office");
    EXPECT_EQ(s.meshes.size(), 4u);
    EXPECT_EQ(s.transmitters.at(0).array.num_elements(), 16);
    EXPECT_EQ(s.materials.at(*s.find_material("wet_concrete")).eps_r_scale, 1.6);
}

// ---- malformed input: one clear Error naming the file and the problem ----

TEST(SceneFileErrors, UnknownJsonKeyIsAnErrorSuggestingTheIntendedKey) {
    test::TempDir dir;
    write_file(dir / "s.json", R"({"format": "radiofield-scene", "version": 1, "objects": [],
        "materials": [{"name": "paint", "eps_r": 3, "sigma": 0, "colr": [1, 0, 0]}]})");
    expect_error([&] { load_scene(dir / "s.json"); },
                 {"s.json", "unknown key 'colr'", "material 'paint'", "'colour'"});
}

TEST(SceneFileErrors, MissingRequiredKeyNamesTheKeyAndTheObject) {
    test::TempDir dir;
    write_file(dir / "s.json",
               json_scene("[]", R"(, "receivers": [{"name": "rx7", "orientation": [0, 0, 0]}])"));
    expect_error([&] { load_scene(dir / "s.json"); }, {"s.json", "'position'", "receiver 'rx7'"});
    write_file(dir / "t.json", R"({"format": "radiofield-scene", "version": 1})");
    expect_error([&] { load_scene(dir / "t.json"); }, {"t.json", "'objects'"});
}

TEST(SceneFileErrors, MissingMeshFileNamesTheSceneTheObjectAndTheMeshPath) {
    test::TempDir dir;
    write_file(dir / "s.json",
               json_scene(R"([{"name": "wall", "material": "paint", "file": "meshes/wall.ply"}])"));
    expect_error([&] { load_scene(dir / "s.json"); },
                 {"s.json", "object 'wall'", "meshes/wall.ply", "no such file"});
}

TEST(SceneFileErrors, UnknownItuMaterialTypeListsTheValidTypes) {
    test::TempDir dir;
    write_file(dir / "s.json", R"({"format": "radiofield-scene", "version": 1, "objects": [],
        "materials": [{"name": "x", "itu_type": "unobtainium"}]})");
    expect_error([&] { load_scene(dir / "s.json"); },
                 {"s.json", "material 'x'", "unobtainium", "concrete"});
}

TEST(SceneFileErrors, InvalidJsonSyntaxIsReportedWithItsPosition) {
    test::TempDir dir;
    write_file(dir / "s.json", "{\"format\": \"radiofield-scene\",\n \"version\": 1,,}");
    expect_error([&] { load_scene(dir / "s.json"); }, {"s.json", "not valid JSON", "line 2"});
}

TEST(SceneFileErrors, NanVertexInAMeshFileIsRejected) {
    test::TempDir dir;
    write_file(dir / "nan.ply",
               "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
               "property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
               "end_header\n0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n");
    write_file(dir / "s.json",
               json_scene(R"([{"name": "w", "material": "paint", "file": "nan.ply"}])"));
    expect_error([&] { load_scene(dir / "s.json"); },
                 {"s.json", "nan.ply", "vertex 1", "not finite"});
    write_file(dir / "nan.obj", "v 0 0 0\nv 1 0 nan\nv 0 1 0\nf 1 2 3\n");
    expect_error([&] { read_obj(dir / "nan.obj"); }, {"nan.obj", "line 2", "non-finite"});
}

TEST(SceneFileErrors, DegenerateTriangleIsReportedWithTheSceneFileAndObject) {
    test::TempDir dir;
    write_file(dir / "s.json", json_scene(R"([{"name": "sliver", "material": "paint",
        "vertices": [[0, 0, 0], [1, 1, 1], [2, 2, 2]], "triangles": [[0, 1, 2]]}])"));
    expect_error([&] { load_scene(dir / "s.json"); }, {"s.json", "object 'sliver'", "degenerate"});
}

TEST(SceneFileErrors, TruncatedBinaryPlyIsReportedNotReadPastItsEnd) {
    test::TempDir dir;
    std::string ply = test::sionna_style_ply({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}},
                                             {{0, 1, 2}, {0, 2, 3}});
    write_file(dir / "cut.ply", ply.substr(0, ply.size() - 6));
    expect_error([&] { read_ply(dir / "cut.ply"); }, {"cut.ply", "truncated", "face"});
    write_file(dir / "hdr.ply", ply.substr(0, 40));
    expect_error([&] { read_ply(dir / "hdr.ply"); }, {"hdr.ply", "end_header"});
}

TEST(SceneFileErrors, FaceIndexOutOfRangeIsReportedForPlyObjAndInlineMeshes) {
    test::TempDir dir;
    write_file(dir / "bad.ply",
               test::sionna_style_ply({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}, {{0, 1, 7}}));
    expect_error([&] { read_ply(dir / "bad.ply"); },
                 {"bad.ply", "face 0", "vertex 7", "3 vertices"});
    write_file(dir / "bad.obj", "v 0 0 0\nv 1 0 0\nv 1 1 0\nf 1 2 9\n");
    expect_error([&] { read_obj(dir / "bad.obj"); }, {"bad.obj", "line 4", "out of range"});
    write_file(dir / "s.json", json_scene(R"([{"name": "w", "material": "paint",
        "vertices": [[0, 0, 0], [1, 0, 0], [0, 1, 0]], "triangles": [[0, 1, 3]]}])"));
    expect_error([&] { load_scene(dir / "s.json"); },
                 {"s.json", "triangle 0 of object 'w'", "vertex 3"});
}

}  // namespace
}  // namespace radiofield::scene
