// Our spectra against spectra formed from Sionna RT's paths: at each receiver of a Sionna
// reference, the Bartlett power spectrum (bartlett_power convention) of our traced paths
// equals the one scripts/sionna_spectra.py formed with numpy from Sionna's paths
// (tests/rt/data/sionna/<scene>_spectra.json) to ≥ 60 dB PSNR after min–max normalisation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "radiofield/rt/spectrum.hpp"
#include "radiofield/rt/tracer.hpp"
#include "radiofield/scene/scene_io.hpp"
#include "sionna_reference.hpp"

namespace radiofield::rt {
namespace {

std::vector<double> minmax(const std::vector<double>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        out[i] = *hi > *lo ? (v[i] - *lo) / (*hi - *lo) : 0.0;
    return out;
}

double psnr(const std::vector<double>& a, const std::vector<double>& b) {
    double mse = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        mse += (a[i] - b[i]) * (a[i] - b[i]);
    mse /= static_cast<double>(a.size());
    return mse > 0 ? -10 * std::log10(mse) : 200.0;  // data range 1
}

// The mean PSNR over the scene's receivers.
double mean_psnr(const std::string& name) {
    const auto ref = test::read_sionna(name + "_spectra");
    const auto paths_ref = test::read_sionna(name);
    const scene::Scene s =
        scene::load_mitsuba_scene(test::sionna_dir() / paths_ref.at("scene").get<std::string>());
    const double f = ref.at("frequency_hz").get<double>();
    const Tracer tracer(s, f);
    const auto options = test::sionna_options(paths_ref.at("max_depth").get<int>());
    const auto& g = ref.at("grid");
    SpectrumGrid grid;
    grid.n_el = g.at("n_el").get<int>(), grid.n_az = g.at("n_az").get<int>();
    grid.el0_deg = g.at("el0_deg").get<double>(), grid.az0_deg = g.at("az0_deg").get<double>();
    grid.step_deg = g.at("step_deg").get<double>();
    const BartlettBeamformer beamformer(grid, VirtualArray{4, 4, 0.0}, f);  // λ/2, as the script
    double sum = 0;
    int count = 0;
    for (const auto& pair : ref.at("pairs")) {
        const Paths ours = tracer.compute(test::iso_v(test::vec3(pair.at("tx"))),
                                          test::iso_v(test::vec3(pair.at("rx"))), options);
        const auto spectrum = beamformer.spectrum(ours, Mat3{}, 0, 0, StationSide::Receiver);
        const std::vector<double> mine(spectrum.begin(), spectrum.end());
        const auto theirs = pair.at("power").get<std::vector<double>>();
        EXPECT_EQ(mine.size(), theirs.size());
        const double p = psnr(minmax(mine), minmax(theirs));
        std::printf("%s receiver %d: PSNR %.1f dB\n", name.c_str(), count, p);
        sum += p, ++count;
    }
    return sum / count;
}

TEST(SionnaSpectra, OurStreetCanyonSpectraMatchSpectraFormedFromSionnasPathsTo60dB) {
    EXPECT_GE(mean_psnr("simple_street_canyon"), 60.0);
}

TEST(SionnaSpectra, OurBoxRoomSpectraMatchSpectraFormedFromSionnasPathsTo60dB) {
    EXPECT_GE(mean_psnr("box"), 60.0);
}

}  // namespace
}  // namespace radiofield::rt
