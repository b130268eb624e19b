#pragma once
// Outputs are written under a temporary name beside the target and renamed into place
// only when complete, so an error or an interruption never leaves a partial file.
//
// The temporary name is recognisable and says who made it: `.NAME.radiofield-tmp-PID-N`
// beside NAME. A run that was killed (SIGKILL, a power cut) cannot remove its own, so the
// next run that writes NAME removes those of processes no longer alive, with a note.

#include <filesystem>
#include <vector>

namespace radiofield {

class AtomicOutput {
public:
    // Checks that the target's folder exists and is writable, and that the target does not
    // exist unless `overwrite`; throws Error naming the path and the fix otherwise. Removes
    // stale temporary files of the target (remove_stale_temps).
    explicit AtomicOutput(std::filesystem::path target, bool overwrite = true);
    ~AtomicOutput();  // removes the temporary file unless commit() was called
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    const std::filesystem::path& temp_path() const { return m_temp; }
    const std::filesystem::path& target() const { return m_target; }
    void commit();  // rename temp -> target

private:
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    bool m_committed = false;
};

// Check an output path before any work starts (same rules as AtomicOutput). Every command
// that writes checks this way, so the rule and the message are one: an existing file is
// replaced only with `overwrite` (the commands' --overwrite), and never when it is one of the
// command's `inputs`, whatever is asked.
void check_output_path(const std::filesystem::path& target,
                       bool overwrite,
                       const std::vector<std::filesystem::path>& inputs = {});

// The same for an output folder (a run, a package, an export, a views folder): its parent
// must exist and be writable; an existing file there is refused; an existing folder is
// replaced only with `overwrite`, and never when it is, or holds, one of the `inputs`.
void check_output_folder(const std::filesystem::path& target,
                         bool overwrite,
                         const std::vector<std::filesystem::path>& inputs = {});

// A new temporary name for `target` (file or folder) in its folder, of this process.
std::filesystem::path temp_path_for(const std::filesystem::path& target);

// Removes the temporary files or folders of `target` left by processes that are no longer
// alive, logging a note with each name and size; those of live processes are kept. Returns
// how many were removed.
int remove_stale_temps(const std::filesystem::path& target);

// Removes a file or a folder with everything in it (symbolic links are removed, not
// followed); true when nothing is left. Used instead of std::filesystem::remove_all, which
// crashed in programs that also load the PyPI LibTorch (its libtorch_cpu.so exports its own
// copy of libstdc++'s filesystem code, seen segfaulting on the GPU machine).
bool remove_tree(const std::filesystem::path& path) noexcept;

}  // namespace radiofield
