#pragma once
// Internal: thin RAII wrappers over the HDF5 C API and typed helpers for the dataset
// reader and writer. Errors throw radiofield::Error naming the object; callers add the
// file name (they catch once at their boundary).

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace radiofield::data::h5 {

// Owns one HDF5 identifier (file, group, dataset, attribute, dataspace, type, plist).
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : m_id(id), m_close(closer) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : m_id(o.m_id), m_close(o.m_close) { o.m_id = -1; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            m_id = o.m_id;
            m_close = o.m_close;
            o.m_id = -1;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return m_id; }
    operator hid_t() const { return m_id; }  // NOLINT: handles pass straight to the C API
    void reset() {
        if (m_id >= 0 && m_close)
            m_close(m_id);
        m_id = -1;
    }

private:
    hid_t m_id = -1;
    Closer m_close = nullptr;
};

// HDF5 memory type for a C++ element type.
template <typename T>
hid_t native_type();
template <>
inline hid_t native_type<double>() {
    return H5T_NATIVE_DOUBLE;
}
template <>
inline hid_t native_type<float>() {
    return H5T_NATIVE_FLOAT;
}
template <>
inline hid_t native_type<std::int64_t>() {
    return H5T_NATIVE_INT64;
}
template <>
inline hid_t native_type<std::int32_t>() {
    return H5T_NATIVE_INT32;
}
template <>
inline hid_t native_type<std::uint32_t>() {
    return H5T_NATIVE_UINT32;
}
template <>
inline hid_t native_type<std::uint8_t>() {
    return H5T_NATIVE_UINT8;
}

void silence_errors();  // HDF5 prints its own error stack by default; we throw instead

Handle create_file(const std::string& path);
Handle open_file(const std::string& path);  // read-only; checks it is HDF5 first
Handle create_group(hid_t loc, const std::string& name);
Handle open_group(hid_t loc, const std::string& name);
Handle open_dataset(hid_t loc, const std::string& name);
bool exists(hid_t loc, const std::string& name);

// Attributes (scalars, strings as variable-length UTF-8, small double arrays).
void write_attr(hid_t loc, const std::string& name, const std::string& value);
void write_attr(hid_t loc, const std::string& name, double value);
void write_attr(hid_t loc, const std::string& name, std::int64_t value);
void write_attr(hid_t loc, const std::string& name, const std::vector<double>& values);
bool has_attr(hid_t loc, const std::string& name);
std::string read_attr_string(hid_t loc, const std::string& name);  // vlen or fixed length
std::vector<double> read_attr_doubles(hid_t loc, const std::string& name);
double read_attr_double(hid_t loc, const std::string& name);
std::int64_t read_attr_int(hid_t loc, const std::string& name);

// Creates a dataset of `dims` and writes `data` (row-major, product(dims) elements).
// `chunk` (same rank, empty = contiguous) enables shuffle + deflate level 4 + a Fletcher-32
// checksum per chunk (verified on every read).
void write_array(hid_t loc,
                 const std::string& name,
                 const std::vector<hsize_t>& dims,
                 hid_t mem_type,
                 const void* data,
                 const std::vector<hsize_t>& chunk = {});

template <typename T>
void write_array(hid_t loc,
                 const std::string& name,
                 const std::vector<hsize_t>& dims,
                 const std::vector<T>& data,
                 const std::vector<hsize_t>& chunk = {}) {
    write_array(loc, name, dims, native_type<T>(), data.data(), chunk);
}

std::vector<hsize_t> dims_of(hid_t dataset);

// Reads rows [row0, row0 + rows) along dimension 0 into `out` (row-major).
void read_rows(hid_t dataset, hsize_t row0, hsize_t rows, hid_t mem_type, void* out);

template <typename T>
std::vector<T> read_rows(hid_t dataset, hsize_t row0, hsize_t rows) {
    const auto dims = dims_of(dataset);
    std::size_t per_row = 1;
    for (std::size_t d = 1; d < dims.size(); ++d)
        per_row *= dims[d];
    std::vector<T> out(static_cast<std::size_t>(rows) * per_row);
    read_rows(dataset, row0, rows, native_type<T>(), out.data());
    return out;
}

template <typename T>
std::vector<T> read_all(hid_t dataset) {
    const auto dims = dims_of(dataset);
    return read_rows<T>(dataset, 0, dims.empty() ? 1 : dims[0]);
}

}  // namespace radiofield::data::h5
