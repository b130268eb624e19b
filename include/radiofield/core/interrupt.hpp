#pragma once
// Ctrl-C (SIGINT) and SIGTERM during long work. While an InterruptScope is alive, either signal
// only sets a flag that the work polls (between training steps, simulated batches, blocks of a
// file being written), so it stops within a moment and cleanly: a checkpoint is saved, or a
// partial output is removed. A second signal while the first is pending ends the program at
// once (the signal's default action); the temporary file it leaves is removed by the next run
// that writes the same output (AtomicOutput).

#include <atomic>
#include <string>

#include "radiofield/core/error.hpp"

namespace radiofield {

// Thrown by throw_if_interrupted(); `main` exits with 128 + the signal number.
class Interrupted : public Error {
public:
    explicit Interrupted(const std::string& what) : Error(what) {}
};

// Installs the SIGINT/SIGTERM handlers for its lifetime (when `active`); scopes nest, and only
// the outermost one installs, clears the flag, and restores the previous handlers.
class InterruptScope {
public:
    explicit InterruptScope(bool active = true);
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

private:
    bool m_active;
};

// True once SIGINT or SIGTERM arrived inside a scope (false outside any).
bool interrupt_requested() noexcept;
// The flag itself, for work that takes a `const std::atomic<bool>*` to poll.
const std::atomic<bool>& interrupt_flag() noexcept;
// The signal that set the flag (SIGINT or SIGTERM), 0 when none; still readable after the
// scope has ended (for the exit status), until the next outermost scope starts.
int interrupt_signal() noexcept;
// Sets the flag as a first SIGINT would, without a signal: for a deadline that stops the work
// the same way. Call it only while a scope is alive (from any thread); it never ends the
// program, also when the flag is set already.
void request_interrupt() noexcept;
// Throws Interrupted("interrupted (SIGINT): <what>") when interrupt_requested().
void throw_if_interrupted(const std::string& what);

}  // namespace radiofield
