// Splatting forward: closed forms for one Gaussian through each camera, the equirect seam and
// poles, SH against associated Legendre functions, compositing order and the top-Gaussian index.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numbers>

#include "radiofield/core/error.hpp"
#include "radiofield/splat/render.hpp"
#include "scenes.hpp"

namespace {

using namespace radiofield;
using radiofield::test::concat;
using radiofield::test::front_camera;
using radiofield::test::one_gaussian;

constexpr double kPi = std::numbers::pi;

TEST(Splat, PinholeIsotropicGaussianRendersTheClosedForm2dGaussian) {
    const auto cam = front_camera(64, 48, 100.0);  // principal point (32, 24)
    const double z = 5, s = 0.1, o = 0.8, dx = 0.2, dy = -0.1;
    const auto g = one_gaussian(dx, dy, z, s, o);
    const auto out = splat::render(g, cam, {.sh_degree = 0});
    ASSERT_EQ(out.image.sizes(), (std::vector<int64_t>{48, 64, 1}));
    // screen mean (fx·x/z + cx, fy·y/z + cy) = (36, 22); covariance J·s²I·Jᵀ + blur·I with
    // J = f/z·[[1, 0, −x/z], [0, 1, −y/z]]
    const double u = 100 * dx / z + 32, v = 100 * dy / z + 24;
    const double k = std::pow(100 * s / z, 2);
    const double suu = k * (1 + dx * dx / (z * z)) + 0.3, svv = k * (1 + dy * dy / (z * z)) + 0.3;
    const double suv = k * dx * dy / (z * z), det = suu * svv - suv * suv;
    const auto img = out.image.accessor<double, 3>();
    double worst = 0;
    for (int r = 0; r < 48; ++r) {
        for (int c = 0; c < 64; ++c) {
            const double du = c - u, dv = r - v;
            const double q = (svv * du * du - 2 * suv * du * dv + suu * dv * dv) / det;
            double alpha = o * std::exp(-0.5 * q);
            if (alpha < 1.0 / 255)
                alpha = 0;
            worst = std::max(worst, std::abs(img[r][c][0] - alpha));
        }
    }
    EXPECT_LT(worst, 1e-9);
    EXPECT_NEAR(img[22][36][0], o, 1e-12);  // peak alpha at the right pixel
    EXPECT_NEAR(out.transmittance[22][36].item<double>(), 1 - o, 1e-12);
    EXPECT_EQ(out.top_gaussian[22][36].item<int64_t>(), 0);
    EXPECT_EQ(out.top_gaussian[0][0].item<int64_t>(), -1);
}

TEST(Splat, PinholeCullsBehindTheNearPlaneAndOffScreen) {
    const auto cam = front_camera(32, 32, 50.0);
    const auto g = concat(one_gaussian(0, 0, -2, 0.1, 0.9), one_gaussian(100, 0, 2, 0.1, 0.9));
    const auto out = splat::render(g, cam, {.sh_degree = 0});
    EXPECT_EQ(out.radii.abs().sum().item<int64_t>(), 0);
    EXPECT_EQ(out.image.abs().max().item<double>(), 0);
    EXPECT_EQ(out.transmittance.min().item<double>(), 1);
}

TEST(Splat, QuaternionTurnsTheLongAxis) {
    const auto cam = front_camera(64, 64, 100.0);
    auto g = one_gaussian(0, 0, 5, 0.05, 0.9);
    g.log_scales = torch::tensor({std::log(0.5), std::log(0.05), std::log(0.05)}, torch::kFloat64)
                       .view({1, 3});
    const auto scales = g.log_scales.exp();
    // long along world x → along u; turned 90° about z → along world y, the v axis
    const auto along_u = splat::project(g.means, scales, g.quats, cam);
    const double h = std::sqrt(0.5);
    const auto turned = torch::tensor({h, 0.0, 0.0, h}, torch::kFloat64).view({1, 4});
    const auto along_v = splat::project(g.means, scales, turned, cam);
    const double long_var = std::pow(100 * 0.5 / 5, 2) + 0.3, short_var = std::pow(1.0, 2) + 0.3;
    EXPECT_NEAR(along_u.conics[0][0].item<double>(), 1 / long_var, 1e-9);
    EXPECT_NEAR(along_u.conics[0][2].item<double>(), 1 / short_var, 1e-9);
    EXPECT_NEAR(along_v.conics[0][0].item<double>(), 1 / short_var, 1e-9);
    EXPECT_NEAR(along_v.conics[0][2].item<double>(), 1 / long_var, 1e-9);
    EXPECT_GT(along_u.radii[0][0].item<int>(), along_u.radii[0][1].item<int>());
    EXPECT_LT(along_v.radii[0][0].item<int>(), along_v.radii[0][1].item<int>());
}

TEST(Splat, RejectsBadShapesTypesAndCameras) {
    const auto cam = front_camera(8, 8, 10.0);
    const auto m = torch::zeros({2, 3}), s = torch::ones({2, 3}), q = torch::zeros({2, 4});
    EXPECT_THROW(splat::project(torch::zeros({2, 2}), s, q, cam), Error);
    EXPECT_THROW(splat::project(m, s, torch::zeros({3, 4}), cam), Error);
    EXPECT_THROW(splat::project(m.to(torch::kFloat64), s, q, cam), Error);
    EXPECT_THROW(splat::project(m, s, q, front_camera(0, 8, 10.0)), Error);
    EXPECT_THROW(splat::PinholeCamera::look_at({0, 0, 0}, {0, 0, 1}, {0, 0, 2}, 60, 8, 8), Error);
    splat::EquirectCamera eq;
    eq.width = 400;  // 400 columns of 1° exceed 360°
    EXPECT_THROW(splat::project(m, s, q, eq), Error);
    const auto p = splat::project(m, s, q, cam);
    EXPECT_THROW(splat::rasterize(p.means2d, p.conics, torch::zeros({2, 17}), torch::ones({2}),
                                  p.radii, p.depths, cam),
                 Error);
    EXPECT_THROW(splat::rasterize(p.means2d, p.conics, torch::zeros({2, 3}), torch::ones({2}),
                                  p.radii, p.depths, cam, torch::zeros({2})),
                 Error);
}

TEST(Splat, EmptySceneRendersTheBackground) {
    splat::Gaussians g{torch::zeros({0, 3}), torch::zeros({0, 3}), torch::zeros({0, 4}),
                       torch::zeros({0}), torch::zeros({0, 1, 3})};
    const auto out = splat::render(g, front_camera(20, 10, 10.0),
                                   {.sh_degree = 0, .background = {0.25, 0.5, 1.0}});
    ASSERT_EQ(out.image.sizes(), (std::vector<int64_t>{10, 20, 3}));
    EXPECT_EQ(out.image[3][7][2].item<float>(), 1.0f);
    EXPECT_EQ(out.top_gaussian.max().item<int64_t>(), -1);
}

// A point at azimuth az, elevation el (degrees), distance d in the frame `rot` (local → world).
Vec3 direction_point(double az, double el, double d) {
    const double a = az * kPi / 180, e = el * kPi / 180;
    return {d * std::cos(e) * std::cos(a), d * std::cos(e) * std::sin(a), d * std::sin(e)};
}

TEST(Splat, EquirectGaussianLandsAtItsAzimuthAndElevationPixel) {
    // a station at (1, 2, 3) turned 30° about z: local azimuth = world azimuth − 30°
    const Vec3 station{1, 2, 3};
    const auto rot = rotation_zyx(30 * kPi / 180, 0, 0);
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, rot, station);
    const Vec3 p = station + rot * direction_point(100, 30, 10);  // local az 100°, el 30°
    const auto g = one_gaussian(p.x, p.y, p.z, 0.05, 0.9);
    const auto out = splat::render(g, cam, {.sh_degree = 0});
    ASSERT_EQ(out.image.sizes(), (std::vector<int64_t>{90, 360, 1}));
    // column c ↔ azimuth 1° + c, row r ↔ elevation 1° + r
    const auto arg = out.image.view(-1).argmax().item<int64_t>();
    EXPECT_EQ(arg / 360, 29);
    EXPECT_EQ(arg % 360, 99);
    const auto proj = splat::project(g.means, g.log_scales.exp(), g.quats, cam);
    EXPECT_NEAR(proj.means2d[0][0].item<double>(), 99, 1e-9);
    EXPECT_NEAR(proj.means2d[0][1].item<double>(), 29, 1e-9);
    EXPECT_NEAR(proj.depths[0].item<double>(), 10, 1e-9);
    EXPECT_NEAR(out.image[29][99][0].item<double>(), 0.9, 1e-9);
    // covariance: azimuth variance (s/(r·cos el))², elevation (s/r)² (in degrees²), + blur
    const double k = std::pow(0.05 / 10 * 180 / kPi, 2);
    const auto conic = proj.conics[0];
    EXPECT_NEAR(conic[0].item<double>(), 1 / (k / std::pow(std::cos(kPi / 6), 2) + 0.3), 1e-9);
    EXPECT_NEAR(conic[1].item<double>(), 0, 1e-9);
    EXPECT_NEAR(conic[2].item<double>(), 1 / (k + 0.3), 1e-9);
}

