// Evaluation and reports: metrics.json after training, mean/median summaries, the HTML
// report's embedded figures, base64.
#include <gtest/gtest.h>

#include <fstream>

#include "../data/temp_dir.hpp"
#include "torch_temp_dir.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/train/evaluate.hpp"
#include "radiofield/train/loop.hpp"
#include "synthetic_data.hpp"

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
    rc.model = "knn", rc.model_config = {{"k", 4}, {"weights", "inverse_distance"}}, rc.data = {data.string()};
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
    const SpectrumData data = load_spectrum_data({path.string()});
    auto model = make_model("knn", {{"k", 3}});
    model->prepare(data);
    const EvalResult result = evaluate(*model, data, {.split = "test"});
    const auto picks = result.best_median_worst();
    ASSERT_EQ(picks.size(), 3u);
    EXPECT_GE(result.samples[picks[0]].psnr, result.samples[picks[1]].psnr);
    EXPECT_GE(result.samples[picks[1]].psnr, result.samples[picks[2]].psnr);
    write_report(*model, data, result, {.title = "test report"}, dir / "report.html");
    const std::string html = test::read_file(dir / "report.html");
    std::size_t images = 0;
    for (auto p = html.find("data:image/png;base64,"); p != std::string::npos; p = html.find("data:image/png;base64,", p + 1)) ++images;
    EXPECT_EQ(images, 3u);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("ssim_skimage"), std::string::npos);
    for (const char* f : {"report_best.png", "report_median.png", "report_worst.png", "report_histogram.svg"}) {
        EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
    }
}

}  // namespace
}  // namespace radiofield::train
