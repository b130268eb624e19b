// DatasetReader and read_dataset: open, validate, read lazily.
#include <fmt/ranges.h>

#include <cmath>
#include <map>

#include "h5.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::data {
namespace fs = std::filesystem;

namespace {

const char* const kPerPath[] = {"a_re",     "a_im",    "tau",        "length",    "theta_t",
                                "phi_t",    "theta_r", "phi_r",      "depth",     "types",
                                "vertices", "objects", "primitives", "materials", "incidence",
                                "c_te_re",  "c_te_im", "c_tm_re",    "c_tm_im"};

// Rows [k0, k1) of every per-path array.
struct PathRows {
    std::vector<double> a_re, a_im, tau, length, theta_t, phi_t, theta_r, phi_r;
    std::vector<std::int32_t> depth;
    std::vector<std::uint8_t> types;
    std::vector<double> vertices, incidence, te_re, te_im, tm_re, tm_im;
    std::vector<std::uint32_t> objects, primitives, materials;
};

Vec3 vec3_at(const std::vector<double>& flat, std::size_t i) {
    return {flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]};
}

}  // namespace

struct DatasetReader::Impl {
    fs::path path;
    h5::Handle file;
    Dataset header;
    h5::Handle spectra;
    std::map<std::string, h5::Handle> path_arrays;
    std::vector<std::int64_t> offsets;
    std::size_t max_depth = 0;
    std::vector<double> path_freq, tx_pos, rx_pos;
    std::vector<std::int32_t> tx_ports, rx_ports;

    void open();
    void read_attrs();
    void open_paths();
    PathRows read_path_rows(std::size_t k0, std::size_t k1) const;
    rt::Paths build_paths(std::size_t sample, const PathRows& rows, std::size_t row0) const;
};

void DatasetReader::Impl::read_attrs() {
    const std::string format =
        h5::has_attr(file, "format") ? h5::read_attr_string(file, "format") : "";
    if (format != "radiofield") {
        fail(
            "root attribute 'format' is '{}', not 'radiofield': this HDF5 file is not a "
            "radiofield dataset (import NeRF2 folders with `radiofield import nerf2`)",
            format);
    }
    const auto version = h5::read_attr_int(file, "version");
    if (version < 1 || version > kFormatVersion) {
        fail(
            "format version {} is unknown; this build reads versions 1..{} (a newer radiofield "
            "wrote it? upgrade radiofield)",
            version, kFormatVersion);
    }
    Dataset& d = header;
    d.kind = parse_dataset_kind(h5::read_attr_string(file, "kind"));
    d.frequency_hz = h5::read_attr_double(file, "frequency_hz");
    d.moving = h5::read_attr_string(file, "moving");
    const auto sp = h5::read_attr_doubles(file, "station_position");
    const auto so = h5::read_attr_doubles(file, "station_orientation");
    if (sp.size() != 3)
        fail("attribute 'station_position' has {} values, expected 3 (x, y, z)", sp.size());
    if (so.size() != 4)
        fail("attribute 'station_orientation' has {} values, expected 4 (x, y, z, w)", so.size());
    d.station_position = {sp[0], sp[1], sp[2]};
    d.station_orientation = {so[0], so[1], so[2], so[3]};
    d.array.rows = static_cast<int>(h5::read_attr_int(file, "array_rows"));
    d.array.cols = static_cast<int>(h5::read_attr_int(file, "array_cols"));
    d.array.spacing_m = h5::read_attr_double(file, "array_spacing_m");
    d.grid.n_el = static_cast<int>(h5::read_attr_int(file, "grid_n_el"));
    d.grid.n_az = static_cast<int>(h5::read_attr_int(file, "grid_n_az"));
    d.grid.el0_deg = h5::read_attr_double(file, "grid_el0_deg");
    d.grid.az0_deg = h5::read_attr_double(file, "grid_az0_deg");
    d.grid.step_deg = h5::read_attr_double(file, "grid_step_deg");
    d.power_unit = h5::read_attr_string(file, "power_unit");
    d.normalization = h5::read_attr_string(file, "normalization");
    // Added without a version bump: files written before it hold today's default.
    d.spectrum_convention = h5::has_attr(file, "spectrum_convention")
                                ? h5::read_attr_string(file, "spectrum_convention")
                                : "bartlett_power";
    d.scene_json = h5::read_attr_string(file, "scene");
    const std::string attrs =
        h5::has_attr(file, "attrs") ? h5::read_attr_string(file, "attrs") : "{}";
    try {
        d.attrs = nlohmann::json::parse(attrs.empty() ? "{}" : attrs);
    } catch (const nlohmann::json::exception& e) {
        fail("attribute 'attrs' is not valid JSON ({})", e.what());
    }
}

