#include "h5.hpp"

#include <algorithm>

#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"

namespace radiofield::data::h5 {
namespace {

Handle check(hid_t id, Handle::Closer closer, const std::string& what) {
    if (id < 0)
        fail("{}", what);
    return Handle(id, closer);
}

void check_status(herr_t status, const std::string& what) {
    if (status < 0)
        fail("{}", what);
}

// "/paths/a_re" (the object's path in the file) for messages.
std::string name_of(hid_t object) {
    char name[256] = {};
    if (H5Iget_name(object, name, sizeof(name)) <= 0)
        return "(unnamed)";
    return name;
}

Handle utf8_vlen_string_type() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return type;
}

Handle open_attr(hid_t loc, const std::string& name) {
    if (H5Aexists(loc, name.c_str()) <= 0)
        fail("attribute '{}' is missing", name);
    return check(H5Aopen(loc, name.c_str(), H5P_DEFAULT), H5Aclose,
                 "cannot open attribute '" + name + "'");
}

hssize_t attr_elements(hid_t attr) {
    Handle space(H5Aget_space(attr), H5Sclose);
    return H5Sget_simple_extent_npoints(space);
}

void write_attr_raw(hid_t loc,
                    const std::string& name,
                    hid_t type,
                    const std::vector<hsize_t>& dims,
                    const void* data) {
    if (H5Aexists(loc, name.c_str()) > 0)
        H5Adelete(loc, name.c_str());
    Handle space =
        dims.empty() ? Handle(H5Screate(H5S_SCALAR), H5Sclose)
                     : Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                              H5Sclose);
    Handle attr = check(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                        H5Aclose, "cannot create attribute '" + name + "'");
    check_status(H5Awrite(attr, type, data), "cannot write attribute '" + name + "'");
}

}  // namespace

void silence_errors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle create_file(const std::string& path) {
    silence_errors();
    // Track creation order so h5py lists attributes in the order we wrote them.
    Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED);
    return check(
        H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT), H5Fclose,
        "cannot create the HDF5 file (check the folder is writable and the disk not full)");
}

Handle open_file(const std::string& path) {
    silence_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        fail(
            "not an HDF5 file (a radiofield dataset is written by `radiofield simulate` or "
            "`radiofield import`)");
    }
    return check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                 "cannot open the HDF5 file (is it readable, and not being written right now?)");
}

Handle create_group(hid_t loc, const std::string& name) {
    return check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 "cannot create group '" + name + "'");
}

Handle open_group(hid_t loc, const std::string& name) {
    if (!exists(loc, name))
        fail("group '/{}' is missing", name);
    return check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose,
                 "cannot open group '" + name + "'");
}

Handle open_dataset(hid_t loc, const std::string& name) {
    if (!exists(loc, name))
        fail("dataset '{}' is missing", name);
    return check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose,
                 "cannot open dataset '" + name + "'");
}

