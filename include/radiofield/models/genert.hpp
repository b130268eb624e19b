#pragma once
// GeNeRT's neural ray-tracing engine (DESIGN.md §6.5; Bian et al., "GeNeRT: A Physics-Informed
// Approach to Intelligent Wireless Channel Modeling via Generalizable Neural Ray Tracing"):
//  - OutgoingRayNet: the outgoing-ray network (paper §III-B, sizes of §IV-B1);
//  - SceneTensors: a scene's triangles, normals, semantic classes and reflecting planes as
//    tensors on the compute device;
//  - Engine: rays from every Tx on a Fibonacci lattice, tensorised Möller–Trumbore nearest hit
//    (nn/ray_triangle.hpp), one interaction per bounce from the network or from exact Fresnel
//    (the physics mode), ray-state update, reception spheres at every Rx, termination by
//    depth, power and scene bounds; paths per Tx–Rx link in our CIR format (rt::Paths) plus
//    the coefficients as a differentiable tensor.
// The trainable models on top of it (GeNeRT, WiNeRT, LWDT) are in models/neural_rt.hpp.
// Plain tensor code: the same calls run on CPU and CUDA.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "radiofield/core/vec.hpp"
#include "radiofield/nn/ray_triangle.hpp"
#include "radiofield/rt/paths.hpp"
#include "radiofield/scene/scene.hpp"

namespace radiofield::models::genert {

// ---- the outgoing-ray network -----------------------------------------------------------

// Sizes from the paper's §IV-B1 (DESIGN.md §6.5).
struct NetConfig {
    std::int64_t num_classes = 16;  // semantic classes (material indices must stay below)
    int angle_freqs = 4;            // PosEnc of θᵢ and ψ: γ(x) with 4 frequencies → 9 wide
    std::int64_t class_dim = 5;     // class embedding
    std::int64_t latent_hidden = 32;
    std::int64_t wide = 64, wide_hidden = 32;      // first FFN block 64→32→64
    std::int64_t narrow = 32, narrow_hidden = 16;  // second FFN block 32→16→32
    bool residual = true;  // false: the ablation "without residual connections"
};

// One FFN block: y = ReLU(x + W₂·ReLU(W₁·x)) (W₁: width→hidden, W₂: hidden→width); without
// the residual y = ReLU(W₂·ReLU(W₁·x)).
class FfnBlockImpl : public torch::nn::Module {
public:
    FfnBlockImpl(std::int64_t width, std::int64_t hidden, bool residual);
    torch::Tensor forward(const torch::Tensor& x);  // [N, width] → [N, width]

private:
    torch::nn::Linear m_in{nullptr}, m_out{nullptr};
    bool m_residual;
};
TORCH_MODULE(FfnBlock);

// A stack [Linear(in→wide) + ReLU, when in ≠ wide] → FFN(wide) → Linear(wide→narrow) + ReLU →
// FFN(narrow) → Linear(narrow→out): the shape of every module after the latent MLP.
class TowerImpl : public torch::nn::Module {
public:
    TowerImpl(std::int64_t in, std::int64_t out, const NetConfig& config);
    torch::Tensor forward(torch::Tensor x);  // [N, in] → [N, out]

private:
    torch::nn::Linear m_lift{nullptr}, m_squeeze{nullptr}, m_head{nullptr};
    FfnBlock m_wide{nullptr}, m_narrow{nullptr};
};
TORCH_MODULE(Tower);

// What the network sees at one interaction (relative features only, paper §II-C2).
struct InteractionInput {
    torch::Tensor theta_i;     // [N] incidence angle from the surface normal, rad
    torch::Tensor classes;     // [N] int64 semantic class (material index)
    torch::Tensor psi;         // [N] angle between the polarisation and the plane of incidence
    torch::Tensor cumulative;  // [N] complex: product of the ray's earlier coefficients
    // Absolute geometry, for interaction models that want it (WiNeRT, LWDT); GeNeRT's
    // network reads only the relative features above. Undefined where a caller has none.
    torch::Tensor direction;  // [N, 3] unit direction of the incoming ray
    torch::Tensor normal;     // [N, 3] unit face normal on the incoming side (d·n < 0)
    torch::Tensor faces;      // [N] int64 face hit (SceneTensors row)
};

// What an interaction gives back (network or exact Fresnel).
struct InteractionOutput {
    torch::Tensor outgoing;  // [N, 2] (cos θₒ, sin θₒ) of the outgoing angle from the normal
    torch::Tensor r_par;     // [N] complex R_∥ (TM)
    torch::Tensor r_perp;    // [N] complex R_⊥ (TE)
    torch::Tensor coefficient;  // [N] complex interaction coefficient Γ
    // Optional [N, 3]: the outgoing direction in the global frame (WiNeRT predicts it so);
    // when defined the engine takes it (normalised) and ignores `outgoing`.
    torch::Tensor direction;
};

// Paper Fig. 4: γ(θᵢ) ⊕ embed(class) → latent MLP (one hidden layer of 32, out `wide`) →
//  (a) angle tower → (cos θₒ, sin θₒ), normalised;
//  (b) R_∥ tower and R_⊥ tower → one complex value each (real, imag);
//  (c) fusion tower on [R_∥, R_⊥, cumulative coefficient, γ(ψ)] (2+2+2+9) → Γ (real, imag).
// Complex values are (real, imag) pairs inside the network and complex tensors outside.
// Weights Xavier-uniform, biases zero. Runs in float32 on the module's device.
class OutgoingRayNetImpl : public torch::nn::Module {
public:
    explicit OutgoingRayNetImpl(const NetConfig& config = {});
    InteractionOutput forward(const InteractionInput& input);