TEST(Splat, EquirectPixelsAreTheSpectrumGridsCells) {
    // a Gaussian along rt::SpectrumGrid::local_direction(row, col) projects onto (col, row)
    const rt::SpectrumGrid grid;
    const auto rot = rotation_zyx(-0.7, 0.2, 0.1);
    const Vec3 station{-2, 1, 0.5};
    const auto cam = splat::EquirectCamera::for_grid(grid, rot, station);
    std::vector<double> points;
    std::vector<std::pair<int, int>> cells{{0, 0}, {0, 359}, {45, 180}, {88, 3}, {10, 270}};
    for (const auto& [row, col] : cells) {
        const Vec3 p = station + rot * (grid.local_direction(row, col) * 7.0);
        points.insert(points.end(), {p.x, p.y, p.z});
    }
    const int64_t n = static_cast<int64_t>(cells.size());
    const auto means = torch::tensor(points, torch::kFloat64).view({n, 3});
    const auto quats = torch::tensor({1.0, 0.0, 0.0, 0.0}, torch::kFloat64).repeat({n, 1});
    const auto proj = splat::project(means, torch::full({n, 3}, 0.05, torch::kFloat64), quats, cam);
    for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(proj.means2d[i][0].item<double>(), cells[i].second, 1e-9) << i;
        EXPECT_NEAR(proj.means2d[i][1].item<double>(), cells[i].first, 1e-9) << i;
    }
}

