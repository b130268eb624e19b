#pragma once
// The one place where a failed command becomes a message: every exception, ours or not, is
// logged as one error line, and the program exits with status 1 (never an abort).

#include <exception>

namespace radiofield::cli {

// Logs `error` (a radiofield::Error, std::bad_alloc, std::filesystem::filesystem_error,
// c10::Error, any std::exception or anything else) as one error line; returns the exit
// status: 1, or 128 + the signal for an Interrupted (Ctrl-C, SIGTERM).
int report_exception(std::exception_ptr error) noexcept;

}  // namespace radiofield::cli
