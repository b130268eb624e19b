// Sizes bounded by memory (issue "Nothing lost, nothing silent", 2): a grid, an array or a
// number of positions whose estimate exceeds what the machine has is refused before any work,
// with the estimate, what is available, and how to ask for less. The sizes here need hundreds
// of GiB or more, beyond the machines the tests run on.
#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

TEST_F(CliTest, SimulateOfAHugeGridIsRefusedWithTheEstimate) {
    expect_clean_failure(
        {"simulate", "--grid", "100000x100000", "--out", "a.h5"},
        {"--grid 100000x100000", "needs about", "TiB of memory", "available", "smaller --grid"});
}

TEST_F(CliTest, SimulateOfAHugeArrayIsRefusedWithTheEstimate) {
    expect_clean_failure(
        {"simulate", "--array", "1000x1000", "--out", "a.h5"},
        {"--array 1000x1000", "needs about", "GiB of memory", "available", "--array (e.g. 4x4)"});
}

TEST_F(CliTest, SimulateOfAHugeCountIsRefusedWithTheEstimate) {
    expect_clean_failure({"simulate", "--count", "10000000", "--grid", "900x3600", "--out", "a.h5"},
                         {"10000000 positions", "needs about", "available", "--count"});
}

TEST_F(CliTest, PredictOfAHugeGridOfPositionsIsRefusedWithTheEstimate) {
    ASSERT_EQ(run({"-q", "simulate", "--out", "data.h5", "--count", "30", "--samples", "2000",
                   "--grid", "9x36"})
                  .exit_code,
              0);
    ASSERT_EQ(run({"-q", "--device", "cpu", "train", "--model", "knn", "--data", "data.h5", "--out",
                   "run"})
                  .exit_code,
              0);
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "data.h5",
                          "--grid", "0:4:10000,0:3:10000,0:2:100", "--out", "sheet.png"},
                         {"--grid 0:4:10000,0:3:10000,0:2:100", "10000000000 positions",
                          "needs about", "available", "fewer positions"});
}

}  // namespace
}  // namespace radiofield::test
