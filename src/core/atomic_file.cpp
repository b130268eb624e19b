#include "radiofield/core/atomic_file.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "radiofield/core/error.hpp"

namespace radiofield {
namespace fs = std::filesystem;

namespace {

// Why no new file can be made in `dir` (strerror), or "" when one can. access(W_OK) alone is
// not enough: root passes it for /proc, where nothing can be created; so a probe file is
// made and removed.
std::string cannot_create_in(const fs::path& dir) {
    if (::access(dir.c_str(), W_OK) != 0)
        return std::strerror(errno);
    const fs::path probe = dir / fmt::format(".radiofield-probe-{:08x}", std::random_device{}());
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return std::strerror(errno);
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

}  // namespace

void check_output_path(const fs::path& target,
                       bool overwrite,
                       const std::vector<fs::path>& inputs) {
    if (target.empty())
        fail("output path is empty: give a file name");
    std::error_code ec;
    for (const auto& input : inputs) {
        const bool same = fs::exists(target, ec) && fs::exists(input, ec)
                              ? fs::equivalent(target, input, ec)
                              : fs::weakly_canonical(target, ec) == fs::weakly_canonical(input, ec);
        if (same)
            fail(
                "'{}' is one of this command's inputs; write the output elsewhere (--overwrite "
                "never replaces an input)",
                target.string());
    }
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
        fail("cannot write '{}': '{}' is a file, not a folder; choose another output path",
             target.string(), dir.string());
    }
    if (!fs::is_directory(dir, ec)) {
        fail("cannot write '{}': folder '{}' does not exist; create it first", target.string(),
             dir.string());
    }
    if (const std::string why = cannot_create_in(dir); !why.empty()) {
        fail("cannot write '{}': folder '{}' is not writable ({}); choose another output path",
             target.string(), dir.string(), why);
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
    if (!m_committed)
        remove_tree(m_temp);
}

bool remove_tree(const fs::path& path) noexcept {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0)
        return true;  // nothing there
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
    if (ec)
        fail("cannot move '{}' into place as '{}': {}", m_temp.string(), m_target.string(),
             ec.message());
    m_committed = true;
}

}  // namespace radiofield
