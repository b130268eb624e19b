// Mitsuba / Sionna RT XML scenes: round trip, Sionna-style folders (current and legacy
// material conventions), transforms, and the errors malformed scenes must give.

#include <gtest/gtest.h>

#include <cmath>

#include "radiofield/scene/scene_io.hpp"
#include "scene_io_test_util.hpp"

namespace radiofield::scene {
namespace {
using test::expect_error;
using test::write_file;

const std::vector<Vec3> kSquare = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}};
const std::vector<std::vector<int>> kQuad = {{0, 1, 2, 3}};

std::string xml_scene(const std::string& body) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<scene version=\"2.1.0\">\n" + body +
           "\n</scene>\n";
}

const Mesh& mesh_named(const Scene& s, const std::string& name) {
    for (const Mesh& m : s.meshes) {
        if (m.name == name)
            return m;
    }
    throw std::runtime_error("no object " + name);
}

TEST(MitsubaScene, RoundTripReproducesGeometryAndMaterialsExactly) {
    test::TempDir dir;
    Scene a = test::make_io_test_scene();
    a.meshes[1].material = {1, 1, 1};  // one material per object: shapes map one to one
    save_mitsuba_scene(a, dir / "scene.xml");
    EXPECT_TRUE(std::filesystem::exists(dir / "meshes/floor.ply"));
    const Scene b = load_scene(dir / "scene.xml");
    ASSERT_EQ(b.materials.size(), a.materials.size());
    for (std::size_t i = 0; i < a.materials.size(); ++i)
        test::expect_same_material(a.materials[i], b.materials[i]);
    ASSERT_EQ(b.meshes.size(), a.meshes.size());
    for (std::size_t i = 0; i < a.meshes.size(); ++i)
        test::expect_same_geometry(a.meshes[i], b.meshes[i]);
}

TEST(MitsubaScene, ObjectWithTwoMaterialsIsSavedAsOneShapePerMaterial) {
    test::TempDir dir;
    const Scene a = test::make_io_test_scene();  // "box": 1 concrete triangle, 2 paint triangles
    save_mitsuba_scene(a, dir / "scene.xml");
    const Scene b = load_scene(dir / "scene.xml");
    ASSERT_EQ(b.meshes.size(), 3u);
    const Mesh& concrete = mesh_named(b, "box__itu_concrete");
    const Mesh& paint = mesh_named(b, "box__wall_paint");
    EXPECT_EQ(concrete.num_triangles(), 1u);
    EXPECT_EQ(paint.num_triangles(), 2u);
    EXPECT_EQ(b.materials[paint.material[0]].name, "wall_paint");
    EXPECT_EQ(paint.vertices[paint.triangles[1][2]], a.meshes[1].vertices[4]);
}