void DatasetReader::Impl::open() {
    file = h5::open_file(path.string());
    read_attrs();
    Dataset& d = header;
    const auto n = static_cast<hsize_t>(h5::read_attr_int(file, "num_samples"));

    h5::Handle pos = h5::open_dataset(file, "positions");
    const auto pos_dims = h5::dims_of(pos);
    if (pos_dims != std::vector<hsize_t>{n, 3}) {
        fail("dataset /positions has shape ({}), expected ({}, 3) for num_samples = {}",
             fmt::join(pos_dims, ", "), n, n);
    }
    const auto flat = h5::read_all<double>(pos);
    d.positions.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        d.positions[i] = vec3_at(flat, i);

    if (data::has_spectra(d.kind)) {
        spectra = h5::open_dataset(file, "spectra");
        const auto dims = h5::dims_of(spectra);
        const std::vector<hsize_t> expected{n, static_cast<hsize_t>(d.grid.n_el),
                                            static_cast<hsize_t>(d.grid.n_az)};
        if (dims != expected) {
            fail(
                "dataset /spectra has shape ({}), expected ({}) from num_samples and the grid "
                "attributes",
                fmt::join(dims, ", "), fmt::join(expected, ", "));
        }
    }
    if (data::has_paths(d.kind))
        open_paths();
    if (h5::exists(file, "split")) {
        h5::Handle split = h5::open_group(file, "split");
        for (auto [name, part] :
             {std::pair{"train", &d.split.train}, std::pair{"val", &d.split.val},
              std::pair{"test", &d.split.test}}) {
            if (h5::exists(split, name))
                *part = h5::read_all<std::int64_t>(h5::open_dataset(split, name));
        }
    }
    validate_header(d, "invalid contents");
}

void DatasetReader::Impl::open_paths() {
    h5::Handle group = h5::open_group(file, "paths");
    const std::size_t n = header.size();
    max_depth = static_cast<std::size_t>(h5::read_attr_int(group, "max_depth"));
    offsets = h5::read_all<std::int64_t>(h5::open_dataset(group, "offsets"));
    if (offsets.size() != n + 1) {
        fail("dataset /paths/offsets has {} entries, expected num_samples + 1 = {}", offsets.size(),
             n + 1);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (offsets[0] != 0 || offsets[i + 1] < offsets[i]) {
            fail(
                "dataset /paths/offsets is not a non-decreasing sequence from 0 (entry {}); the "
                "file is corrupted",
                i);
        }
    }
    const auto k = static_cast<hsize_t>(offsets.back());
    for (const char* name : kPerPath) {
        h5::Handle ds = h5::open_dataset(group, name);
        const auto dims = h5::dims_of(ds);
        std::vector<hsize_t> expected{k};
        const std::string s = name;
        if (s == "a_re" || s == "a_im")
            expected.push_back(4);
        if (s == "types" || s == "vertices" || s == "objects" || s == "primitives" ||
            s == "materials" || s == "incidence" || s.starts_with("c_t")) {
            expected.push_back(max_depth);
        }
        if (s == "vertices")
            expected.push_back(3);
        if (dims != expected) {
            fail(
                "dataset /paths/{} has shape ({}), expected ({}) from /paths/offsets and max_depth",
                name, fmt::join(dims, ", "), fmt::join(expected, ", "));
        }
        path_arrays.emplace(name, std::move(ds));
    }
    auto per_sample = [&](const char* name, hsize_t cols) {
        h5::Handle ds = h5::open_dataset(group, name);
        const auto dims = h5::dims_of(ds);
        std::vector<hsize_t> expected{n};
        if (cols > 0)
            expected.push_back(cols);
        if (dims != expected)
            fail("dataset /paths/{} has shape ({}), expected ({})", name, fmt::join(dims, ", "),
                 fmt::join(expected, ", "));
        return ds;
    };
    path_freq = h5::read_all<double>(per_sample("frequency_hz", 0));
    tx_pos = h5::read_all<double>(per_sample("tx_position", 3));
    rx_pos = h5::read_all<double>(per_sample("rx_position", 3));
    tx_ports = h5::read_all<std::int32_t>(per_sample("num_tx_ports", 0));
    rx_ports = h5::read_all<std::int32_t>(per_sample("num_rx_ports", 0));
}

