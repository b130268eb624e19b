// GeNeRT's ray-launching engine (include/radiofield/models/genert.hpp; paper §II-B, §II-C).
#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <numbers>
#include <tuple>

#include "radiofield/core/error.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/models/genert.hpp"

namespace radiofield::models::genert {
namespace {

using cdouble = std::complex<double>;

torch::Tensor dot3(const torch::Tensor& a, const torch::Tensor& b) {  // [.., 3] → [..]
    return (a * b).sum(-1);
}

torch::Tensor unit_or(const torch::Tensor& v, const torch::Tensor& fallback) {  // [R, 3]
    const auto n = v.norm(2, 1, true);
    return torch::where(n > 1e-9, v / n.clamp_min(1e-30), fallback);
}

torch::Tensor positions(const std::vector<Vec3>& p, torch::ScalarType dtype, torch::Device dev) {
    std::vector<double> flat;
    for (const auto& v : p)
        flat.insert(flat.end(), {v.x, v.y, v.z});
    return torch::tensor(flat, torch::kFloat64)
        .reshape({static_cast<std::int64_t>(p.size()), 3})
        .to(dev, dtype);
}

// Unit reference polarisation of rays along `d` [R, 3]: θ̂ (V) or φ̂ (H) of the direction; at
// the poles φ̂ falls back to ŷ.
torch::Tensor reference_polarisation(const torch::Tensor& d, ReferencePolarisation pol) {
    const auto up = torch::zeros_like(d);
    up.select(1, 2).fill_(1);
    const auto side = torch::zeros_like(d);
    side.select(1, 1).fill_(1);
    const auto phi_hat = unit_or(torch::cross(up, d, 1), side);
    return pol == ReferencePolarisation::V ? torch::cross(phi_hat, d, 1) : phi_hat;
}

torch::Tensor cdot(const torch::Tensor& field, const torch::Tensor& v) {  // [R,3]c·[R,3] → [R]
    return (field * v).sum(1);
}

torch::ScalarType complex_of(torch::ScalarType real) {
    return real == torch::kFloat64 ? torch::kComplexDouble : torch::kComplexFloat;
}

// The state of the rays still alive (R of them) after `depth` interactions; K = max depth.
struct RayState {
    torch::Tensor origin, dir;    // [R, 3] current segment
    torch::Tensor tx;             // [R] int64 transmitter index
    torch::Tensor cumulative;     // [R] complex ΠΓ so far (differentiable)
    torch::Tensor length;         // [R] unfolded length up to `origin`
    torch::Tensor last;           // [R] int64 face the ray leaves from (−1 at the Tx)
    torch::Tensor faces;          // [R, K] int64 faces hit so far
    torch::Tensor points;         // [R, K, 3] interaction points
    torch::Tensor theta;          // [R, K] incidence angles
    torch::Tensor r_par, r_perp;  // [R, K] complex128 per-interaction R_∥, R_⊥ (records)
    torch::Tensor field;          // [R, 3] complex polarisation vector (Jones mode only)

