#pragma once
// JSON pieces of a scene context shared by the dataset loader (train/data.cpp) and the
// context's own reader (scene_context.cpp).

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

namespace radiofield::train {

// A path_gain_db dB range from JSON ([lo, hi], finite, lo < hi: a dataset's attrs.db_range or
// a context's db_range); Error naming `where` otherwise.
std::array<double, 2> db_range_from_json(const nlohmann::json& j, std::string_view where);

}  // namespace radiofield::train
