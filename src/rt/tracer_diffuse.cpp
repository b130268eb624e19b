// Diffuse scattering by next-event estimation (see tracer.hpp).
//
// The geometry is in place: find_scattering_chains() returns, for every SBR ray, each
// prefix of its specular chain that ends on a scattering material (Sionna: the ray's own
// hit points, not image-method points), and each such point is connected to the receiver
// when visible. What is missing is the field of the scattered wave (Sionna's primer,
// "Scattering": E_s from ‖E_i‖, S, Γ, f_s·dA·cosθ_i with dA from the ray tube, the XPD
// split K_x) as a function next to specular_path() in field.hpp; until it exists,
// TraceOptions::validate() rejects diffuse = true with a message saying so.

#include "radiofield/rt/tracer.hpp"

namespace radiofield::rt {

std::vector<Path> Tracer::diffuse_paths(const std::vector<RayChain>& chains, bool reverse,
                                        const scene::Device& tx, const scene::Device& rx,
                                        const TraceOptions& options) const {
    return {};
}

}  // namespace radiofield::rt
