// radiofield HDF5 datasets, structure-aware: the input decides the contents of a well-formed
// HDF5 file (every root attribute's type and value, or its absence; every dataset's shape,
// type and values; the path offsets and the split) written through the HDF5 API, and our
// reader reads it whole, then sample by sample. This tests what we own, the checks between
// the file and a Dataset, rather than libhdf5's parsing of damaged bytes (dataset_h5_bytes).
// Each choice keeps the valid value most of the time, so inputs stay near real files.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "radiofield/data/dataset.hpp"

namespace {

using radiofield::fuzz::work_dir;

struct Writer {
    FuzzedDataProvider& in;
    hid_t file;

    // 7 in 8, and always once the input is used up (the provider then gives 0).
    bool keep() { return in.ConsumeIntegralInRange<int>(0, 7) != 7; }

    std::int64_t integer(std::int64_t valid) {
        if (keep())
            return valid;
        const auto u = static_cast<std::uint64_t>(valid);  // wrapping, not overflowing
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
            case 0:
                return static_cast<std::int64_t>(
                    u + in.ConsumeIntegralInRange<std::uint64_t>(0, 6) - 3);
            case 1:
                return static_cast<std::int64_t>(0 - u);
            case 2:
                return in.ConsumeIntegralInRange<std::int64_t>(-70000, 70000);
            default:
                return in.ConsumeIntegral<std::int64_t>();
        }
    }

    double real(double valid) {
        if (keep())
            return valid;
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
            case 0:
                return std::numeric_limits<double>::quiet_NaN();
            case 1:
                return std::numeric_limits<double>::infinity();
            case 2:
                return -valid;
            default:
                return in.ConsumeFloatingPoint<double>();
        }
    }

    void attr_raw(
        hid_t loc, const char* name, hid_t type, std::vector<hsize_t> dims, const void* value) {
        hid_t space = dims.empty()
                          ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr >= 0) {
            H5Awrite(attr, type, value);
            H5Aclose(attr);
        }
        H5Sclose(space);
    }

    void string_attr(hid_t loc, const char* name, const std::string& text) {
        hid_t type = H5Tcopy(H5T_C_S1);
        if (in.ConsumeBool()) {
            H5Tset_size(type, H5T_VARIABLE);
            const char* p = text.c_str();
            attr_raw(loc, name, type, {}, &p);
        } else {  // fixed length, as MATLAB writes
            H5Tset_size(type, std::max<std::size_t>(1, text.size()));
            attr_raw(loc, name, type, {}, text.c_str());
        }
        H5Tclose(type);
    }

    // The attribute as the writer makes it, or absent, or of another type, or odd in value.
    void attr(hid_t loc, const char* name, std::int64_t valid) {
        switch (keep() ? 0 : in.ConsumeIntegralInRange<int>(1, 3)) {
            case 0: {
                const std::int64_t v = integer(valid);
                attr_raw(loc, name, H5T_NATIVE_INT64, {}, &v);
                break;
            }
            case 1:
                break;
            case 2:
                string_attr(loc, name, in.ConsumeRandomLengthString(16));
                break;
            default: {
                const double v = real(static_cast<double>(valid));
                attr_raw(loc, name, H5T_NATIVE_DOUBLE, {}, &v);
            }
        }
    }

    void attr(hid_t loc, const char* name, const std::vector<double>& valid) {
        switch (keep() ? 0 : in.ConsumeIntegralInRange<int>(1, 3)) {
            case 0: {
                std::vector<double> v = valid;
                if (!keep())
                    v.resize(in.ConsumeIntegralInRange<std::size_t>(0, 6));
                for (auto& x : v)
                    x = real(x);
                if (v.empty())
                    v.push_back(0);
                attr_raw(loc, name, H5T_NATIVE_DOUBLE,
                         v.size() == 1 ? std::vector<hsize_t>{} : std::vector<hsize_t>{v.size()},
                         v.data());
                break;
            }
            case 1:
                break;
            case 2:
                string_attr(loc, name, in.ConsumeRandomLengthString(16));
                break;
            default: {
                const std::int64_t v = integer(1);
                attr_raw(loc, name, H5T_NATIVE_INT64, {}, &v);
            }
        }
    }

    void attr(hid_t loc, const char* name, const std::string& valid) {
        switch (keep() ? 0 : in.ConsumeIntegralInRange<int>(1, 2)) {
            case 0:
                string_attr(loc, name, keep() ? valid : in.ConsumeRandomLengthString(64));
                break;
            case 1:
                break;
            default: {
                const std::int64_t v = integer(0);
                attr_raw(loc, name, H5T_NATIVE_INT64, {}, &v);
            }
        }
    }

    // A dataset of `dims` holding fill + step * index, or of other dims and values; chunked
    // or contiguous; sometimes absent. Sizes stay small: the file is real.
    void array(hid_t loc,
               const char* name,
               std::vector<hsize_t> dims,
               hid_t type,
               double fill,
               double step = 0) {
        if (!keep() && in.ConsumeBool())
            return;
        if (!keep()) {
            dims.resize(in.ConsumeIntegralInRange<std::size_t>(0, 3), 1);
            for (auto& d : dims)
                d = in.ConsumeIntegralInRange<hsize_t>(0, 9);
        }
        hsize_t n = 1;
        for (auto& d : dims) {
            d = std::min<hsize_t>(d, 4096);
            n *= d;
        }
        if (n > (1u << 16))
            return;
        std::vector<double> values(n);
        for (std::size_t i = 0; i < n; ++i)
            values[i] = real(fill + step * static_cast<double>(i));
        hid_t space = dims.empty()
                          ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (!dims.empty() && n > 0 && in.ConsumeBool()) {
            std::vector<hsize_t> chunk = dims;
            chunk[0] = 1;
            H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
            H5Pset_fletcher32(dcpl);
        }
        hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (ds >= 0) {
            if (n > 0)  // converted from double to the file type, clamped where it must
                H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
            H5Dclose(ds);
        }
        H5Pclose(dcpl);
        H5Sclose(space);
    }
};

