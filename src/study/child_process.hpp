#pragma once
// Child processes of the study runner (`radiofield study --jobs N`): a training run made in a
// process of its own, its output into a log file beside the run.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace radiofield::study {

struct ChildExit {
    int code = -1;   // the exit status when it exited, else -1
    int signal = 0;  // the signal that ended it, else 0

    bool ok() const { return code == 0; }
};

// Starts `argv` (argv[0] is the program's path) in a process group of its own, so that a
// terminal's Ctrl-C reaches the parent only (which passes it on once), with stdin from
// /dev/null, stdout and stderr appended to `log`, and `env` set over the parent's environment.
// Error naming the program and the reason when it cannot start.
pid_t spawn_logged(const std::vector<std::string>& argv,
                   const std::filesystem::path& log,
                   const std::vector<std::pair<std::string, std::string>>& env);

// Waits for the child to end (retrying on EINTR).
ChildExit wait_for(pid_t pid);

// The last `lines` lines of a text file ("" when it cannot be read).
std::string tail_lines(const std::filesystem::path& file, std::size_t lines);

}  // namespace radiofield::study
