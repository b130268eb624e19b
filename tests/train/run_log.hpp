#pragma once
// Reading a run folder's log.jsonl in the training tests.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace radiofield::test {

// The "loss" of every logged step, in order.
inline std::vector<double> logged_losses(const std::filesystem::path& log) {
    std::vector<double> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("loss"))
            out.push_back(j["loss"].get<double>());
    }
    return out;
}

}  // namespace radiofield::test
