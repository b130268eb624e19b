// load_spectrum_data: one or more spectrum datasets → tensors a model can train on.
// Every check happens here, before any training starts, with the file names in the message.
#include <cmath>
#include <filesystem>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/ops.hpp"
#include "radiofield/train/model.hpp"

namespace radiofield::train {
namespace {

std::string describe_grid(const data::SpectrumGrid& g) {
    return fmt::format("{}x{} (el from {} deg, az from {} deg, step {} deg)", g.n_el, g.n_az, g.el0_deg,
                       g.az0_deg, g.step_deg);
}

// The first dataset fixes grid, frequency and station; every other one must agree.
void check_compatible(const data::Dataset& first, const std::string& first_path, const data::Dataset& d,
                      const std::string& path) {
    if (!(d.grid == first.grid)) {
        fail("'{}' has spectrum grid {} but '{}' has {}; datasets trained together must share one grid "
             "(simulate them with the same --grid)",
             path, describe_grid(d.grid), first_path, describe_grid(first.grid));
    }
    const double rel = std::abs(d.frequency_hz - first.frequency_hz) / std::max(1.0, first.frequency_hz);
    if (rel > 1e-9) {
        fail("'{}' is at {:.6g} Hz but '{}' is at {:.6g} Hz; train one model per frequency (or "
             "simulate the datasets at the same --frequency)",
             path, d.frequency_hz, first_path, first.frequency_hz);
    }
    if (d.moving != first.moving) {
        fail("'{}' describes the {} positions but '{}' the {} positions; use datasets of one kind",
             path, d.moving, first_path, first.moving);
    }
}

}  // namespace

SpectrumData load_spectrum_data(const std::vector<std::string>& paths) {
    if (paths.empty()) fail("no dataset given (pass one or more --data FILE.h5)");
    SpectrumData out;
    std::vector<torch::Tensor> spectra, positions, scene_ids;
    data::Dataset first;  // header fields of the first file (no samples)
    std::int64_t offset = 0;
    for (std::size_t f = 0; f < paths.size(); ++f) {
        const std::string& path = paths[f];
        data::Dataset d = data::read_dataset(path);
        if (!data::has_spectra(d.kind)) {
            fail("'{}' is a {} dataset (channel impulse responses); spectrum models need kind=spectrum "
                 "or both (radiofield simulate --kind spectrum)",
                 path, data::to_string(d.kind));
        }
        if (d.size() == 0) fail("'{}' holds no samples", path);
        if (f == 0) {
            first.grid = d.grid, first.frequency_hz = d.frequency_hz, first.moving = d.moving;
            first.station_position = d.station_position, first.station_orientation = d.station_orientation;
        } else {
            check_compatible(first, paths.front(), d, path);
        }
        const auto n = static_cast<std::int64_t>(d.size());
        const auto& g = d.grid;
        if (d.spectra.size() != static_cast<std::size_t>(n) * g.size()) {
            fail("'{}': {} spectrum values for {} samples of {}x{}", path, d.spectra.size(), n, g.n_el, g.n_az);
        }
        for (std::size_t i = 0; i < d.spectra.size(); ++i) {
            if (!std::isfinite(d.spectra[i])) {
                fail("'{}': spectrum of sample {} holds a non-finite value (NaN or Inf); regenerate or "
                     "repair the dataset",
                     path, i / g.size());
            }
        }
        // [n, n_el, n_az]; from_blob does not own the memory, so clone.
        auto s = torch::from_blob(d.spectra.data(), {n, g.n_el, g.n_az}, torch::kFloat32).clone();
        if (d.power_unit != "normalized") s = nn::minmax_normalize(s);
        spectra.push_back(s);

        auto p = torch::empty({n, 3}, torch::kFloat32);  // [n, 3]
        auto pa = p.accessor<float, 2>();
        for (std::int64_t i = 0; i < n; ++i) {
            const Vec3& v = d.positions[i];
            pa[i][0] = static_cast<float>(v.x), pa[i][1] = static_cast<float>(v.y), pa[i][2] = static_cast<float>(v.z);
            const Vec3 lo = (f == 0 && i == 0) ? v : out.scene_lo;
            out.scene_lo = min(lo, v);
            out.scene_hi = (f == 0 && i == 0) ? v : max(out.scene_hi, v);
        }
        positions.push_back(p);
        scene_ids.push_back(torch::full({n}, static_cast<std::int64_t>(f), torch::kInt64));

        auto append = [offset](std::vector<std::int64_t>& dst, const std::vector<std::int64_t>& src) {
            for (auto i : src) dst.push_back(i + offset);
        };
        append(out.split.train, d.split.train);
        append(out.split.val, d.split.val);
        append(out.split.test, d.split.test);
        out.scene_lo = min(out.scene_lo, d.station_position);
        out.scene_hi = max(out.scene_hi, d.station_position);
        offset += n;
    }
    if (out.split.train.empty()) {
        fail("no training samples: the train split of {} is empty (re-split the data, e.g. radiofield "
             "simulate --split 0.8,0.1,0.1)",
             paths.size() == 1 ? "'" + paths.front() + "'" : "every dataset given");
    }
    out.spectra = torch::cat(spectra, 0);
    out.positions = torch::cat(positions, 0);
    out.scene_id = torch::cat(scene_ids, 0);
    out.grid = first.grid;
    out.frequency_hz = first.frequency_hz;
    out.station_position = first.station_position;
    out.station_orientation = first.station_orientation;
    return out;
}

}  // namespace radiofield::train
