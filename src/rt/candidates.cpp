// Shoot-and-bounce candidate search (see candidates.hpp).

#include "radiofield/rt/candidates.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <span>
#include <unordered_set>

#include "radiofield/rt/embree_scene.hpp"

namespace radiofield::rt {
namespace {

// A chain packed one interaction per 64-bit word: type (2 bits) | object (30) | primitive (32).
using Code = std::uint64_t;
Code pack(std::uint32_t object, std::uint32_t primitive, InteractionType type) {
    return (static_cast<Code>(type) << 62) | (static_cast<Code>(object) << 32) | primitive;
}
FaceRef unpack(Code c) {
    return {static_cast<std::uint32_t>((c >> 32) & 0x3FFFFFFFu), static_cast<std::uint32_t>(c),
            static_cast<InteractionType>(c >> 62)};
}

struct CodeHash {
    using is_transparent = void;
    std::size_t operator()(std::span<const Code> s) const {
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
        for (Code c : s)
            h = (h ^ c) * 0xBF58476D1CE4E5B9ull, h ^= h >> 31;
        return static_cast<std::size_t>(h);
    }
    std::size_t operator()(const std::vector<Code>& v) const { return (*this)(std::span(v)); }
};
struct CodeEq {
    using is_transparent = void;
    bool operator()(std::span<const Code> a, std::span<const Code> b) const {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
};
using CodeSet = std::unordered_set<std::vector<Code>, CodeHash, CodeEq>;

struct RayState {
    Vec3 origin, dir;
    int depth = 0;
    std::uint32_t ray = 0;   // lattice index
    std::int32_t node = -1;  // caller's record of the chain so far (see trace_block)
    std::array<Code, kMaxTraceDepth> codes{};
};

Vec3 reflect(const Vec3& d, const Vec3& n) {
    return d - n * (2 * dot(d, n));
}

constexpr std::size_t kBlock = 1024;  // primary rays per work item

// Follows rays [begin, end) of the lattice; calls `visit(state, hit)` for every
// interaction appended to a chain (the state's codes/depth include that interaction) and
// stores what it returns in the continuing ray's `node`.
template <typename Visit>
void trace_block(const EmbreeScene& scene,
                 const Vec3& source,
                 const CandidateSearch& search,
                 std::size_t begin,
                 std::size_t end,
                 Visit&& visit) {
    std::vector<RayState> wave, next;
    std::vector<PacketRay> packet;
    wave.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
        RayState s;
        s.origin = source;
        s.dir = search.rotation * fibonacci_direction(i, search.samples);
        s.ray = static_cast<std::uint32_t>(i);
        wave.push_back(s);
    }
    for (int depth = 0; depth < search.max_depth && !wave.empty(); ++depth) {
        packet.resize(wave.size());
        for (std::size_t k = 0; k < wave.size(); ++k) {
            packet[k].origin = wave[k].origin;
            packet[k].dir = wave[k].dir;
        }
        scene.intersect_packets(packet, depth == 0);
        next.clear();
        for (std::size_t k = 0; k < wave.size(); ++k) {
            const RayHit& h = packet[k].result;
            if (!h.hit)
                continue;
            RayState s = wave[k];
            s.depth = depth + 1;
            if (search.specular) {
                s.codes[depth] = pack(h.object, h.primitive, InteractionType::Specular);
                const Vec3 d = reflect(s.dir, h.normal);
                RayState r = s;
                r.dir = normalize(d);
                r.origin = scene.offset(h.point, h.normal, r.dir);
                r.node = visit(r, h);
                if (s.depth < search.max_depth)
                    next.push_back(r);
            }
            if (search.transmission) {
                s.codes[depth] = pack(h.object, h.primitive, InteractionType::Transmission);
                RayState t = s;
                t.origin = scene.offset(h.point, h.normal, t.dir);
                t.node = visit(t, h);
                if (s.depth < search.max_depth)
                    next.push_back(t);
            }
        }
        std::swap(wave, next);
    }
}

}  // namespace

bool canonical_less(const FaceSequence& a, const FaceSequence& b) {
    if (a.size() != b.size())
        return a.size() < b.size();
    return a < b;
}

Vec3 fibonacci_direction(std::size_t i, std::size_t n) {
    constexpr double kGoldenAngle = std::numbers::pi * (3.0 - 2.2360679774997896964);  // π(3 − √5)
    const double z = 1.0 - (2.0 * static_cast<double>(i) + 1.0) / static_cast<double>(n);
    const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
    const double phi = kGoldenAngle * static_cast<double>(i);
    return {r * std::cos(phi), r * std::sin(phi), z};
}

std::vector<FaceSequence> find_candidates(const EmbreeScene& scene,
                                          const Vec3& source,
                                          const CandidateSearch& search) {
    if (search.samples == 0 || search.max_depth <= 0 || (!search.specular && !search.transmission))
        return {};
    tbb::enumerable_thread_specific<CodeSet> local;
    const std::size_t blocks = (search.samples + kBlock - 1) / kBlock;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks), [&](const auto& range) {
        CodeSet& set = local.local();
        for (std::size_t b = range.begin(); b != range.end(); ++b) {
            const std::size_t begin = b * kBlock, end = std::min(search.samples, begin + kBlock);
            trace_block(scene, source, search, begin, end, [&](const RayState& s, const RayHit&) {
                // The chain of surfaces, each named by its first triangle.
                std::array<Code, kMaxTraceDepth> codes = s.codes;
                for (int d = 0; search.surfaces && d < s.depth; ++d) {
                    const FaceRef f = unpack(s.codes[d]);
                    const auto& m =
                        scene.surface(scene.triangle(f.object, f.primitive).surface_id).front();
                    codes[d] = pack(m.object, m.primitive, f.type);
                }
                const std::span<const Code> key(codes.data(), static_cast<std::size_t>(s.depth));
                if (set.find(key) == set.end())
                    set.emplace(key.begin(), key.end());
                return std::int32_t{-1};
            });
        }
    });
    CodeSet all;
    for (auto& set : local)
        all.merge(set);
    std::vector<FaceSequence> out;
    out.reserve(all.size());
    for (const auto& codes : all) {
        FaceSequence seq;
        seq.reserve(codes.size());
        for (Code c : codes)
            seq.push_back(unpack(c));
        out.push_back(std::move(seq));
    }
    std::sort(out.begin(), out.end(), canonical_less);
    return out;
}

