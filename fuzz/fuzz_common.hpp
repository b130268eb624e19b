#pragma once
// Shared by the libFuzzer targets (docs/fuzzing.md). A target feeds the fuzzer's bytes to
// one parser through `parse`: radiofield::Error is the parser refusing bad input, which is
// fine; any other exception escapes and aborts (a finding), as do crashes, sanitizer reports,
// timeouts and huge allocations.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"

namespace radiofield::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// One folder per fuzzing process for parsers that read files; removed at exit unless
// RADIOFIELD_FUZZ_KEEP is set.
inline const std::filesystem::path& work_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("radiofield-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        if (std::getenv("RADIOFIELD_FUZZ_KEEP") != nullptr) {  // to look at the files
            std::fprintf(stderr, "work folder kept: %s\n", d.c_str());
            return d;
        }
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(work_dir(), ec);
        });
        return d;
    }();
    return dir;
}

// Writes the input to `name` in the work folder and returns its path.
inline std::filesystem::path write_input(const std::string& name,
                                         const std::uint8_t* data,
                                         std::size_t size) {
    const auto path = work_dir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

// Quiet logging (warnings about odd input are expected by the thousand).
inline void quiet() {
    log::set_level("off");
}

// RADIOFIELD_FUZZ_VERBOSE=1 prints each refusal (to see what a parser says about an input).
template <typename Parse>
void parse(Parse&& parse_input) {
    static const bool verbose = std::getenv("RADIOFIELD_FUZZ_VERBOSE") != nullptr;
    try {
        parse_input();
        if (verbose)
            std::fprintf(stderr, "accepted\n");
    } catch (const Error& e) {
        // A clear refusal: what a parser should do with bad input.
        if (verbose)
            std::fprintf(stderr, "Error: %s\n", e.what());
    }
}

}  // namespace radiofield::fuzz
