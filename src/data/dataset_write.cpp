// write_dataset: the HDF5 layout of docs/dataset-format.md.
#include <algorithm>

#include "h5.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/interrupt.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::data {
namespace {

using h5::write_array;

void write_root_attrs(hid_t file, const Dataset& d) {
    h5::write_attr(file, "format", std::string("radiofield"));
    h5::write_attr(file, "version", std::int64_t{kFormatVersion});
    h5::write_attr(file, "kind", std::string(to_string(d.kind)));
    h5::write_attr(file, "num_samples", static_cast<std::int64_t>(d.size()));
    h5::write_attr(file, "frequency_hz", d.frequency_hz);
    h5::write_attr(file, "moving", d.moving);
    h5::write_attr(
        file, "station_position",
        std::vector<double>{d.station_position.x, d.station_position.y, d.station_position.z});
    const Quat& q = d.station_orientation;
    h5::write_attr(file, "station_orientation", std::vector<double>{q.x, q.y, q.z, q.w});
    h5::write_attr(file, "array_rows", std::int64_t{d.array.rows});
    h5::write_attr(file, "array_cols", std::int64_t{d.array.cols});
    h5::write_attr(file, "array_spacing_m", d.array.spacing_m);
    h5::write_attr(file, "grid_n_el", std::int64_t{d.grid.n_el});
    h5::write_attr(file, "grid_n_az", std::int64_t{d.grid.n_az});
    h5::write_attr(file, "grid_el0_deg", d.grid.el0_deg);
    h5::write_attr(file, "grid_az0_deg", d.grid.az0_deg);
    h5::write_attr(file, "grid_step_deg", d.grid.step_deg);
    h5::write_attr(file, "power_unit", d.power_unit);
    h5::write_attr(file, "normalization", d.normalization);
    h5::write_attr(file, "spectrum_convention", d.spectrum_convention);
    h5::write_attr(file, "scene", d.scene_json);
    h5::write_attr(file, "attrs", d.attrs.dump());
}

void write_positions(hid_t file, const std::vector<Vec3>& positions) {
    std::vector<double> flat;
    flat.reserve(positions.size() * 3);
    for (const auto& p : positions)
        flat.insert(flat.end(), {p.x, p.y, p.z});
    write_array(file, "positions", {positions.size(), 3}, flat);
}

// Ragged paths: per-sample arrays of N (or N+1) rows, per-path arrays of K rows, and
// per-interaction arrays of K x max_depth rows padded with zeros beyond each path's depth.
void write_paths(hid_t file, const std::vector<rt::Paths>& samples) {
    const std::size_t n = samples.size();
    std::size_t k_total = 0;
    int max_depth = 0;
    for (const auto& s : samples) {
        k_total += s.paths.size();
        for (const auto& p : s.paths)
            max_depth = std::max(max_depth, p.depth());
    }
    const auto depth = static_cast<std::size_t>(max_depth);
    h5::Handle group = h5::create_group(file, "paths");
    h5::write_attr(group, "max_depth", std::int64_t{max_depth});
    h5::write_attr(group, "a_layout", std::string("a[k, rx_port * 2 + tx_port]"));

    std::vector<std::int64_t> offsets{0};
    std::vector<double> freq, tx_pos, rx_pos;
    std::vector<std::int32_t> tx_ports, rx_ports;
    for (const auto& s : samples) {
        offsets.push_back(offsets.back() + static_cast<std::int64_t>(s.paths.size()));
        freq.push_back(s.frequency_hz);
        tx_pos.insert(tx_pos.end(), {s.tx_position.x, s.tx_position.y, s.tx_position.z});
        rx_pos.insert(rx_pos.end(), {s.rx_position.x, s.rx_position.y, s.rx_position.z});
        tx_ports.push_back(s.num_tx_ports);
        rx_ports.push_back(s.num_rx_ports);
    }
    write_array(group, "offsets", {n + 1}, offsets);
    write_array(group, "frequency_hz", {n}, freq);
    write_array(group, "tx_position", {n, 3}, tx_pos);
    write_array(group, "rx_position", {n, 3}, rx_pos);
    write_array(group, "num_tx_ports", {n}, tx_ports);
    write_array(group, "num_rx_ports", {n}, rx_ports);

    std::vector<double> a_re, a_im, tau, length, theta_t, phi_t, theta_r, phi_r;
    std::vector<std::int32_t> depths;
    std::vector<std::uint8_t> types(k_total * depth, 0);
    std::vector<double> vertices(k_total * depth * 3, 0.0), incidence(k_total * depth, 0.0);
    std::vector<std::uint32_t> objects(k_total * depth, 0), primitives(k_total * depth, 0),
        materials(k_total * depth, 0);
    std::vector<double> te_re(k_total * depth, 0.0), te_im(k_total * depth, 0.0),
        tm_re(k_total * depth, 0.0), tm_im(k_total * depth, 0.0);
    std::size_t k = 0;
    for (const auto& s : samples) {
        for (const auto& p : s.paths) {
            for (const auto& a : p.a) {
                a_re.push_back(a.real());
                a_im.push_back(a.imag());
            }
            tau.push_back(p.tau);
            length.push_back(p.length);
            theta_t.push_back(p.theta_t);
            phi_t.push_back(p.phi_t);
            theta_r.push_back(p.theta_r);
            phi_r.push_back(p.phi_r);
            depths.push_back(p.depth());
            for (std::size_t j = 0; j < p.interactions.size(); ++j) {
                const auto& it = p.interactions[j];
                const std::size_t slot = k * depth + j;
                types[slot] = static_cast<std::uint8_t>(it.type);
                vertices[slot * 3 + 0] = it.point.x;
                vertices[slot * 3 + 1] = it.point.y;
                vertices[slot * 3 + 2] = it.point.z;
                objects[slot] = it.object;
                primitives[slot] = it.primitive;
                materials[slot] = it.material;
                incidence[slot] = it.incidence_angle;
                te_re[slot] = it.c_te.real();
                te_im[slot] = it.c_te.imag();
                tm_re[slot] = it.c_tm.real();
                tm_im[slot] = it.c_tm.imag();
            }
            ++k;
        }
    }
    const hsize_t chunk_rows = 4096;
    write_array(group, "a_re", {k_total, 4}, a_re, {chunk_rows, 4});
    write_array(group, "a_im", {k_total, 4}, a_im, {chunk_rows, 4});
    const std::pair<const char*, const std::vector<double>*> per_path[] = {
        {"tau", &tau},     {"length", &length},   {"theta_t", &theta_t},
        {"phi_t", &phi_t}, {"theta_r", &theta_r}, {"phi_r", &phi_r}};
    for (const auto& [name, values] : per_path)
        write_array(group, name, {k_total}, *values, {chunk_rows});
    write_array(group, "depth", {k_total}, depths, {chunk_rows});
    write_array(group, "types", {k_total, depth}, types, {chunk_rows, depth});
    write_array(group, "vertices", {k_total, depth, 3}, vertices, {chunk_rows, depth, 3});
    write_array(group, "objects", {k_total, depth}, objects, {chunk_rows, depth});
    write_array(group, "primitives", {k_total, depth}, primitives, {chunk_rows, depth});
    write_array(group, "materials", {k_total, depth}, materials, {chunk_rows, depth});
    write_array(group, "incidence", {k_total, depth}, incidence, {chunk_rows, depth});
    write_array(group, "c_te_re", {k_total, depth}, te_re, {chunk_rows, depth});
    write_array(group, "c_te_im", {k_total, depth}, te_im, {chunk_rows, depth});
    write_array(group, "c_tm_re", {k_total, depth}, tm_re, {chunk_rows, depth});
    write_array(group, "c_tm_im", {k_total, depth}, tm_im, {chunk_rows, depth});
}

void write_split(hid_t file, const Split& split) {
    h5::Handle group = h5::create_group(file, "split");
    write_array(group, "train", {split.train.size()}, split.train);
    write_array(group, "val", {split.val.size()}, split.val);
    write_array(group, "test", {split.test.size()}, split.test);
}

}  // namespace

void write_dataset(const Dataset& dataset, const std::filesystem::path& path, bool overwrite) {
    validate(dataset, fmt::format("cannot write '{}'", path.string()));
    AtomicOutput out(path, overwrite);
    try {
        h5::Handle file = h5::create_file(out.temp_path().string());
        write_root_attrs(file, dataset);
        write_positions(file, dataset.positions);
        if (has_spectra(dataset.kind)) {
            const hsize_t n_el = static_cast<hsize_t>(dataset.grid.n_el);
            const hsize_t n_az = static_cast<hsize_t>(dataset.grid.n_az);
            write_array(file, "spectra", {dataset.size(), n_el, n_az}, dataset.spectra,
                        {1, n_el, n_az});
        }
        if (has_paths(dataset.kind))
            write_paths(file, dataset.paths);
        write_split(file, dataset.split);
        if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0)
            fail("cannot flush the file (is the disk full?)");
    } catch (const Interrupted& e) {
        throw Interrupted(fmt::format("{}; '{}' was not written", e.what(), path.string()));
    } catch (const Error& e) {
        fail("cannot write dataset '{}': {}", path.string(), e.what());
    }
    out.commit();
}

}  // namespace radiofield::data
