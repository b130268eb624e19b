// `simulate`: positions are validated, results are deterministic whatever the thread count,
// and the spectra carry the physics (LoS peak towards the moving transmitter).
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include "../data/temp_dir.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::sim {
namespace {

SimulationConfig small_config() {
    SimulationConfig c;
    c.grid.n_el = 30;
    c.grid.n_az = 120;
    c.grid.step_deg = 3;
    c.grid.el0_deg = 3;
    c.grid.az0_deg = 3;
    c.trace.samples_per_source = 4000;
    c.trace.max_depth = 2;
    c.extrapolate = true;
    return c;
}

TEST(Simulate, RandomPositionsAreFreeDeterministicAndInsideTheRoom) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    PositionSpec spec;
    spec.count = 50;
    const auto a = make_positions(scene, spec, 3);
    const auto b = make_positions(scene, spec, 3);
    const auto c = make_positions(scene, spec, 4);
    ASSERT_EQ(a.size(), 50u);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    const rt::EmbreeScene geometry(scene);
    for (const Vec3& p : a)
        EXPECT_TRUE(is_free_position(geometry, p, spec.clearance));
}

TEST(Simulate, CsvPositionInsideAWallIsRejectedNamingTheRow) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    const auto b = scene.bounds();
    test::TempDir dir;
    const auto csv = dir.path() / "pos.csv";
    {
        std::ofstream f(csv);
        f << "x,y,z\r\n" << b.centre().x << "," << b.centre().y << ",1.5\r\n";
        // Inside the floor slab, which lies below z = 0.
        f << b.centre().x << "," << b.centre().y << "," << (b.lo.z + 0.01) << "\r\n";
    }
    PositionSpec spec;
    spec.mode = PositionSpec::Mode::Csv;
    spec.csv = csv;
    try {
        make_positions(scene, spec, 0);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("position 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("inside an object"), std::string::npos) << e.what();
    }
}

TEST(Simulate, OutsideTheSceneIsRejected) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    test::TempDir dir;
    const auto csv = dir.path() / "pos.csv";
    std::ofstream(csv) << "100,100,1\n";
    PositionSpec spec;
    spec.mode = PositionSpec::Mode::Csv;
    spec.csv = csv;
    EXPECT_THROW(make_positions(scene, spec, 0), Error);
}

TEST(Simulate, SameResultWithOneOrTwoThreads) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    PositionSpec spec;
    spec.count = 12;
    const auto positions = make_positions(scene, spec, 1);
    SimulationConfig config = small_config();
    config.kind = data::DatasetKind::Both;
    data::Dataset one, two;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
        one = simulate(scene, config, positions);
    }
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
        two = simulate(scene, config, positions);
    }
    EXPECT_EQ(one.spectra, two.spectra);
    ASSERT_EQ(one.paths.size(), two.paths.size());
    for (std::size_t i = 0; i < one.paths.size(); ++i) {
        ASSERT_EQ(one.paths[i].paths.size(), two.paths[i].paths.size());
        for (std::size_t k = 0; k < one.paths[i].paths.size(); ++k) {
            EXPECT_EQ(one.paths[i].paths[k].tau, two.paths[i].paths[k].tau);
            EXPECT_EQ(one.paths[i].paths[k].a, two.paths[i].paths[k].a);
        }
    }
    EXPECT_EQ(one.split, two.split);
}

