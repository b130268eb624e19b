#pragma once
// A simulated dataset's settings (the keys of `radiofield simulate`'s options) as the sim
// library's configuration.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "radiofield/scene/scene.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::study {

struct SimulationPlan {
    scene::Scene scene;
    sim::SimulationConfig config;
    sim::PositionSpec positions;
    std::uint64_t seed = 0;
};

// Error naming `where` and the setting for a bad value; the scene is resolved (built-in
// name or file) and the configuration validated.
SimulationPlan plan_simulation(const nlohmann::json& settings, const std::string& where);

// "915e6", "915MHz", "2.412 GHz" or a number of Hz → Hz.
double parse_frequency(const nlohmann::json& value, const std::string& where);

}  // namespace radiofield::study
