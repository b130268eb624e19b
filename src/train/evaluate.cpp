// Evaluation: predict a split in batches, score each spectrum, summarise (mean / median).
#include "radiofield/train/evaluate.hpp"

#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/lpips.hpp"
#include "radiofield/train/metrics.hpp"

namespace radiofield::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// JSON has no infinities: write them as strings.
nlohmann::json number(double v) {
    if (std::isfinite(v)) return v;
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

std::vector<double> to_vector(const torch::Tensor& t) {  // [N] → doubles
    const auto c = t.to(torch::kCPU, torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

}  // namespace

std::vector<std::int64_t> split_indices(const SpectrumData& data, const std::string& split) {
    std::vector<std::int64_t> idx;
    if (split == "train") idx = data.split.train;
    else if (split == "val") idx = data.split.val;
    else if (split == "test") idx = data.split.test;
    else if (split == "all") {
        idx.resize(data.size());
        std::iota(idx.begin(), idx.end(), 0);
    } else {
        fail("unknown split '{}'; valid: train, val, test, all", split);
    }
    if (idx.empty()) fail("the {} split of the data is empty; choose another with --split (train, val, test, all)", split);
    return idx;
}

EvalResult evaluate(Model& model, const SpectrumData& data, const EvalOptions& options) {
    EvalResult result;
    result.split = options.split;
    const auto idx = split_indices(data, options.split);
    const std::unordered_set<std::int64_t> pool(data.split.train.begin(), data.split.train.end());
    const auto h = data.grid.n_el, w = data.grid.n_az;
    const bool skimage_ok = h >= 7 && w >= 7;

    std::optional<std::filesystem::path> weights;
    if (!options.lpips_weights.empty()) weights = options.lpips_weights;
    const LpipsMetric lpips = LpipsMetric::from_file(weights, options.device);
    const bool lpips_ok = lpips.available() && h >= 31 && w >= 31;
    result.lpips_status = lpips.available() && !lpips_ok
                              ? fmt::format("unavailable: LPIPS (AlexNet) needs spectra of at least 31x31, these are {}x{}", h, w)
                              : lpips.status();

    const std::int64_t batch = std::max<std::int64_t>(1, options.batch);
    double predict_seconds = 0;
    for (std::size_t start = 0; start < idx.size(); start += batch) {
        const std::size_t end = std::min(idx.size(), start + static_cast<std::size_t>(batch));
        std::vector<std::int64_t> part(idx.begin() + start, idx.begin() + end), exclude;
        for (auto i : part) exclude.push_back(pool.count(i) ? i : -1);
        const auto index = torch::tensor(part, torch::kInt64);
        const auto positions = data.positions.index_select(0, index);  // [B, 3]
        const auto t0 = std::chrono::steady_clock::now();
        auto pred = model.predict(positions, torch::tensor(exclude, torch::kInt64));  // [B, H, W]
        if (pred.is_cuda()) torch::cuda::synchronize();
        predict_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (pred.dim() != 3 || pred.size(0) != index.size(0) || pred.size(1) != h || pred.size(2) != w) {
            fail("model '{}' predicted a tensor of shape {} for {} spectra of {}x{}", model.name(),
                 c10::str(pred.sizes()), part.size(), h, w);
        }
        pred = pred.to(options.device, torch::kFloat32);
        const auto target = data.spectra.index_select(0, index).to(options.device);  // [B, H, W]
        const auto mse_t = mse(pred, target);  // [B] float64
        const auto m = to_vector(mse_t);
        const auto p = to_vector(psnr_from_mse(mse_t));
        const auto s = to_vector(ssim(pred, target));
        const auto sk = skimage_ok ? to_vector(ssim_skimage(pred, target)) : std::vector<double>(part.size(), kNaN);
        std::vector<double> lp;
        if (lpips_ok) lp = to_vector(*lpips(pred, target));
        for (std::size_t j = 0; j < part.size(); ++j) {
            SampleScore sc{part[j], m[j], p[j], s[j], sk[j], std::nullopt};
            if (lpips_ok) sc.lpips = lp[j];
            result.samples.push_back(sc);
        }
    }
    result.seconds_per_spectrum = predict_seconds / static_cast<double>(idx.size());
    return result;
}

nlohmann::json EvalResult::summary() const {
    nlohmann::json mean = nlohmann::json::object(), median = nlohmann::json::object();
    std::int64_t psnr_inf = 0;
    auto add = [&](const char* name, auto get) {
        std::vector<double> v;
        for (const auto& s : samples) v.push_back(get(s));
        if (v.empty() || std::isnan(v.front())) {
            mean[name] = median[name] = "unavailable";
            return;
        }
        const SummaryStats st = summarize(v);
        mean[name] = number(st.mean), median[name] = number(st.median);
        if (std::string(name) == "psnr") psnr_inf = st.n_infinite;
    };
    add("mse", [](const SampleScore& s) { return s.mse; });
    add("psnr", [](const SampleScore& s) { return s.psnr; });
    add("ssim", [](const SampleScore& s) { return s.ssim; });
    add("ssim_skimage", [](const SampleScore& s) { return s.ssim_skimage; });
    add("lpips", [](const SampleScore& s) { return s.lpips.value_or(kNaN); });
    return {{"split", split}, {"count", samples.size()}, {"mean", mean}, {"median", median},
            {"psnr_infinite", psnr_inf}, {"lpips", lpips_status}, {"seconds_per_spectrum", seconds_per_spectrum}};
}

std::vector<std::size_t> EvalResult::best_median_worst() const {
    if (samples.empty()) return {};
    std::vector<std::size_t> order(samples.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return samples[a].psnr > samples[b].psnr; });
    return {order.front(), order[order.size() / 2], order.back()};
}

void write_metrics_json(const EvalResult& result, const nlohmann::json& info, const std::filesystem::path& path) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : result.samples) {
        nlohmann::json j = {{"index", s.index}, {"mse", number(s.mse)}, {"psnr", number(s.psnr)},
                            {"ssim", number(s.ssim)}, {"ssim_skimage", number(s.ssim_skimage)}};
        j["lpips"] = s.lpips ? number(*s.lpips) : nlohmann::json("unavailable");
        samples.push_back(j);
    }
    nlohmann::ordered_json doc;  // summary first, for people reading the file
    doc["summary"] = nlohmann::ordered_json::parse(result.summary().dump());
    doc["info"] = nlohmann::ordered_json::parse(info.dump());
    doc["samples"] = nlohmann::ordered_json::parse(samples.dump());
    AtomicOutput out(path, true);
    {
        std::ofstream f(out.temp_path());
        f << doc.dump(2) << "\n";
        if (!f) fail("cannot write '{}'", path.string());
    }
    out.commit();
}

}  // namespace radiofield::train
