#pragma once
// Logging through spdlog: one logger named "radiofield" writing to stderr.

#include <spdlog/spdlog.h>

#include <string_view>

namespace radiofield::log {

// Level by name: trace, debug, info, warn, error, off. Throws Error on an unknown name.
void set_level(std::string_view level);
spdlog::logger& get();

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... a) {
    get().debug(f, std::forward<Args>(a)...);
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... a) {
    get().info(f, std::forward<Args>(a)...);
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... a) {
    get().warn(f, std::forward<Args>(a)...);
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... a) {
    get().error(f, std::forward<Args>(a)...);
}

}  // namespace radiofield::log