    const NetConfig& config() const { return m_config; }
    // Parameters of one named module, for per-module training (pre-training trains
    // "embedding", "latent", "r_perp", "r_par", "angle" in turn; end-to-end only "fusion").
    static const std::vector<std::string_view>& module_names();
    std::vector<torch::Tensor> module_parameters(std::string_view name) const;

private:
    NetConfig m_config;
    torch::nn::Embedding m_embedding{nullptr};
    torch::nn::Linear m_latent1{nullptr}, m_latent2{nullptr};
    Tower m_angle{nullptr}, m_r_par{nullptr}, m_r_perp{nullptr}, m_fusion{nullptr};
};
TORCH_MODULE(OutgoingRayNet);

// ---- the scene as tensors -----------------------------------------------------------------

struct SceneTensors {
    torch::Tensor vertices;    // [F, 3, 3] in mesh order, then triangle order
    nn::TriangleTensors tris;  // v0, e1, e2 of the same
    torch::Tensor normals;     // [F, 3] unit, right-hand rule
    torch::Tensor classes;     // [F] int64 semantic class = material index
    // Per face on the host: where it came from, and its connected coplanar patch (a specular
    // path through either triangle of a split quad is one path: paths are told apart by the
    // sequence of patches they reflect on).
    std::vector<std::uint32_t> object, primitive, material;
    std::vector<std::int64_t> plane;
    double extent = 1;  // length of the scene's bounding-box diagonal, m

    static SceneTensors from(const scene::Scene& scene,
                             torch::ScalarType dtype = torch::kFloat32,
                             torch::Device device = torch::kCPU);
    std::int64_t size() const { return vertices.size(0); }
};

// ---- the engine -------------------------------------------------------------------------

enum class ReferencePolarisation { V, H };  // E along θ̂ (vertical) or φ̂ of the ray
ReferencePolarisation parse_reference_polarisation(std::string_view name);  // "V" | "H"

// ψ (paper eq. 8) of rays along `direction` [N, 3] meeting faces of incoming-side normal
// `normal` [N, 3]: the angle between the ray's reference polarisation (θ̂ or φ̂ of its
// direction) and the plane of incidence, in [0, π/2]; 0 at normal incidence.
torch::Tensor polarisation_offset(const torch::Tensor& direction,
                                  const torch::Tensor& normal,
                                  ReferencePolarisation polarisation);

struct EngineOptions {
    double frequency_hz = 3.5e9;
    std::int64_t rays_per_tx = 100'000;  // Fibonacci lattice per transmitter
    int max_interactions = 2;            // reflections per path (0: line of sight only)
    // A ray ends when |Π Γ|² (its interaction loss, without spreading) drops below this, dB.
    double min_power_db = -80;
    // Reception sphere radius = scale · a · L / √3, with a = √(8π / (√3 · rays_per_tx)) the
    // spacing of a hexagonal lattice (cells of 4π/N sr), a/√3 its covering radius, and L the
    // unfolded length to the Rx. The Fibonacci lattice's cells are not exactly hexagonal: its
    // covering radius exceeds a/√3 by a few per cent in places (a Tx–Rx line can fall between
    // rays), hence the margin.
    double reception_scale = 1.25;
    ReferencePolarisation polarisation = ReferencePolarisation::V;  // ψ's reference (paper eq. 8)
    torch::ScalarType geometry_dtype = torch::kFloat32;
    // Reception test: (ray, receiver) pairs per chunk, bounding its [chunk, Rx] work tensors.
    std::int64_t pairs_per_chunk = std::int64_t{1} << 22;
    scene::Extrapolation extrapolation = scene::Extrapolation::Error;  // Fresnel mode's η