TEST(Simulate, LosOnlySpectrumPeaksTowardsTheTransmitter) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = small_config();
    config.trace.max_depth = 0;    // LoS only: one path, so the Bartlett peak is its direction
    config.spectrum = "physical";  // unnormalised Bartlett power
    const Vec3 station = scene.receivers.front().position;
    const Mat3 frame = spectrum_frame(scene.receivers.front().orientation);
    // A transmitter 2 m away at elevation 30° above the array plane and azimuth 315° (the
    // reader hangs high on a wall: azimuth 315° points down and along the wall).
    const double el = deg2rad(30), az = deg2rad(315);
    const Vec3 local{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
    const Vec3 p = station + frame * local * 2.0;
    const data::Dataset ds = simulate(scene, config, {p});
    const auto s = ds.spectrum(0);
    const auto peak = std::max_element(s.begin(), s.end()) - s.begin();
    const int row = static_cast<int>(peak) / ds.grid.n_az,
              col = static_cast<int>(peak) % ds.grid.n_az;
    ASSERT_TRUE(scene::Bounds(scene.bounds()).contains(p));
    // The grid cell of (el 30°, az 315°): el = 3 + 3·row, az = 3 + 3·col.
    EXPECT_NEAR(ds.grid.el0_deg + row * ds.grid.step_deg, 30.0, 3.0);
    EXPECT_NEAR(ds.grid.az0_deg + col * ds.grid.step_deg, 315.0, 3.0);
    // Bartlett at the true direction of one path gives |a|² = (λ/4πd)².
    const double lambda = wavelength(ds.frequency_hz);
    const double expected = std::pow(lambda / (4 * kPi * 2.0), 2);
    EXPECT_NEAR(*std::max_element(s.begin(), s.end()) / expected, 1.0, 0.15);
}

TEST(Simulate, RfidRoomsDefaultToNerf2AndOtherBandsToBartlettPower) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = small_config();
    EXPECT_EQ(default_spectrum_convention(scene, config, 915e6), "nerf2");
    EXPECT_EQ(default_spectrum_convention(scene, config, 2.412e9), "bartlett_power");
    config.moving = "rx";
    EXPECT_EQ(default_spectrum_convention(scene, config, 915e6), "bartlett_power");
    EXPECT_EQ(default_azimuth_origin("nerf2", 1.0), 0.0);
    EXPECT_EQ(default_azimuth_origin("bartlett_power", 1.0), 1.0);

    config = small_config();
    const std::vector<Vec3> at{scene.bounds().centre()};
    const data::Dataset ds = simulate(scene, config, at);
    EXPECT_EQ(ds.spectrum_convention, "nerf2");
    EXPECT_EQ(ds.power_unit, "normalized");
    const auto s = ds.spectrum(0);
    EXPECT_EQ(*std::min_element(s.begin(), s.end()), 0.0f);
    EXPECT_EQ(*std::max_element(s.begin(), s.end()), 1.0f);
}

TEST(Simulate, ElementNoiseIsOffByDefaultSeededAndRecorded) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    const std::vector<Vec3> at{scene.bounds().centre(), scene.bounds().centre() + Vec3{0.5, 0, 0}};
    for (const char* convention : {"nerf2", "bartlett_power"}) {
        SimulationConfig config = small_config();
        config.spectrum = convention;
        const data::Dataset clean = simulate(scene, config, at);
        config.noise = {0.0, std::numeric_limits<double>::infinity(), 5};
        EXPECT_EQ(simulate(scene, config, at).spectra, clean.spectra);
        config.noise = {0.3, 10.0, 5};
        const data::Dataset a = simulate(scene, config, at), b = simulate(scene, config, at);
        config.noise.seed = 6;
        const data::Dataset c = simulate(scene, config, at);
        EXPECT_EQ(a.spectra, b.spectra);
        EXPECT_NE(a.spectra, clean.spectra);
        EXPECT_NE(a.spectra, c.spectra);
        EXPECT_EQ(a.attrs["phase_noise_rad"], 0.3);
        EXPECT_EQ(a.attrs["snr_db"], 10.0);
        EXPECT_TRUE(clean.attrs["snr_db"].is_null());
    }
}

TEST(Simulate, BadConfigurationFailsBeforeWork) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = small_config();
    config.moving = "both";
    EXPECT_THROW(simulate(scene, config, {scene.bounds().centre()}), Error);
    config = small_config();
    config.split = {0.5, 0.5, 0.5};
    EXPECT_THROW(config.validate(), Error);
    config = small_config();
    config.trace.samples_per_source = 0;
    EXPECT_THROW(simulate(scene, config, {scene.bounds().centre()}), Error);
}

}  // namespace
}  // namespace radiofield::sim
