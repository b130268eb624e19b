#include "radiofield/core/memory.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "radiofield/core/error.hpp"

namespace radiofield {

std::optional<std::uint64_t> available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        if (!line.starts_with("MemAvailable:"))
            continue;
        std::istringstream fields(line.substr(13));
        std::uint64_t kib = 0;
        if (fields >> kib)
            return kib * 1024;  // the unit is "kB", meaning KiB
    }
    // No /proc (macOS, BSD) or a kernel older than 3.14: free physical pages.
    const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
    return std::nullopt;
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.3g} {}", bytes, units[u]);
}

void check_memory(double estimate_bytes,
                  const std::string& what,
                  const std::string& fix,
                  std::optional<std::uint64_t> available_bytes) {
    const auto available = available_bytes ? available_bytes : available_memory_bytes();
    if (!available || estimate_bytes <= static_cast<double>(*available))
        return;
    fail("{} needs about {} of memory, but this machine has {} available; {}", what,
         format_bytes(estimate_bytes), format_bytes(static_cast<double>(*available)), fix);
}

}  // namespace radiofield
