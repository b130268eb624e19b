#include "radiofield/core/atomic_file.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"

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

constexpr std::string_view kTempTag = ".radiofield-tmp-";

// ".NAME.radiofield-tmp-" for a target NAME: what every temporary name of it starts with.
std::string temp_prefix(const fs::path& target) {
    return fmt::format(".{}{}", target.filename().string(), kTempTag);
}

// The process id in a temporary name "<prefix>PID-N", or 0 when the name is not one.
pid_t pid_in_temp_name(std::string_view rest) {
    long pid = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || pid <= 0 || end == rest.data() + rest.size() || *end != '-')
        return 0;
    return static_cast<pid_t>(pid);
}

bool process_alive(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;  // EPERM: alive, another user's
}

// Bytes in a file, or in all the files of a folder (links not followed).
std::uintmax_t size_on_disk(const fs::path& path) {
    static thread_local std::uintmax_t total;
    total = 0;
    const auto add = [](const char*, const struct stat* st, int flag, struct FTW*) -> int {
        if (flag == FTW_F)
            total += static_cast<std::uintmax_t>(st->st_size);
        return 0;
    };
    ::nftw(path.c_str(), add, 16, FTW_PHYS);
    return total;
}

}  // namespace

fs::path temp_path_for(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    return dir / fmt::format("{}{}-{}", temp_prefix(target), ::getpid(), counter++);
}

int remove_stale_temps(const fs::path& target) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = temp_prefix(target);
    std::vector<fs::path> stale;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(prefix))
            continue;
        const pid_t pid = pid_in_temp_name(std::string_view(name).substr(prefix.size()));
        if (pid > 0 && pid != ::getpid() && !process_alive(pid))
            stale.push_back(target.parent_path() / name);  // as the target is named
    }
    int removed = 0;
    for (const auto& path : stale) {
        const std::uintmax_t bytes = size_on_disk(path);
        if (remove_tree(path)) {
            log::info("removed '{}' ({} bytes), left by an interrupted run that no longer exists",
                      path.string(), bytes);
            ++removed;
        } else {
            log::warn("cannot remove '{}', left by an interrupted run; remove it by hand",
                      path.string());
        }
    }
    return removed;
}

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

void check_output_folder(const fs::path& target,
                         bool overwrite,
                         const std::vector<fs::path>& inputs) {
    if (target.empty())
        fail("output folder is empty: give a folder name");
    std::error_code ec;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        fail("cannot write '{}': '{}' is a file, not a folder; choose another output path",
             target.string(), dir.string());
    if (!fs::is_directory(dir, ec))
        fail("cannot write '{}': folder '{}' does not exist; create it first", target.string(),
             dir.string());
    if (const std::string why = cannot_create_in(dir); !why.empty())
        fail("cannot write '{}': folder '{}' is not writable ({}); choose another output path",
             target.string(), dir.string(), why);
    if (!fs::exists(target, ec))
        return;
    if (!fs::is_directory(target, ec))
        fail("cannot write '{}': it is a file; give a folder name", target.string());
    const fs::path folder = fs::weakly_canonical(target, ec);
    for (const auto& input : inputs) {
        const fs::path in = fs::weakly_canonical(input, ec);
        const auto [f, i] = std::mismatch(folder.begin(), folder.end(), in.begin(), in.end());
        if (f == folder.end())  // the input is the folder or lies inside it
            fail(
                "'{}' holds '{}', one of this command's inputs; write the output elsewhere "
                "(--overwrite never replaces an input)",
                target.string(), input.string());
    }
    if (!overwrite)
        fail("'{}' already exists; pass --overwrite to replace it or choose another name",
             target.string());
}

AtomicOutput::AtomicOutput(fs::path target, bool overwrite) : m_target(std::move(target)) {
    check_output_path(m_target, overwrite);
    remove_stale_temps(m_target);
    m_temp = temp_path_for(m_target);
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
