// Spectrum conventions at the command line (docs/conventions.md).
#include "cli_harness.hpp"

namespace radiofield::test {
namespace {

TEST_F(CliTest, SimulateWithAnUnknownSpectrumConventionNamesTheValidOnes) {
    expect_clean_failure(
        {"simulate", "--out", "a.h5", "--spectrum", "bogus", "--samples", "2000", "-n", "4"},
        {"'bogus'", "bartlett_power, nerf2, physical"});
}

TEST_F(CliTest, SimulateRecordsTheConventionAndShowPrintsIt) {
    const std::vector<std::string> quick = {"--samples", "2000", "--grid", "9x36", "-n", "4"};
    std::vector<std::string> args = {"simulate", "--out", "room.h5"};
    args.insert(args.end(), quick.begin(), quick.end());
    expect_success(args, {"room.h5"});
    const CliResult shown = run({"show", "room.h5"});
    EXPECT_EQ(shown.exit_code, 0) << shown.output();
    expect_mentions(shown, {"convention  nerf2", "array       4 x 4"});
    // The default convention cannot be exported as another; physical needs --convert.
    args = {"simulate", "--out", "p.h5", "--spectrum", "physical"};
    args.insert(args.end(), quick.begin(), quick.end());
    expect_success(args, {"p.h5"});
    expect_clean_failure({"export", "nerf2", "p.h5", "folder"}, {"'physical'", "--convert"});
}

}  // namespace
}  // namespace radiofield::test
