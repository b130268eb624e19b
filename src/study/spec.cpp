// Reading a study file: profile choices resolved, sweeps expanded, keys and references checked.
#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "radiofield/core/error.hpp"
#include "radiofield/core/json_config.hpp"
#include "radiofield/study/study.hpp"

namespace radiofield::study {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using nlohmann::json;
namespace {

ojson resolve_profile_o(const ojson& value,
                        const std::string& profile,
                        const std::vector<std::string>& profiles,
                        const std::string& where);
ojson expand_vars_o(const ojson& value, const ojson& vars);

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "(none)" : s;
}

bool is_profile_choice(const ojson& v, const std::vector<std::string>& profiles) {
    if (!v.is_object() || v.empty())
        return false;
    for (const auto& [key, value] : v.items()) {
        if (std::find(profiles.begin(), profiles.end(), key) == profiles.end())
            return false;
    }
    return true;
}

// Cartesian product of the "for" lists of `entry`: one vars object per combination.
std::vector<ojson> sweep(const ojson& entry, const std::string& where) {
    std::vector<ojson> combos{ojson::object()};
    if (!entry.is_object() || !entry.contains("for"))
        return combos;
    const ojson& f = entry.at("for");
    if (!f.is_object() || f.empty())
        fail("{}: \"for\" must be an object of lists, e.g. {{\"n\": [50, 100]}}", where);
    for (const auto& [var, given] : f.items()) {
        ojson values = given;
        // {"range": [first, last]}: the integers first..last (both included).
        if (given.is_object() && given.size() == 1 && given.contains("range")) {
            const ojson& r = given.at("range");
            if (!r.is_array() || r.size() != 2 || !r[0].is_number_integer() ||
                !r[1].is_number_integer() || r[1].get<std::int64_t>() < r[0].get<std::int64_t>() ||
                r[1].get<std::int64_t>() - r[0].get<std::int64_t>() >= 100000)
                fail(
                    "{}: \"for\".{}.range must be [first, last], integers with first <= last "
                    "and at most 100000 values",
                    where, var);
            values = ojson::array();
            for (auto v = r[0].get<std::int64_t>(); v <= r[1].get<std::int64_t>(); ++v)
                values.push_back(v);
        }
        if (!values.is_array() || values.empty())
            fail(
                "{}: \"for\".{} must be a non-empty list of values or {{\"range\": [first, "
                "last]}}",
                where, var);
        std::vector<ojson> next;
        for (const auto& c : combos) {
            for (const auto& v : values) {
                ojson n = c;
                n[var] = v;
                next.push_back(std::move(n));
            }
        }
        combos = std::move(next);
    }
    return combos;
}

std::string var_text(const ojson& v) {
    if (v.is_string())
        return v.get<std::string>();
    return v.dump();
}

std::string expand_string(const std::string& s, const ojson& vars) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t open = s.find("${", i);
        if (open == std::string::npos) {
            out += s.substr(i);
            break;
        }
        const std::size_t close = s.find('}', open);
        if (close == std::string::npos) {
            out += s.substr(i);
            break;
        }
        const std::string var = s.substr(open + 2, close - open - 2);
        out += s.substr(i, open - i);
        out += vars.contains(var) ? var_text(vars.at(var)) : s.substr(open, close - open + 1);
        i = close + 1;
    }
    return out;
}

// Expands a map section ("datasets", "runs"): entries with "for" become one per combination.
ojson expand_map(const ojson& section, const std::string& where) {
    ojson out = ojson::object();
    if (section.is_null())
        return out;
    if (!section.is_object())
        fail("{}: expected an object of name → settings", where);
    for (const auto& [name, entry] : section.items()) {
        const std::string at = where + "." + name;
        for (const ojson& vars : sweep(entry, at)) {
            ojson e = expand_vars_o(entry, vars);
            if (e.is_object())
                e.erase("for");
            const std::string expanded = expand_string(name, vars);
            if (out.contains(expanded))
                fail(
                    "{}: the name '{}' is made twice; put each sweep variable in the name, e.g. "
                    "\"{}_${{n}}\"",
                    at, expanded, name);
            out[expanded] = std::move(e);
        }
    }
    return out;
}

