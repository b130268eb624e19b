#include "bench_util.hpp"

#include <fmt/format.h>
#include <torch/cuda.h>

#ifdef RADIOFIELD_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace radiofield::cli::bench {

void sync(torch::Device device) {
    if (device.is_cuda())
        torch::cuda::synchronize();
}

void reset_peak(torch::Device device) {
#ifdef RADIOFIELD_WITH_CUDA
    if (device.is_cuda())
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.index() < 0 ? 0 : device.index());
#endif
}

std::string peak_memory(torch::Device device) {
#ifdef RADIOFIELD_WITH_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(
            device.index() < 0 ? 0 : device.index());
        return fmt::format("{:.0f} MiB", stats.allocated_bytes[0].peak / 1048576.0);
    }
#endif
    return "n/a (CPU)";
}

train::DataList synthetic_data(const data::SpectrumGrid& grid, int n, std::uint64_t seed) {
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(seed);
    data::Dataset d;
    d.grid = grid;
    d.frequency_hz = 920e6;
    d.station_position = {0, 0, 1};
    d.power_unit = "normalized";
    const auto spectra = torch::rand({n, grid.n_el, grid.n_az}, gen, torch::kFloat32).contiguous();
    d.spectra.assign(spectra.data_ptr<float>(), spectra.data_ptr<float>() + spectra.numel());
    const auto pos = (torch::rand({n, 3}, gen, torch::kFloat64) * 4.0 - 2.0).contiguous();
    const auto pa = pos.accessor<double, 2>();
    for (int i = 0; i < n; ++i) {
        d.positions.push_back({pa[i][0], pa[i][1], pa[i][2]});
        d.split.train.push_back(i);
    }
    return {train::SceneData::from(std::move(d), "synthetic", {train::DataView::Spectra})};
}

}  // namespace radiofield::cli::bench