void write_file(FuzzedDataProvider& in, const std::string& path) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return;
    Writer w{in, file};
    const std::int64_t n = w.integer(3), el = w.integer(2), az = w.integer(3);
    const char* kinds[] = {"spectrum", "cir", "both"};
    const std::string kind = kinds[in.ConsumeIntegralInRange<int>(0, 2)];
    w.attr(file, "format", std::string("radiofield"));
    w.attr(file, "version", std::int64_t{radiofield::data::kFormatVersion});
    w.attr(file, "kind", kind);
    w.attr(file, "num_samples", n);
    w.attr(file, "frequency_hz", std::vector<double>{2.4e9});
    w.attr(file, "moving", std::string("tx"));
    w.attr(file, "station_position", std::vector<double>{0, 1, 2});
    w.attr(file, "station_orientation", std::vector<double>{0, 0, 0, 1});
    w.attr(file, "array_rows", std::int64_t{4});
    w.attr(file, "array_cols", std::int64_t{4});
    w.attr(file, "array_spacing_m", std::vector<double>{0.16});
    w.attr(file, "grid_n_el", el);
    w.attr(file, "grid_n_az", az);
    w.attr(file, "grid_el0_deg", std::vector<double>{1});
    w.attr(file, "grid_az0_deg", std::vector<double>{1});
    w.attr(file, "grid_step_deg", std::vector<double>{1});
    w.attr(file, "power_unit", std::string("normalized"));
    w.attr(file, "normalization", std::string("none"));
    w.attr(file, "spectrum_convention", std::string("nerf2"));
    w.attr(file, "scene", std::string("{}"));
    w.attr(file, "attrs", std::string("{\"seed\": 1}"));

    const auto un = static_cast<hsize_t>(std::clamp<std::int64_t>(n, 0, 64));
    w.array(file, "positions", {un, 3}, H5T_IEEE_F64LE, 0.5);
    if (kind != "cir") {
        w.array(file, "spectra",
                {un, static_cast<hsize_t>(std::clamp<std::int64_t>(el, 0, 64)),
                 static_cast<hsize_t>(std::clamp<std::int64_t>(az, 0, 64))},
                H5T_IEEE_F32LE, 0.25);
    }
    if (kind != "spectrum") {
        hid_t g = H5Gcreate2(file, "paths", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const std::int64_t depth = w.integer(2);
        w.attr(g, "max_depth", depth);
        const auto ud = static_cast<hsize_t>(std::clamp<std::int64_t>(depth, 0, 8));
        // Offsets 0, 2, 4, ...: two paths per sample unless the input says otherwise.
        const hsize_t k = 2 * un;
        w.array(g, "offsets", {un + 1}, H5T_STD_I64LE, 0, 2);
        for (const char* name : {"frequency_hz", "num_tx_ports", "num_rx_ports"})
            w.array(g, name, {un}, H5T_NATIVE_DOUBLE, 1);
        for (const char* name : {"tx_position", "rx_position"})
            w.array(g, name, {un, 3}, H5T_NATIVE_DOUBLE, 1);
        w.array(g, "a_re", {k, 4}, H5T_NATIVE_DOUBLE, 0);
        w.array(g, "a_im", {k, 4}, H5T_NATIVE_DOUBLE, 0);
        for (const char* name : {"tau", "length", "theta_t", "phi_t", "theta_r", "phi_r"})
            w.array(g, name, {k}, H5T_NATIVE_DOUBLE, 1e-8);
        w.array(g, "depth", {k}, H5T_STD_I32LE, 1);
        w.array(g, "types", {k, ud}, H5T_STD_U8LE, 1);
        w.array(g, "vertices", {k, ud, 3}, H5T_NATIVE_DOUBLE, 1);
        for (const char* name : {"objects", "primitives", "materials"})
            w.array(g, name, {k, ud}, H5T_STD_U32LE, 0);
        for (const char* name : {"incidence", "c_te_re", "c_te_im", "c_tm_re", "c_tm_im"})
            w.array(g, name, {k, ud}, H5T_NATIVE_DOUBLE, 0.5);
        H5Gclose(g);
    }
    if (w.keep()) {
        hid_t g = H5Gcreate2(file, "split", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int first = 0;  // train 0, val 1, test 2
        for (const char* name : {"train", "val", "test"})
            w.array(g, name, {1}, H5T_STD_I64LE, first++);
        H5Gclose(g);
    }
    H5Fclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    FuzzedDataProvider in(data, size);
    const auto path = work_dir() / "dataset.h5";
    write_file(in, path.string());
    fuzz::parse([&] { data::read_dataset(path); });
    fuzz::parse([&] {
        const data::DatasetReader reader(path);
        for (std::size_t i = 0; i < reader.size() && i < 64; ++i) {
            if (reader.has_spectra())
                reader.read_spectrum(i);
            if (reader.has_paths())
                reader.read_paths(i);
        }
    });
    return 0;
}