PathRows DatasetReader::Impl::read_path_rows(std::size_t k0, std::size_t k1) const {
    PathRows r;
    const hsize_t rows = k1 - k0;
    auto get = [&]<typename T>(const char* name, std::vector<T>& out) {
        out = h5::read_rows<T>(path_arrays.at(name), k0, rows);
    };
    get("a_re", r.a_re), get("a_im", r.a_im), get("tau", r.tau), get("length", r.length);
    get("theta_t", r.theta_t), get("phi_t", r.phi_t), get("theta_r", r.theta_r),
        get("phi_r", r.phi_r);
    get("depth", r.depth), get("types", r.types), get("vertices", r.vertices);
    get("objects", r.objects), get("primitives", r.primitives), get("materials", r.materials);
    get("incidence", r.incidence), get("c_te_re", r.te_re), get("c_te_im", r.te_im);
    get("c_tm_re", r.tm_re), get("c_tm_im", r.tm_im);
    return r;
}

rt::Paths DatasetReader::Impl::build_paths(std::size_t i,
                                           const PathRows& r,
                                           std::size_t row0) const {
    rt::Paths out;
    out.frequency_hz = path_freq[i];
    out.tx_position = vec3_at(tx_pos, i);
    out.rx_position = vec3_at(rx_pos, i);
    out.num_tx_ports = tx_ports[i];
    out.num_rx_ports = rx_ports[i];
    const auto k0 = static_cast<std::size_t>(offsets[i]),
               k1 = static_cast<std::size_t>(offsets[i + 1]);
    const std::size_t d = max_depth;
    for (std::size_t k = k0; k < k1; ++k) {
        const std::size_t row = k - row0;
        rt::Path p;
        for (std::size_t q = 0; q < 4; ++q)
            p.a[q] = {r.a_re[row * 4 + q], r.a_im[row * 4 + q]};
        p.tau = r.tau[row], p.length = r.length[row];
        p.theta_t = r.theta_t[row], p.phi_t = r.phi_t[row], p.theta_r = r.theta_r[row],
        p.phi_r = r.phi_r[row];
        const auto depth = r.depth[row];
        if (depth < 0 || static_cast<std::size_t>(depth) > d) {
            fail(
                "dataset /paths/depth[{}] = {} is outside 0..max_depth ({}); the file is corrupted",
                k, depth, d);
        }
        for (std::size_t j = 0; j < static_cast<std::size_t>(depth); ++j) {
            const std::size_t s = row * d + j;
            if (r.types[s] > 3)
                fail("dataset /paths/types[{}, {}] = {} is not an interaction type (0..3)", k, j,
                     r.types[s]);
            rt::Interaction it;
            it.type = static_cast<rt::InteractionType>(r.types[s]);
            it.point = vec3_at(r.vertices, s);
            it.object = r.objects[s], it.primitive = r.primitives[s], it.material = r.materials[s];
            it.incidence_angle = r.incidence[s];
            it.c_te = {r.te_re[s], r.te_im[s]};
            it.c_tm = {r.tm_re[s], r.tm_im[s]};
            p.interactions.push_back(it);
        }
        out.paths.push_back(std::move(p));
    }
    return out;
}

