#include "radiofield/core/interrupt.hpp"

#include <csignal>

namespace radiofield {
namespace {

std::atomic<bool> g_requested{false};
std::atomic<int> g_signal{0};
int g_depth = 0;  // scopes alive (they live on the main thread)
struct sigaction g_previous_int, g_previous_term;

extern "C" void on_interrupt(int sig) {
    if (g_requested.load()) {
        // A second signal: stop now, as if no handler were installed.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    g_signal.store(sig);
    g_requested.store(true);
}

}  // namespace

InterruptScope::InterruptScope(bool active) : m_active(active) {
    if (!m_active || g_depth++ > 0)
        return;
    g_requested = false;
    g_signal = 0;
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // blocking calls resume; the flag is polled between them
    sigaction(SIGINT, &action, &g_previous_int);
    sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptScope::~InterruptScope() {
    if (!m_active || --g_depth > 0)
        return;
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
    g_requested = false;  // outside any scope nothing is pending; the signal stays readable
}

bool interrupt_requested() noexcept {
    return g_requested.load();
}

const std::atomic<bool>& interrupt_flag() noexcept {
    return g_requested;
}

void request_interrupt() noexcept {
    int none = 0;
    g_signal.compare_exchange_strong(none, SIGINT);
    g_requested.store(true);
}

int interrupt_signal() noexcept {
    return g_signal.load();
}

void throw_if_interrupted(const std::string& what) {
    if (!interrupt_requested())
        return;
    throw Interrupted(fmt::format("interrupted ({}): {}",
                                  interrupt_signal() == SIGTERM ? "SIGTERM" : "SIGINT", what));
}

}  // namespace radiofield