bool exists(hid_t loc, const std::string& name) {
    return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

void write_attr(hid_t loc, const std::string& name, const std::string& value) {
    Handle type = utf8_vlen_string_type();
    const char* ptr = value.c_str();
    write_attr_raw(loc, name, type, {}, &ptr);
}

void write_attr(hid_t loc, const std::string& name, double value) {
    write_attr_raw(loc, name, H5T_NATIVE_DOUBLE, {}, &value);
}

void write_attr(hid_t loc, const std::string& name, std::int64_t value) {
    write_attr_raw(loc, name, H5T_NATIVE_INT64, {}, &value);
}

void write_attr(hid_t loc, const std::string& name, const std::vector<double>& values) {
    write_attr_raw(loc, name, H5T_NATIVE_DOUBLE, {values.size()}, values.data());
}

bool has_attr(hid_t loc, const std::string& name) {
    return H5Aexists(loc, name.c_str()) > 0;
}

std::string read_attr_string(hid_t loc, const std::string& name) {
    Handle attr = open_attr(loc, name);
    Handle file_type(H5Aget_type(attr), H5Tclose);
    if (H5Tget_class(file_type) != H5T_STRING)
        fail("attribute '{}' is not a string", name);
    if (attr_elements(attr) != 1)
        fail("attribute '{}' should hold one string", name);
    if (H5Tis_variable_str(file_type) > 0) {
        // In the file's own character set: HDF5 1.10 converts an ASCII vlen string (C tools,
        // h5py's string_dtype('ascii')) to UTF-8 only once a UTF-8 one was read in the same
        // process, so a file of ASCII strings failed its first read.
        Handle mem = utf8_vlen_string_type();
        H5Tset_cset(mem, H5Tget_cset(file_type));
        char* buffer = nullptr;
        check_status(H5Aread(attr, mem, &buffer), "cannot read attribute '" + name + "'");
        std::string out = buffer ? buffer : "";
        H5free_memory(buffer);
        return out;
    }
    // Fixed-length (MATLAB's h5writeatt writes these): read the bytes, drop the padding.
    const std::size_t size = H5Tget_size(file_type);
    std::string out(size, '\0');
    Handle mem(H5Tcopy(file_type), H5Tclose);
    check_status(H5Aread(attr, mem, out.data()), "cannot read attribute '" + name + "'");
    out.erase(std::find(out.begin(), out.end(), '\0'), out.end());
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::vector<double> read_attr_doubles(hid_t loc, const std::string& name) {
    Handle attr = open_attr(loc, name);
    Handle file_type(H5Aget_type(attr), H5Tclose);
    const auto cls = H5Tget_class(file_type);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        fail("attribute '{}' is not numeric", name);
    std::vector<double> out(static_cast<std::size_t>(attr_elements(attr)));
    if (!out.empty())
        check_status(H5Aread(attr, H5T_NATIVE_DOUBLE, out.data()),
                     "cannot read attribute '" + name + "'");
    return out;
}

double read_attr_double(hid_t loc, const std::string& name) {
    const auto v = read_attr_doubles(loc, name);
    if (v.size() != 1)
        fail("attribute '{}' should hold one number, it holds {}", name, v.size());
    return v[0];
}

std::int64_t read_attr_int(hid_t loc, const std::string& name) {
    Handle attr = open_attr(loc, name);
    Handle file_type(H5Aget_type(attr), H5Tclose);
    if (H5Tget_class(file_type) != H5T_INTEGER)
        fail("attribute '{}' should be an integer", name);
    if (attr_elements(attr) != 1)
        fail("attribute '{}' should hold one integer", name);
    std::int64_t value = 0;
    check_status(H5Aread(attr, H5T_NATIVE_INT64, &value), "cannot read attribute '" + name + "'");
    return value;
}

void write_array(hid_t loc,
                 const std::string& name,
                 const std::vector<hsize_t>& dims,
                 hid_t mem_type,
                 const void* data,
                 const std::vector<hsize_t>& chunk) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    hsize_t elements = 1;
    for (auto d : dims)
        elements *= d;
    if (!chunk.empty() && elements > 0) {
        std::vector<hsize_t> c = chunk;
        for (std::size_t d = 0; d < c.size(); ++d)
            c[d] = std::max<hsize_t>(1, std::min(c[d], dims[d]));
        H5Pset_chunk(dcpl, static_cast<int>(c.size()), c.data());
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
        // A Fletcher-32 checksum of each stored chunk; H5Dread verifies it by default, so a
        // damaged chunk is an error rather than wrong numbers.
        H5Pset_fletcher32(dcpl);
    }
    Handle ds =
        check(H5Dcreate2(loc, name.c_str(), mem_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
              H5Dclose, "cannot create dataset '" + name + "'");
    if (elements == 0)
        return;
    const std::string failed = "cannot write dataset '" + name + "' (is the disk full?)";
    if (chunk.empty() || dims.empty()) {
        check_status(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), failed);
        return;
    }
    // Compressed data goes in blocks of about 4 MiB of rows (whole chunks), polling for
    // Ctrl-C / SIGTERM between them, so a large write stops within a moment when asked.
    const std::size_t element_bytes = H5Tget_size(mem_type);
    const hsize_t row_elements = elements / dims[0];
    const hsize_t chunk_rows = std::max<hsize_t>(1, std::min(chunk[0], dims[0]));
    const hsize_t block_chunks =
        std::max<hsize_t>(1, (hsize_t{4} << 20) / (row_elements * element_bytes * chunk_rows));
    const hsize_t block_rows = chunk_rows * block_chunks;
    Handle file_space(H5Dget_space(ds), H5Sclose);
    for (hsize_t row0 = 0; row0 < dims[0]; row0 += block_rows) {
        throw_if_interrupted("stopped writing dataset '" + name + "'");
        std::vector<hsize_t> start(dims.size(), 0), count = dims;
        start[0] = row0;
        count[0] = std::min(block_rows, dims[0] - row0);
        H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr);
        Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                         H5Sclose);
        const auto* block = static_cast<const char*>(data) + row0 * row_elements * element_bytes;
        check_status(H5Dwrite(ds, mem_type, mem_space, file_space, H5P_DEFAULT, block), failed);
    }
}

std::vector<hsize_t> dims_of(hid_t dataset) {
    Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank > 0)
        H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

void read_rows(hid_t dataset, hsize_t row0, hsize_t rows, hid_t mem_type, void* out) {
    auto dims = dims_of(dataset);
    if (dims.empty()) {
        check_status(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out),
                     "cannot read dataset " + name_of(dataset) + " (damaged or truncated file)");
        return;
    }
    if (row0 + rows > dims[0])
        fail("rows {}..{} are outside a dataset of {} rows", row0, row0 + rows, dims[0]);
    hsize_t elements = rows;
    for (std::size_t d = 1; d < dims.size(); ++d)
        elements *= dims[d];
    if (elements == 0)
        return;
    Handle file_space(H5Dget_space(dataset), H5Sclose);
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = row0;
    count[0] = rows;
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                     H5Sclose);
    if (H5Dread(dataset, mem_type, mem_space, file_space, H5P_DEFAULT, out) < 0) {
        fail(
            "cannot read dataset {} rows {}..{}: the data is damaged (checksum or "
            "decompression error) or the file is truncated; re-create or re-download it",
            name_of(dataset), row0, row0 + rows);
    }
}

}  // namespace radiofield::data::h5
