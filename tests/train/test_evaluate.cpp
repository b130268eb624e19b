// Evaluation and reports: metrics.json after training, mean/median summaries, the HTML
// report's embedded figures, base64.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <fstream>
#include <numbers>

#include "../data/temp_dir.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/loop.hpp"
#include "synthetic_data.hpp"
#include "torch_temp_dir.hpp"

namespace radiofield::train {
namespace {

std::string b64(const std::string& s) {
    return base64_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TEST(Base64, MatchesTheRfc4648TestVectors) {
    EXPECT_EQ(b64(""), "");
    EXPECT_EQ(b64("f"), "Zg==");
    EXPECT_EQ(b64("fo"), "Zm8=");
    EXPECT_EQ(b64("foo"), "Zm9v");
    EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
}

TEST(Evaluate, KnnRunWritesMetricsJsonWithMeanAndMedianAndLpipsUnavailable) {
    Progress::set_enabled(false);
    test::TorchTempDir dir;
    const auto data = test::write_synthetic(dir / "d.h5", {.count = 80});
    RunConfig rc;
    rc.model = "knn", rc.model_config = {{"k", 4}, {"weights", "inverse_distance"}},
    rc.data = {data.string()};
    rc.train.device = "cpu";
    const auto r = train_run(rc, dir / "run");
    ASSERT_TRUE(std::filesystem::exists(dir / "run" / "metrics.json"));
    std::ifstream in(dir / "run" / "metrics.json");
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j["summary"]["split"], "test");
    EXPECT_EQ(j["summary"]["count"], 8);  // 10 % of 80
    EXPECT_EQ(j["samples"].size(), 8u);
    const double mse = j["summary"]["mean"]["mse"].get<double>();
    EXPECT_GT(mse, 0.0);
    EXPECT_LT(mse, 0.1);  // interpolating a smooth field: far better than chance
    EXPECT_TRUE(j["summary"]["median"]["ssim_skimage"].is_number());
    EXPECT_EQ(j["summary"]["mean"]["lpips"], "unavailable");
    EXPECT_EQ(r.metrics["count"], 8);
}

TEST(Evaluate, ReportEmbedsBestMedianWorstFiguresAndHistogramAndWritesCopies) {
    Progress::set_enabled(false);
    test::TorchTempDir dir;
    const auto path = test::write_synthetic(dir / "d.h5", {.count = 60});
    const DataList data = load_datasets({path.string()}, {});
    auto model = make_model("knn", {{"k", 3}});
    const EvalOptions options{.split = "test"};
    const EvalResult result = evaluate(*model, data, options);
    const auto picks = result.best_median_worst();
    ASSERT_EQ(picks.size(), 3u);
    const auto psnr = result.metric("psnr");
    EXPECT_GE(result.samples[picks[0]].values[psnr], result.samples[picks[1]].values[psnr]);
    EXPECT_GE(result.samples[picks[1]].values[psnr], result.samples[picks[2]].values[psnr]);
    write_report(*model, data, result, options, {.title = "test report"}, dir / "report.html");
    const std::string html = test::read_file(dir / "report.html");
    std::size_t images = 0;
    for (auto p = html.find("data:image/png;base64,"); p != std::string::npos;
         p = html.find("data:image/png;base64,", p + 1))
        ++images;
    EXPECT_EQ(images, 3u);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    for (const auto& m : result.metrics)
        EXPECT_NE(html.find(m.name), std::string::npos) << m.name;
    for (const char* f :
         {"report_best.png", "report_median.png", "report_worst.png", "report_histogram.svg"}) {
        EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
    }
}

// Two links with hand-made paths (LoS + one reflection each); the "model" returns the truth
// with the reflected path's coefficient scaled by 1.1, so each link's Overall NMSE is
// (0.1² + 0) / 2 paths = 0.005 → −23.01 dB, and its RCM NMSE is that of 20·log10(x) vs
// 20·log10(1.1·x) on the one reflected path.
class ScaledTruth final : public Model {
public:
    std::string name() const override { return "scaled_truth"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    OutputKind output() const override { return OutputKind::PathSet; }
    bool trainable() const override { return false; }
    Prediction predict(const Query& query) override {
        std::vector<PathSet> out;
        for (std::int64_t q = 0; q < query.size(); ++q) {
            PathSet p =
                query.scene->paths[static_cast<std::size_t>(query.exclude[q].item<std::int64_t>())];
            p.a[1][0] *= 1.1;
            out.push_back(p);
        }
        return Prediction::of_paths(out);
    }
};

std::shared_ptr<const SceneData> two_links() {
    data::Dataset d;
    d.kind = data::DatasetKind::Cir;
    d.frequency_hz = 3e9;
    d.station_position = {0, 0, 10};
    for (int i = 0; i < 2; ++i) {
        rt::Paths paths;
        paths.frequency_hz = 3e9;
        paths.tx_position = {0, 0, 10};
        paths.rx_position = {20.0 + 10 * i, 0, 1.5};
        rt::Path los, reflected;
        los.tau = 70e-9 + i * 30e-9, los.a[0] = {2e-4, 1e-4}, los.theta_r = 1.2, los.phi_r = 3.0;
        reflected.tau = 95e-9 + i * 30e-9, reflected.a[0] = {-5e-5, 3e-5}, reflected.theta_r = 1.9,
        reflected.phi_r = 3.1;
        reflected.interactions.resize(1);
        reflected.interactions[0].type = rt::InteractionType::Specular;
        paths.paths = {los, reflected};
        d.positions.push_back(paths.rx_position);
        d.paths.push_back(paths);
    }
    d.split.test = {0, 1};
    return SceneData::from(std::move(d), "links.h5", {DataView::Paths});
}

TEST(Evaluate, PathSetEvaluatorScoresHandMadeLinksWithTheKnownErrors) {
    const DataList data{two_links()};
    ScaledTruth model;
    const EvalResult r = evaluate(model, data, {.split = "test"});
    EXPECT_EQ(r.kind, OutputKind::PathSet);
    ASSERT_EQ(r.samples.size(), 2u);
    const double overall = 10 * std::log10(0.01 / 2);
    for (const auto& s : r.samples) {
        EXPECT_NEAR(s.values[r.metric("overall_db")], overall, 1e-9);
        EXPECT_DOUBLE_EQ(s.values[r.metric("found")], 1.0);
    }
    // RCM of the reflected path: x = 20·log10(|a|·4π f τ); the prediction adds 20·log10(1.1).
    const double f = 3e9, tau = 95e-9, mag = std::abs(std::complex<double>(-5e-5, 3e-5));
    const double x = 20 * std::log10(mag * 4 * std::numbers::pi * f * tau),
                 dx = 20 * std::log10(1.1);
    EXPECT_NEAR(r.samples[0].values[r.metric("rcm_db")], 10 * std::log10(dx * dx / (x * x)), 1e-6);
    // AvgDelay: power-weighted mean delays, the reflected path 1.21× brighter in the prediction.
    const double p1 = std::norm(std::complex<double>(2e-4, 1e-4)), p2 = mag * mag;
    const double truth = (p1 * 70 + p2 * 95) / (p1 + p2),
                 pred = (p1 * 70 + 1.21 * p2 * 95) / (p1 + 1.21 * p2);
    EXPECT_NEAR(r.samples[0].values[r.metric("avg_delay_ns")], pred - truth, 1e-9);
    EXPECT_EQ(r.ranking, "overall_db");
    const auto summary = r.summary();
    EXPECT_NEAR(summary["mean"]["overall_db"].get<double>(), overall, 1e-9);
    EXPECT_NEAR(summary["pooled"]["overall_db"].get<double>(), overall, 1e-9);
    EXPECT_EQ(summary["pooled"]["true_paths"], 4);
    // The report shows the path metrics and draws each shown link's power-delay profile.
    test::TorchTempDir dir;
    write_report(model, data, r, {.split = "test"}, {.title = "paths"}, dir / "paths.html");
    const std::string html = test::read_file(dir / "paths.html");
    for (const char* m : {"overall_db", "rcm_db", "avg_delay_ns", "Pooled"})
        EXPECT_NE(html.find(m), std::string::npos) << m;
    EXPECT_TRUE(std::filesystem::exists(dir / "paths_best.svg"));
}

}  // namespace
}  // namespace radiofield::train