// Dataset names of a "data" list; an entry with '*' or '?' stands for every dataset whose
// name it matches (in the study's order), and must match at least one.
std::vector<std::string> expand_data_names(const std::vector<std::string>& given,
                                           const std::vector<DatasetSpec>& datasets,
                                           const std::string& where) {
    std::vector<std::string> out;
    for (const auto& g : given) {
        if (g.find_first_of("*?") == std::string::npos) {
            out.push_back(g);
            continue;
        }
        const auto before = out.size();
        for (const auto& d : datasets)
            if (fnmatch(g.c_str(), d.name.c_str(), 0) == 0)
                out.push_back(d.name);
        if (out.size() == before)
            fail("{}: the pattern '{}' matches no dataset of this study", where, g);
    }
    return out;
}

std::vector<std::string> string_list(const ojson& v, const std::string& where) {
    if (v.is_string())
        return {v.get<std::string>()};
    if (!v.is_array() || v.empty())
        fail("{}: expected a list of names", where);
    std::vector<std::string> out;
    for (const auto& x : v) {
        if (!x.is_string())
            fail("{}: expected names (strings), got {}", where, x.dump());
        out.push_back(x.get<std::string>());
    }
    return out;
}

std::string required_string(const ojson& e, const char* key, const std::string& where) {
    if (!e.contains(key) || !e.at(key).is_string() || e.at(key).get<std::string>().empty())
        fail("{}: \"{}\" (a non-empty string) is required", where, key);
    return e.at(key).get<std::string>();
}

DatasetSpec read_dataset(const std::string& name, const ojson& e, const std::string& where) {
    if (!e.is_object())
        fail(
            "{}: expected an object ({{\"path\"}}, {{\"nerf2\"}}, simulate settings or "
            "{{\"from\"}})",
            where);
    DatasetSpec d;
    d.name = name;
    d.settings = e;
    if (e.contains("path")) {
        d.kind = DatasetSpec::Kind::File;
        check_keys(e, {"path"}, where + " (an existing dataset file)");
        const fs::path p = required_string(e, "path", where);
        d.settings["path"] = fs::absolute(p).lexically_normal().string();
    } else if (e.contains("nerf2")) {
        d.kind = DatasetSpec::Kind::Nerf2Folder;
        check_keys(e, {"nerf2"}, where + " (a NeRF2 folder to import)");
        const fs::path p = required_string(e, "nerf2", where);
        d.settings["nerf2"] = fs::absolute(p).lexically_normal().string();
    } else if (e.contains("via")) {
        d.kind = DatasetSpec::Kind::Nerf2RoundTrip;
        check_keys(e, {"from", "via"}, where + " (another dataset through a NeRF2 folder)");
        required_string(e, "from", where);
        if (required_string(e, "via", where) != "nerf2")
            fail("{}: \"via\" must be \"nerf2\" (export to a NeRF2 folder and import it back)",
                 where);
    } else if (e.contains("from")) {
        d.kind = DatasetSpec::Kind::Subset;
        check_keys(e, {"from", "train_count", "seed"}, where + " (a subset of another dataset)");
        required_string(e, "from", where);
        if (!e.contains("train_count") || !e.at("train_count").is_number_integer() ||
            e.at("train_count").get<long long>() < 1)
            fail("{}: \"train_count\" (a positive integer) is required", where);
        d.settings["seed"] = get_or<std::uint64_t>(e, "seed", 0, where);
    } else {
        d.kind = DatasetSpec::Kind::Simulate;
        // The settings of `radiofield simulate`'s options, by the same names.
        check_keys(e, {"scene",        "frequency",       "kind",
                       "moving",       "station",         "station_orientation",
                       "positions",    "count",           "spacing",
                       "height",       "region",          "z_range",
                       "polarization", "clearance",       "grid",
                       "method",       "spectrum",        "phase_noise",
                       "snr",          "kernel",          "db_range",
                       "array",        "array_spacing",   "max_depth",
                       "samples",      "diffuse",         "transmission",
                       "no_los",       "slab_reflection", "seed",
                       "split",        "extrapolate",     "csv"},
                   where + " (a simulated dataset; the keys of radiofield simulate's options)");
        required_string(e, "scene", where);
    }
    return d;
}

