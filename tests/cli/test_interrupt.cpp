// Interruptions (issue "Nothing lost, nothing silent", 5): SIGINT or SIGTERM while an output is
// being written stops the program within a second or two, non-zero and with a message, leaving
// no partial output and no temporary file; a temporary file left by a killed run is removed by
// the next run that writes the same output, with a note, while one of a live process is kept.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cli_harness.hpp"

namespace radiofield::test {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A temporary output file in `folder`, or "" when there is none.
std::string temp_file_in(const fs::path& folder) {
    for (const auto& entry : fs::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.find(".radiofield-tmp-") != std::string::npos)
            return name;
    }
    return {};
}

class Interrupt : public CliTest {
protected:
    // Starts a simulate whose write phase lasts seconds (a few hundred MiB of spectra to
    // compress), waits until its temporary output exists, sends `sig`, and checks how it ends.
    // Starts that simulate and returns its process id once it is writing (0 on failure).
    pid_t start_the_write() {
        const pid_t pid = start({"simulate", "--out", "big.h5", "--count", "3000", "--samples",
                                 "1000", "--max-depth", "1"});
        EXPECT_GT(pid, 0);
        const auto deadline = Clock::now() + std::chrono::seconds(120);
        while (pid > 0 && temp_file_in(work()).empty() && Clock::now() < deadline) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                ADD_FAILURE() << "simulate ended before its output was being written";
                return 0;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        EXPECT_FALSE(temp_file_in(work()).empty()) << "no temporary output appeared";
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // mid-way into the write
        return temp_file_in(work()).empty() ? 0 : pid;
    }

    void interrupt_the_write(int sig) {
        const pid_t pid = start_the_write();
        ASSERT_GT(pid, 0);
        const auto sent = Clock::now();
        ASSERT_EQ(::kill(pid, sig), 0);
        const CliResult r = finish(pid);
        const double seconds = std::chrono::duration<double>(Clock::now() - sent).count();
        EXPECT_LT(seconds, 2.0) << "took " << seconds << " s to stop\n" << r.output();
        EXPECT_EQ(r.signal, 0) << "ended by the signal, not by the program\n" << r.output();
        EXPECT_EQ(r.exit_code, 128 + sig) << r.output();
        expect_mentions(r, {sig == SIGINT ? "interrupted (SIGINT)" : "interrupted (SIGTERM)",
                            "'big.h5' was not written"});
        expect_same_files({}, snapshot(work()));  // no output, no temporary file
    }
};

TEST_F(Interrupt, SigintDuringTheWriteStopsWithinASecondAndLeavesNothing) {
    interrupt_the_write(SIGINT);
}

TEST_F(Interrupt, SigtermDuringTheWriteStopsWithinASecondAndLeavesNothing) {
    interrupt_the_write(SIGTERM);
}

// The case as it happened: SIGKILL (which no program can catch) mid-way through the
// HDF5 write leaves the partly written temporary file; the next run writing the same output
// removes it, with a note naming it, and writes the output.
TEST_F(Interrupt, ThePartialFileOfARunKilledDuringTheWriteIsRemovedByTheNextRun) {
    const pid_t pid = start_the_write();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const CliResult killed = finish(pid);
    EXPECT_EQ(killed.signal, SIGKILL) << killed.output();
    const std::string partial = temp_file_in(work());
    ASSERT_FALSE(partial.empty()) << "SIGKILL left no temporary file (nothing to test)";
    EXPECT_FALSE(fs::exists(path("big.h5")));

    const CliResult next =
        run({"simulate", "--out", "big.h5", "--count", "5", "--samples", "2000", "--grid", "9x36"});
    ASSERT_EQ(next.exit_code, 0) << next.output();
    expect_mentions(next, {"removed '" + partial + "'", "left by an interrupted run"});
    EXPECT_TRUE(temp_file_in(work()).empty());
    EXPECT_TRUE(fs::is_regular_file(path("big.h5")));
}

// The id of a process that has ended (started and waited for here).
pid_t ended_process() {
    const pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, nullptr, 0);
    return pid;
}

TEST_F(CliTest, AStaleTemporaryFileOfAKilledRunIsRemovedWithANote) {
    const std::string stale = ".data.h5.radiofield-tmp-" + std::to_string(ended_process()) + "-0";
    const std::string live = ".data.h5.radiofield-tmp-" + std::to_string(::getpid()) + "-0";
    const std::string other = ".other.h5.radiofield-tmp-" + std::to_string(ended_process()) + "-0";
    write(stale, "half a dataset");
    write(live, "being written by a process still alive");
    write(other, "another output's");
    const auto r = run(
        {"simulate", "--out", "data.h5", "--count", "5", "--samples", "2000", "--grid", "9x36"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    expect_mentions(r, {"removed '" + stale + "' (14 bytes)", "interrupted run"});
    EXPECT_FALSE(fs::exists(path(stale)));
    EXPECT_EQ(read_file(path(live)), "being written by a process still alive");
    EXPECT_EQ(read_file(path(other)), "another output's");  // not this output's: left alone
    EXPECT_TRUE(fs::is_regular_file(path("data.h5")));
    EXPECT_EQ(r.output().find(live), std::string::npos) << r.output();
}

TEST_F(CliTest, AStaleTemporaryFolderOfAKilledExportIsRemovedWithANote) {
    ASSERT_EQ(
        run({"-q", "simulate", "--out", "data.h5", "--count", "5", "--samples", "2000"}).exit_code,
        0);
    const std::string stale = ".rfid.radiofield-tmp-" + std::to_string(ended_process()) + "-0";
    fs::create_directories(path(stale) / "spectrum");
    write(stale + "/spectrum/00001.png", "half a picture");
    const auto r = run({"export", "nerf2", "data.h5", "rfid"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    expect_mentions(r, {"removed '" + stale + "'"});
    EXPECT_FALSE(fs::exists(path(stale)));
    EXPECT_TRUE(fs::is_directory(path("rfid") / "spectrum"));
}

}  // namespace
}  // namespace radiofield::test
