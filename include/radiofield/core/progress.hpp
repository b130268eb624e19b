#pragma once
// Progress reporter for long work: step / total, rate, ETA and an optional status text
// (e.g. the current loss). Thread-safe `advance`; prints at most every `interval` seconds
// to stderr (a single updating line on a terminal, plain lines otherwise).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace radiofield {

class Progress {
public:
    Progress(std::string label,
             std::int64_t total,
             std::string unit = "it",
             double interval_seconds = 1.0);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void advance(std::int64_t n = 1);
    void set_status(std::string status);  // shown after the counters, e.g. "loss 0.0123"
    void finish();                        // prints the final line once

    std::int64_t done() const { return m_done.load(); }
    // Formats "1m23s" style durations; exposed for tests and reports.
    static std::string format_duration(double seconds);
    // The line that would be printed now (for tests).
    std::string line() const;

    // Globally silence progress output (tests, --quiet).
    static void set_enabled(bool enabled);
    static bool enabled();

private:
    void maybe_print(bool force);

    std::string m_label;
    std::int64_t m_total;
    std::string m_unit;
    double m_interval;
    std::atomic<std::int64_t> m_done{0};
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_print;
    std::string m_status;
    mutable std::mutex m_mutex;
    bool m_finished = false;
    bool m_tty = false;
};

}  // namespace radiofield
