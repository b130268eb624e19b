#pragma once
// Shoot-and-bounce (SBR) candidate search: rays leave a source along a Fibonacci sphere,
// reflect specularly (and, optionally, pass straight through faces), and every prefix of
// every ray's chain of (surface, interaction) is recorded once — a surface being every
// triangle of one plane, as Sionna RT hashes planes, so that a ray through any triangle of
// a wall stands for a path through any other. The image method (image_method.hpp) then
// turns each candidate into an exact path per receiver.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/rt/paths.hpp"

namespace radiofield::rt {

class EmbreeScene;

// Deepest chain the tracer follows (checked by TraceOptions::validate).
inline constexpr int kMaxTraceDepth = 16;

// One interaction of a candidate chain: a triangle and what happens there.
struct FaceRef {
    std::uint32_t object = 0, primitive = 0;
    InteractionType type = InteractionType::Specular;
    friend auto operator<=>(const FaceRef&, const FaceRef&) = default;
};
using FaceSequence = std::vector<FaceRef>;

// Canonical order of chains: by depth, then lexicographically by (object, primitive, type).
bool canonical_less(const FaceSequence& a, const FaceSequence& b);

// Direction i of an n-point Fibonacci lattice on the unit sphere (z = 1 − (2i+1)/n,
// golden-angle azimuth): nearly uniform, deterministic, every ray a solid angle 4π/n.
Vec3 fibonacci_direction(std::size_t i, std::size_t n);

struct CandidateSearch {
    int max_depth = 3;
    std::size_t samples = 200'000;  // as TraceOptions::samples_per_source
    bool specular = true;           // reflect at every hit
    bool transmission = false;      // also continue straight through every hit
    // Record chains of surfaces (EmbreeScene::surface: every triangle of one plane), each
    // named by its first triangle, for surface_points(); false: chains of the triangles hit,
    // for image_points() (the former search, kept for `bench rt` comparisons).
    bool surfaces = true;
    Mat3 rotation;  // applied to the lattice (identity unless seeded)
};

// Distinct chains found from `source`, in canonical order. Parallel over ray blocks;
// the result does not depend on the thread count.
std::vector<FaceSequence> find_candidates(const EmbreeScene& scene,
                                          const Vec3& source,
                                          const CandidateSearch& search);

// One surface hit of an SBR ray, with the chain that led to it (for next-event
// estimation of diffuse scattering: the ray's own hit points, not image-method points).
struct RayVertex {
    Vec3 point;
    FaceRef face;
};
struct RayChain {
    std::uint32_t ray = 0;        // lattice index
    std::vector<RayVertex> hits;  // from the source; the last one is where it scatters
};
// Every prefix of every ray's chain (specular bounces only) ending on a triangle whose
// material has `scatters[material]` set, in (ray, depth) order.
std::vector<RayChain> find_scattering_chains(const EmbreeScene& scene,
                                             const Vec3& source,
                                             const CandidateSearch& search,
                                             const std::vector<bool>& scatters);

}  // namespace radiofield::rt
