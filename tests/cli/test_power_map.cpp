// `radiofield predict --power-map`: a received-power map over a grid of positions from a
// trained RF-3DGS+ run, as a picture over the scene and as HDF5; models and datasets that
// cannot give power refused with the reason, and an existing map kept unless --overwrite.
#include <cmath>

#include "cli_harness.hpp"
#include "radiofield/data/power_map.hpp"

namespace radiofield::test {
namespace {

class PowerMap : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        const auto sim = run({"-q", "simulate", "--scene", "meeting_room_v1", "--out", "rx.h5",
                              "--moving", "rx", "--station", "3.5,2.5,2.6", "--count", "40",
                              "--samples", "3000", "--grid", "9x36", "--seed", "3"});
        ASSERT_EQ(sim.exit_code, 0) << sim.output();
    }
    void train(const std::string& model, const std::string& out) {
        const auto r =
            run({"-q", "--device", "cpu", "train", "--model", model, "--data", "rx.h5", "--out",
                 out, "--steps", "20", "--set", "geometry_steps=0", "--set", "random_points=400"});
        ASSERT_EQ(r.exit_code, 0) << r.output();
    }
};

TEST_F(PowerMap, Rf3dgsPlusMapsReceivedPowerAsAPictureAndAsHdf5) {
    train("rf3dgs_plus", "plus");
    const auto r =
        run({"-q", "--device", "cpu", "predict", "--run", "plus", "--data", "rx.h5", "--grid",
             "1:6:6,1:4:5,1.2", "--power-map", "map.png", "--power-map", "map.h5"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_NE(r.output().find("dBm over the grid"), std::string::npos) << r.output();
    EXPECT_GT(std::filesystem::file_size(path("map.png")), 2000u);
    const auto map = data::read_power_map(path("map.h5"));
    ASSERT_EQ(map.x.size(), 6u);
    ASSERT_EQ(map.y.size(), 5u);
    ASSERT_EQ(map.z.size(), 1u);
    EXPECT_DOUBLE_EQ(map.x[5], 6.0);
    EXPECT_DOUBLE_EQ(map.y[1], 1.75);
    ASSERT_EQ(map.power_w.size(), 30u);
    double lo = 1e300, hi = 0;
    for (double p : map.power_w) {
        ASSERT_TRUE(std::isfinite(p) && p > 0) << p;
        lo = std::min(lo, p), hi = std::max(hi, p);
    }
    EXPECT_GT(hi, lo) << "the map varies over the room";
    // Calibrated on the data's powers: the same order as the measured spectra's means (W).
    EXPECT_LT(map.dbm(0), 0.0);
    EXPECT_NE(map.attrs.find("rf3dgs_plus"), std::string::npos) << map.attrs;
    // An existing map is kept unless --overwrite.
    expect_clean_failure({"--device", "cpu", "predict", "--run", "plus", "--data", "rx.h5",
                          "--grid", "1:6:3,1:4:3,1.2", "--power-map", "map.h5"},
                         {"map.h5", "--overwrite"});
}

TEST_F(PowerMap, ModelsAndRequestsThatCannotGiveAMapAreRefused) {
    train("rf3dgs", "plain");
    expect_clean_failure({"--device", "cpu", "predict", "--run", "plain", "--data", "rx.h5",
                          "--grid", "1:6:3,1:4:3,1.2", "--power-map", "map.h5"},
                         {"rf3dgs", "path loss", "rf3dgs_plus"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "plain", "--data", "rx.h5", "--at",
                          "2,2,1.2", "--power-map", "map.h5"},
                         {"--power-map", "--grid"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "plain", "--data", "rx.h5",
                          "--grid", "1:6:3,1:4:3,1.2", "--power-map", "map.txt"},
                         {"map.txt", ".png", ".h5"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "plain", "--data", "rx.h5",
                          "--grid", "1:6:3,1:4:3,1:2:2", "--power-map", "map.png"},
                         {"map.png", "one height"});
}

}  // namespace
}  // namespace radiofield::test
