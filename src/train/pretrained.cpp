#include "radiofield/train/pretrained.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/checksum.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/train/checkpoint.hpp"

namespace radiofield::train {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest.json";
constexpr std::array<const char*, 2> kFiles = {"config.json", "checkpoint.pt"};

fs::path program_dir() {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

PretrainedInfo read_manifest(const fs::path& dir) {
    const auto path = dir / kManifest;
    std::ifstream in(path);
    if (!in)
        fail("cannot read '{}'", path.string());
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail(
            "'{}' is not valid JSON ({}): the shipped model is damaged; reinstall it or pack "
            "it again (radiofield pack-model)",
            path.string(), e.what());
    }
    PretrainedInfo info;
    try {
        info.name = j.at("name").get<std::string>();
        info.model = j.at("model").get<std::string>();
        info.description = j.value("description", std::string());
        info.produced_by = j.value("produced_by", nlohmann::json::object());
        info.files = j.at("files");
        (void)info.files.at("checkpoint.pt").at("sha256").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        fail(
            "'{}' lacks a field a manifest needs ({}): expected \"name\", \"model\" and "
            "\"files\" with each file's \"sha256\" and \"bytes\"",
            path.string(), e.what());
    }
    info.dir = dir;
    return info;
}

torch::Dtype storage_dtype(const std::string& name) {
    if (name == "float32")
        return torch::kFloat32;
    if (name == "float16")
        return torch::kFloat16;
    if (name == "bfloat16")
        return torch::kBFloat16;
    fail("--weights-dtype '{}': use float32, float16 or bfloat16", name);
}

}  // namespace

std::vector<fs::path> pretrained_search_path() {
    std::vector<fs::path> out;
    if (const char* env = std::getenv("RADIOFIELD_PRETRAINED")) {
        std::string s(env);
        std::size_t start = 0;
        while (start <= s.size()) {
            const auto end = s.find(':', start);
            const auto part = s.substr(start, end == std::string::npos ? end : end - start);
            if (!part.empty())
                out.emplace_back(part);
            if (end == std::string::npos)
                break;
            start = end + 1;
        }
    }
    if (const auto bin = program_dir(); !bin.empty())
        out.push_back(bin.parent_path() / "share" / "radiofield" / "pretrained");
#ifdef RADIOFIELD_SOURCE_PRETRAINED
    out.emplace_back(RADIOFIELD_SOURCE_PRETRAINED);
#endif
    return out;
}

std::vector<PretrainedInfo> list_pretrained() {
    std::vector<PretrainedInfo> out;
    std::set<std::string> seen;
    for (const auto& root : pretrained_search_path()) {
        std::error_code ec;
        if (!fs::is_directory(root, ec))
            continue;
        std::vector<fs::path> dirs;
        for (const auto& entry : fs::directory_iterator(root, ec))
            if (entry.is_directory() && fs::exists(entry.path() / kManifest))
                dirs.push_back(entry.path());
        std::sort(dirs.begin(), dirs.end());
        for (const auto& dir : dirs) {
            try {
                auto info = read_manifest(dir);
                if (seen.insert(info.name).second)
                    out.push_back(std::move(info));
            } catch (const Error& e) {
                log::warn("skipping a shipped model: {}", e.what());
            }
        }
    }
    return out;
}

