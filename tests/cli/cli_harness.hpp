#pragma once
// Runs the built `radiofield` program (RADIOFIELD_BIN) in a fresh working folder and checks
// how it ends: the exit status, what it printed, and what it left on disk.
//
// A case is one short TEST_F on CliTest:
//
//   TEST_F(CliTest, ShowOfAMissingFileNamesIt) {
//       expect_clean_failure({"show", "missing.h5"}, {"missing.h5"});
//   }
//
// expect_clean_failure runs the command and asserts that it failed with a message (not a
// crash), that the message holds every fragment (the bad value, the fix), and that the
// working folder is exactly as before: every file byte-identical, nothing new, no partial
// output. Files a case needs go in first with write() or an earlier run().

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../data/temp_dir.hpp"

namespace radiofield::test {

struct CliResult {
    int exit_code = -1;  // the exit status when the program exited normally, else -1
    int signal = 0;      // the signal that ended it, else 0
    std::string out, err;

    std::string output() const { return out + err; }
};

// Every file and folder under a folder: relative path → contents ("/" for a folder).
using FolderSnapshot = std::map<std::string, std::string>;
FolderSnapshot snapshot(const std::filesystem::path& folder);

class CliTest : public ::testing::Test {
protected:
    CliTest();

    // The folder the program runs in (its current directory); empty at the start.
    const std::filesystem::path& work() const { return m_work; }
    std::filesystem::path path(const std::string& name) const { return m_work / name; }
    void write(const std::string& name, const std::string& text) const;

    // Runs `radiofield ARGS...` in work() with stdin from /dev/null; the output is captured
    // outside work(), so it does not count as a file the program left.
    CliResult run(const std::vector<std::string>& args) const;
    // The same in two halves, for a test that acts while the program runs (a signal):
    // start() returns its process id (0 when it cannot start), finish() waits for it.
    pid_t start(const std::vector<std::string>& args) const;
    CliResult finish(pid_t pid) const;

    // Runs ARGS and expects a clean failure (see the top of this file): exit status not 0,
    // not an abort or another signal; one error line on stderr; every one of `fragments` in
    // the output; work() unchanged. Returns the result for further checks.
    CliResult expect_clean_failure(const std::vector<std::string>& args,
                                   std::initializer_list<std::string> fragments) const;

    // Runs ARGS and expects success, with exactly `new_files` added to work() (relative
    // paths) and every other file unchanged.
    CliResult expect_success(const std::vector<std::string>& args,
                             const std::set<std::string>& new_files) const;

private:
    TempDir m_root;  // holds work/ and the captured output
    std::filesystem::path m_work;
};

// Checks on a result, usable on their own.
void expect_failed_without_crash(const CliResult& r, const std::string& command);
void expect_mentions(const CliResult& r, std::initializer_list<std::string> fragments);
// Every file of `before` is byte-identical in `after`, and nothing else exists in `after`
// but `allowed_new` (a leftover temporary file, "*.radiofield-tmp-*" or "*.tmp*", is reported
// as partial output).
void expect_same_files(const FolderSnapshot& before,
                       const FolderSnapshot& after,
                       const std::set<std::string>& allowed_new = {});

}  // namespace radiofield::test
