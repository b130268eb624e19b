// The benchmarks through the real program at tiny sizes: they run on the CPU, print every row
// of their table, and leave nothing behind.
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
          "one 36x18 spectrum (mean of 1)", "<= 0.5 ms", "4 receivers at once", "spectra/s",
          ">= 5000 spectra/s", "pinhole fwd+bwd, op, 32x24, 200 Gaussians",
          "pinhole fwd+bwd, dense reference, 32x24, 50 Gaussians",
          "pinhole fwd+bwd, reference / op", "n/a (CPU)"}) {
        EXPECT_NE(r.out.find(row), std::string::npos) << "missing '" << row << "' in\n" << r.out;
    }
    EXPECT_TRUE(snapshot(work()).empty());
}

}  // namespace
}  // namespace radiofield::test
