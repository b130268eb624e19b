#pragma once
// The physics ray tracer (DESIGN.md §5): SBR candidate search from a source, exact paths by
// the image method, visibility by Embree, fields by rt::specular_path, in Sionna RT's
// conventions. A Tracer builds the Embree scene and evaluates every material once; then
// compute() / compute_many() may be called from any thread.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "radiofield/rt/candidates.hpp"
#include "radiofield/rt/embree_scene.hpp"
#include "radiofield/rt/field.hpp"
#include "radiofield/rt/paths.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::rt {

struct TraceOptions {
    int max_depth = 3;  // interactions per path, ≤ kMaxTraceDepth
    // Fibonacci-sphere rays from the source: the least that finds every path up to depth 3
    // on the built-in scenes with the surface search (docs/sionna-comparison.md §6).
    std::size_t samples_per_source = 200'000;
    bool los = true;
    bool specular = true;
    bool diffuse = false;          // next-event estimation from every SBR hit (Sionna weights)
    bool transmission = false;     // thin-slab transmission through faces
    bool slab_reflection = false;  // reflect with the slab form (P.2040 eq. 43), not half-space
    std::uint64_t seed = 0;        // 0: Sionna's fixed lattice; else a seeded random rotation
    // Candidates are chains of whole planes (CandidateSearch::surfaces); false: chains of
    // the triangles the rays hit (the former search, for comparisons only).
    bool surface_candidates = true;
    // Also run the candidate search from each other device of compute_many() (its chains
    // reversed) when there are at most this many — a path whose tube is thin at one end is
    // wide at the other (long depth-3 paths ending on the ground near a receiver). Costs one
    // search per device, so datasets of many positions keep the one-sided search; 0: never.
    std::size_t both_ends_up_to = 16;
    // When searching from both ends, also try every chain of at most this many interactions
    // in reverse order. Rays that enter an inner corner far away bounce between its two
    // faces in one order or the other, depending on which face they meet first; a face seen
    // at grazing incidence from both ends may be met first by neither, so that both ends
    // find only the order the path does not take (docs/sionna-comparison.md §6). 0: never.
    int both_orders_up_to_depth = 2;
    scene::Extrapolation extrapolation = scene::Extrapolation::Error;  // used by trace()

    // Throws Error naming the bad field (depth range, samples > 0 when needed, ...).
    void validate() const;
};

// Which end of compute_many() stays put: the SBR search is run once from it.
enum class FixedEnd { Tx, Rx };

class Tracer {
public:
    // Throws Error if the scene is invalid, the frequency is not positive, or a material has
    // no properties at `frequency_hz` (unless `extrapolation` is Warn).
    Tracer(const scene::Scene& scene,
           double frequency_hz,
           scene::Extrapolation extrapolation = scene::Extrapolation::Error);

    // All paths between tx and rx, in canonical order: by depth, then by the chain of
    // (object, primitive, type) from the transmitter; LoS first.
    Paths compute(const scene::Device& tx,
                  const scene::Device& rx,
                  const TraceOptions& options) const;

    // Paths for one fixed device and many others: the SBR search runs once from `fixed`
    // (and from each other device too, up to TraceOptions::both_ends_up_to of them) and
    // its candidates are solved for every other device (in parallel). Element i holds
    // the paths between `fixed` and `others[i]`, always oriented transmitter → receiver.
    std::vector<Paths> compute_many(const scene::Device& fixed,
                                    std::span<const scene::Device> others,
                                    const TraceOptions& options,
                                    FixedEnd fixed_end = FixedEnd::Tx) const;
    // Same, with every other device a copy of `prototype` moved to `positions[i]`.
    std::vector<Paths> compute_many(const scene::Device& fixed,
                                    std::span<const Vec3> positions,
                                    const scene::Device& prototype,
                                    const TraceOptions& options,
                                    FixedEnd fixed_end = FixedEnd::Tx) const;

    const EmbreeScene& geometry() const { return *m_geometry; }
    double frequency_hz() const { return m_frequency; }
    double wavelength() const;
    const std::complex<double>& eta(std::uint32_t material) const { return m_eta[material]; }

private:
    struct Found;  // a validated chain before its field is computed
    CandidateSearch search_for(const TraceOptions& options) const;
    std::vector<Path> solve(const std::vector<FaceSequence>& candidates,
                            bool reverse,
                            const scene::Device& tx,
                            const scene::Device& rx,
                            const TraceOptions& options) const;
    std::vector<Path> diffuse_paths(const std::vector<RayChain>& chains,
                                    bool reverse,
                                    const scene::Device& tx,
                                    const scene::Device& rx,
                                    const TraceOptions& options) const;
    HitGeometry hit_geometry(const FaceRef& face,
                             const Vec3& point,
                             const TraceOptions& options) const;

    const scene::Scene& m_scene;
    double m_frequency;
    std::unique_ptr<EmbreeScene> m_geometry;
    std::vector<std::complex<double>> m_eta;  // per material, at m_frequency
};

// One-shot convenience: builds a Tracer (with options.extrapolation) and computes.
Paths trace(const scene::Scene& scene,
            double frequency_hz,
            const scene::Device& tx,
            const scene::Device& rx,
            const TraceOptions& options = {});

}  // namespace radiofield::rt
