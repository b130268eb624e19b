// get_or / whole_number: config numbers read into integer settings (json_config.hpp).

#include <gtest/gtest.h>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"

namespace radiofield {
namespace {

// Found by fuzzing (nerf2_folder): nlohmann's get<int>() converts 4.2e35 with undefined
// behaviour and truncates 2.5 silently.
TEST(JsonConfig, IntegerSettingsTakeWholeNumbersThatFitAndRefuseTheRest) {
    const auto j = nlohmann::json::parse(
        R"({"a": 4, "b": 4.0, "c": 2.5, "d": 4.2e35, "e": -1, "f": 18446744073709551615,
            "g": "4", "h": 9.2233720368547758e18})");
    EXPECT_EQ(get_or(j, "a", 0, "test"), 4);
    EXPECT_EQ(get_or(j, "b", 0, "test"), 4);
    EXPECT_EQ(get_or<std::int64_t>(j, "e", 0, "test"), -1);
    EXPECT_EQ(get_or<std::uint64_t>(j, "f", 0, "test"), 18446744073709551615u);
    EXPECT_EQ(get_or(j, "missing", 7, "test"), 7);
    for (const char* key : {"c", "d", "f", "h"}) {
        try {
            get_or<int>(j, key, 0, "model config");
            ADD_FAILURE() << key << ": no error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("model config: setting '" + std::string(key) +
                                                 "' must be a whole number"),
                      std::string::npos)
                << e.what();
        }
    }
    EXPECT_THROW(get_or<std::uint64_t>(j, "e", 0, "test"), Error);
    EXPECT_THROW(get_or<std::int64_t>(j, "h", 0, "test"), Error);  // 2^63 does not fit
    EXPECT_THROW(get_or<int>(j, "g", 0, "test"), Error);           // a string: wrong type
}

}  // namespace
}  // namespace radiofield