RunSpec read_run(const std::string& name, const ojson& e, const std::string& where) {
    if (!e.is_object())
        fail("{}: expected an object {{\"model\", \"data\", \"model_config\", \"train\"}}", where);
    RunSpec r;
    r.name = name;
    if (e.contains("pretrained")) {
        // A shipped model: the runner reads its model and settings from its manifest.
        check_keys(e, {"pretrained"}, where + " (a shipped model)");
        r.pretrained = required_string(e, "pretrained", where);
        return r;
    }
    check_keys(e, {"model", "data", "views", "init", "model_config", "train"}, where);
    if (e.contains("views"))
        r.views = required_string(e, "views", where);
    if (e.contains("init"))
        r.init = required_string(e, "init", where);
    r.model = required_string(e, "model", where);
    if (!e.contains("data"))
        fail("{}: \"data\" (the training datasets' names) is required", where);
    r.data = string_list(e.at("data"), where + ".data");
    if (e.contains("model_config")) {
        if (!e.at("model_config").is_object())
            fail("{}.model_config: expected an object", where);
        r.model_config = e.at("model_config");
    }
    if (e.contains("train")) {
        if (!e.at("train").is_object())
            fail("{}.train: expected an object of training settings", where);
        r.train = e.at("train");
    }
    return r;
}

// A table's or line plot's "summary": which of the evaluations' summaries it shows.
void check_summary(const ojson& item, const std::string& where) {
    if (!item.contains("summary"))
        return;
    const auto& v = item.at("summary");
    if (!v.is_string() || (v != "mean" && v != "median" && v != "pooled"))
        fail("{}: \"summary\" must be mean, median or pooled (got {})", where, v.dump());
}

void check_table(const ojson& item, const std::string& where) {
    check_keys(item, {"table", "metrics", "summary", "title"}, where + " (a table)");
    check_summary(item, where);
    if (item.contains("metrics"))
        string_list(item.at("metrics"), where + ".metrics");
}

void check_item(const ojson& item, const std::string& where) {
    if (!item.is_object())
        fail("{}: expected an object with \"table\", \"spectra\", \"plot\" or \"picture\"", where);
    if (item.contains("table")) {
        check_table(item, where);
    } else if (item.contains("spectra")) {
        check_keys(item, {"spectra", "samples", "title"}, where + " (side-by-side spectra)");
        const int n = get_or<int>(item, "samples", 3, where);
        if (n < 1 || n > 20)
            fail("{}: \"samples\" must be 1..20 (got {})", where, n);
    } else if (item.contains("picture")) {
        check_keys(item, {"picture", "title"}, where + " (pictures over the scene)");
        string_list(item.at("picture"), where + ".picture");
    } else if (item.contains("plot")) {
        const std::string kind = get_or<std::string>(item, "plot", "", where);
        if (kind == "line") {
            check_summary(item, where);
            check_keys(
                item,
                {"plot", "x", "y", "series", "summary", "title", "x_label", "y_label", "log_x"},
                where + " (a line plot)");
            required_string(item, "x", where);
            required_string(item, "y", where);
            if (!item.contains("series") || !item.at("series").is_array() ||
                item.at("series").empty())
                fail("{}: \"series\" must be a list of {{\"label\", \"evals\"}}", where);
            for (const auto& s : item.at("series")) {
                check_keys(s, {"label", "evals"}, where + ".series");
                required_string(s, "evals", where + ".series");
            }
        } else if (kind == "cdf") {
            check_keys(item, {"plot", "aoa", "title"}, where + " (an AoA error CDF)");
            string_list(item.at("aoa"), where + ".aoa");
        } else {
            fail("{}: \"plot\" must be \"line\" or \"cdf\" (got '{}')", where, kind);
        }
    } else {
        fail("{}: an item needs one of \"table\", \"spectra\", \"plot\" or \"picture\"", where);
    }
}

// Subsets and round trips after their sources; Error for a cycle or an unknown source.
std::vector<DatasetSpec> order_datasets(std::vector<DatasetSpec> in, const std::string& file) {
    std::vector<DatasetSpec> out;
    std::set<std::string> placed, names;
    for (const auto& d : in)
        names.insert(d.name);
    std::vector<std::string> known(names.begin(), names.end());
    const auto derived = [](const DatasetSpec& d) {
        return d.kind == DatasetSpec::Kind::Subset || d.kind == DatasetSpec::Kind::Nerf2RoundTrip;
    };
    for (const auto& d : in) {
        if (derived(d)) {
            const auto from = d.settings.at("from").get<std::string>();
            if (!names.count(from))
                fail("{}: datasets.{}: \"from\" names an unknown dataset '{}'; known: {}", file,
                     d.name, from, join(known));
        }
    }
    while (!in.empty()) {
        const auto it = std::find_if(in.begin(), in.end(), [&](const DatasetSpec& d) {
            return !derived(d) || placed.count(d.settings.at("from").get<std::string>());
        });
        if (it == in.end())
            fail("{}: the subsets {} derive from each other in a cycle", file, in.front().name);
        placed.insert(it->name);
        out.push_back(*it);
        in.erase(it);
    }
    return out;
}

