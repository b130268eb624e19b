#include "radiofield/core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "radiofield/core/error.hpp"

namespace radiofield::log {

spdlog::logger& get() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = spdlog::stderr_color_mt("radiofield");
        l->set_pattern("[%H:%M:%S] %^%l%$ %v");
        l->set_level(spdlog::level::info);
        return l;
    }();
    return *logger;
}

void set_level(std::string_view level) {
    const auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        fail("unknown log level '{}': use one of trace, debug, info, warn, error, off", level);
    }
    get().set_level(parsed);
}

}  // namespace radiofield::log
