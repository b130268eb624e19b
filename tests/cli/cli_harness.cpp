// The CLI test harness (cli_harness.hpp): posix_spawn of the real program with its output
// in files, and folder snapshots before and after.
#include "cli_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace radiofield::test {
namespace fs = std::filesystem;

namespace {

std::string command_line(const std::vector<std::string>& args) {
    std::string s = "radiofield";
    for (const auto& a : args)
        s += " " + a;
    return s;
}

}  // namespace

FolderSnapshot snapshot(const fs::path& folder) {
    FolderSnapshot files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        const std::string name = fs::relative(entry.path(), folder).generic_string();
        files[name] = entry.is_directory() ? "/" : read_file(entry.path());
    }
    return files;
}

CliTest::CliTest() : m_work(m_root.path() / "work") {
    fs::create_directories(m_work);
}

void CliTest::write(const std::string& name, const std::string& text) const {
    write_file(m_work / name, text);
}

CliResult CliTest::run(const std::vector<std::string>& args) const {
    return finish(start(args));
}

pid_t CliTest::start(const std::vector<std::string>& args) const {
    const fs::path out_file = m_root.path() / "stdout.txt", err_file = m_root.path() / "stderr.txt";
    std::vector<std::string> argv_text{RADIOFIELD_BIN};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addchdir_np(&actions, m_work.c_str());
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        ADD_FAILURE() << "cannot start " << RADIOFIELD_BIN << ": " << std::strerror(spawned);
        return 0;
    }
    return pid;
}

CliResult CliTest::finish(pid_t pid) const {
    CliResult r;
    if (pid <= 0)
        return r;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        r.signal = WTERMSIG(status);
    r.out = read_file(m_root.path() / "stdout.txt");
    r.err = read_file(m_root.path() / "stderr.txt");
    return r;
}

CliResult CliTest::expect_clean_failure(const std::vector<std::string>& args,
                                        std::initializer_list<std::string> fragments) const {
    const FolderSnapshot before = snapshot(m_work);
    const CliResult r = run(args);
    expect_failed_without_crash(r, command_line(args));
    expect_mentions(r, fragments);
    expect_same_files(before, snapshot(m_work));
    return r;
}

CliResult CliTest::expect_success(const std::vector<std::string>& args,
                                  const std::set<std::string>& new_files) const {
    const FolderSnapshot before = snapshot(m_work);
    const CliResult r = run(args);
    EXPECT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.output();
    expect_same_files(before, snapshot(m_work), new_files);
    for (const auto& name : new_files) {
        EXPECT_TRUE(fs::is_regular_file(m_work / name)) << name << " was not written";
    }
    return r;
}

void expect_failed_without_crash(const CliResult& r, const std::string& command) {
    if (r.signal != 0) {
        ADD_FAILURE() << command << " ended by signal " << r.signal << " (" << strsignal(r.signal)
                      << ")\n"
                      << r.output();
        return;
    }
    EXPECT_NE(r.exit_code, 0) << command << " succeeded\n" << r.output();
    EXPECT_NE(r.exit_code, 134) << command << " aborted\n" << r.output();  // as a shell reports it
    // One error line through the logger: "[hh:mm:ss] error <message>".
    std::size_t error_lines = 0;
    for (auto pos = r.err.find("] error "); pos != std::string::npos;
         pos = r.err.find("] error ", pos + 1)) {
        ++error_lines;
    }
    EXPECT_EQ(error_lines, 1u) << command << ": expected one error line\n" << r.output();
}

void expect_mentions(const CliResult& r, std::initializer_list<std::string> fragments) {
    const std::string text = r.output();
    for (const auto& f : fragments) {
        EXPECT_NE(text.find(f), std::string::npos) << "the output lacks '" << f << "':\n" << text;
    }
}

void expect_same_files(const FolderSnapshot& before,
                       const FolderSnapshot& after,
                       const std::set<std::string>& allowed_new) {
    for (const auto& [name, contents] : before) {
        const auto it = after.find(name);
        if (it == after.end()) {
            ADD_FAILURE() << name << " was removed";
        } else if (it->second != contents) {
            ADD_FAILURE() << name << " was changed";
        }
    }
    for (const auto& [name, contents] : after) {
        if (before.count(name) || allowed_new.count(name))
            continue;
        ADD_FAILURE() << "left behind: " << name
                      << (name.find("radiofield-tmp") != std::string::npos ||
                                  name.find(".tmp") != std::string::npos
                              ? " (partial output)"
                              : "");
    }
}

}  // namespace radiofield::test