ojson resolve_profile_o(const ojson& value,
                        const std::string& profile,
                        const std::vector<std::string>& profiles,
                        const std::string& where) {
    if (is_profile_choice(value, profiles)) {
        if (!value.contains(profile))
            fail("{}: no value for profile '{}' (it gives {}); add \"{}\": …", where, profile,
                 value.dump(), profile);
        return resolve_profile_o(value.at(profile), profile, profiles, where);
    }
    if (value.is_object()) {
        ojson out = ojson::object();
        for (const auto& [k, v] : value.items())
            out[k] = resolve_profile_o(v, profile, profiles, where + "." + k);
        return out;
    }
    if (value.is_array()) {
        ojson out = ojson::array();
        for (std::size_t i = 0; i < value.size(); ++i)
            out.push_back(resolve_profile_o(value[i], profile, profiles,
                                            where + "[" + std::to_string(i) + "]"));
        return out;
    }
    return value;
}

ojson expand_vars_o(const ojson& value, const ojson& vars) {
    if (vars.empty())
        return value;
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (s.size() > 3 && s.starts_with("${") && s.ends_with("}") &&
            s.find("${", 2) == std::string::npos) {
            const std::string var = s.substr(2, s.size() - 3);
            if (vars.contains(var))
                return vars.at(var);
        }
        return expand_string(s, vars);
    }
    if (value.is_object()) {
        ojson out = ojson::object();
        for (const auto& [k, v] : value.items())
            out[k == "for" ? k : expand_string(k, vars)] = k == "for" ? v : expand_vars_o(v, vars);
        return out;
    }
    if (value.is_array()) {
        ojson out = ojson::array();
        for (const auto& v : value)
            out.push_back(expand_vars_o(v, vars));
        return out;
    }
    return value;
}

}  // namespace

json resolve_profile(const ojson& value,
                     const std::string& profile,
                     const std::vector<std::string>& profiles,
                     const std::string& where) {
    return resolve_profile_o(value, profile, profiles, where);
}

json expand_vars(const ojson& value, const ojson& vars) {
    return expand_vars_o(value, vars);
}

const DatasetSpec& Study::dataset(const std::string& n) const {
    std::vector<std::string> known;
    for (const auto& d : datasets) {
        if (d.name == n)
            return d;
        known.push_back(d.name);
    }
    fail("{}: unknown dataset '{}'; the datasets of this study: {}", file.string(), n, join(known));
}

const RunSpec& Study::run(const std::string& n) const {
    std::vector<std::string> known;
    for (const auto& r : runs) {
        if (r.name == n)
            return r;
        known.push_back(r.name);
    }
    fail("{}: unknown run '{}'; the runs of this study: {}", file.string(), n, join(known));
}

std::vector<const EvalSpec*> Study::evals(const std::string& ref) const {
    std::vector<const EvalSpec*> out;
    for (const auto& e : evaluations) {
        if (e.label == ref)
            return {&e};
    }
    std::vector<std::string> known;
    for (const auto& e : evaluations) {
        if (e.template_label == ref)
            out.push_back(&e);
        if (known.empty() || known.back() != e.template_label)
            known.push_back(e.template_label);
    }
    if (out.empty())
        fail("{}: unknown evaluation '{}'; the evaluation labels (or their templates): {}",
             file.string(), ref, join(known));
    return out;
}

