// Power maps in HDF5 (docs/dataset-format.md, "Power maps").
#include "radiofield/data/power_map.hpp"

#include <cmath>

#include "h5.hpp"
#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"

namespace radiofield::data {
namespace {

constexpr const char* kFormat = "radiofield-power-map";
constexpr std::int64_t kVersion = 1;

void check(const PowerMap& m, const std::string& where) {
    if (m.x.empty() || m.y.empty() || m.z.empty())
        fail("{}: the map has an empty axis ({}x{}x{})", where, m.x.size(), m.y.size(), m.z.size());
    if (m.power_w.size() != m.size())
        fail("{}: {} powers for a {}x{}x{} grid", where, m.power_w.size(), m.x.size(), m.y.size(),
             m.z.size());
    for (double p : m.power_w)
        if (!(std::isfinite(p) && p >= 0))
            fail("{}: a power is negative or not finite ({})", where, p);
}

}  // namespace

double PowerMap::dbm(std::size_t i) const {
    return 10 * std::log10(std::max(power_w.at(i), 1e-300)) + 30;
}

void write_power_map(const PowerMap& m, const std::filesystem::path& path, bool overwrite) {
    check(m, fmt::format("cannot write '{}'", path.string()));
    AtomicOutput out(path, overwrite);
    try {
        h5::Handle file = h5::create_file(out.temp_path().string());
        h5::write_attr(file, "format", std::string(kFormat));
        h5::write_attr(file, "version", kVersion);
        h5::write_attr(file, "frequency_hz", m.frequency_hz);
        h5::write_attr(
            file, "station_position",
            std::vector<double>{m.station_position.x, m.station_position.y, m.station_position.z});
        h5::write_attr(file, "quantity", m.quantity);
        h5::write_attr(file, "attrs", m.attrs.empty() ? std::string("{}") : m.attrs);
        h5::write_array(file, "x", {m.x.size()}, m.x);
        h5::write_array(file, "y", {m.y.size()}, m.y);
        h5::write_array(file, "z", {m.z.size()}, m.z);
        const std::vector<hsize_t> dims{m.z.size(), m.y.size(), m.x.size()};
        h5::write_array(file, "power_w", dims, m.power_w);
        std::vector<double> dbm(m.size());
        for (std::size_t i = 0; i < dbm.size(); ++i)
            dbm[i] = m.dbm(i);
        h5::write_array(file, "power_dbm", dims, dbm);
        if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0)
            fail("cannot flush the file (is the disk full?)");
    } catch (const Error& e) {
        fail("cannot write power map '{}': {}", path.string(), e.what());
    }
    out.commit();
}

PowerMap read_power_map(const std::filesystem::path& path) {
    try {
        h5::Handle file = h5::open_file(path.string());
        const std::string format =
            h5::has_attr(file, "format") ? h5::read_attr_string(file, "format") : "";
        if (format != kFormat)
            fail("root attribute 'format' is '{}', not '{}'", format, kFormat);
        PowerMap m;
        m.frequency_hz = h5::read_attr_double(file, "frequency_hz");
        const auto s = h5::read_attr_doubles(file, "station_position");
        if (s.size() != 3)
            fail("station_position has {} values, not 3", s.size());
        m.station_position = {s[0], s[1], s[2]};
        m.quantity = h5::read_attr_string(file, "quantity");
        m.attrs = h5::read_attr_string(file, "attrs");
        m.x = h5::read_all<double>(h5::open_dataset(file, "x"));
        m.y = h5::read_all<double>(h5::open_dataset(file, "y"));
        m.z = h5::read_all<double>(h5::open_dataset(file, "z"));
        m.power_w = h5::read_all<double>(h5::open_dataset(file, "power_w"));
        check(m, "the map");
        return m;
    } catch (const Error& e) {
        fail("cannot read power map '{}': {}", path.string(), e.what());
    }
}

}  // namespace radiofield::data
