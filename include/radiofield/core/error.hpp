#pragma once
// Errors: one exception type, thrown at the boundary (loaders, constructors, CLI) with a
// message that names the bad thing and how to fix it. `main` catches it once.

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace radiofield {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throw an Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace radiofield
