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

// path_gain_db (RF-3DGS+'s path-loss spectra): each cell's binned path power in dB, mapped by
// one range for all samples — by default the training samples' strongest cell rounded up to
// 10 dB and 100 dB below it — and recorded with the data.
TEST(Simulate, PathGainDbMapsEveryCellsPowerByOneRange) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = small_config();
    config.method = SpectrumMethod::Binned;
    config.spectrum = "physical";
    config.split = {0.5, 0.0, 0.5};
    const Vec3 c = scene.bounds().centre();
    const std::vector<Vec3> at{c, c + Vec3{0.8, 0.3, 0}, c + Vec3{-0.6, -0.4, 0.2},
                               c + Vec3{0.2, -0.7, -0.3}};
    const data::Dataset power = simulate(scene, config, at);
    config.spectrum = "path_gain_db";
    const data::Dataset db = simulate(scene, config, at);
    EXPECT_EQ(db.power_unit, "normalized");
    EXPECT_EQ(db.normalization, "db_range");
    ASSERT_EQ(db.split, power.split);
    ASSERT_EQ(db.spectra.size(), power.spectra.size());
    const std::size_t cells = db.grid.size();
    double peak = 0;
    for (auto i : db.split.train)
        for (std::size_t k = 0; k < cells; ++k)
            peak = std::max(peak, double(power.spectra[i * cells + k]));
    const double hi = 10 * std::ceil(std::log10(peak));
    ASSERT_EQ(db.attrs["db_range"], nlohmann::json({hi - 100, hi}));
    std::size_t lit = 0;
    for (std::size_t k = 0; k < db.spectra.size(); ++k) {
        const double p = power.spectra[k];
        const double expected =
            p > 0 ? std::clamp((10 * std::log10(p) - (hi - 100)) / 100, 0.0, 1.0) : 0.0;
        ASSERT_NEAR(db.spectra[k], expected, 1e-6) << k;
        lit += expected > 0;
    }
    EXPECT_GT(lit, db.spectra.size() / 100);  // paths arrive: not an all-floor dataset

    // A range given is the one used; it belongs to path_gain_db only.
    config.db_range = std::array<double, 2>{-120, -40};
    EXPECT_EQ(simulate(scene, config, at).attrs["db_range"], nlohmann::json({-120, -40}));
    config.db_range = std::array<double, 2>{-40, -120};
    EXPECT_THROW(config.validate(), Error);
    config.db_range = std::array<double, 2>{-120, -40};
    config.spectrum = "bartlett_power";
    EXPECT_THROW(config.validate(), Error);
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