DatasetReader::DatasetReader(const fs::path& path) : m_impl(std::make_unique<Impl>()) {
    m_impl->path = path;
    if (!fs::exists(path))
        fail("dataset '{}' does not exist; check the path", path.string());
    if (fs::is_directory(path)) {
        fail(
            "dataset '{}' is a folder; give the .h5 file (NeRF2 folders: `radiofield import "
            "nerf2`)",
            path.string());
    }
    try {
        m_impl->open();
    } catch (const Error& e) {
        fail("cannot read dataset '{}': {}", path.string(), e.what());
    }
}

DatasetReader::~DatasetReader() = default;
DatasetReader::DatasetReader(DatasetReader&&) noexcept = default;
DatasetReader& DatasetReader::operator=(DatasetReader&&) noexcept = default;

const fs::path& DatasetReader::path() const {
    return m_impl->path;
}
const Dataset& DatasetReader::header() const {
    return m_impl->header;
}

void DatasetReader::read_spectrum(std::size_t i, std::span<float> out) const {
    const auto& d = m_impl->header;
    if (!has_spectra())
        fail("dataset '{}' holds CIRs only (kind 'cir'); it has no spectra", m_impl->path.string());
    if (i >= d.size())
        fail("sample {} is out of range: dataset '{}' has {} samples", i, m_impl->path.string(),
             d.size());
    if (out.size() != d.grid.size())
        fail("read_spectrum: buffer of {} floats, need {}", out.size(), d.grid.size());
    try {
        h5::read_rows(m_impl->spectra, i, 1, H5T_NATIVE_FLOAT, out.data());
    } catch (const Error& e) {
        fail("cannot read dataset '{}': {}", m_impl->path.string(), e.what());
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (!std::isfinite(out[k])) {
            fail(
                "dataset '{}': /spectra sample {} has a NaN or infinite value at row {}, column "
                "{}; "
                "regenerate or repair the file",
                m_impl->path.string(), i, k / d.grid.n_az, k % d.grid.n_az);
        }
    }
}

std::vector<float> DatasetReader::read_spectrum(std::size_t i) const {
    std::vector<float> out(m_impl->header.grid.size());
    read_spectrum(i, out);
    return out;
}

rt::Paths DatasetReader::read_paths(std::size_t i) const {
    if (!has_paths())
        fail("dataset '{}' holds spectra only (kind 'spectrum'); it has no paths",
             m_impl->path.string());
    if (i >= size())
        fail("sample {} is out of range: dataset '{}' has {} samples", i, m_impl->path.string(),
             size());
    try {
        const auto k0 = static_cast<std::size_t>(m_impl->offsets[i]);
        return m_impl->build_paths(
            i, m_impl->read_path_rows(k0, static_cast<std::size_t>(m_impl->offsets[i + 1])), k0);
    } catch (const Error& e) {
        fail("cannot read dataset '{}': {}", m_impl->path.string(), e.what());
    }
}

Dataset DatasetReader::read_all() const {
    Dataset d = m_impl->header;
    const std::string where = fmt::format("dataset '{}'", m_impl->path.string());
    try {
        if (has_spectra())
            d.spectra = h5::read_all<float>(m_impl->spectra);
        if (has_paths()) {
            const PathRows rows =
                m_impl->read_path_rows(0, static_cast<std::size_t>(m_impl->offsets.back()));
            d.paths.reserve(d.size());
            for (std::size_t i = 0; i < d.size(); ++i)
                d.paths.push_back(m_impl->build_paths(i, rows, 0));
        }
    } catch (const Error& e) {
        fail("cannot read {}: {}", where, e.what());
    }
    validate(d, where);
    return d;
}

Dataset read_dataset(const fs::path& path) {
    return DatasetReader(path).read_all();
}

}  // namespace radiofield::data
