// Diffuse scattering by next-event estimation (see tracer.hpp), as Sionna RT does:
// find_scattering_chains() returns, for every SBR ray, each prefix of its specular chain that
// ends on a scattering material (the ray's own hit points, not image-method points). Each
// such point q connects to the other device when that device lies in front of the surface
// and sees q; the path's field is rt::diffuse_path(): the specular prefix (reflections already
// × √(1−S²)), then S·Γ·√(f_s·dΩ) with dΩ = 4π/samples, and 1/L with L = |q − device|.
//
// With FixedEnd::Rx the rays leave the receiver, so the path is computed from the receiver
// (ray tube, prefix and scattering seen from that end) and reported Tx → Rx by reciprocity:
// interactions reversed, departure/arrival angles swapped, a transposed over the ports.

#include <tbb/parallel_for.h>

#include <algorithm>
#include <optional>

#include "radiofield/core/units.hpp"
#include "radiofield/rt/scattering.hpp"
#include "radiofield/rt/tracer.hpp"

namespace radiofield::rt {
namespace {

// The same path seen from the other end (reciprocity): a[rp·2 + tp] ↔ a[tp·2 + rp].
Path reversed_path(Path p) {
    std::reverse(p.interactions.begin(), p.interactions.end());
    std::swap(p.theta_t, p.theta_r);
    std::swap(p.phi_t, p.phi_r);
    std::swap(p.a[1], p.a[2]);
    return p;
}

}  // namespace

std::vector<Path> Tracer::diffuse_paths(const std::vector<RayChain>& chains,
                                        bool reverse,
                                        const scene::Device& tx,
                                        const scene::Device& rx,
                                        const TraceOptions& options) const {
    if (chains.empty())
        return {};
    // The SBR rays left `source` (the fixed end); the scattered wave goes to `target`.
    const scene::Device& source = reverse ? rx : tx;
    const scene::Device& target = reverse ? tx : rx;
    const AntennaPose source_pose{&source.array.antenna, source.rotation()};
    const AntennaPose target_pose{&target.array.antenna, target.rotation()};
    const double ray_solid_angle = 4 * kPi / static_cast<double>(options.samples_per_source);

    // Scattering patterns, validated once (throws for a bad α or Λ of a scattering material).
    std::vector<ScatteringModel> models;
    models.reserve(m_scene.materials.size());
    for (const auto& m : m_scene.materials)
        models.push_back(m.scattering_coefficient > 0
                             ? ScatteringModel::from_material(m)
                             : ScatteringModel(scene::ScatteringPattern::Lambertian));

    std::vector<std::optional<Path>> found(chains.size());
    tbb::parallel_for(std::size_t{0}, chains.size(), [&](std::size_t i) {
        const RayChain& chain = chains[i];
        if (chain.hits.empty())
            return;
        const RayVertex& last = chain.hits.back();
        const TriangleInfo& tri = m_geometry->triangle(last.face.object, last.face.primitive);
        const Vec3 before =
            chain.hits.size() > 1 ? chain.hits[chain.hits.size() - 2].point : source.position;
        // The target must be on the side the ray came from (f_s = 0 behind the surface),
        // and see q.
        if (dot(tri.normal, last.point - before) * dot(tri.normal, target.position - last.point) >=
            0)
            return;
        if (!m_geometry->visible(last.point, tri.normal, target.position, {}))
            return;

        std::vector<HitGeometry> prefix;
        prefix.reserve(chain.hits.size() - 1);
        for (std::size_t j = 0; j + 1 < chain.hits.size(); ++j)
            prefix.push_back(hit_geometry(chain.hits[j].face, chain.hits[j].point, options));
        const scene::Material& material = m_scene.materials[tri.material];
        ScatterGeometry scatter;
        scatter.point = last.point;
        scatter.normal = tri.normal;
        scatter.eta = m_eta[tri.material];
        scatter.thickness = material.thickness;
        scatter.slab = options.slab_reflection;  // Γ from the same coefficients as reflections
        scatter.scattering_coefficient = material.scattering_coefficient;
        scatter.xpd_coefficient = material.xpd_coefficient;
        scatter.pattern = &models[tri.material];
        scatter.object = last.face.object;
        scatter.primitive = last.face.primitive;
        scatter.material = tri.material;
        Path p = diffuse_path(source.position, prefix, scatter, target.position, ray_solid_angle,
                              m_frequency, source_pose, target_pose);
        found[i] = reverse ? reversed_path(std::move(p)) : std::move(p);
    });

    std::vector<Path> paths;
    for (auto& p : found)
        if (p)
            paths.push_back(std::move(*p));
    return paths;
}

}  // namespace radiofield::rt