Study parse_study(const ojson& doc, const fs::path& file, const std::string& profile) {
    const std::string f = file.string();
    if (!doc.is_object())
        fail("{}: a study is a JSON object (docs/studies.md)", f);
    check_keys(doc,
               {"name", "title", "description", "profiles", "datasets", "views", "runs",
                "evaluations", "report"},
               f + " (study; docs/studies.md)");
    Study s;
    s.file = file;
    s.profile = profile;
    s.profiles = get_or<std::vector<std::string>>(doc, "profiles", kDefaultProfiles, f);
    if (std::find(s.profiles.begin(), s.profiles.end(), profile) == s.profiles.end())
        fail("{}: unknown profile '{}'; this study's profiles: {}", f, profile, join(s.profiles));
    ojson r = resolve_profile_o(doc, profile, s.profiles, f);
    s.name = required_string(r, "name", f);
    s.title = get_or<std::string>(r, "title", s.name, f);
    s.description = get_or<std::string>(r, "description", "", f);

    r["datasets"] = expand_map(r.value("datasets", ojson::object()), f + ": datasets");
    r["views"] = expand_map(r.value("views", ojson::object()), f + ": views");
    for (const auto& [name, e] : r["views"].items()) {
        const std::string where = f + ": views." + name;
        if (!e.is_object())
            fail("{}: expected an object with \"scene\" (radiofield render-views' settings)",
                 where);
        check_keys(e,
                   {"scene", "count", "size", "fov", "placement", "points", "seed", "texture",
                    "texture_scale"},
                   where + " (camera images; radiofield render-views' options)");
        required_string(e, "scene", where);
        s.views.push_back({name, e});
    }
    r["runs"] = expand_map(r.value("runs", ojson::object()), f + ": runs");
    std::vector<DatasetSpec> datasets;
    for (const auto& [name, e] : r["datasets"].items())
        datasets.push_back(read_dataset(name, e, f + ": datasets." + name));
    s.datasets = order_datasets(std::move(datasets), f);
    for (const auto& [name, e] : r["runs"].items()) {
        s.runs.push_back(read_run(name, e, f + ": runs." + name));
        const std::string& v = s.runs.back().views;
        if (!v.empty() && std::none_of(s.views.begin(), s.views.end(),
                                       [&](const ViewsSpec& x) { return x.name == v; })) {
            std::vector<std::string> known;
            for (const auto& x : s.views)
                known.push_back(x.name);
            fail("{}: runs.{}: \"views\" names an unknown views entry '{}'; known: {}", f, name, v,
                 known.empty() ? "none (add a \"views\" section)" : join(known));
        }
        if (const std::string& init = s.runs.back().init; !init.empty()) {
            // Fine-tuning: the run starts from the weights of a run trained before it.
            const auto before = std::find_if(s.runs.begin(), s.runs.end() - 1,
                                             [&](const RunSpec& x) { return x.name == init; });
            if (before == s.runs.end() - 1) {
                std::vector<std::string> known;
                for (auto it = s.runs.begin(); it != s.runs.end() - 1; ++it)
                    known.push_back(it->name);
                fail(
                    "{}: runs.{}: \"init\" names '{}', which is not a run before it (a run "
                    "starts from the weights of one listed earlier); known: {}",
                    f, name, init, known.empty() ? "none" : join(known));
            }
            // Whether the model can start from the weights of that run's model is the model's
            // to say (Model::starts_from); the runner asks before any work.
            if (!before->pretrained.empty())
                fail(
                    "{}: runs.{}: \"init\" names '{}', a run of the shipped model '{}'; a "
                    "study run starts from an earlier run the study trains, not from a shipped "
                    "model (radiofield eval/predict --model {} --fine-tune N fine-tunes one)",
                    f, name, init, before->pretrained, before->pretrained);
        }
        s.runs.back().data =
            expand_data_names(s.runs.back().data, s.datasets, f + ": runs." + name + ".data");
        for (const auto& d : s.runs.back().data)
            s.dataset(d);
    }

    ojson evals = ojson::array();
    const ojson raw_evals = r.value("evaluations", ojson::array());
    if (!raw_evals.is_array())
        fail("{}: \"evaluations\" must be a list of {{\"label\", \"run\", \"data\"}}", f);
    std::set<std::string> labels;
    for (std::size_t i = 0; i < raw_evals.size(); ++i) {
        const std::string where = fmt::format("{}: evaluations[{}]", f, i);
        const ojson& raw = raw_evals[i];
        check_keys(raw, {"label", "run", "data", "split", "aoa", "picture", "batch", "for"}, where);
        for (const ojson& vars : sweep(raw, where)) {
            ojson e = expand_vars_o(raw, vars);
            e.erase("for");
            EvalSpec ev;
            ev.template_label = required_string(raw, "label", where);
            ev.label = required_string(e, "label", where);
            ev.vars = vars;
            ev.run = required_string(e, "run", where);
            if (!e.contains("data"))
                fail("{}: \"data\" (the datasets to evaluate on) is required", where);
            ev.data =
                expand_data_names(string_list(e.at("data"), where + ".data"), s.datasets, where);
            ev.split = get_or<std::string>(e, "split", "test", where);
            if (ev.split != "train" && ev.split != "val" && ev.split != "test" && ev.split != "all")
                fail("{}: \"split\" must be train, val, test or all (got '{}')", where, ev.split);
            ev.aoa = get_or<bool>(e, "aoa", false, where);
            ev.picture = get_or<bool>(e, "picture", false, where);
            ev.batch = get_or<int>(e, "batch", 16, where);
            if (ev.label.find_first_of("/\\") != std::string::npos || ev.label.starts_with("."))
                fail("{}: the label '{}' must be usable as a file name", where, ev.label);
            if (!labels.insert(ev.label).second)
                fail("{}: the label '{}' is used twice", where, ev.label);
            s.run(ev.run);
            for (const auto& d : ev.data)
                s.dataset(d);
            evals.push_back(e);
            s.evaluations.push_back(std::move(ev));
        }
    }
    r["evaluations"] = evals;

    const ojson report = r.value("report", ojson::array());
    if (!report.is_array())
        fail("{}: \"report\" must be a list of sections {{\"title\", \"text\", \"items\"}}", f);
    for (std::size_t i = 0; i < report.size(); ++i) {
        const std::string where = fmt::format("{}: report[{}]", f, i);
        check_keys(report[i], {"title", "text", "items"}, where);
        ReportSection sec;
        sec.title = get_or<std::string>(report[i], "title", "", where);
        sec.text = get_or<std::string>(report[i], "text", "", where);
        const ojson items = report[i].value("items", ojson::array());
        if (!items.is_array())
            fail("{}.items: expected a list", where);
        for (std::size_t k = 0; k < items.size(); ++k) {
            const std::string at = fmt::format("{}.items[{}]", where, k);
            check_item(items[k], at);
            const ojson& it = items[k];
            for (const char* key : {"table", "spectra", "aoa", "picture"}) {
                if (it.contains(key)) {
                    for (const auto& ref : string_list(it.at(key), at + "." + key))
                        s.evals(ref);
                }
            }
            if (it.contains("picture")) {
                for (const auto& ref : string_list(it.at("picture"), at + ".picture"))
                    for (const EvalSpec* e : s.evals(ref))
                        if (!e->picture)
                            fail(
                                "{}: the evaluation '{}' makes no picture; give it \"picture\": "
                                "true",
                                at, e->label);
            }
            if (it.contains("series")) {
                for (const auto& series : it.at("series")) {
                    for (const EvalSpec* e : s.evals(series.at("evals").get<std::string>())) {
                        const std::string x = it.at("x").get<std::string>();
                        if (!e->vars.contains(x) || !e->vars.at(x).is_number())
                            fail(
                                "{}: the evaluation '{}' has no numeric sweep variable '{}' for "
                                "x (its variables: {})",
                                at, e->label, x, e->vars.dump());
                    }
                }
            }
            if (it.contains("spectra")) {
                // Side by side means the same samples: every evaluation on the same dataset.
                std::string first;
                for (const auto& ref : string_list(it.at("spectra"), at + ".spectra")) {
                    for (const EvalSpec* e : s.evals(ref)) {
                        if (first.empty())
                            first = e->data.front();
                        if (e->data.front() != first)
                            fail(
                                "{}: side-by-side spectra need evaluations of one dataset; '{}' "
                                "evaluates '{}', not '{}'",
                                at, e->label, e->data.front(), first);
                    }
                }
            }
            sec.items.push_back(it);
        }
        s.report.push_back(std::move(sec));
    }
    s.resolved = r;
    return s;
}

Study load_study(const fs::path& file, const std::string& profile) {
    std::ifstream in(file);
    if (!in)
        fail("cannot read the study '{}'; give a study file such as studies/graf_single_scene.json",
             file.string());
    ojson doc;
    try {
        doc = ojson::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const ojson::exception& e) {  // parse errors, and numbers too large (1e5555555)
        fail("{}: not valid JSON: {}", file.string(), e.what());
    }
    return parse_study(doc, file, profile);
}

}  // namespace radiofield::study
