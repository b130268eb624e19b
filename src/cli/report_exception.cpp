// Exceptions to messages (report_exception.hpp): what went wrong, what it was about, and
// what to do, for the errors we throw and for those of the standard library and LibTorch.
#include "report_exception.hpp"

#include <c10/util/Exception.h>

#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/core/log.hpp"

namespace radiofield::cli {
namespace {

// "cannot create directories '/a/b': Not a directory". libstdc++'s what() is
// "filesystem error: <operation>: <reason> [path1] [path2]"; the operation is taken from it
// when it has that shape.
std::string describe(const std::filesystem::filesystem_error& e) {
    const std::string reason = e.code().message();
    std::string operation = e.what();
    const std::string prefix = "filesystem error: ";
    if (operation.starts_with(prefix))
        operation.erase(0, prefix.size());
    const auto end = operation.find(": " + reason);
    operation =
        end == std::string::npos ? "file system operation failed" : operation.substr(0, end);
    std::string paths;
    if (!e.path1().empty())
        paths += " '" + e.path1().string() + "'";
    if (!e.path2().empty())
        paths += " and '" + e.path2().string() + "'";
    return operation + paths + ": " + reason +
           "; check that the path exists, that its folders are folders, and that you may write "
           "there";
}

}  // namespace

int report_exception(std::exception_ptr error) noexcept {
    try {
        try {
            std::rethrow_exception(error);
        } catch (const Interrupted& e) {
            log::error("{}", e.what());
            return 128 + interrupt_signal();  // as a shell reports a process the signal ended
        } catch (const Error& e) {
            log::error("{}", e.what());
        } catch (const std::bad_alloc&) {
            log::error(
                "out of memory: the request needs more memory than this machine has; "
                "reduce the size asked for (positions, grid, rays, batch or model size)");
        } catch (const std::length_error& e) {
            log::error(
                "a requested size is larger than this program can hold ({}); reduce the "
                "size asked for (positions, grid, rays, batch or model size)",
                e.what());
        } catch (const std::filesystem::filesystem_error& e) {
            log::error("{}", describe(e));
        } catch (const c10::Error& e) {
            log::error("LibTorch: {}", e.what_without_backtrace());
        } catch (const std::exception& e) {
            log::error("unexpected error: {}", e.what());
        } catch (...) {
            log::error(
                "unexpected error of an unknown type; please report it with the command line");
        }
    } catch (...) {
        // The logger itself failed (e.g. out of memory while formatting): stay silent.
    }
    return 1;
}

}  // namespace radiofield::cli