TEST(Splat, EquirectPartialAzimuthRangeDoesNotWrap) {
    splat::EquirectCamera cam;  // azimuths −60°..59°, elevations −20°..19°
    cam.width = 120, cam.height = 40, cam.az0_deg = -60, cam.el0_deg = -20;
    ASSERT_FALSE(cam.wraps());
    const Vec3 front = direction_point(-30, 5, 4), back = direction_point(170, 5, 4);
    const auto g = concat(one_gaussian(front.x, front.y, front.z, 0.05, 0.9),
                          one_gaussian(back.x, back.y, back.z, 0.05, 0.9));
    const auto out = splat::render(g, cam, {.sh_degree = 0});
    const auto arg = out.image.view(-1).argmax().item<int64_t>();
    EXPECT_EQ(arg / 120, 25);
    EXPECT_EQ(arg % 120, 30);
    EXPECT_GT(out.radii[0][0].item<int>(), 0);
    EXPECT_EQ(out.radii[1][0].item<int>(), 0);  // behind the screen's azimuth range: culled
    EXPECT_EQ(out.image.select(1, 0).abs().max().item<double>(), 0);
}

TEST(Splat, EquirectGaussianAcrossAzimuthZeroLightsBothEdgesContinuously) {
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    // azimuth 0.5°: half-way between column 359 (360°) and column 0 (1°)
    const Vec3 p = direction_point(0.5, 20, 5);
    const auto g = one_gaussian(p.x, p.y, p.z, 0.15, 0.9);
    const auto out = splat::render(g, cam, {.sh_degree = 0});
    const auto row = out.image.select(0, 19).select(1, 0);  // elevation 20°
    EXPECT_GT(row[0].item<double>(), 0.5);
    EXPECT_GT(row[359].item<double>(), 0.5);
    for (int j = 0; j < 6; ++j) {  // mirror-symmetric about the seam
        EXPECT_NEAR(row[j].item<double>(), row[359 - j].item<double>(), 1e-9) << j;
    }
    EXPECT_GT(row[3].item<double>(), 0.01);
    EXPECT_LT(row[180].item<double>(), 1e-12);
    // the same Gaussian moved 20° away from the seam draws the same profile
    const Vec3 q = direction_point(20.5, 20, 5);
    const auto moved = splat::render(one_gaussian(q.x, q.y, q.z, 0.15, 0.9), cam, {.sh_degree = 0});
    const auto mrow = moved.image.select(0, 19).select(1, 0);
    for (int j = -6; j < 6; ++j) {
        EXPECT_NEAR(row[(j + 360) % 360].item<double>(), mrow[j + 20].item<double>(), 1e-6) << j;
    }
}

TEST(Splat, EquirectGaussiansAtAndNearThePolesStayFinite) {
    const auto cam = splat::EquirectCamera::for_grid(rt::SpectrumGrid{}, Mat3{}, Vec3{});
    for (const double off : {0.0, 1e-9, 1e-4, 0.05}) {
        auto g = concat(one_gaussian(off, 0, 10, 0.1, 0.9), one_gaussian(0, off, -10, 0.1, 0.9));
        g.means.requires_grad_(true), g.log_scales.requires_grad_(true);
        g.quats.requires_grad_(true), g.sh.requires_grad_(true);
        const auto out = splat::render(g, cam, {.sh_degree = 3});
        ASSERT_TRUE(torch::isfinite(out.image).all().item<bool>()) << off;
        out.image.sum().backward();
        for (const auto& t : {g.means, g.log_scales, g.quats, g.sh}) {
            ASSERT_TRUE(torch::isfinite(t.grad()).all().item<bool>()) << off;
        }
        // the zenith Gaussian widens over every azimuth of the top row (elevation 90°)
        const auto top_row = out.image.select(0, 89).select(1, 0);
        EXPECT_GT(top_row.min().item<double>(), 0) << off;
        EXPECT_GT(top_row.max().item<double>(), 0.8) << off;
    }
}

