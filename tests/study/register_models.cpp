// The built-in models, registered once for every test of this executable (as the program
// does at start).
#include <gtest/gtest.h>

#include "radiofield/models/registry.hpp"

namespace {

class RegisterBuiltinModels : public ::testing::Environment {
public:
    void SetUp() override { radiofield::models::register_builtin_models(); }
};

const auto* const g_environment = ::testing::AddGlobalTestEnvironment(new RegisterBuiltinModels);

}  // namespace
