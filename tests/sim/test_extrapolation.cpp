// Materials outside their ITU-R P.2040 ranges: a built-in scene at its own frequency
// extrapolates by itself, anything else needs `extrapolate`; one warning line either way,
// and the dataset records which materials were extrapolated.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/scene/builtin.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::sim {
namespace {

// A quick configuration: line of sight and single reflections on a small grid.
SimulationConfig quick_config() {
    SimulationConfig c;
    c.grid.n_el = 9;
    c.grid.n_az = 36;
    c.grid.step_deg = 10;
    c.grid.el0_deg = 10;
    c.grid.az0_deg = 10;
    c.trace.samples_per_source = 2000;
    c.trace.max_depth = 1;
    return c;
}

// Two free positions in the middle of the meeting room.
std::vector<Vec3> two_positions(const scene::Scene& scene) {
    PositionSpec spec;
    spec.count = 2;
    return make_positions(scene, spec, 1);
}

// Everything the logger writes while it lives.
class LogCapture {
public:
    LogCapture() : m_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(m_text)) {
        log::get().sinks().push_back(m_sink);
    }
    ~LogCapture() {
        auto& sinks = log::get().sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }
    std::string text() {
        log::get().flush();
        return m_text.str();
    }
    std::size_t count(const std::string& what) {
        const std::string t = text();
        std::size_t n = 0;
        for (auto pos = t.find(what); pos != std::string::npos; pos = t.find(what, pos + 1))
            ++n;
        return n;
    }

private:
    std::ostringstream m_text;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> m_sink;
};

std::vector<std::string> recorded(const data::Dataset& ds) {
    return ds.attrs.at("extrapolated_materials").get<std::vector<std::string>>();
}

// The meeting room's materials below their 1 GHz lower edge at 915 MHz.
const std::vector<std::string> kOutOfRangeAt915MHz = {
    "itu_concrete", "itu_plasterboard", "itu_ceiling_board", "itu_chipboard", "itu_metal"};

void expect_same_names(std::vector<std::string> a, std::vector<std::string> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
}

TEST(Extrapolation, BuiltinSceneAtItsOwnFrequencyNeedsNoFlagWarnsOnceAndRecordsTheMaterials) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    ASSERT_TRUE(scene.builtin);
    ASSERT_EQ(scene.frequency_hz, 915e6);
    SimulationConfig config = quick_config();
    ASSERT_FALSE(config.extrapolate);
    for (double f : {0.0, 915e6}) {  // the scene's frequency by default and when named
        config.frequency_hz = f;
        LogCapture log;
        const data::Dataset ds = simulate(scene, config, two_positions(scene));
        EXPECT_EQ(ds.frequency_hz, 915e6);
        expect_same_names(recorded(ds), kOutOfRangeAt915MHz);
        const std::string text = log.text();
        EXPECT_EQ(log.count("extrapolating ITU-R P.2040 materials"), 1u) << text;
        for (const char* part : {"at 915 MHz", "itu_concrete (1–100 GHz)", "itu_plasterboard",
                                 "itu_ceiling_board (1–100 GHz, 220–450 GHz)", "itu_metal",
                                 "itu_chipboard", "model extrapolations"}) {
            EXPECT_NE(text.find(part), std::string::npos) << part << " in: " << text;
        }
        EXPECT_EQ(text.find("itu_wood"), std::string::npos) << text;  // in range
        EXPECT_EQ(log.count("is extrapolated to"), 0u) << text;       // no per-material lines
    }
}

TEST(Extrapolation, OtherFrequencyOutOfRangeWithoutTheFlagFailsNamingTheMaterial) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = quick_config();
    config.frequency_hz = 0.5e9;
    const auto positions = two_positions(scene);
    try {
        simulate(scene, config, positions);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string what = e.what();
        const std::string first = scene.materials[scene.materials_out_of_range(0.5e9).front()].name;
        for (const std::string& part :
             {first, std::string("0.5 GHz"), std::string("--extrapolate")}) {
            EXPECT_NE(what.find(part), std::string::npos) << part << " in: " << what;
        }
    }
}

TEST(Extrapolation, SceneFileAtItsOwnFrequencyStillNeedsTheFlag) {
    scene::Scene file_scene = scene::make_builtin_scene("meeting_room_v1");
    file_scene.builtin = false;  // what a scene file loads as, even one saved from a built-in
    const auto positions = two_positions(file_scene);
    EXPECT_THROW(simulate(file_scene, quick_config(), positions), Error);
}

TEST(Extrapolation, FlagAllowsAnyFrequencyWithTheSameWarningAndRecord) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = quick_config();
    config.frequency_hz = 0.5e9;
    config.extrapolate = true;
    LogCapture log;
    const data::Dataset ds = simulate(scene, config, two_positions(scene));
    expect_same_names(recorded(ds), kOutOfRangeAt915MHz);
    EXPECT_EQ(log.count("extrapolating ITU-R P.2040 materials"), 1u) << log.text();
    EXPECT_EQ(log.count("at 500 MHz: "), 1u) << log.text();
}

TEST(Extrapolation, InRangeFrequencyRecordsAnEmptyListAndDoesNotWarn) {
    const auto scene = scene::make_builtin_scene("meeting_room_v1");
    SimulationConfig config = quick_config();
    config.frequency_hz = 2.412e9;
    LogCapture log;
    const data::Dataset ds = simulate(scene, config, two_positions(scene));
    EXPECT_TRUE(recorded(ds).empty());
    EXPECT_EQ(log.count("extrapolat"), 0u) << log.text();
}

}  // namespace
}  // namespace radiofield::sim