// Real SH with 3DGS's signs: (−1)^m · √2 K_l|m| P_l^|m|(cos θ) · (cos mφ | sin |m|φ), P without
// the Condon–Shortley phase (std::assoc_legendre).
double real_sh(int l, int m, double theta, double phi) {
    const int am = std::abs(m);
    double k =
        std::sqrt((2 * l + 1) / (4 * kPi) * std::tgamma(l - am + 1) / std::tgamma(l + am + 1));
    const double p = std::assoc_legendre(l, am, std::cos(theta));
    if (m == 0)
        return k * p;
    const double sign = (am % 2) ? -1.0 : 1.0;
    return sign * std::sqrt(2.0) * k * p * (m > 0 ? std::cos(am * phi) : std::sin(am * phi));
}

TEST(Splat, ShDegreesZeroToThreeMatchTheLegendreReference) {
    torch::manual_seed(3);
    const auto dirs =
        torch::nn::functional::normalize(torch::randn({50, 3}, torch::kFloat64),
                                         torch::nn::functional::NormalizeFuncOptions().dim(1));
    for (int degree = 0; degree <= 3; ++degree) {
        for (int l = 0; l <= degree; ++l) {
            for (int m = -l; m <= l; ++m) {
                auto sh = torch::zeros({50, 16, 2}, torch::kFloat64);
                sh.select(1, l * l + l + m).select(1, 1).fill_(1);  // channel 1 only
                const auto got = splat::eval_sh(sh, dirs, degree);
                ASSERT_EQ(got.sizes(), (std::vector<int64_t>{50, 2}));
                for (int i = 0; i < 50; ++i) {
                    const double x = dirs[i][0].item<double>(), y = dirs[i][1].item<double>(),
                                 z = dirs[i][2].item<double>();
                    const double want = real_sh(l, m, std::acos(z), std::atan2(y, x));
                    EXPECT_NEAR(got[i][1].item<double>(), want, 1e-12) << l << " " << m;
                    EXPECT_EQ(got[i][0].item<double>(), 0);
                }
            }
        }
    }
    EXPECT_THROW(splat::eval_sh(torch::zeros({1, 4, 1}), torch::zeros({1, 3}), 2), Error);
}

TEST(Splat, NearGaussianOccludesFarOneWhateverTheirOrder) {
    const auto cam = front_camera(32, 32, 60.0);
    // far one first in the tensors: blue-ish [0, 1]; near: [1, 0]
    auto far = one_gaussian(0, 0, 8, 0.3, 0.9, 2, 0), near = one_gaussian(0, 0, 3, 0.1, 0.6, 2, 0);
    far.sh[0][0][1] = 0.5 / 0.28209479177387814;   // far colour (0, 1)
    near.sh[0][0][0] = 0.5 / 0.28209479177387814;  // near colour (1, 0)
    const auto out = splat::render(concat(far, near), cam, {.sh_degree = 0});
    const auto px = out.image[16][16];
    // centre pixel: α_near = 0.6 in front, then α_far = 0.9 behind it
    EXPECT_NEAR(px[0].item<double>(), 0.6, 1e-9);
    EXPECT_NEAR(px[1].item<double>(), 0.4 * 0.9, 1e-9);
    EXPECT_NEAR(out.transmittance[16][16].item<double>(), 0.4 * 0.1, 1e-9);
    // top contributor: near (α T = 0.6) over far (0.36)
    EXPECT_EQ(out.top_gaussian[16][16].item<int64_t>(), 1);
}

TEST(Splat, TopGaussianIsTheLargestAlphaTimesTransmittance) {
    const auto cam = front_camera(32, 32, 60.0);
    const auto far = one_gaussian(0, 0, 8, 0.3, 0.9), near = one_gaussian(0, 0, 3, 0.1, 0.3);
    const auto out = splat::render(concat(far, near), cam, {.sh_degree = 0});
    // centre: near 0.3, far 0.7 · 0.9 = 0.63 → far (id 0); far from the centre only far is drawn
    EXPECT_EQ(out.top_gaussian[16][16].item<int64_t>(), 0);
    EXPECT_NEAR(out.image[16][16][0].item<double>(), 0.3 + 0.63, 1e-9);
    EXPECT_EQ(out.top_gaussian[16][22].item<int64_t>(), 0);
    EXPECT_EQ(out.top_gaussian.dtype(), torch::kInt64);
}

}  // namespace