TEST(MitsubaScene, SionnaFolderWithItuRadioMaterialsAndTransformsLoads) {
    test::TempDir dir;
    write_file(dir / "meshes/floor.ply", test::sionna_style_ply(kSquare, kQuad));
    write_file(dir / "meshes/wall.ply", test::sionna_style_ply(kSquare, kQuad));
    write_file(dir / "scene.xml", xml_scene(R"(
    <default name="spp" value="256"/>
    <default name="meshdir" value="meshes"/>
    <integrator type="path"><integer name="max_depth" value="12"/></integrator>
    <bsdf type="itu-radio-material" id="mat-concrete">
        <string name="type" value="concrete"/>
        <float name="thickness" value="0.2"/>
        <float name="scattering_coefficient" value="0.25"/>
        <float name="xpd_coefficient" value="0.1"/>
        <rgb name="color" value="0.5 0.25 0.125"/>
    </bsdf>
    <bsdf type="itu-radio-material" id="drywall">
        <string name="type" value="custom"/>
        <float name="relative_permittivity" value="2.5"/>
        <float name="conductivity" value="0.03"/>
    </bsdf>
    <sensor type="perspective"><sampler type="independent"><integer name="sample_count" value="$spp"/></sampler></sensor>
    <emitter type="constant"/>
    <shape type="ply" id="mesh-floor">
        <string name="filename" value="$meshdir/floor.ply"/>
        <boolean name="face_normals" value="true"/>
        <ref id="mat-concrete" name="bsdf"/>
    </shape>
    <shape type="ply" id="wall">
        <string name="filename" value="meshes/wall.ply"/>
        <transform name="to_world">
            <rotate x="1" angle="90"/>
            <scale value="2"/>
            <translate x="10" y="-1" z="0.5"/>
        </transform>
        <ref id="drywall"/>
    </shape>
    <shape type="rectangle" id="panel">
        <transform name="to_world"><matrix value="1 0 0 5  0 1 0 6  0 0 1 7  0 0 0 1"/></transform>
        <bsdf type="radio-material">
            <float name="relative_permittivity" value="4"/>
            <float name="conductivity" value="0"/>
        </bsdf>
    </shape>)"));
    const Scene s = load_scene(dir / "scene.xml");
    EXPECT_EQ(s.name, "scene");
    ASSERT_EQ(s.materials.size(), 3u);
    const Material& concrete = s.materials[0];
    EXPECT_EQ(concrete.name, "concrete");  // "mat-" is dropped from ids
    EXPECT_EQ(concrete.itu_type, "concrete");
    EXPECT_EQ(concrete.thickness, 0.2);
    EXPECT_EQ(concrete.scattering_coefficient, 0.25);
    EXPECT_EQ(concrete.xpd_coefficient, 0.1);
    EXPECT_EQ(concrete.colour, (std::array<float, 3>{0.5f, 0.25f, 0.125f}));
    EXPECT_EQ(s.materials[1].name, "drywall");
    EXPECT_FALSE(s.materials[1].is_itu());
    EXPECT_EQ(s.materials[1].eps_r, 2.5);
    EXPECT_EQ(s.materials[1].sigma, 0.03);
    EXPECT_EQ(s.materials[2].name, "panel");  // inline bsdf without id: named after its shape
    EXPECT_EQ(s.materials[2].eps_r, 4.0);

    ASSERT_EQ(s.meshes.size(), 3u);
    const Mesh& floor = mesh_named(s, "floor");  // "mesh-" is dropped from ids
    EXPECT_EQ(floor.triangles, (std::vector<Triangle>{{0, 1, 2}, {0, 2, 3}}));
    EXPECT_EQ(floor.vertices[2], (Vec3{1, 1, 0}));
    EXPECT_EQ(floor.material, (std::vector<std::uint32_t>{0, 0}));
    // wall: rotate 90° about x, then scale 2, then translate: (1,1,0) → (1,0,1) → (2,0,2) →
    // (12,-1,2.5)
    const Mesh& wall = mesh_named(s, "wall");
    EXPECT_NEAR(wall.vertices[2].x, 12.0, 1e-12);
    EXPECT_NEAR(wall.vertices[2].y, -1.0, 1e-12);
    EXPECT_NEAR(wall.vertices[2].z, 2.5, 1e-12);
    EXPECT_EQ(wall.material[0], 1u);
    const Mesh& panel = mesh_named(s, "panel");
    EXPECT_EQ(panel.vertices[0], (Vec3{4, 5, 7}));
    EXPECT_EQ(panel.material[0], 2u);
}

TEST(MitsubaScene, LegacySionnaMatItuIdsOnAnyBsdfTypeMapToItuMaterials) {
    test::TempDir dir;
    write_file(dir / "meshes/a.ply", test::sionna_style_ply(kSquare, kQuad));
    write_file(dir / "legacy.xml", xml_scene(R"(
    <bsdf type="twosided" id="mat-itu_concrete">
        <bsdf type="diffuse"><rgb name="reflectance" value="0.2 0.4 0.6"/></bsdf>
    </bsdf>
    <bsdf type="diffuse" id="itu_marble"/>
    <bsdf type="principled" id="mat-itu_medium_dry_ground.001"><rgb name="base_color" value="0.5"/></bsdf>
    <shape type="ply" id="mesh-a"><string name="filename" value="meshes/a.ply"/><ref id="mat-itu_concrete"/></shape>
    <shape type="ply" id="mesh-b"><string name="filename" value="meshes/a.ply"/><ref name="bsdf" id="itu_marble"/></shape>
    <shape type="ply" id="mesh-c"><string name="filename" value="meshes/a.ply"/>
        <ref id="mat-itu_medium_dry_ground.001" name="bsdf"/></shape>)"));
    const Scene s = load_scene(dir / "legacy.xml");
    ASSERT_EQ(s.materials.size(), 3u);
    EXPECT_EQ(s.materials[0].name, "itu_concrete");
    EXPECT_EQ(s.materials[0].itu_type, "concrete");
    EXPECT_EQ(s.materials[0].colour, (std::array<float, 3>{0.2f, 0.4f, 0.6f}));
    EXPECT_EQ(s.materials[1].name, "itu_marble");
    EXPECT_EQ(s.materials[1].itu_type, "marble");
    EXPECT_EQ(s.materials[2].name, "itu_medium_dry_ground.001");
    EXPECT_EQ(s.materials[2].itu_type, "medium_dry_ground");
    EXPECT_EQ(s.materials[2].colour, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
    EXPECT_EQ(mesh_named(s, "a").material[0], 0u);
    EXPECT_EQ(mesh_named(s, "b").material[0], 1u);
    EXPECT_EQ(mesh_named(s, "c").material[0], 2u);
}

TEST(MitsubaScene, TheExampleInDocsSceneFormatLoads) {
    const std::string doc =
        test::read_text(std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "docs/scene-format.md");
    test::TempDir dir;
    write_file(dir / "example.xml", test::code_block(doc, "xml"));
    write_file(dir / "meshes/floor.ply", test::sionna_style_ply(kSquare, kQuad));
    const Scene s = load_scene(dir / "example.xml");
    ASSERT_EQ(s.meshes.size(), 1u);
    EXPECT_EQ(s.meshes[0].name, "floor");
    EXPECT_EQ(s.meshes[0].vertices[0], (Vec3{0, 0, -0.1}));
    EXPECT_EQ(s.materials.at(s.meshes[0].material[0]).name, "itu_concrete");
    EXPECT_EQ(s.materials.size(), 2u);
}

// ---- malformed input: one clear Error naming the file and the problem ----

TEST(MitsubaSceneErrors, UnclosedTagIsReportedAsBadXmlWithItsLine) {
    test::TempDir dir;
    write_file(dir / "bad.xml",
               "<scene version=\"2.1.0\">\n  <bsdf type=\"diffuse\" id=\"x\">\n</scene>\n");
    expect_error([&] { load_scene(dir / "bad.xml"); }, {"bad.xml", "not valid XML", "line"});
}

TEST(MitsubaSceneErrors, UnknownMaterialTypeListsTheValidOnes) {
    test::TempDir dir;
    write_file(dir / "s.xml", xml_scene(R"(<bsdf type="itu-radio-material" id="m">
        <string name="type" value="unobtainium"/></bsdf>)"));
    expect_error([&] { load_scene(dir / "s.xml"); },
                 {"s.xml", "line 3", "unobtainium", "concrete"});
    write_file(dir / "t.xml", xml_scene(R"(<bsdf type="diffuse" id="white"/>)"));
    expect_error([&] { load_scene(dir / "t.xml"); },
                 {"t.xml", "not a radio material", "itu-radio-material"});
    write_file(dir / "u.xml", xml_scene(R"(<bsdf type="diffuse" id="mat-itu_cheese"/>)"));
    expect_error([&] { load_scene(dir / "u.xml"); },
                 {"u.xml", "unknown ITU material type 'cheese'"});
}

TEST(MitsubaSceneErrors, MissingMeshFileNamesTheShapeAndThePath) {
    test::TempDir dir;
    write_file(dir / "s.xml", xml_scene(R"(<bsdf type="diffuse" id="mat-itu_wood"/>
        <shape type="ply" id="mesh-door"><string name="filename" value="meshes/door.ply"/>
        <ref id="mat-itu_wood"/></shape>)"));
    expect_error([&] { load_scene(dir / "s.xml"); },
                 {"s.xml", "mesh-door", "meshes/door.ply", "no such file"});
}

TEST(MitsubaSceneErrors, UndefinedReferencesAndSubstitutionsAreNamed) {
    test::TempDir dir;
    write_file(dir / "a.ply", test::sionna_style_ply(kSquare, kQuad));
    write_file(dir / "s.xml", xml_scene(R"(<shape type="ply"><string name="filename" value="a.ply"/>
        <ref id="mat-itu_glass"/></shape>)"));
    expect_error([&] { load_scene(dir / "s.xml"); }, {"s.xml", "mat-itu_glass", "no bsdf"});
    write_file(
        dir / "t.xml",
        xml_scene(R"(<shape type="ply"><string name="filename" value="$dir/a.ply"/></shape>)"));
    expect_error([&] { load_scene(dir / "t.xml"); }, {"t.xml", "$dir", "<default"});
}

TEST(MitsubaSceneErrors, BadGeometryInAShapeIsReportedWithTheXmlFile) {
    test::TempDir dir;
    write_file(dir / "nan.ply",
               test::sionna_style_ply({{0, 0, 0}, {NAN, 0, 0}, {1, 1, 0}}, {{0, 1, 2}}));
    write_file(dir / "line.ply",
               test::sionna_style_ply({{0, 0, 0}, {1, 1, 1}, {2, 2, 2}}, {{0, 1, 2}}));
    write_file(dir / "range.ply",
               test::sionna_style_ply({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}, {{0, 1, 3}}));
    const std::string bsdf = R"(<bsdf type="diffuse" id="mat-itu_metal"/>)";
    auto shape = [](const char* file) {
        return fmt::format(R"(<shape type="ply" id="mesh-s"><string name="filename" value="{}"/>
            <ref id="mat-itu_metal"/></shape>)",
                           file);
    };
    write_file(dir / "a.xml", xml_scene(bsdf + shape("nan.ply")));
    expect_error([&] { load_scene(dir / "a.xml"); }, {"a.xml", "nan.ply", "not finite"});
    write_file(dir / "b.xml", xml_scene(bsdf + shape("line.ply")));
    expect_error([&] { load_scene(dir / "b.xml"); }, {"b.xml", "object 's'", "degenerate"});
    write_file(dir / "c.xml", xml_scene(bsdf + shape("range.ply")));
    expect_error([&] { load_scene(dir / "c.xml"); }, {"c.xml", "range.ply", "vertex 3"});
}

}  // namespace
}  // namespace radiofield::scene