std::vector<RayChain> find_scattering_chains(const EmbreeScene& scene,
                                             const Vec3& source,
                                             const CandidateSearch& search,
                                             const std::vector<bool>& scatters) {
    if (search.samples == 0 || search.max_depth <= 0)
        return {};
    CandidateSearch specular_only = search;
    specular_only.specular = true;
    specular_only.transmission = false;
    const std::size_t blocks = (search.samples + kBlock - 1) / kBlock;
    std::vector<std::vector<RayChain>> per_block(blocks);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks), [&](const auto& range) {
        struct Node {
            std::int32_t parent;
            RayVertex vertex;
        };
        std::vector<Node> nodes;  // chains of this block as a parent-pointer tree
        for (std::size_t b = range.begin(); b != range.end(); ++b) {
            const std::size_t begin = b * kBlock, end = std::min(search.samples, begin + kBlock);
            nodes.clear();
            std::vector<RayChain>& out = per_block[b];
            trace_block(
                scene, source, specular_only, begin, end, [&](const RayState& s, const RayHit& h) {
                    const auto id = static_cast<std::int32_t>(nodes.size());
                    const FaceRef face = unpack(s.codes[s.depth - 1]);
                    nodes.push_back({s.node, {h.point, face}});
                    const auto material = scene.triangle(face.object, face.primitive).material;
                    if (material < scatters.size() && scatters[material]) {
                        RayChain chain;
                        chain.ray = s.ray;
                        for (std::int32_t n = id; n >= 0; n = nodes[n].parent)
                            chain.hits.push_back(nodes[n].vertex);
                        std::reverse(chain.hits.begin(), chain.hits.end());
                        out.push_back(std::move(chain));
                    }
                    return id;
                });
            // Waves visit depth by depth; order each block by (ray, depth) for determinism.
            std::stable_sort(out.begin(), out.end(), [](const RayChain& a, const RayChain& c) {
                return a.ray != c.ray ? a.ray < c.ray : a.hits.size() < c.hits.size();
            });
        }
    });
    std::vector<RayChain> all;
    for (auto& v : per_block)
        for (auto& c : v)
            all.push_back(std::move(c));
    return all;
}

}  // namespace radiofield::rt
