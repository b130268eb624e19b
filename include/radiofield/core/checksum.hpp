#pragma once
// SHA-256 of files and bytes (OpenSSL's libcrypto), as lowercase hex: what shipped weights
// are checked against before they are loaded.

#include <filesystem>
#include <string>
#include <string_view>

namespace radiofield {

// Error naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
std::string sha256_hex(std::string_view bytes);

}  // namespace radiofield
