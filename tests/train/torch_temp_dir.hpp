#pragma once
// A fresh temp folder for tests that link LibTorch, removed with radiofield::remove_tree
// (std::filesystem::remove_all crashes in programs that load the PyPI LibTorch).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "radiofield/core/atomic_file.hpp"

namespace radiofield::test {

class TorchTempDir {
public:
    TorchTempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "radiofield-test-";
        if (info != nullptr)
            name += std::string(info->test_suite_name()) + "-" + info->name() + "-";
        m_path = std::filesystem::temp_directory_path() /
                 (name + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(m_path);
    }
    ~TorchTempDir() { radiofield::remove_tree(m_path); }
    TorchTempDir(const TorchTempDir&) = delete;
    TorchTempDir& operator=(const TorchTempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

}  // namespace radiofield::test