    void validate() const;  // throws Error naming the bad field
};

// Paths of every Tx–Rx link of one call.
struct EnginePaths {
    std::int64_t num_tx = 0, num_rx = 0;
    // Link l = tx · num_rx + rx holds paths [offset[l], offset[l + 1]) of `a` and `tau`, in
    // the order of links[l].paths: by depth, then by the sequence of reflecting patches.
    std::vector<std::int64_t> offset;
    // [P] complex: (λ/4π)(1/L)·ΠΓ read in the receiver's basis of the arrival direction (θ̂
    // alike, φ̂ reversed: H paths carry −1, as the physics tracer), differentiable w.r.t. the
    // network.
    torch::Tensor a;
    torch::Tensor tau;  // [P] float64 delay, s
    // Our CIR format: per link a, τ, length, AoD/AoA, interaction points (vertices), faces,
    // materials, incidence angles and the R_⊥/R_∥ of each interaction (as c_te/c_tm).
    std::vector<rt::Paths> links;

    const rt::Paths& link(std::int64_t tx, std::int64_t rx) const {
        return links[static_cast<std::size_t>(tx * num_rx + rx)];
    }
};

// How the physics mode carries polarisation: Scalar multiplies Γ = R_∥cos²ψ + R_⊥sin²ψ
// (the paper's scalar model, the network's interface); Jones carries the field vector
// through every reflection as the physics tracer does (exact for any geometry).
enum class FresnelField { Scalar, Jones };

// One interaction model: the network, or exact Fresnel in the physics mode.
using InteractionFn = std::function<InteractionOutput(const InteractionInput&)>;

class Engine {
public:
    // Builds the scene tensors on `device`; evaluates each material's η at the frequency for
    // the Fresnel mode (throws Error as Material::properties does).
    Engine(const scene::Scene& scene, const EngineOptions& options, torch::Device device);

    // All Tx × Rx links at once; every transmitter launches rays_per_tx rays.
    EnginePaths trace(const std::vector<Vec3>& tx,
                      const std::vector<Vec3>& rx,
                      OutgoingRayNet& net) const;
    // The physics mode: exact Fresnel reflection (ITU-R P.2040 eqs. 31–34, ×√(1−S²) as the
    // physics tracer) and the specular outgoing angle θₒ = θᵢ; polarisation as `field` says.
    EnginePaths trace_fresnel(const std::vector<Vec3>& tx,
                              const std::vector<Vec3>& rx,
                              FresnelField field = FresnelField::Jones) const;
    // Any interaction model. With `jones`, the engine uses the model's R_∥ and R_⊥ on the
    // ray's field vector (FresnelField::Jones) and ignores its Γ; else it multiplies Γ.
    EnginePaths trace_with(const std::vector<Vec3>& tx,
                           const std::vector<Vec3>& rx,
                           const InteractionFn& interact,
                           bool jones = false) const;

    // Exact Fresnel for the given inputs (the physics mode's interaction).
    InteractionOutput fresnel(const InteractionInput& input) const;

    const SceneTensors& scene_tensors() const { return m_scene; }
    const EngineOptions& options() const { return m_options; }
    torch::Device device() const { return m_device; }

private:
    std::size_t m_num_materials = 0;
    EngineOptions m_options;
    torch::Device m_device;
    SceneTensors m_scene;
    torch::Tensor m_eta;       // [M] complex128 relative permittivity per material
    torch::Tensor m_specular;  // [M] float64 √(1 − S²) per material
};

}  // namespace radiofield::models::genert
