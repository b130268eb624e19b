#pragma once
// A fresh temp folder for tests that link LibTorch. The PyPI libtorch.so exports its own
// copy of std::filesystem::remove_all, which crashes (null call) against this system's
// libstdc++, so the folder is emptied file by file instead (fs::remove works).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace radiofield::test {

class TorchTempDir {
public:
    TorchTempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "radiofield-test-";
        if (info != nullptr) name += std::string(info->test_suite_name()) + "-" + info->name() + "-";
        m_path = std::filesystem::temp_directory_path() / (name + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(m_path);
    }
    ~TorchTempDir() {
        std::error_code ec;
        std::vector<std::filesystem::path> entries;
        for (auto it = std::filesystem::recursive_directory_iterator(m_path, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            entries.push_back(it->path());
        }
        // Deepest first, so folders are empty when their turn comes.
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            return std::distance(a.begin(), a.end()) > std::distance(b.begin(), b.end());
        });
        for (const auto& p : entries) std::filesystem::remove(p, ec);
        std::filesystem::remove(m_path, ec);
    }
    TorchTempDir(const TorchTempDir&) = delete;
    TorchTempDir& operator=(const TorchTempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

}  // namespace radiofield::test
