#include "radiofield/core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace radiofield {
namespace {
std::atomic<bool> g_enabled{true};
}

bool Progress::enabled() {
    return g_enabled;
}

void Progress::set_enabled(bool enabled) {
    g_enabled = enabled;
}

Progress::Progress(std::string label, std::int64_t total, std::string unit, double interval_seconds)
    : m_label(std::move(label)),
      m_total(total),
      m_unit(std::move(unit)),
      m_interval(interval_seconds),
      m_start(std::chrono::steady_clock::now()),
      m_last_print(m_start),
      m_tty(isatty(fileno(stderr)) != 0) {}

Progress::~Progress() {
    if (!m_finished && m_done.load() > 0)
        finish();
}

void Progress::advance(std::int64_t n) {
    m_done.fetch_add(n);
    maybe_print(false);
}

void Progress::set_status(std::string status) {
    std::lock_guard lock(m_mutex);
    m_status = std::move(status);
}

std::string Progress::format_duration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7)
        return "?";
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s < 60)
        return fmt::format("{}s", s);
    if (s < 3600)
        return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string Progress::line() const {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const std::int64_t done = m_done.load();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    std::string out = fmt::format("{}: {}/{} {}", m_label, done, m_total, m_unit);
    if (m_total > 0) {
        out += fmt::format(" ({:.0f}%)",
                           100.0 * static_cast<double>(done) / static_cast<double>(m_total));
    }
    out += fmt::format(", {:.3g} {}/s, elapsed {}", rate, m_unit, format_duration(elapsed));
    if (m_total > 0 && done < m_total && rate > 0) {
        out += fmt::format(", ETA {}", format_duration(static_cast<double>(m_total - done) / rate));
    }
    std::lock_guard lock(m_mutex);
    if (!m_status.empty())
        out += ", " + m_status;
    return out;
}

void Progress::maybe_print(bool force) {
    if (!g_enabled)
        return;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        if (!force && std::chrono::duration<double>(now - m_last_print).count() < m_interval)
            return;
        m_last_print = now;
    }
    const std::string text = line();
    std::fprintf(stderr, m_tty ? "\r\033[K%s" : "%s\n", text.c_str());
    std::fflush(stderr);
}

void Progress::finish() {
    if (m_finished)
        return;
    m_finished = true;
    maybe_print(true);
    if (g_enabled && m_tty)
        std::fputc('\n', stderr);
}

}  // namespace radiofield
