// NeRF2 as a train::Model: rays from the station over the spectrum grid, trained per scene.
//
// Where the time goes, and what we do about it (identical maths to the public code):
//  - The attenuation trunk (81% of the FLOPs) sees only the sample point, which depends on
//    (pixel, sample) and not on the moving end. A training batch evaluates it once per
//    distinct pixel (8192 rays over 32,400 pixels ≈ 7,240 distinct), and with near = 0 the
//    first sample (the station itself) once per batch; rows are gathered back per ray.
//  - γ(view) and γ(tx) are constant along a ray: signal layer 1's view/tx blocks run per ray
//    ([R, 126] GEMM), not per sample, and its feature block is composed with the (linear)
//    feature layer into one 256×256 matrix.
//  - predict caches the tx-independent part of every grid sample (cache_trunk); a spectrum
//    then costs one add+ReLU and the 256→128→2 signal head per sample.
//  - Every layer runs as one [rows, C] GEMM over all samples of all rays.
#include <ATen/Context.h>

#include <cmath>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/models/nerf2.hpp"
#include "radiofield/nn/encoding.hpp"

namespace radiofield::models {

NeRF2Model::NeRF2Model(NeRF2Config config) : m_config(std::move(config)), m_net(m_config) {}

void NeRF2Model::require_prepared(const char* what) const {
    if (!m_prepared)
        fail("nerf2 {}: the model has no station pose yet; call prepare() or load a trained run",
             what);
}

void NeRF2Model::set_pose(const data::SpectrumGrid& grid,
                          const Vec3& origin,
                          const Quat& orientation,
                          double near,
                          double far) {
    m_grid = grid;
    m_origin = origin;
    m_orientation = orientation;
    m_near = near;
    m_far = far;
    m_dirs = grid_directions(grid, orientation).to(m_device);  // [P, 3]
    m_origin_t = torch::tensor({origin.x, origin.y, origin.z}, torch::kFloat32).to(m_device);
    m_cache_pre = m_cache_w = torch::Tensor();
    m_prepared = true;
}

void NeRF2Model::prepare(const std::vector<train::SceneContext>& contexts, const train::DataList*) {
    if (contexts.empty())
        fail("nerf2: no training dataset to take the station pose from");
    const auto& first = contexts.front();
    Vec3 lo = first.lo, hi = first.hi;
    for (const auto& c : contexts)
        lo = min(lo, c.lo), hi = max(hi, c.hi);
    double far = m_config.far;
    if (far < 0) {
        far = norm(hi - lo);  // the diagonal of the positions and the station
        if (!(far > m_config.near)) {
            log::warn(
                "nerf2: the scene bounds are unknown; using NeRF2's RFID far = 5 m (set \"far\")");
            far = std::max(5.0, m_config.near + 1.0);
        }
    }
    set_pose(first.grid, first.station_position, first.station_orientation, m_config.near, far);
    m_data_key = nullptr;
}

void NeRF2Model::set_device(torch::Device device) {
    // As placed: "cuda" becomes "cuda:N", so tensors' devices compare equal to it.
    device = torch::empty({0}, torch::TensorOptions().device(device)).device();
    m_device = device;
    m_net->to(device);
    if (m_dirs.defined())
        m_dirs = m_dirs.to(device);
    if (m_origin_t.defined())
        m_origin_t = m_origin_t.to(device);
    m_data_key = nullptr;
    m_cache_pre = m_cache_w = torch::Tensor();
    if (device.is_cuda())
        at::globalContext().setAllowTF32CuBLAS(m_config.tf32);
}

torch::Tensor NeRF2Model::sample_t() const {  // [K]: linspace(0, 1, K)·(far − near) + near
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(m_device);
    return torch::linspace(0.0, 1.0, m_config.n_samples, opts) *
               static_cast<float>(m_far - m_near) +
           static_cast<float>(m_near);
}

std::pair<torch::Tensor, torch::Tensor> NeRF2Model::trunk_rows(
    const torch::Tensor& unique_pixels,                       // [U]
    const torch::Tensor& inverse) const {                     // [R]
    const auto kp = m_config.n_samples - 1;                   // K' samples used
    const auto t = sample_t().narrow(0, 0, kp);               // [K']
    const auto dirs = m_dirs.index_select(0, unique_pixels);  // [U, 3]
    const auto& origin = m_origin_t;                          // [3]
    const auto ar = [&](std::int64_t n) {
        return torch::arange(n, inverse.options()).unsqueeze(0);
    };
    torch::Tensor pts, rows;
    if (m_near == 0) {
        // Sample 0 is the station for every ray: one trunk row (row 0) serves them all.
        const auto rest =
            origin + dirs.unsqueeze(1) * t.narrow(0, 1, kp - 1).view({1, -1, 1});  // [U, K'−1, 3]
        pts = torch::cat({origin.unsqueeze(0), rest.reshape({-1, 3})});  // [1 + U(K'−1), 3]
        rows = torch::cat({torch::zeros({inverse.size(0), 1}, inverse.options()),
                           1 + inverse.unsqueeze(1) * (kp - 1) + ar(kp - 1)},
                          1);  // [R, K']
    } else {
        pts = (origin + dirs.unsqueeze(1) * t.view({1, -1, 1})).reshape({-1, 3});  // [U·K', 3]
        rows = inverse.unsqueeze(1) * kp + ar(kp);                                 // [R, K']
    }
    return {nn::positional_encoding(pts, m_config.freqs_pts), rows};  // [M, 63], [R, K']
}

torch::Tensor NeRF2Model::render_rays(const torch::Tensor& pixels,       // [R] int64, any device
                                      const torch::Tensor& positions) {  // [R, 3]
    require_prepared("render_rays");
    const std::int64_t r = pixels.size(0), kp = m_config.n_samples - 1, w = m_config.width;
    // Distinct pixels on the pixels' device (CPU in training: no device sync).
    const auto [unique_cpu, inverse_cpu, counts] = at::_unique2(pixels, true, true, false);
    const auto unique_pixels = unique_cpu.to(m_device), inverse = inverse_cpu.to(m_device);
    const auto [enc, rows] = trunk_rows(unique_pixels, inverse);  // [M, 63], [R, K']
    const auto [att, pre] = m_net->trunk(enc);                    // [M, 2], [M, W]
    const auto view =
        nn::positional_encoding(m_dirs.index_select(0, pixels.to(m_device)), m_config.freqs_view);
    const auto tx = nn::positional_encoding(positions.to(m_device), m_config.freqs_tx);  // [R, 63]
    const auto ray = m_net->view_term(view) + m_net->tx_term(tx);                        // [R, W]
    const auto flat = rows.flatten();                                                    // [R·K']
    const auto h =
        (pre.index_select(0, flat).view({r, kp, w}) + ray.unsqueeze(1)).relu_();  // [R, K', W]
    const auto sig = m_net->signal_head(h.view({r * kp, w})).view({r, kp, 2});
    const auto weights = render_weights(att.index_select(0, flat).view({r, kp, 2}), sample_t());
    return render_signal(sig, weights);  // [R]
}

torch::Tensor NeRF2Model::render_rays_reference(const torch::Tensor& pixels,
                                                const torch::Tensor& positions) {
    require_prepared("render_rays_reference");
    const auto t = sample_t();                                         // [K]
    const auto& origin = m_origin_t;                                   // [3]
    const auto dirs = m_dirs.index_select(0, pixels.to(m_device));     // [R, 3]
    const auto pts = origin + dirs.unsqueeze(1) * t.view({1, -1, 1});  // [R, K, 3]
    const auto raw =
        m_net->forward(pts, dirs.unsqueeze(1).expand_as(pts),
                       positions.to(m_device).unsqueeze(1).expand_as(pts));  // [R, K, 4]
    return render_reference(raw, t);
}

torch::Tensor NeRF2Model::training_loss(const train::DataList& data,
                                        const train::Phase&,
                                        torch::Generator& gen) {
    require_prepared("training_loss");
    const auto n_pix = static_cast<std::int64_t>(m_grid.size());
    if (m_data_key != static_cast<const void*>(data.data())) {  // keep the data on the device
        std::vector<torch::Tensor> spectra, positions;
        std::vector<std::int64_t> train;
        std::int64_t offset = 0;
        for (const auto& d : data) {
            if (!(d->context.grid == m_grid)) {
                fail("nerf2: '{}' has another spectrum grid than the prepared one", d->source());
            }
            spectra.push_back(d->spectra.reshape({d->size(), n_pix}));
            positions.push_back(d->positions);
            for (auto i : d->split.train)
                train.push_back(i + offset);
            offset += d->size();
        }
        if (train.empty())
            fail("nerf2: the training split is empty");
        m_spectra =
            (spectra.size() == 1 ? spectra[0] : torch::cat(spectra)).to(m_device, torch::kFloat32);
        m_positions = (positions.size() == 1 ? positions[0] : torch::cat(positions))
                          .to(m_device, torch::kFloat32);
        m_train = torch::tensor(train, torch::kLong);
        m_data_key = data.data();
    }
    // A batch uniform over (train sample, pixel), drawn on the generator's device.
    const auto b = m_config.batch;
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(gen.device());
    const auto pick = torch::randint(m_train.size(0), {b}, gen, opts).cpu();
    const auto sample = m_train.index_select(0, pick).to(m_device);
    const auto pixel = torch::randint(n_pix, {b}, gen, opts).cpu();
    const auto pred = render_rays(pixel, m_positions.index_select(0, sample));  // [B]
    const auto target = m_spectra.index({sample, pixel.to(m_device)});          // [B]
    m_cache_pre = m_cache_w = torch::Tensor();  // the weights are about to change
    return torch::mse_loss(pred, target);
}

}  // namespace radiofield::models