    RayState select(const torch::Tensor& idx) const {
        return {origin.index_select(0, idx), dir.index_select(0, idx),
                tx.index_select(0, idx),     cumulative.index_select(0, idx),
                length.index_select(0, idx), last.index_select(0, idx),
                faces.index_select(0, idx),  points.index_select(0, idx),
                theta.index_select(0, idx),  r_par.index_select(0, idx),
                r_perp.index_select(0, idx), field.defined() ? field.index_select(0, idx) : field};
    }
    std::int64_t size() const { return origin.size(0); }
};

// A ray that passed through a reception sphere, before de-duplication.
struct Candidate {
    std::int64_t tx = 0, rx = 0;
    int depth = 0;
    double score = 0;  // miss distance / sphere radius
    std::vector<std::int64_t> faces;
    std::vector<Vec3> points;
    std::vector<double> theta;
    std::vector<cdouble> r_par, r_perp;
};

// Rays of `state` whose current segment [0, t) passes within the reception sphere of an Rx.
// Appends their records to `out` and their cumulative coefficients to `cumulative`.
void receive(const RayState& state,
             const torch::Tensor& t,   // [R] segment ends (+inf: the ray leaves the scene)
             const torch::Tensor& rx,  // [Q, 3]
             int depth,
             ReferencePolarisation polarisation,
             double radius_per_length,
             double t_min,
             std::int64_t pairs_per_chunk,
             std::vector<Candidate>& out,
             std::vector<torch::Tensor>& cumulative) {
    const auto r = state.size(), q = rx.size(0);
    if (r == 0 || q == 0)
        return;
    const auto chunk = std::max<std::int64_t>(1, pairs_per_chunk / q);
    std::vector<torch::Tensor> rows, rxs, scores;
    {
        torch::NoGradGuard no_grad;
        for (std::int64_t b = 0; b < r; b += chunk) {
            const auto e = std::min(r, b + chunk);
            const auto o = state.origin.slice(0, b, e).unsqueeze(1);                // [C, 1, 3]
            const auto d = state.dir.slice(0, b, e).unsqueeze(1);                   // [C, 1, 3]
            const auto w = rx.unsqueeze(0) - o;                                     // [C, Q, 3]
            const auto s = dot3(w, d);                                              // [C, Q]
            const auto miss2 = torch::cross(w, d.expand_as(w), 2).square().sum(2);  // [C, Q]
            const auto radius = radius_per_length * (state.length.slice(0, b, e).unsqueeze(1) + s);
            const auto ok =
                (s > t_min) & (s < t.slice(0, b, e).unsqueeze(1)) & (miss2 <= radius * radius);
            const auto idx = ok.nonzero();  // [n, 2]
            if (idx.size(0) == 0)
                continue;
            const auto i = idx.select(1, 0), j = idx.select(1, 1);
            rows.push_back(i + b);
            rxs.push_back(j);
            scores.push_back((miss2.index({i, j}).sqrt() / radius.index({i, j})));
        }
    }
    if (rows.empty())
        return;
    const auto row = torch::cat(rows);
    // The receiver reads the field in the basis of the arrival direction û_r = −k̂ (Sionna's
    // convention, as the physics tracer): θ̂(−k̂) = θ̂(k̂) but φ̂(−k̂) = −φ̂(k̂).
    const auto k = state.dir.index_select(0, row);
    const auto basis =
        dot3(reference_polarisation(k, polarisation), reference_polarisation(-k, polarisation));
    cumulative.push_back(state.cumulative.index_select(0, row) * basis);
    const auto cpu = [&](const torch::Tensor& x) { return x.index_select(0, row).to(torch::kCPU); };
    const auto rx_h = torch::cat(rxs).to(torch::kCPU);
    const auto score_h = torch::cat(scores).to(torch::kCPU, torch::kFloat64);
    const auto tx_h = cpu(state.tx);
    const auto faces_h = cpu(state.faces);
    const auto points_h = cpu(state.points).to(torch::kFloat64);
    const auto theta_h = cpu(state.theta).to(torch::kFloat64);
    const auto par_h = cpu(state.r_par), perp_h = cpu(state.r_perp);
    const auto rx_a = rx_h.accessor<std::int64_t, 1>();
    const auto score_a = score_h.accessor<double, 1>();
    const auto tx_a = tx_h.accessor<std::int64_t, 1>();
    const auto faces_a = faces_h.accessor<std::int64_t, 2>();
    const auto points_a = points_h.accessor<double, 3>();
    const auto theta_a = theta_h.accessor<double, 2>();
    const auto par_a = par_h.accessor<c10::complex<double>, 2>();
    const auto perp_a = perp_h.accessor<c10::complex<double>, 2>();
    for (std::int64_t k = 0; k < row.size(0); ++k) {
        Candidate c;
        c.tx = tx_a[k];
        c.rx = rx_a[k];
        c.depth = depth;
        c.score = score_a[k];
        for (int m = 0; m < depth; ++m) {
            c.faces.push_back(faces_a[k][m]);
            c.points.push_back({points_a[k][m][0], points_a[k][m][1], points_a[k][m][2]});
            c.theta.push_back(theta_a[k][m]);
            c.r_par.emplace_back(par_a[k][m].real(), par_a[k][m].imag());
            c.r_perp.emplace_back(perp_a[k][m].real(), perp_a[k][m].imag());
        }
        out.push_back(std::move(c));
    }
}

std::pair<double, double> zenith_azimuth(const Vec3& u) {
    return {std::acos(std::clamp(u.z, -1.0, 1.0)), std::atan2(u.y, u.x)};
}

}  // namespace

ReferencePolarisation parse_reference_polarisation(std::string_view name) {
    if (name == "V" || name == "v")
        return ReferencePolarisation::V;
    if (name == "H" || name == "h")
        return ReferencePolarisation::H;
    fail("polarisation '{}' is not valid; use V or H (the data's simulate --polarization)", name);
}

torch::Tensor polarisation_offset(const torch::Tensor& d,
                                  const torch::Tensor& n_in,
                                  ReferencePolarisation polarisation) {
    const auto ref = reference_polarisation(d, polarisation);
    const auto e_perp_raw = torch::cross(d, n_in, 1);
    // At normal incidence the plane of incidence is any: ψ = 0.
    const auto e_perp = unit_or(e_perp_raw, torch::cross(ref, d, 1));
    const auto e_par = torch::cross(e_perp, d, 1);
    return torch::where(e_perp_raw.norm(2, 1) > 1e-9, dot3(ref, e_par).abs().clamp(0, 1).acos(),
                        torch::zeros_like(d.select(1, 0)));
}

void EngineOptions::validate() const {
    if (!(frequency_hz > 0))
        fail("GeNeRT engine: frequency_hz = {} must be positive", frequency_hz);
    if (rays_per_tx < 1)
        fail("GeNeRT engine: rays_per_tx = {} must be at least 1", rays_per_tx);
    if (max_interactions < 0 || max_interactions > 16)
        fail("GeNeRT engine: max_interactions = {} must be in [0, 16]", max_interactions);
    if (!(reception_scale > 0))
        fail("GeNeRT engine: reception_scale = {} must be positive", reception_scale);
    if (geometry_dtype != torch::kFloat32 && geometry_dtype != torch::kFloat64)
        fail("GeNeRT engine: geometry_dtype must be float32 or float64");
    if (pairs_per_chunk < 1)
        fail("GeNeRT engine: pairs_per_chunk = {} must be at least 1", pairs_per_chunk);
}

Engine::Engine(const scene::Scene& scene, const EngineOptions& options, torch::Device device)
    : m_num_materials(scene.materials.size()), m_options(options), m_device(device) {
    m_options.validate();
    scene.validate();
    m_scene = SceneTensors::from(scene, options.geometry_dtype, device);
    std::vector<double> eta, specular;
    for (const auto& m : scene.materials) {
        const auto props = m.properties(options.frequency_hz, options.extrapolation);
        eta.insert(eta.end(), {props.eta.real(), props.eta.imag()});
        const double s = std::clamp(m.scattering_coefficient, 0.0, 1.0);
        specular.push_back(std::sqrt(1 - s * s));
    }
    const auto m = static_cast<std::int64_t>(scene.materials.size());
    m_eta = torch::view_as_complex(torch::tensor(eta, torch::kFloat64).reshape({m, 2})).to(device);
    m_specular = torch::tensor(specular, torch::kFloat64).to(device);
}

InteractionOutput Engine::fresnel(const InteractionInput& in) const {
    // ITU-R P.2040 eqs. 31–34 with A = √(η − sin²θ), as rt::fresnel_interface, per face class.
    const auto classes = in.classes.to(m_device, torch::kInt64);
    const auto eta = m_eta.index_select(0, classes);              // [N] complex128
    const auto theta = in.theta_i.to(m_device, torch::kFloat64);  // [N]
    const auto c = theta.cos(), s = theta.sin();
    const auto a = (eta - s * s).sqrt();
    const auto keep = m_specular.index_select(0, classes);  // √(1 − S²), as the tracer
    InteractionOutput out;
    out.r_perp = (c - a) / (c + a) * keep;
    out.r_par = (eta * c - a) / (eta * c + a) * keep;
    const auto cp = in.psi.to(m_device, torch::kFloat64).cos().square();
    out.coefficient = out.r_par * cp + out.r_perp * (1 - cp);
    out.outgoing = torch::stack({c, s}, 1);  // specular: θₒ = θᵢ
    return out;
}

EnginePaths Engine::trace(const std::vector<Vec3>& tx,
                          const std::vector<Vec3>& rx,
                          OutgoingRayNet& net) const {
    if (static_cast<std::int64_t>(m_num_materials) > net->config().num_classes)
        fail(
            "GeNeRT engine: the scene has {} materials but the network only {} classes; "
            "build the network with num_classes ≥ {}",
            m_num_materials, net->config().num_classes, m_num_materials);
    return trace_with(tx, rx, [&net](const InteractionInput& in) { return net->forward(in); });
}

EnginePaths Engine::trace_fresnel(const std::vector<Vec3>& tx,
                                  const std::vector<Vec3>& rx,
                                  FresnelField field) const {
    return trace_with(
        tx, rx, [this](const InteractionInput& in) { return fresnel(in); },
        field == FresnelField::Jones);
}

EnginePaths Engine::trace_with(const std::vector<Vec3>& tx_pos,
                               const std::vector<Vec3>& rx_pos,
                               const InteractionFn& interact,
                               bool jones) const {
    const auto& o = m_options;
    const auto real = o.geometry_dtype;
    const auto cplx = complex_of(real);
    const auto fopts = torch::TensorOptions().dtype(real).device(m_device);
    const auto iopts = torch::TensorOptions().dtype(torch::kInt64).device(m_device);
    const auto n_tx = static_cast<std::int64_t>(tx_pos.size());
    const auto n_rx = static_cast<std::int64_t>(rx_pos.size());
    const int max_k = o.max_interactions;
    const double eps = (real == torch::kFloat64 ? 1e-9 : 1e-5) * m_scene.extent;
    // Hexagonal lattice of N points on 4π sr: spacing a = √(8π/(√3 N)); covering radius a/√3.
    const double spacing =
        std::sqrt(8 * std::numbers::pi / (std::sqrt(3.0) * static_cast<double>(o.rays_per_tx)));
    const double radius_per_length = o.reception_scale * spacing / std::sqrt(3.0);
    const double power_floor = std::pow(10.0, o.min_power_db / 10);

    // Launch (paper §II-B1): every Tx, the same lattice.
    const auto rx = positions(rx_pos, real, m_device);
    const auto lattice = nn::fibonacci_sphere(o.rays_per_tx, real, m_device);  // [N, 3]
    RayState state;
    state.tx = torch::arange(n_tx, iopts).repeat_interleave(o.rays_per_tx);
    const auto r = state.tx.size(0);
    state.origin = positions(tx_pos, real, m_device).index_select(0, state.tx);
    state.dir = lattice.repeat({n_tx, 1});
    state.cumulative = torch::ones({r}, fopts.dtype(cplx));
    state.length = torch::zeros({r}, fopts);
    state.last = torch::full({r}, -1, iopts);
    state.faces = torch::full({r, max_k}, -1, iopts);
    state.points = torch::zeros({r, max_k, 3}, fopts);
    state.theta = torch::zeros({r, max_k}, fopts);
    state.r_par = torch::zeros({r, max_k}, fopts.dtype(torch::kComplexDouble));
    state.r_perp = torch::zeros({r, max_k}, fopts.dtype(torch::kComplexDouble));

    nn::IntersectOptions isect;
    isect.t_min = eps;
    std::vector<Candidate> candidates;
    std::vector<torch::Tensor> cumulative;  // per receive() call, rows in candidate order
    if (jones)
        state.field = reference_polarisation(state.dir, o.polarisation).to(cplx);
    for (int depth = 0; depth <= max_k && state.size() > 0; ++depth) {
        const auto hit =
            nn::intersect_nearest(state.origin, state.dir, m_scene.tris, isect, state.last);
        receive(state, hit.t, rx, depth, o.polarisation, radius_per_length, eps, o.pairs_per_chunk,
                candidates, cumulative);
        if (depth == max_k)
            break;
        // Rays that leave the scene end here (scene bounds); the others interact.
        const auto alive = hit.hit.nonzero().squeeze(1);
        if (alive.numel() == 0)
            break;
        auto next = state.select(alive);
        const auto t = hit.t.index_select(0, alive);
        const auto face = hit.face.index_select(0, alive);
        const auto d = next.dir;
        const auto p = next.origin + d * t.unsqueeze(1);
        const auto n = m_scene.normals.index_select(0, face);
        const auto n_in = torch::where((dot3(d, n) > 0).unsqueeze(1), -n, n);  // incoming side
        const auto cos_i = (-dot3(d, n_in)).clamp(0, 1);
        const auto sin_i = (1 - cos_i * cos_i).clamp_min(0).sqrt();
        const auto tangent = unit_or(d + cos_i.unsqueeze(1) * n_in, torch::zeros_like(d));
        // ψ (paper eq. 8): angle between the reference polarisation of the incoming ray
        // (θ̂ or φ̂ of its direction) and the plane of incidence (ê_∥ = ê_⊥ × k̂).
        const auto ref = reference_polarisation(d, o.polarisation);
        const auto e_perp_raw = torch::cross(d, n_in, 1);
        // At normal incidence the plane of incidence is any: take ê_⊥ along the reference.
        const auto e_perp = unit_or(e_perp_raw, torch::cross(ref, d, 1));
        const auto e_par = torch::cross(e_perp, d, 1);
        const auto psi = polarisation_offset(d, n_in, o.polarisation);

        const auto theta_i = torch::atan2(sin_i, cos_i);
        const auto out = interact(
            {theta_i, m_scene.classes.index_select(0, face), psi, next.cumulative, d, n_in, face});
        if (out.direction.defined()) {  // absolute outgoing direction (WiNeRT)
            next.dir = unit_or(out.direction.detach().to(m_device, real), n_in);
        } else {
            const auto outgoing = out.outgoing.detach().to(m_device, real);  // (cos θₒ, sin θₒ)
            next.dir = unit_or(outgoing.select(1, 1).unsqueeze(1) * tangent +
                                   outgoing.select(1, 0).unsqueeze(1) * n_in,
                               n_in);
        }
        if (jones) {
            // Polarimetric field (the physics tracer's Jones calculus, Sionna's TE/TM bases):
            // E′ = R_⊥(E·ê_⊥)ê_⊥ + R_∥(E·ê_∥ᵢ)ê_∥ₒ, ê_∥ = ê_⊥ × k̂ on each side; the cumulative
            // coefficient is then E′'s component along the outgoing ray's reference.
            const auto e_par_out = torch::cross(e_perp, next.dir, 1);
            const auto perp = out.r_perp.to(m_device, cplx) * cdot(next.field, e_perp);
            const auto par = out.r_par.to(m_device, cplx) * cdot(next.field, e_par);
            next.field = perp.unsqueeze(1) * e_perp + par.unsqueeze(1) * e_par_out;
            next.cumulative = cdot(next.field, reference_polarisation(next.dir, o.polarisation));
        } else {
            next.cumulative = next.cumulative * out.coefficient.to(m_device, cplx);
        }
        next.length = next.length + t;
        next.origin = p;
        next.last = face;
        next.faces = next.faces.clone();
        next.faces.select(1, depth).copy_(face);
        next.points = next.points.clone();
        next.points.select(1, depth).copy_(p);
        next.theta = next.theta.clone();
        next.theta.select(1, depth).copy_(theta_i);
        next.r_par = next.r_par.clone();
        next.r_par.select(1, depth).copy_(out.r_par.detach().to(m_device, torch::kComplexDouble));
        next.r_perp = next.r_perp.clone();
        next.r_perp.select(1, depth).copy_(out.r_perp.detach().to(m_device, torch::kComplexDouble));
        // Power threshold on the interaction loss.
        const auto power =
            jones ? next.field.abs().square().sum(1) : next.cumulative.abs().square();
        const auto strong = (power.detach() >= power_floor).nonzero().squeeze(1);
        state = next.select(strong);
    }

    // De-duplicate: one path per (Tx, Rx, sequence of reflecting patches), the ray that
    // passed closest to the receiver (relative to its sphere) wins; ties to the first found.
    using Key = std::tuple<std::int64_t, std::int64_t, int, std::vector<std::int64_t>>;
    std::map<Key, std::size_t> best;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        std::vector<std::int64_t> planes;
        for (auto f : c.faces)
            planes.push_back(m_scene.plane[static_cast<std::size_t>(f)]);
        const Key key{c.tx, c.rx, c.depth, std::move(planes)};
        const auto it = best.find(key);
        if (it == best.end())
            best.emplace(key, i);
        else if (c.score < candidates[it->second].score)
            it->second = i;
    }

