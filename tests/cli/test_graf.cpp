// GRaF through the real program: trained on one room for a few steps, evaluated and asked
// for spectra over a grid of positions in a room it never saw (its measured training split
// is the support set), and the bad inputs of its issue refused or warned about.
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::test {
namespace {

class GrafCli : public CliTest {
protected:
    void SetUp() override {
        for (const auto& [scene, out, seed] : {std::tuple{"meeting_room_v1", "seen.h5", "1"},
                                               std::tuple{"meeting_room_v3", "unseen.h5", "2"}}) {
            const auto r = run({"-q", "simulate", "--scene", scene, "--out", out, "--count", "40",
                                "--samples", "2000", "--grid", "9x36", "--seed", seed});
            ASSERT_EQ(r.exit_code, 0) << r.output();
        }
        const auto r =
            run({"-q",     "--device",     "cpu",   "train",         "--model", "graf",
                 "--data", "seen.h5",      "--out", "run",           "--steps", "3",
                 "--set",  "neighbours=4", "--set", "trunk_width=4", "--set",   "dim=16",
                 "--set",  "latent=16",    "--set", "samples=8",     "--set",   "voxel_width=16",
                 "--set",  "rays=32",      "--set", "batch=2"});
        ASSERT_EQ(r.exit_code, 0) << r.output();
    }
};

TEST_F(GrafCli, PredictsOverAGridInARoomItNeverSaw) {
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                    "--grid", "1:3:3,1:2:2,1.2", "--out", "grid.h5"},
                   {"grid.h5"});
    const auto d = data::read_dataset(path("grid.h5"));
    ASSERT_EQ(d.positions.size(), 6u);
    EXPECT_DOUBLE_EQ(d.positions[1].x, 2.0);  // x fastest
    EXPECT_DOUBLE_EQ(d.positions[3].y, 2.0);
    EXPECT_EQ(d.grid.n_el, 9);
    EXPECT_EQ(d.spectra.size(), 6u * 9 * 36);
    for (float v : d.spectra)
        ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                    "--grid", "1:3:3,1:2:2,1.2", "--out", "grid.png"},
                   {"grid.png"});
    const auto r = expect_success({"-q", "--device", "cpu", "eval", "--run", "run", "--data",
                                   "unseen.h5", "--out", "unseen.json"},
                                  {"unseen.json"});
    std::ifstream in(path("unseen.json"));
    const auto summary = nlohmann::json::parse(in)["summary"];
    EXPECT_EQ(summary["datasets"][0], "unseen.h5");
    EXPECT_TRUE(summary["mean"]["psnr"].is_number());
}

TEST_F(GrafCli, BadInputIsRefusedOrWarnedAbout) {
    // Positions far outside the surveyed area: a warning with the distance.
    const auto far = run(
        {"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5", "--at", "60,60,1.2"});
    EXPECT_EQ(far.exit_code, 0) << far.output();
    EXPECT_NE(far.output().find("far from the measured positions"), std::string::npos)
        << far.output();
    // Bad --grid values are refused before any work.
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                          "--grid", "1:3:0,1,1"},
                         {"--grid", "count"});
    expect_clean_failure(
        {"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5", "--grid", "1,2"},
        {"--grid", "three fields"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                          "--at", "1,1,1", "--grid", "1,1,1"},
                         {"--at", "--grid"});
    // Fewer measured positions than the model's neighbours.
    const auto r = run({"-q", "simulate", "--scene", "meeting_room_v2", "--out", "tiny.h5",
                        "--count", "3", "--samples", "2000", "--grid", "9x36"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    expect_clean_failure(
        {"--device", "cpu", "predict", "--run", "run", "--data", "tiny.h5", "--at", "2,2,1.2"},
        {"tiny.h5", "neighbours"});
    // Another spectrum grid than the model was trained on.
    ASSERT_EQ(run({"-q", "simulate", "--scene", "meeting_room_v2", "--out", "coarse.h5", "--count",
                   "20", "--samples", "2000", "--grid", "18x72"})
                  .exit_code,
              0);
    expect_clean_failure({"--device", "cpu", "eval", "--run", "run", "--data", "coarse.h5"},
                         {"coarse.h5", "grid"});
}

}  // namespace
}  // namespace radiofield::test