PretrainedInfo find_pretrained(const std::string& name) {
    const auto all = list_pretrained();
    std::string known;
    for (const auto& p : all) {
        if (p.name == name)
            return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    std::string where;
    for (const auto& d : pretrained_search_path())
        where += (where.empty() ? "" : ", ") + d.string();
    fail(
        "no shipped model named '{}' ({}); looked in: {}. radiofield models lists them; a "
        "folder of your own goes on RADIOFIELD_PRETRAINED",
        name, known.empty() ? "none found" : "known: " + known, where);
}

void verify_pretrained(const PretrainedInfo& info) {
    const auto& files = info.files;
    for (const char* f : kFiles) {
        const auto path = info.dir / f;
        if (!files.contains(f))
            fail(
                "'{}': the manifest lists no checksum for {}; pack the model again "
                "(radiofield pack-model)",
                (info.dir / kManifest).string(), f);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            fail("shipped model '{}': '{}' is missing; reinstall it or pack it again", info.name,
                 path.string());
        const auto want = files.at(f);
        const auto bytes = fs::file_size(path);
        if (want.contains("bytes") && want.at("bytes").get<std::uintmax_t>() != bytes)
            fail(
                "shipped model '{}': '{}' has {} bytes, its manifest says {}: the file is not "
                "the one shipped (truncated or replaced); reinstall it",
                info.name, path.string(), bytes, want.at("bytes").get<std::uintmax_t>());
        const auto sha = sha256_file(path);
        if (sha != want.at("sha256").get<std::string>())
            fail(
                "shipped model '{}': '{}' has SHA-256 {}, its manifest says {}: the file is "
                "damaged or not the one shipped; reinstall it",
                info.name, path.string(), sha, want.at("sha256").get<std::string>());
    }
}

LoadedRun load_pretrained(const PretrainedInfo& info, torch::Device device) {
    const std::string& name = info.name;
    verify_pretrained(info);
    try {
        auto run = load_run(info.dir, device);
        if (run.config.model != info.model)
            fail("its config builds '{}' but the manifest says '{}'", run.config.model, info.model);
        // A checkpoint replaces parameters with its own shapes (models may grow while they
        // train); shipped weights must have the shapes their config builds.
        auto fresh = make_model(run.config.model, run.config.model_config);
        fresh->prepare(run.config.contexts, nullptr);
        const auto want = fresh->parameter_groups(), got = run.model->parameter_groups();
        if (want.size() != got.size())
            fail("its weights do not fit its config: {} parameter groups, the config builds {}",
                 got.size(), want.size());
        for (std::size_t g = 0; g < want.size(); ++g) {
            const auto& a = want[g].params;
            const auto& b = got[g].params;
            if (a.size() != b.size())
                fail(
                    "its weights do not fit its config: group '{}' holds {} tensors, the "
                    "config builds {}",
                    want[g].name, b.size(), a.size());
            for (std::size_t i = 0; i < a.size(); ++i)
                if (a[i].sizes() != b[i].sizes())
                    fail(
                        "its weights do not fit its config: tensor {} of group '{}' is {} in "
                        "the weights and {} in the model its config builds; pack it again from "
                        "the run that made it",
                        i, want[g].name, fmt::format("{}", fmt::join(b[i].sizes(), "x")),
                        fmt::format("{}", fmt::join(a[i].sizes(), "x")));
        }
        return run;
    } catch (const Error& e) {
        fail("shipped model '{}' ({}) does not load: {}", name, info.dir.string(), e.what());
    } catch (const c10::Error& e) {
        fail(
            "shipped model '{}' ({}): its weights do not fit its config ({}); pack it again "
            "from the run that made it",
            name, info.dir.string(), e.what_without_backtrace());
    }
}

PretrainedInfo pack_pretrained(const fs::path& run_dir,
                               const fs::path& out,
                               const PackOptions& options) {
    if (options.name.empty() || options.name.find_first_not_of(
                                    "abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos)
        fail("--name '{}': use lowercase letters, digits, '-', '_' and '.'", options.name);
    (void)storage_dtype(options.weights_dtype);  // a bad name is refused before any work
    auto run = load_run(run_dir, torch::kCPU);
    const auto out_abs = fs::absolute(out).lexically_normal();
    std::error_code ec;
    fs::create_directories(out_abs.parent_path(), ec);
    if (!fs::is_directory(out_abs.parent_path()))
        fail("cannot create folder '{}': {}", out_abs.parent_path().string(), ec.message());
    check_output_folder(out_abs, options.overwrite, {run_dir});
    remove_stale_temps(out_abs);
    const fs::path tmp = temp_path_for(out_abs);
    fs::create_directories(tmp);
    try {
        CheckpointState state = read_checkpoint_state(run_dir / "checkpoint.pt", run.config.model);
        state.phase.clear();
        run.model->cast_weights_for_storage(storage_dtype(options.weights_dtype));
        save_checkpoint(tmp / "checkpoint.pt", state, *run.model, nullptr, nullptr);
        fs::copy_file(run_dir / "config.json", tmp / "config.json");
        nlohmann::json files = nlohmann::json::object();
        for (const char* f : kFiles)
            files[f] = {{"sha256", sha256_file(tmp / f)}, {"bytes", fs::file_size(tmp / f)}};
        const nlohmann::json manifest = {{"name", options.name},
                                         {"model", run.config.model},
                                         {"description", options.description},
                                         {"produced_by", options.produced_by},
                                         {"step", run.step},
                                         {"weights_dtype", options.weights_dtype},
                                         {"files", files}};
        std::ofstream(tmp / kManifest) << manifest.dump(2) << "\n";
        if (fs::exists(out_abs, ec))
            remove_tree(out_abs);
        fs::rename(tmp, out_abs);
    } catch (...) {
        remove_tree(tmp);
        throw;
    }
    auto info = read_manifest(out_abs);
    return info;
}

}  // namespace radiofield::train