    // Map order is (tx, rx, depth, patches): the output order, link by link.
    EnginePaths result;
    result.num_tx = n_tx;
    result.num_rx = n_rx;
    result.links.resize(static_cast<std::size_t>(n_tx * n_rx));
    for (std::int64_t i = 0; i < n_tx; ++i)
        for (std::int64_t j = 0; j < n_rx; ++j) {
            auto& link = result.links[static_cast<std::size_t>(i * n_rx + j)];
            link.frequency_hz = o.frequency_hz;
            link.tx_position = tx_pos[i];
            link.rx_position = rx_pos[j];
        }
    std::vector<std::int64_t> chosen, link_of;
    std::vector<double> lengths;
    for (const auto& [key, index] : best) {
        const auto& c = candidates[index];
        const Vec3& a = tx_pos[c.tx];
        const Vec3& b = rx_pos[c.rx];
        // The path runs through the exact Rx: the last leg joins the last interaction point
        // to the receiver (no image-method correction, as in the paper).
        double length = 0;
        Vec3 prev = a;
        for (const auto& p : c.points) {
            length += norm(p - prev);
            prev = p;
        }
        length += norm(b - prev);
        rt::Path path;
        path.length = length;
        path.tau = length / kSpeedOfLight;
        const Vec3 first = c.points.empty() ? b : c.points.front();
        std::tie(path.theta_t, path.phi_t) = zenith_azimuth(normalize(first - a));
        std::tie(path.theta_r, path.phi_r) = zenith_azimuth(normalize(prev - b));
        for (std::size_t m = 0; m < c.points.size(); ++m) {
            const auto f = static_cast<std::size_t>(c.faces[m]);
            rt::Interaction it;
            it.type = rt::InteractionType::Specular;
            it.point = c.points[m];
            it.object = m_scene.object[f];
            it.primitive = m_scene.primitive[f];
            it.material = m_scene.material[f];
            it.incidence_angle = c.theta[m];
            it.c_te = c.r_perp[m];
            it.c_tm = c.r_par[m];
            path.interactions.push_back(it);
        }
        const auto l = c.tx * n_rx + c.rx;
        result.links[static_cast<std::size_t>(l)].paths.push_back(std::move(path));
        chosen.push_back(static_cast<std::int64_t>(index));
        link_of.push_back(l);
        lengths.push_back(length);
    }
    result.offset.assign(static_cast<std::size_t>(n_tx * n_rx + 1), 0);
    for (auto l : link_of)
        ++result.offset[static_cast<std::size_t>(l + 1)];
    for (std::size_t l = 1; l < result.offset.size(); ++l)
        result.offset[l] += result.offset[l - 1];

    // Coefficients (paper eq. 2 without the propagation phase, Sionna's convention):
    // a = (λ/4π)·(1/L)·ΠΓ, differentiable through ΠΓ.
    const double lambda = kSpeedOfLight / o.frequency_hz;
    const auto length_t = torch::tensor(lengths, torch::kFloat64);
    result.tau = length_t / kSpeedOfLight;
    if (chosen.empty()) {
        result.a = torch::zeros({0}, fopts.dtype(cplx));
        return result;
    }
    const auto all = torch::cat(cumulative);
    const auto idx = torch::tensor(chosen, torch::kInt64).to(m_device);
    result.a =
        all.index_select(0, idx) * (lambda / (4 * std::numbers::pi) / length_t).to(m_device, real);
    const auto a_host = result.a.detach().to(torch::kCPU, torch::kComplexDouble);
    std::size_t k = 0;
    for (auto& link : result.links)
        for (auto& path : link.paths) {
            const auto v = a_host[static_cast<std::int64_t>(k++)].item<c10::complex<double>>();
            path.a[0] = {v.real(), v.imag()};
        }
    return result;
}

}  // namespace radiofield::models::genert
