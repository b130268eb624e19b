#include "radiofield/core/atomic_file.hpp"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <random>

#include "radiofield/core/error.hpp"

namespace radiofield {
namespace fs = std::filesystem;

void check_output_path(const fs::path& target, bool overwrite) {
    if (target.empty()) fail("output path is empty: give a file name");
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir)) {
        fail("cannot write '{}': folder '{}' does not exist; create it first", target.string(),
             dir.string());
    }
    if (::access(dir.c_str(), W_OK) != 0) {
        fail("cannot write '{}': folder '{}' is not writable; choose another output path",
             target.string(), dir.string());
    }
    if (fs::is_directory(target)) {
        fail("cannot write '{}': it is a folder; give a file name", target.string());
    }
    if (!overwrite && fs::exists(target)) {
        fail("'{}' already exists; pass --overwrite to replace it or choose another name",
             target.string());
    }
}

AtomicOutput::AtomicOutput(fs::path target, bool overwrite) : m_target(std::move(target)) {
    check_output_path(m_target, overwrite);
    std::random_device rd;
    m_temp = m_target;
    m_temp += fmt::format(".tmp-{:08x}", rd());
}

AtomicOutput::~AtomicOutput() {
    if (!m_committed) remove_tree(m_temp);
}

bool remove_tree(const fs::path& path) noexcept {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return true;  // nothing there
    // Depth-first (children before their folder), not following symbolic links.
    const auto remove_one = [](const char* p, const struct stat*, int, struct FTW*) -> int {
        return std::remove(p) == 0 ? 0 : -1;
    };
    ::nftw(path.c_str(), remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return ::lstat(path.c_str(), &st) != 0;
}

void AtomicOutput::commit() {
    std::error_code ec;
    fs::rename(m_temp, m_target, ec);
    if (ec) fail("cannot move '{}' into place as '{}': {}", m_temp.string(), m_target.string(), ec.message());
    m_committed = true;
}

}  // namespace radiofield
