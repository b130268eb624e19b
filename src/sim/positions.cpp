// Positions of the moving end for simulated datasets: random, on a grid, or from a CSV.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/sim/free_space.hpp"
#include "radiofield/sim/simulate.hpp"

namespace radiofield::sim {
namespace {

std::vector<Vec3> read_positions_csv(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        fail("cannot read positions file '{}': check the path", path.string());
    std::vector<Vec3> out;
    std::string line;
    std::size_t row = 0;
    while (std::getline(in, line)) {
        ++row;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (row == 1 && line.find_first_of("0123456789") == std::string::npos)
            continue;  // header
        for (char& c : line) {
            if (c == ',' || c == ';')
                c = ' ';
        }
        std::istringstream fields(line);
        Vec3 p;
        if (!(fields >> p.x >> p.y >> p.z) || !is_finite(p)) {
            fail("{} line {}: expected three numbers x,y,z, got '{}'", path.string(), row, line);
        }
        out.push_back(p);
    }
    if (out.empty())
        fail("positions file '{}' holds no positions", path.string());
    return out;
}

}  // namespace

bool is_free_position(const rt::EmbreeScene& geometry, const Vec3& p, double clearance) {
    return acceptance_region(geometry.scene()).contains(p) &&
           FreeSpace(geometry).is_free(p, clearance);
}

std::vector<Vec3> make_positions(const scene::Scene& scene,
                                 const PositionSpec& spec,
                                 std::uint64_t seed) {
    const rt::EmbreeScene geometry(scene);
    const FreeSpace space(geometry);
    scene::Bounds region = spec.region.value_or(drawing_region(scene));
    if (spec.z_range) {
        if (!(spec.z_range->first <= spec.z_range->second)) {
            fail("--z-range: the lower height must not exceed the upper ({} > {})",
                 spec.z_range->first, spec.z_range->second);
        }
        region.lo.z = spec.z_range->first;
        region.hi.z = spec.z_range->second;
    }
    if (spec.mode == PositionSpec::Mode::Csv) {
        auto positions = read_positions_csv(spec.csv);
        const scene::Bounds accepted = spec.region.value_or(acceptance_region(scene));
        for (std::size_t i = 0; i < positions.size(); ++i) {
            require_free_position(space, positions[i], accepted,
                                  fmt::format("{}: position {}", spec.csv.string(), i + 1),
                                  "move it into free space");
        }
        return positions;
    }
    if (spec.mode == PositionSpec::Mode::Grid) {
        if (!(spec.spacing > 0))
            fail("--spacing must be positive (got {})", spec.spacing);
        std::vector<Vec3> out;
        const double z = spec.height.value_or(region.centre().z);
        for (double x = region.lo.x + spec.spacing / 2; x < region.hi.x; x += spec.spacing) {
            for (double y = region.lo.y + spec.spacing / 2; y < region.hi.y; y += spec.spacing) {
                const Vec3 p{x, y, z};
                if (space.is_free(p, spec.clearance))
                    out.push_back(p);
            }
        }
        if (out.empty())
            fail("no free grid position in the region at height {} m; check --height", z);
        return out;
    }
    if (spec.count == 0)
        fail("--count must be at least 1");
    Rng rng(seed, 0x705);
    std::vector<Vec3> out;
    out.reserve(spec.count);
    const std::size_t max_tries = spec.count * 200 + 1000;
    for (std::size_t tries = 0; out.size() < spec.count && tries < max_tries; ++tries) {
        const Vec3 p{rng.uniform(region.lo.x, region.hi.x), rng.uniform(region.lo.y, region.hi.y),
                     spec.height ? *spec.height : rng.uniform(region.lo.z, region.hi.z)};
        if (space.is_free(p, spec.clearance))
            out.push_back(p);
    }
    if (out.size() < spec.count) {
        fail(
            "found only {} of {} free positions in the region; enlarge the region, lower "
            "--clearance or change --height",
            out.size(), spec.count);
    }
    return out;
}

}  // namespace radiofield::sim
