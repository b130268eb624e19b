// The study report: title, description, the runs' settings and costs, then each section's
// tables, plots and side-by-side spectra (HTML, self-contained), and the tables as markdown.
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "../train/xml_escape.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/train/evaluate.hpp"
#include "svg_plot.hpp"

namespace radiofield::study {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

std::string esc(const std::string& s) {
    return train::xml_escape(s);
}

void write_text(const fs::path& path, const std::string& text) {
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        f << text;
        if (!f)
            fail("cannot write '{}' (is the folder writable?)", path.string());
    }
    out.commit();
}

std::string value_text(const json& v) {
    if (v.is_number())
        return fmt::format("{:.4f}", v.get<double>());
    if (v.is_null())
        return "n/a";
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string duration(double s) {
    if (s < 60)
        return fmt::format("{:.1f} s", s);
    if (s < 3600)
        return fmt::format("{}m{:02}s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
    return fmt::format("{}h{:02}m", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
}

// A markdown / HTML table built once, written both ways.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> numeric;  // per column

    std::string html() const {
        std::string s = "<table><tr>";
        for (const auto& h : header)
            s += "<th>" + esc(h) + "</th>";
        s += "</tr>";
        for (const auto& r : rows) {
            s += "<tr>";
            for (std::size_t c = 0; c < r.size(); ++c)
                s += (c < numeric.size() && numeric[c] ? "<td class=\"num\">" : "<td>") +
                     esc(r[c]) + "</td>";
            s += "</tr>";
        }
        return s + "</table>\n";
    }
    std::string markdown() const {
        auto line = [](const std::vector<std::string>& cells) {
            std::string s = "|";
            for (const auto& c : cells) {
                std::string x = c;
                std::replace(x.begin(), x.end(), '|', '/');
                s += " " + x + " |";
            }
            return s + "\n";
        };
        std::string s = line(header) + "|";
        for (std::size_t c = 0; c < header.size(); ++c)
            s += c < numeric.size() && numeric[c] ? " ---: |" : " --- |";
        s += "\n";
        for (const auto& r : rows)
            s += line(r);
        return s + "\n";
    }
};

class ReportWriter {
public:
    explicit ReportWriter(const ReportInputs& in) : m_in(in), m_study(*in.study) {}

    void write() {
        fs::create_directories(m_in.out / "figures");
        const Study& s = m_study;
        m_html =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
            esc(s.title) +
            "</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px "
            "32px;color:#222;max-width:1300px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;"
            "border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:18px 0 4px}"
            "table{border-collapse:collapse;font-size:14px;margin:8px 0}td,th{border:1px solid "
            "#ccc;padding:4px 10px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
            "td.num{text-align:right;font-variant-numeric:tabular-nums}figure{margin:12px 0}"
            "figcaption{font-size:13px;color:#555}img{max-width:100%;image-rendering:pixelated}"
            "code{font-size:12px}.note{font-size:13px;color:#555}</style></head><body>\n";
        m_html += "<h1>" + esc(s.title) + "</h1>\n";
        m_md = "# " + s.title + "\n\n";
        if (!s.description.empty()) {
            m_html += "<p>" + esc(s.description) + "</p>\n";
            m_md += s.description + "\n\n";
        }
        const std::string meta = fmt::format("study `{}` ({}), profile **{}**", s.name,
                                             s.file.filename().string(), s.profile);
        m_html +=
            fmt::format("<p class=\"note\">study <code>{}</code> ({}), profile <b>{}</b></p>\n",
                        esc(s.name), esc(s.file.filename().string()), esc(s.profile));
        m_md += meta + "\n\n";
        if (!m_in.unselected_runs.empty())
            selection_note();
        if (m_in.partial)
            partial_note();
        datasets();
        runs();
        for (std::size_t i = 0; i < s.report.size(); ++i)
            section(s.report[i], i);
        m_html += "</body></html>\n";
        write_text(m_in.out / "report.html", m_html);
        write_text(m_in.out / "report.md", m_md);
    }

private:
    void partial_note() {
        const std::size_t evals = m_study.evaluations.size() - m_in.unselected_evaluations.size();
        std::string note = fmt::format(
            "Partial report (radiofield study --partial, or --time-limit when it ran out): {} "
            "of {} evaluations, those of the runs finished so far.",
            evals - m_in.missing_evaluations.size(), evals);
        if (!m_in.missing_runs.empty())
            note += fmt::format(" Runs not finished ({} of {}): {}.", m_in.missing_runs.size(),
                                m_study.runs.size() - m_in.unselected_runs.size(),
                                some_of(m_in.missing_runs));
        if (!m_in.missing_evaluations.empty())
            note += fmt::format(" Evaluations left out: {}.", some_of(m_in.missing_evaluations));
        note +=
            " Run the study again (without --partial) to finish it; it reuses every "
            "evaluation made here.";
        m_html += "<p><b>" + esc(note) + "</b></p>\n";
        m_md += "**" + note + "**\n\n";
    }

    void selection_note() {
        const std::size_t runs = m_study.runs.size();
        const std::string note = fmt::format(
            "Runs selected with --runs {}: {} of {}, with the runs they start from. Not "
            "selected: {}; their evaluations are left out ({}): {}.",
            fmt::join(m_in.selection, ","), runs - m_in.unselected_runs.size(), runs,
            some_of(m_in.unselected_runs), m_in.unselected_evaluations.size(),
            some_of(m_in.unselected_evaluations));
        m_html += "<p><b>" + esc(note) + "</b></p>\n";
        m_md += "**" + note + "**\n\n";
    }

    void datasets() {
        Table t;
        t.header = {"dataset", "made from", "samples", "train", "val", "test"};
        t.numeric = {false, false, true, true, true, true};
        for (const auto& d : m_study.datasets) {
            if (!m_in.data.count(d.name)) {  // a partial report's dataset not made yet
                t.rows.push_back({d.name, "not made yet", "-", "-", "-", "-"});
                continue;
            }
            const data::DatasetReader r(m_in.data.at(d.name));
            const auto& h = r.header();
            std::string from;
            if (d.kind == DatasetSpec::Kind::File) {
                from = d.settings.at("path").get<std::string>();
            } else if (d.kind == DatasetSpec::Kind::Nerf2Folder) {
                from = "NeRF2 folder " + d.settings.at("nerf2").get<std::string>();
            } else if (d.kind == DatasetSpec::Kind::Nerf2RoundTrip) {
                from = fmt::format("{} exported to a NeRF2 folder and imported back",
                                   d.settings.at("from").get<std::string>());
            } else if (d.kind == DatasetSpec::Kind::Subset) {
                from = fmt::format("{} random training positions of {} (seed {})",
                                   d.settings.at("train_count").dump(),
                                   d.settings.at("from").get<std::string>(),
                                   d.settings.at("seed").dump());
            } else {
                const std::string what =
                    r.has_spectra() ? h.spectrum_convention + " spectra" : std::string();
                const std::string paths = r.has_paths() ? "path sets (CIRs)" : std::string();
                from = fmt::format("simulated: {} at {:.4g} GHz, {}{}{}",
                                   d.settings.value("scene", ""), h.frequency_hz / 1e9, what,
                                   what.empty() || paths.empty() ? "" : " and ", paths);
            }
            t.rows.push_back(
                {d.name, from, std::to_string(h.size()), std::to_string(h.split.train.size()),
                 std::to_string(h.split.val.size()), std::to_string(h.split.test.size())});
        }
        m_html += "<h2>Datasets</h2>\n" + t.html();
        m_md += "## Datasets\n\n" + t.markdown();
    }

    // "shipped model graf-pretrained (studies/graf_pretrain.json, commit 1a2b3c4)".
    static std::string shipped(const RunRecord& rec) {
        const json& p = rec.produced_by;
        std::string from = p.value("study", "");
        const std::string commit = p.value("commit", "");
        if (!commit.empty())
            from += (from.empty() ? "commit " : ", commit ") + commit.substr(0, 10);
        return fmt::format("shipped model {}{}", rec.pretrained,
                           from.empty() ? "" : " (" + from + ")");
    }

    // "300 steps, lr 0.0008 (cosine), weight decay 5e-05, batch 512, seed 0".
    // `steps`: what the run trains over all its phases.
    static std::string training(const json& t, std::int64_t steps) {
        std::string s = fmt::format("{} steps, lr {:g} ({})", steps, t.value("lr", 0.0),
                                    t.value("schedule", std::string("?")));
        if (t.value("weight_decay", 0.0) > 0)
            s += fmt::format(", weight decay {:g}", t.value("weight_decay", 0.0));
        if (t.value("batch", std::int64_t{0}) > 0)
            s += fmt::format(", batch {}", t.value("batch", std::int64_t{0}));
        return s + fmt::format(", seed {}", t.value("seed", std::uint64_t{0}));
    }

    // The model settings the study file gives a run; every other one is the model's default
    // (the run's config.json holds them all). A shipped model's are its package's.
    static std::string settings(const RunSpec& r) {
        if (!r.pretrained.empty())
            return "as shipped";
        return r.model_config.empty() ? "defaults" : r.model_config.dump();
    }

    void runs() {
        Table t;
        t.header = {"run",        "model",         "model config",           "training",
                    "trained on", "training time", "prediction per spectrum"};
        t.numeric = {false, false, false, false, false, true, false};
        int shared = 1;
        for (const auto& r : m_study.runs) {
            if (!m_in.runs.count(r.name)) {  // not selected (--runs), or not finished yet
                const bool unselected =
                    std::find(m_in.unselected_runs.begin(), m_in.unselected_runs.end(), r.name) !=
                    m_in.unselected_runs.end();
                t.rows.push_back({r.name, r.model, settings(r),
                                  unselected ? "not selected (--runs)" : "not finished yet",
                                  fmt::format("{}", fmt::join(r.data, ", ")), "-", ""});
                continue;
            }
            const RunRecord& rec = m_in.runs.at(r.name);
            std::string per_spectrum;
            for (const auto& e : m_study.evaluations) {
                if (e.run != r.name || !m_in.evals.count(e.label))
                    continue;
                const double sec =
                    m_in.evals.at(e.label)["summary"].value("seconds_per_sample", 0.0);
                per_spectrum += fmt::format("{}{}: {:.3g} ms", per_spectrum.empty() ? "" : "; ",
                                            e.label, sec * 1e3);
            }
            const json& c = rec.config;
            t.rows.push_back({r.name, r.model, settings(r),
                              !rec.pretrained.empty()          ? shipped(rec)
                              : rec.trainable && c.is_object() ? training(c["train"], rec.steps)
                                                               : "none (nothing to learn)",
                              !rec.pretrained.empty() ? "its own (shipped)"
                                                      : fmt::format("{}", fmt::join(r.data, ", ")),
                              !rec.trainable         ? "-"
                              : rec.side_by_side > 1 ? duration(rec.train_seconds) + " †"
                                                     : duration(rec.train_seconds),
                              per_spectrum});
            shared = std::max(shared, rec.trainable ? rec.side_by_side : 1);
        }
        const std::string where =
            "model config: the settings the study file gives (a shipped model's are its "
            "package's); every other one is the model's default, and each run's "
            "runs/NAME/config.json holds them all.";
        m_html += "<h2>Runs</h2>\n" + t.html() + "<p>" + esc(where) + "</p>\n";
        m_md += "## Runs\n\n" + t.markdown() + where + "\n\n";
        if (shared > 1) {
            const std::string note = fmt::format(
                "† trained side by side with other runs of the study, up to {} at a time on one "
                "device (radiofield study --jobs): its wall time is longer than the run's alone.",
                shared);
            m_html += "<p>" + esc(note) + "</p>\n";
            m_md += note + "\n\n";
        }
    }

    void section(const ReportSection& sec, std::size_t index) {
        if (!sec.title.empty()) {
            m_html += "<h2>" + esc(sec.title) + "</h2>\n";
            m_md += "## " + sec.title + "\n\n";
        }
        if (!sec.text.empty()) {
            m_html += "<p>" + esc(sec.text) + "</p>\n";
            m_md += sec.text + "\n\n";
        }
        for (std::size_t k = 0; k < sec.items.size(); ++k) {
            const json& item = sec.items[k];
            const std::string id = fmt::format("s{}_{}", index + 1, k + 1);
            if (item.contains("title")) {
                m_html += "<h3>" + esc(item["title"].get<std::string>()) + "</h3>\n";
                m_md += "### " + item["title"].get<std::string>() + "\n\n";
            }
            if (item.contains("table")) {
                table(item);
            } else if (item.contains("spectra")) {
                spectra(item, id);
            } else if (item.contains("picture")) {
                pictures(item);
            } else if (item.value("plot", "") == "line") {
                line_plot(item, id);
            } else {
                cdf_plot(item, id);
            }
        }
    }

    std::vector<const json*> docs(const json& refs) {
        std::vector<const json*> out;
        for (const auto& ref : refs.is_string() ? json::array({refs}) : refs) {
            for (const EvalSpec* e : m_study.evals(ref.get<std::string>())) {
                if (const auto it = m_in.evals.find(e->label); it != m_in.evals.end())
                    out.push_back(&it->second);  // a partial report has only some
            }
        }
        return out;
    }

    // True (with a note written) when a partial report has none of an item's evaluations.
    bool none_yet(const std::vector<const json*>& evals) {
        if (!evals.empty())
            return false;
        m_html += "<p class=\"note\">none of these evaluations is made yet</p>\n";
        m_md += "(none of these evaluations is made yet)\n\n";
        return true;
    }

    void table(const json& item) {
        const auto evals = docs(item["table"]);
        if (none_yet(evals))
            return;
        const std::string summary = item.value("summary", "mean");
        std::vector<std::string> metrics;
        if (item.contains("metrics")) {
            for (const auto& m :
                 item["metrics"].is_string() ? json::array({item["metrics"]}) : item["metrics"])
                metrics.push_back(m.get<std::string>());
        } else {
            // Every metric the evaluations declare, in the evaluator's order.
            for (const json* d : evals) {
                for (const auto& m : (*d)["metrics"]) {
                    const auto n = m["name"].get<std::string>();
                    if (std::find(metrics.begin(), metrics.end(), n) == metrics.end())
                        metrics.push_back(n);
                }
            }
        }
        Table t;
        t.header = {"evaluation", "model", "evaluated on"};
        t.numeric = {false, false, false};
        for (const auto& m : metrics) {
            std::string unit;
            bool higher = false;
            for (const json* d : evals) {
                for (const auto& info : (*d)["metrics"]) {
                    if (info["name"] == m)
                        unit = info.value("unit", ""),
                        higher = info.value("higher_is_better", false);
                }
            }
            t.header.push_back(fmt::format("{}{} {}", m, unit.empty() ? "" : " (" + unit + ")",
                                           higher ? "↑" : "↓"));
            t.numeric.push_back(true);
        }
        for (const json* d : evals) {
            std::vector<std::string> row = {(*d)["label"].get<std::string>(),
                                            (*d)["info"].value("model", ""),
                                            data_names((*d)["label"].get<std::string>())};
            const json& values = (*d)["summary"].value(summary, json::object());
            for (const auto& m : metrics)
                row.push_back(values.contains(m) ? value_text(values[m]) : "n/a");
            t.rows.push_back(std::move(row));
        }
        // The evaluators' notes (conventions, metrics that were unavailable), each once.
        std::set<std::string> notes;
        for (const json* d : evals) {
            const std::string n = (*d)["summary"].value("notes", "");
            if (!n.empty())
                notes.insert(n);
        }
        std::string note_text;
        for (const auto& n : notes)
            note_text += (note_text.empty() ? "" : " ") + n;
        m_html += t.html();
        if (!note_text.empty())
            m_html += "<p class=\"note\">" + esc(note_text) + "</p>\n";
        m_md += (summary == "pooled"   ? "Pooled over the evaluated samples.\n\n"
                 : summary == "median" ? "Median over the evaluated samples.\n\n"
                                       : "Mean over the evaluated samples.\n\n") +
                t.markdown();
        if (!note_text.empty())
            m_md += note_text + "\n\n";
    }

    std::string data_names(const std::string& label) {
        for (const auto& e : m_study.evaluations) {
            if (e.label == label)
                return fmt::format("{} ({})", fmt::join(e.data, ", "), e.split);
        }
        return "";
    }

    // Ground truth, then each evaluation's prediction, of the same samples.
    void spectra(const json& item, const std::string& id) {
        const auto evals = docs(item["spectra"]);
        if (none_yet(evals))
            return;
        const std::size_t n = std::min<std::size_t>(item.value("samples", 3), kFigureSamples);
        const json& first = *evals.front();
        if (!first.contains("figure_samples")) {
            m_html += "<p class=\"note\">no spectra kept for these evaluations</p>\n";
            return;
        }
        const fs::path truth_file = first["info"]["data"][0].get<std::string>();
        data::DatasetReader truth(truth_file);
        const auto& grid = truth.header().grid;
        std::vector<std::int64_t> kept = first["figure_samples"].get<std::vector<std::int64_t>>();
        std::vector<std::int64_t> picks;
        for (std::size_t k : even_picks(kept.size(), n))
            picks.push_back(kept[k]);
        std::vector<std::unique_ptr<data::DatasetReader>> preds;
        for (const json* d : evals) {
            const fs::path f =
                m_in.out / "evals" / ((*d)["label"].get<std::string>() + ".spectra.h5");
            preds.push_back(fs::exists(f) ? std::make_unique<data::DatasetReader>(f) : nullptr);
        }
        data::SpectrumImageOptions o;
        o.range = std::make_pair(0.0, 1.0);
        o.show_scale_bar = false;
        o.upscale = grid.n_az >= 180 ? 1 : 3;
        for (std::int64_t sample : picks) {
            std::vector<float> t = truth.read_spectrum(static_cast<std::size_t>(sample));
            const auto [mn, mx] = std::minmax_element(t.begin(), t.end());
            const float lo = *mn, span = std::max(*mx - *mn, 1e-30f);
            if (truth.header().power_unit != "normalized" || *mx > 1 || *mn < 0) {
                for (float& v : t)
                    v = (v - lo) / span;
            }
            std::vector<data::RgbImage> panels{data::render_spectrum(t, grid, o)};
            std::vector<std::string> labels{"ground truth"};
            for (std::size_t e = 0; e < evals.size(); ++e) {
                const std::string label = (*evals[e])["label"].get<std::string>();
                const json& idx = (*evals[e])["figure_samples"];
                const auto it = std::find(idx.begin(), idx.end(), sample);
                if (!preds[e] || it == idx.end() ||
                    (*evals[e])["info"]["data"][0].get<std::string>() != truth_file.string())
                    continue;
                const auto p = preds[e]->read_spectrum(
                    static_cast<std::size_t>(std::distance(idx.begin(), it)));
                panels.push_back(data::render_spectrum(p, grid, o));
                labels.push_back(label);
            }
            const data::RgbImage img = data::side_by_side(panels, labels);
            const fs::path png = m_in.out / "figures" / fmt::format("{}_sample{}.png", id, sample);
            data::write_rgb_png(img, png);
            std::ifstream f(png, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(f)),
                                    std::istreambuf_iterator<char>());
            m_html += fmt::format(
                "<figure><img alt=\"sample {0}\" src=\"data:image/png;base64,{1}\"><figcaption>"
                "sample {0} of {2}: ground truth (min-max normalised), then each "
                "prediction, colour range 0..1</figcaption></figure>\n",
                sample,
                train::base64_encode(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size()),
                esc(truth_file.filename().string()));
            m_md += fmt::format("![sample {}](figures/{})\n\n", sample, png.filename().string());
        }
    }

    // The evaluations' pictures over the scene's top view, as the evaluation drew them.
    void pictures(const json& item) {
        for (const json* d : docs(item["picture"])) {
            const std::string label = (*d)["label"].get<std::string>();
            const fs::path png = m_in.out / "evals" / d->value("picture", std::string());
            if (!d->contains("picture") || !fs::exists(png)) {
                m_html += "<p class=\"note\">no picture for " + esc(label) + "</p>\n";
                continue;
            }
            std::ifstream f(png, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(f)),
                                    std::istreambuf_iterator<char>());
            m_html += fmt::format(
                "<figure><img alt=\"{0}\" src=\"data:image/png;base64,{1}\"><figcaption>{0}"
                "</figcaption></figure>\n",
                esc(label),
                train::base64_encode(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size()));
            m_md += fmt::format("![{}](evals/{})\n\n", label, png.filename().string());
        }
    }

    void line_plot(const json& item, const std::string& id) {
        const std::string x = item["x"].get<std::string>(), y = item["y"].get<std::string>();
        std::vector<PlotSeries> series;
        Table t;
        t.header = {"series", x, y + " mean", "min", "max", "count"};
        t.numeric = {false, true, true, true, true, true};
        for (const auto& s : item["series"]) {
            const std::string tmpl = s["evals"].get<std::string>();
            std::map<double, std::vector<double>> points;
            for (const EvalSpec* e : m_study.evals(tmpl)) {
                if (!m_in.evals.count(e->label))
                    continue;  // a partial report's evaluation not made yet
                const json& mean = m_in.evals.at(e->label)["summary"].value(
                    item.value("summary", "mean"), json::object());
                if (mean.contains(y) && mean[y].is_number())
                    points[e->vars.at(x).get<double>()].push_back(mean[y].get<double>());
            }
            PlotSeries ps;
            ps.label = s.value("label", tmpl);
            for (const auto& [xv, ys] : points) {
                double m = 0;
                for (double v : ys)
                    m += v / static_cast<double>(ys.size());
                const auto [lo, hi] = std::minmax_element(ys.begin(), ys.end());
                ps.x.push_back(xv), ps.y.push_back(m), ps.lo.push_back(*lo), ps.hi.push_back(*hi);
                t.rows.push_back({ps.label, fmt::format("{:g}", xv), fmt::format("{:.4f}", m),
                                  fmt::format("{:.4f}", *lo), fmt::format("{:.4f}", *hi),
                                  std::to_string(ys.size())});
            }
            series.push_back(std::move(ps));
        }
        PlotOptions o;
        o.title = item.value("title", "");
        o.x_label = item.value("x_label", x);
        o.y_label = item.value("y_label", y);
        o.log_x = item.value("log_x", false);
        figure(plot_svg(series, o), id, "line: mean over the repeats, band: min to max");
        m_html += t.html();
        m_md += t.markdown();
    }

    void cdf_plot(const json& item, const std::string& id) {
        std::vector<PlotSeries> series;
        Table t;
        t.header = {"evaluation", "AoA error mean (deg)", "median (deg)", "90th percentile (deg)"};
        t.numeric = {false, true, true, true};
        for (const json* d : docs(item["aoa"])) {
            std::vector<double> v;
            for (const auto& s : (*d)["samples"]) {
                if (s.contains("aoa_error_deg"))
                    v.push_back(s["aoa_error_deg"].get<double>());
            }
            PlotSeries ps;
            ps.label = (*d)["label"].get<std::string>();
            ps.step = true;
            if (v.empty()) {
                series.push_back(ps);
                continue;
            }
            std::sort(v.begin(), v.end());
            ps.x.push_back(0), ps.y.push_back(0);
            for (std::size_t i = 0; i < v.size(); ++i) {
                ps.x.push_back(v[i]);
                ps.y.push_back(static_cast<double>(i + 1) / static_cast<double>(v.size()));
            }
            double mean = 0;
            for (double e : v)
                mean += e / static_cast<double>(v.size());
            t.rows.push_back({ps.label, fmt::format("{:.2f}", mean),
                              fmt::format("{:.2f}", v[v.size() / 2]),
                              fmt::format("{:.2f}", v[std::min(v.size() - 1, v.size() * 9 / 10)])});
            series.push_back(std::move(ps));
        }
        PlotOptions o;
        o.title = item.value("title", "");
        o.x_label = "AoA error (degrees)";
        o.y_label = "CDF";
        figure(plot_svg(series, o), id,
               "empirical CDF of the per-sample angle-of-arrival error against the true spectra");
        m_html += t.html();
        m_md += t.markdown();
    }

    void figure(const std::string& svg, const std::string& id, const std::string& caption) {
        const fs::path file = m_in.out / "figures" / (id + ".svg");
        write_text(file, svg);
        m_html += "<figure>" + svg + "<figcaption>" + esc(caption) + "</figcaption></figure>\n";
        m_md += fmt::format("![{}](figures/{})\n\n", caption, file.filename().string());
    }

    const ReportInputs& m_in;
    const Study& m_study;
    std::string m_html, m_md;
};

}  // namespace

std::string some_of(const std::vector<std::string>& names) {
    constexpr std::size_t kShown = 8;
    std::string s;
    for (std::size_t i = 0; i < std::min(names.size(), kShown); ++i)
        s += (i == 0 ? "" : ", ") + names[i];
    if (names.size() > kShown)
        s += fmt::format(" and {} more", names.size() - kShown);
    return s;
}

std::vector<std::size_t> even_picks(std::size_t size, std::size_t n) {
    std::vector<std::size_t> out;
    n = std::min(n, size);
    for (std::size_t k = 0; k < n; ++k)
        out.push_back(n == 1 ? size / 2 : k * (size - 1) / (n - 1));
    return out;
}

void write_study_report(const ReportInputs& inputs) {
    ReportWriter(inputs).write();
}

}  // namespace radiofield::study
