// Dataset checks and splits (the HDF5 writer and reader are in dataset_write.cpp and
// dataset_read.cpp).
#include "radiofield/data/dataset.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "radiofield/core/error.hpp"

namespace radiofield::data {

std::string_view to_string(DatasetKind kind) {
    switch (kind) {
        case DatasetKind::Spectrum:
            return "spectrum";
        case DatasetKind::Cir:
            return "cir";
        case DatasetKind::Both:
            return "both";
    }
    return "spectrum";
}

DatasetKind parse_dataset_kind(std::string_view name) {
    if (name == "spectrum")
        return DatasetKind::Spectrum;
    if (name == "cir")
        return DatasetKind::Cir;
    if (name == "both")
        return DatasetKind::Both;
    fail("unknown dataset kind '{}'; valid kinds: spectrum, cir, both", name);
}

void check_spectrum_convention(std::string_view name, std::string_view what) {
    if (std::find(kSpectrumConventions.begin(), kSpectrumConventions.end(), name) ==
        kSpectrumConventions.end()) {
        fail("unknown {} '{}'; valid names: {}", what, name, fmt::join(kSpectrumConventions, ", "));
    }
}

namespace {

void validate_split(const Split& split, std::size_t n, std::string_view where) {
    std::vector<char> seen(n, 0);
    const std::pair<const char*, const std::vector<std::int64_t>*> parts[] = {
        {"train", &split.train}, {"val", &split.val}, {"test", &split.test}};
    for (const auto& [name, indices] : parts) {
        for (const auto i : *indices) {
            if (i < 0 || static_cast<std::size_t>(i) >= n) {
                fail(
                    "{}: split '{}' names sample {} but the dataset has {} samples (0..{}); "
                    "regenerate the split",
                    where, name, i, n, n == 0 ? 0 : n - 1);
            }
            if (seen[static_cast<std::size_t>(i)]++) {
                fail(
                    "{}: sample {} appears twice in the split (again in '{}'); each sample "
                    "belongs to at most one of train/val/test",
                    where, i, name);
            }
        }
    }
}

}  // namespace

void validate_header(const Dataset& d, std::string_view where) {
    const std::size_t n = d.size();
    if (!(d.frequency_hz > 0) || !std::isfinite(d.frequency_hz)) {
        fail("{}: frequency_hz is {}; give the carrier frequency in Hz (> 0)", where,
             d.frequency_hz);
    }
    if (d.moving != "tx" && d.moving != "rx") {
        fail("{}: moving end is '{}'; it must be \"tx\" or \"rx\"", where, d.moving);
    }
    if (d.power_unit != "linear" && d.power_unit != "normalized") {
        fail("{}: power_unit is '{}'; it must be \"linear\" or \"normalized\"", where,
             d.power_unit);
    }
    if (std::find(kSpectrumConventions.begin(), kSpectrumConventions.end(),
                  d.spectrum_convention) == kSpectrumConventions.end()) {
        fail("{}: spectrum_convention is '{}'; it must be one of {}", where, d.spectrum_convention,
             fmt::join(kSpectrumConventions, ", "));
    }
    if (!is_finite(d.station_position))
        fail("{}: the station position is not finite", where);
    const Quat& q = d.station_orientation;
    const double q_norm = std::sqrt(q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w);
    if (!(q_norm > 1e-6) || !std::isfinite(q_norm)) {
        fail(
            "{}: the station orientation (x, y, z, w) = ({}, {}, {}, {}) is a quaternion of "
            "length {}, not a rotation; write a unit quaternion, e.g. (0, 0, 0, 1) for none",
            where, q.x, q.y, q.z, q.w, q_norm);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_finite(d.positions[i])) {
            fail(
                "{}: dataset /positions has a NaN or infinite value at sample {}; fix or drop "
                "that sample",
                where, i);
        }
    }
    if (has_spectra(d.kind) && (d.grid.n_el <= 0 || d.grid.n_az <= 0)) {
        fail("{}: spectrum grid {}x{} is empty; n_el and n_az must be positive", where, d.grid.n_el,
             d.grid.n_az);
    }
    validate_split(d.split, n, where);
}

void validate(const Dataset& d, std::string_view where) {
    validate_header(d, where);
    const std::size_t n = d.size();
    if (has_spectra(d.kind)) {
        if (d.spectra.size() != n * d.grid.size()) {
            fail("{}: dataset /spectra holds {} values but {} samples x {} x {} need {}", where,
                 d.spectra.size(), n, d.grid.n_el, d.grid.n_az, n * d.grid.size());
        }
        for (std::size_t k = 0; k < d.spectra.size(); ++k) {
            if (!std::isfinite(d.spectra[k])) {
                fail(
                    "{}: dataset /spectra has a NaN or infinite value in sample {} (row {}, "
                    "column {}); fix or drop that sample",
                    where, k / d.grid.size(), (k % d.grid.size()) / d.grid.n_az, k % d.grid.n_az);
            }
        }
    } else if (!d.spectra.empty()) {
        fail("{}: kind is 'cir' but spectra are present; use kind 'both'", where);
    }
    if (has_paths(d.kind)) {
        if (d.paths.size() != n) {
            fail("{}: {} positions but {} path sets; give one rt::Paths per sample", where, n,
                 d.paths.size());
        }
    } else if (!d.paths.empty()) {
        fail("{}: kind is 'spectrum' but paths are present; use kind 'both'", where);
    }
}

Split make_split(std::size_t n, std::array<double, 3> fractions, std::uint64_t seed) {
    double sum = 0;
    for (double f : fractions) {
        if (!(f >= 0) || !std::isfinite(f)) {
            fail("split fractions must be >= 0; got {}, {}, {}", fractions[0], fractions[1],
                 fractions[2]);
        }
        sum += f;
    }
    if (std::abs(sum - 1.0) > 1e-6) {
        fail("split fractions must sum to 1; got {} + {} + {} = {}", fractions[0], fractions[1],
             fractions[2], sum);
    }
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), std::int64_t{0});
    // Fisher–Yates with mt19937_64 (fully specified by the standard), unlike std::shuffle
    // and the std distributions, whose output differs between standard libraries.
    std::mt19937_64 engine(seed);
    for (std::size_t i = n; i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(engine() % i);
        std::swap(order[i - 1], order[j]);
    }
    const auto n_train =
        static_cast<std::size_t>(std::floor(fractions[0] * static_cast<double>(n) + 1e-9));
    const auto n_val = std::min(
        n - n_train,
        static_cast<std::size_t>(std::floor(fractions[1] * static_cast<double>(n) + 1e-9)));
    Split split;
    split.train.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train));
    split.val.assign(order.begin() + static_cast<std::ptrdiff_t>(n_train),
                     order.begin() + static_cast<std::ptrdiff_t>(n_train + n_val));
    split.test.assign(order.begin() + static_cast<std::ptrdiff_t>(n_train + n_val), order.end());
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.val.begin(), split.val.end());
    std::sort(split.test.begin(), split.test.end());
    return split;
}

}  // namespace radiofield::data
