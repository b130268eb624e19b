// Tracer: SBR candidates + image method + visibility + fields (see tracer.hpp).

#include "radiofield/rt/tracer.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <set>

#include "radiofield/core/error.hpp"
#include "radiofield/core/rng.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/rt/image_method.hpp"

namespace radiofield::rt {
namespace {

AntennaPose pose_of(const scene::Device& d) {
    return {&d.array.antenna, d.rotation()};
}

// Order of the final path list: depth, then the chain of (object, primitive, type).
bool path_less(const Path& a, const Path& b) {
    if (a.depth() != b.depth())
        return a.depth() < b.depth();
    for (int i = 0; i < a.depth(); ++i) {
        const auto& x = a.interactions[i];
        const auto& y = b.interactions[i];
        const FaceRef fx{x.object, x.primitive, x.type}, fy{y.object, y.primitive, y.type};
        if (fx != fy)
            return fx < fy;
    }
    return false;
}

}  // namespace

struct Tracer::Found {
    FaceSequence faces;  // transmitter → receiver
    std::vector<Vec3> points;
};

void TraceOptions::validate() const {
    if (max_depth < 0 || max_depth > kMaxTraceDepth)
        fail("max_depth ({}) must be between 0 and {}", max_depth, kMaxTraceDepth);
    const bool shoots = max_depth > 0 && (specular || transmission || diffuse);
    if (shoots && samples_per_source == 0)
        fail(
            "samples_per_source must be positive when specular, transmission or diffuse "
            "paths are requested (or set max_depth to 0)");
    if (both_orders_up_to_depth < 0)
        fail("both_orders_up_to_depth ({}) must not be negative (0: never)",
             both_orders_up_to_depth);
    if (samples_per_source > 0xFFFFFFFFull)
        fail("samples_per_source ({}) must be below 2^32", samples_per_source);
}

Tracer::Tracer(const scene::Scene& scene, double frequency_hz, scene::Extrapolation extrapolation)
    : m_scene(scene), m_frequency(frequency_hz) {
    if (!(frequency_hz > 0) || !std::isfinite(frequency_hz))
        fail("ray tracing frequency ({} Hz) must be positive and finite", frequency_hz);
    scene.validate();
    m_eta.reserve(scene.materials.size());
    for (const auto& m : scene.materials)
        m_eta.push_back(m.properties(frequency_hz, extrapolation).eta);
    m_geometry = std::make_unique<EmbreeScene>(scene);
}

double Tracer::wavelength() const {
    return radiofield::wavelength(m_frequency);
}

CandidateSearch Tracer::search_for(const TraceOptions& o) const {
    CandidateSearch s;
    s.max_depth = o.max_depth;
    s.samples = o.samples_per_source;
    s.specular = o.specular;
    s.transmission = o.transmission;
    s.surfaces = o.surface_candidates;
    if (o.seed != 0) {
        Rng rng(o.seed, 0x5BB);
        s.rotation =
            rotation_zyx(rng.uniform(0, 2 * std::numbers::pi), std::asin(rng.uniform(-1, 1)),
                         rng.uniform(0, 2 * std::numbers::pi));
    }
    return s;
}

HitGeometry Tracer::hit_geometry(const FaceRef& face,
                                 const Vec3& point,
                                 const TraceOptions& options) const {
    const auto& tri = m_geometry->triangle(face.object, face.primitive);
    HitGeometry h;
    h.type = face.type;
    h.point = point;
    h.normal = tri.normal;
    h.eta = m_eta[tri.material];
    h.thickness = m_scene.materials[tri.material].thickness;
    h.slab = face.type == InteractionType::Transmission || options.slab_reflection;
    // Reflections keep √(1−S²) of the field, as in Sionna, whether or not diffuse paths are
    // traced (the material decides how much of the energy scatters).
    h.scattering_coefficient = m_scene.materials[tri.material].scattering_coefficient;
    h.object = face.object;
    h.primitive = face.primitive;
    h.material = tri.material;
    return h;
}

std::vector<Path> Tracer::solve(const std::vector<FaceSequence>& candidates,
                                bool reverse,
                                const scene::Device& tx,
                                const scene::Device& rx,
                                const TraceOptions& options) const {
    std::vector<std::optional<Found>> solved(candidates.size());
    tbb::parallel_for(std::size_t{0}, candidates.size(), [&](std::size_t i) {
        const FaceSequence faces = reverse ? reversed(candidates[i]) : candidates[i];
        std::optional<SurfacePath> path;
        if (options.surface_candidates) {
            path = surface_points(*m_geometry, tx.position, faces, rx.position);
        } else if (auto points = image_points(*m_geometry, tx.position, faces, rx.position)) {
            path = SurfacePath{faces, std::move(*points)};
        }
        if (path && chain_visible(*m_geometry, tx.position, path->faces, path->points, rx.position))
            solved[i] = Found{std::move(path->faces), std::move(path->points)};
    });
    std::vector<Found> found;
    for (auto& s : solved)
        if (s)
            found.push_back(std::move(*s));
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return canonical_less(a.faces, b.faces); });

    // Chains through coplanar sibling triangles of one planar face are the same path:
    // keep the first (canonical) one of each chain of (type, plane).
    std::set<std::vector<std::uint64_t>> seen;
    std::vector<const Found*> kept;
    for (const auto& f : found) {
        std::vector<std::uint64_t> key;
        for (const auto& face : f.faces)
            key.push_back((static_cast<std::uint64_t>(face.type) << 32) |
                          m_geometry->triangle(face.object, face.primitive).plane_id);
        if (seen.insert(std::move(key)).second)
            kept.push_back(&f);
    }

    std::vector<Path> paths(kept.size());
    const AntennaPose tx_pose = pose_of(tx), rx_pose = pose_of(rx);
    tbb::parallel_for(std::size_t{0}, kept.size(), [&](std::size_t i) {
        const Found& f = *kept[i];
        std::vector<HitGeometry> hits;
        hits.reserve(f.faces.size());
        for (std::size_t j = 0; j < f.faces.size(); ++j)
            hits.push_back(hit_geometry(f.faces[j], f.points[j], options));
        paths[i] = specular_path(tx.position, hits, rx.position, m_frequency, tx_pose, rx_pose);
    });
    return paths;
}

