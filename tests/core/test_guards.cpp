// The guards of issue "Nothing lost, nothing silent": the memory check, the interrupt scope,
// and the temporary names of atomic outputs with the removal of stale ones.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/memory.hpp"

using namespace radiofield;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

TEST(Memory, ARequestAboveWhatIsAvailableIsRefusedWithBothSizesAndTheFix) {
    const std::uint64_t gib = 1ull << 30;
    EXPECT_EQ(error_of([&] { check_memory(2.0 * gib, "a grid", "ask less", 4 * gib); }), "");
    EXPECT_EQ(error_of([&] { check_memory(8.0 * gib, "a grid", "ask less", 4 * gib); }),
              "a grid needs about 8 GiB of memory, but this machine has 4 GiB available; ask "
              "less");
    // Far beyond any integer: no wrap-around.
    EXPECT_NE(error_of([&] { check_memory(1e30, "x", "y", 4 * gib); }), "");
}

TEST(Memory, TheAvailableMemoryIsKnownHere) {
    const auto bytes = available_memory_bytes();
    ASSERT_TRUE(bytes.has_value());
    EXPECT_GT(*bytes, 0u);
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(1.5 * (1 << 20)), "1.5 MiB");
}

TEST(Interrupt, SigintAndSigtermInsideAScopeSetTheFlagAndNothingElse) {
    for (const int sig : {SIGINT, SIGTERM}) {
        const InterruptScope scope;
        EXPECT_FALSE(interrupt_requested());
        EXPECT_EQ(error_of([] { throw_if_interrupted("writing x"); }), "");
        std::raise(sig);  // the process survives it
        EXPECT_TRUE(interrupt_requested());
        EXPECT_EQ(interrupt_signal(), sig);
        const std::string what = error_of([] { throw_if_interrupted("writing x"); });
        EXPECT_NE(what.find(sig == SIGINT ? "(SIGINT): writing x" : "(SIGTERM): writing x"),
                  std::string::npos)
            << what;
    }
}

TEST(Interrupt, NestedScopesShareTheFlagAndTheOuterOneRestoresTheHandler) {
    {
        const InterruptScope outer;
        {
            const InterruptScope inner;
            std::raise(SIGINT);
        }
        EXPECT_TRUE(interrupt_requested());  // the outer work sees it too
    }
    EXPECT_FALSE(interrupt_requested());    // nothing pending outside a scope...
    EXPECT_EQ(interrupt_signal(), SIGINT);  // ...but the signal is known, for the exit status
    const InterruptScope inactive(false);   // a scope that does not handle signals
    EXPECT_FALSE(interrupt_requested());
    struct sigaction now = {};
    sigaction(SIGINT, nullptr, &now);
    EXPECT_EQ(now.sa_handler, SIG_DFL);
    const InterruptScope again;  // a new outermost scope starts clear
    EXPECT_FALSE(interrupt_requested());
}

TEST(AtomicOutput, TemporaryNamesAreRecognisableAndStaleOnesAreRemoved) {
    const fs::path dir =
        fs::temp_directory_path() / ("radiofield_guards_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path target = dir / "out.h5";
    const fs::path temp = temp_path_for(target);
    EXPECT_EQ(temp.parent_path(), dir);
    EXPECT_EQ(temp.filename().string().rfind(
                  ".out.h5.radiofield-tmp-" + std::to_string(getpid()) + "-", 0),
              0u)
        << temp;
    const pid_t ended = fork();
    if (ended == 0)
        _exit(0);
    waitpid(ended, nullptr, 0);
    const fs::path stale = dir / (".out.h5.radiofield-tmp-" + std::to_string(ended) + "-3");
    const fs::path mine = temp_path_for(target);
    std::ofstream(stale) << "partial";
    std::ofstream(mine) << "being written";
    EXPECT_EQ(remove_stale_temps(target), 1);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(mine));  // this process is alive
    remove_tree(dir);
}

}  // namespace
