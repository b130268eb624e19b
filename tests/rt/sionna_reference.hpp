#pragma once
// Sionna RT references (tests/rt/data/sionna/, made by scripts/sionna_reference.py and
// scripts/sionna_spectra.py): reading them, and our tracer set up as they were made.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::rt::test {

inline std::filesystem::path sionna_dir() {
    return std::filesystem::path(RADIOFIELD_SOURCE_DIR) / "tests/rt/data/sionna";
}

// tests/rt/data/sionna/<name>.json
inline nlohmann::json read_sionna(const std::string& name) {
    const auto p = sionna_dir() / (name + ".json");
    std::ifstream in(p);
    if (!in)
        throw std::runtime_error("cannot open " + p.string());
    return nlohmann::json::parse(in);
}

inline Vec3 vec3(const nlohmann::json& j) {
    return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()};
}

// Iso V-pol single-element device, orientation 0 — the references' antenna.
inline scene::Device iso_v(const Vec3& p) {
    scene::Device d;
    d.name = "dev";
    d.position = p;
    d.array.antenna = scene::Antenna(scene::PatternKind::Isotropic, scene::Polarization::V);
    return d;
}

// Tracer settings of the references: LoS + specular only, and reflection with the ITU-R
// P.2040 slab formula (eq. 43) using each material's thickness, as Sionna does even with
// refraction disabled (docs/sionna-comparison.md §1).
inline TraceOptions sionna_options(int max_depth) {
    TraceOptions o;
    o.max_depth = max_depth;
    o.samples_per_source = 200'000;
    o.los = true;
    o.specular = true;
    o.diffuse = false;
    o.transmission = false;
    o.slab_reflection = true;
    return o;
}

}  // namespace radiofield::rt::test