std::vector<Paths> Tracer::compute_many(const scene::Device& fixed,
                                        std::span<const scene::Device> others,
                                        const TraceOptions& options,
                                        FixedEnd fixed_end) const {
    options.validate();
    const CandidateSearch search = search_for(options);
    const bool shoot = options.max_depth > 0 && (options.specular || options.transmission);
    const std::vector<FaceSequence> candidates =
        shoot ? find_candidates(*m_geometry, fixed.position, search) : std::vector<FaceSequence>{};
    std::vector<RayChain> chains;
    if (options.diffuse && options.max_depth > 0) {
        std::vector<bool> scatters;
        for (const auto& m : m_scene.materials)
            scatters.push_back(m.scattering_coefficient > 0);
        chains = find_scattering_chains(*m_geometry, fixed.position, search, scatters);
    }
    const bool reverse = fixed_end == FixedEnd::Rx;
    const bool both_ends = shoot && others.size() <= options.both_ends_up_to;

    std::vector<Paths> result(others.size());
    tbb::parallel_for(std::size_t{0}, others.size(), [&](std::size_t i) {
        const scene::Device& tx = reverse ? others[i] : fixed;
        const scene::Device& rx = reverse ? fixed : others[i];
        Paths& out = result[i];
        out.frequency_hz = m_frequency;
        out.tx_position = tx.position;
        out.rx_position = rx.position;
        out.num_tx_ports = tx.array.antenna.num_ports();
        out.num_rx_ports = rx.array.antenna.num_ports();
        if (options.los && norm(rx.position - tx.position) > 0 &&
            m_geometry->visible(tx.position, {}, rx.position, {}))
            out.paths.push_back(
                specular_path(tx.position, {}, rx.position, m_frequency, pose_of(tx), pose_of(rx)));
        std::vector<FaceSequence> own;  // this device's candidates, oriented from `fixed`
        if (both_ends) {
            own = find_candidates(*m_geometry, others[i].position, search);
            for (auto& chain : own)
                std::reverse(chain.begin(), chain.end());
            own.insert(own.end(), candidates.begin(), candidates.end());
            // Short chains in both orders (TraceOptions::both_orders_up_to_depth).
            const std::size_t n = own.size();
            own.reserve(2 * n);
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t depth = own[k].size();
                if (depth > 1 && depth <= static_cast<std::size_t>(options.both_orders_up_to_depth))
                    own.push_back(reversed(own[k]));
            }
            std::sort(own.begin(), own.end(), canonical_less);
            own.erase(std::unique(own.begin(), own.end()), own.end());
        }
        auto specular = solve(both_ends ? own : candidates, reverse, tx, rx, options);
        auto diffuse = diffuse_paths(chains, reverse, tx, rx, options);
        for (auto* list : {&specular, &diffuse})
            out.paths.insert(out.paths.end(), std::make_move_iterator(list->begin()),
                             std::make_move_iterator(list->end()));
        std::stable_sort(out.paths.begin(), out.paths.end(), path_less);
    });
    return result;
}

std::vector<Paths> Tracer::compute_many(const scene::Device& fixed,
                                        std::span<const Vec3> positions,
                                        const scene::Device& prototype,
                                        const TraceOptions& options,
                                        FixedEnd fixed_end) const {
    std::vector<scene::Device> others(positions.size(), prototype);
    for (std::size_t i = 0; i < positions.size(); ++i)
        others[i].position = positions[i];
    return compute_many(fixed, others, options, fixed_end);
}

Paths Tracer::compute(const scene::Device& tx,
                      const scene::Device& rx,
                      const TraceOptions& options) const {
    return std::move(compute_many(tx, std::span(&rx, 1), options, FixedEnd::Tx).front());
}

Paths trace(const scene::Scene& scene,
            double frequency_hz,
            const scene::Device& tx,
            const scene::Device& rx,
            const TraceOptions& options) {
    const Tracer tracer(scene, frequency_hz, options.extrapolation);
    return tracer.compute(tx, rx, options);
}

}  // namespace radiofield::rt
