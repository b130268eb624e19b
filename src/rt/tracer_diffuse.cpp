// Diffuse scattering by next-event estimation (see tracer.hpp).

#include "radiofield/rt/tracer.hpp"

namespace radiofield::rt {

std::vector<Path> Tracer::diffuse_paths(const std::vector<RayChain>& chains, bool reverse,
                                        const scene::Device& tx, const scene::Device& rx,
                                        const TraceOptions& options) const {
    return {};
}

}  // namespace radiofield::rt
