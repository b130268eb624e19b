#pragma once
// Sizes asked for on the command line (grids, arrays, position counts) are checked against
// the memory they need before any work starts, so an impossible request is refused with the
// estimate instead of failing hours later or taking the machine down.

#include <cstdint>
#include <optional>
#include <string>

namespace radiofield {

// Memory a new allocation can take now, in bytes: MemAvailable of /proc/meminfo where there
// is one (Linux), else free physical pages (sysconf); nullopt when neither is known.
std::optional<std::uint64_t> available_memory_bytes();

// "1.5 GiB", "512 MiB", "12 KiB", "3 B".
std::string format_bytes(double bytes);

// Throws Error when `estimate_bytes` (what `what` needs, e.g. "simulate --grid 90x360 with
// --count 1000") exceeds the available memory (available_memory_bytes(), or `available_bytes`
// when given): the message states both and ends with `fix`. Passes when the available memory
// is unknown. The estimate is a double so that products of large sizes cannot wrap.
void check_memory(double estimate_bytes,
                  const std::string& what,
                  const std::string& fix,
                  std::optional<std::uint64_t> available_bytes = std::nullopt);

}  // namespace radiofield
