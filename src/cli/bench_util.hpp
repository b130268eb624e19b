#pragma once
// What the model benchmarks share: device-synchronised median timings, peak GPU memory, and
// random spectrum datasets to time on.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "radiofield/data/dataset.hpp"
#include "radiofield/train/data.hpp"

namespace radiofield::cli::bench {

void sync(torch::Device device);

// Median milliseconds of `fn` over `n` timed runs after `warmup` untimed ones.
template <typename Fn>
double median_ms(torch::Device device, int warmup, int n, Fn&& fn) {
    for (int i = 0; i < warmup; ++i)
        fn();
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        sync(device);
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        sync(device);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// Mean milliseconds of `fn` over `n` timed runs after `warmup` untimed ones, the device
// synchronised before the clock starts and after it stops.
template <typename Fn>
double mean_ms(torch::Device device, int warmup, int n, Fn&& fn) {
    for (int i = 0; i < warmup; ++i)
        fn();
    sync(device);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        fn();
    sync(device);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
               .count() /
           n;
}

void reset_peak(torch::Device device);
std::string peak_memory(torch::Device device);  // "123 MiB", or "n/a (CPU)"

// n random spectra on `grid`, the moving end anywhere in a 4 m box around a station at
// (0, 0, 1); every sample in the training split (the support set).
train::DataList synthetic_data(const data::SpectrumGrid& grid, int n, std::uint64_t seed = 0);

}  // namespace radiofield::cli::bench
