// The benchmarks through the real program at tiny sizes: they run on the CPU, print every row
// of their table, and leave nothing behind.
#include <iterator>
#include <sstream>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

TEST_F(CliTest, BenchRf3dgsRunsOnTheCpuAtTinySizesAndPrintsEveryRow) {
    const auto r = run({"--device",
                        "cpu",
                        "bench",
                        "rf3dgs",
                        "--spectra",
                        "4",
                        "--steps",
                        "2",
                        "--gaussians",
                        "400",
                        "--many",
                        "4",
                        "--repeats",
                        "1",
                        "--warmup",
                        "1",
                        "--el",
                        "18",
                        "--az",
                        "36",
                        "--width",
                        "32",
                        "--height",
                        "24",
                        "--image-gaussians",
                        "200",
                        "--reference-gib",
                        "0.004"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    for (const char* row :
         {"rf3dgs bench: CPU", "random targets, not simulated",
          "stage-2 training, 4 spectra, 3000 steps (2 timed)", "s projected",
          "operator extraction (once per geometry)", "one 36x18 spectrum, operator (mean of 1)",
          "one 36x18 spectrum, raster (mean of 1)", "<= 0.5 ms", "4 receivers at once, operator",
          "4 receivers at once, raster", "spectra/s", ">= 5000 spectra/s",
          "pinhole fwd+bwd, op, 32x24, 200 Gaussians",
          "pinhole fwd+bwd, dense reference, 32x24, 50 Gaussians",
          "pinhole fwd+bwd, reference / op", "n/a (CPU)"}) {
        EXPECT_NE(r.out.find(row), std::string::npos) << "missing '" << row << "' in\n" << r.out;
    }
    EXPECT_TRUE(snapshot(work()).empty());
}

TEST_F(CliTest, BenchGenertTimesBothTracersOrOneOfThem) {
    const std::vector<std::string> tiny = {"--device", "cpu",     "bench",   "genert",    "--scene",
                                           "campus_b", "--pairs", "4",       "--layouts", "1x2,2x2",
                                           "--rays",   "400",     "--depth", "1"};
    const auto row = [](const std::string& out, const std::string& layout) {
        std::istringstream lines(out);
        std::string line;
        while (std::getline(lines, line)) {
            std::istringstream words(line);
            std::string first;
            words >> first;
            if (first == layout)
                return line;
        }
        return std::string();
    };
    const auto both = run(tiny);
    ASSERT_EQ(both.exit_code, 0) << both.output();
    const auto cells_of = [](const std::string& line) {
        std::istringstream words(line);
        return std::vector<std::string>{std::istream_iterator<std::string>(words), {}};
    };
    for (const char* layout : {"1x2", "2x2"}) {
        const auto cells = cells_of(row(both.out, layout));
        ASSERT_EQ(cells.size(), 8u) << "no row " << layout << " in\n" << both.out;
        // Seconds (printed to the millisecond: tiny work may show 0.000), then the ratio.
        for (int k = 2; k < 5; ++k)
            EXPECT_GE(std::stod(cells[k]), 0) << layout << ": " << cells[k];
        EXPECT_EQ(cells[5].back(), 'x') << cells[5];  // physics / neural
        EXPECT_GT(std::stod(cells[6]), 0) << layout << ": the physics tracer found no path";
    }
    auto physics = tiny;
    physics.insert(physics.end(), {"--tracers", "physics"});
    const auto p = run(physics);
    ASSERT_EQ(p.exit_code, 0) << p.output();
    const auto cells = cells_of(row(p.out, "2x2"));
    ASSERT_EQ(cells.size(), 8u) << p.out;
    EXPECT_GE(std::stod(cells[2]), 0);  // physics seconds
    EXPECT_EQ(cells[3], "-");           // neural, Fresnel, ratio and neural paths: not timed
    EXPECT_EQ(cells[4], "-");
    EXPECT_EQ(cells[5], "-");
    EXPECT_GT(std::stod(cells[6]), 0);  // physics paths per link
    EXPECT_EQ(cells[7], "-");
    auto bad = tiny;
    bad.insert(bad.end(), {"--tracers", "gpu"});
    const auto b = run(bad);
    EXPECT_NE(b.exit_code, 0);
    EXPECT_NE(b.output().find("--tracers"), std::string::npos) << b.output();
    EXPECT_TRUE(snapshot(work()).empty());
}

}  // namespace
}  // namespace radiofield::test
