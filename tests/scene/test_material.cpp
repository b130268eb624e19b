// ITU-R P.2040-3 materials: values against the table in DESIGN.md §4.2, written out here by
// hand so that a typo in the implementation's table shows up.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cmath>
#include <set>
#include <sstream>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/scene/material.hpp"

using namespace radiofield;
using namespace radiofield::scene;

namespace {

// Expects `fn` to throw radiofield::Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn fn, std::initializer_list<const char*> parts) {
    try {
        fn();
        ADD_FAILURE() << "no Error thrown";
    } catch (const Error& e) {
        for (const char* p : parts)
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
                << "message lacks '" << p << "': " << e.what();
    }
}

struct Row {
    const char* type;
    double f_ghz;  // a frequency inside the band
    double a, b, c, d;
};

// DESIGN.md §4.2 (ITU-R P.2040-3 Table 3), two in-band frequencies per band.
const Row kRows[] = {
    {"concrete", 1.0, 5.24, 0, 0.0462, 0.7822},
    {"concrete", 60, 5.24, 0, 0.0462, 0.7822},
    {"brick", 2.4, 3.91, 0, 0.0238, 0.16},
    {"brick", 40, 3.91, 0, 0.0238, 0.16},
    {"plasterboard", 5, 2.73, 0, 0.0085, 0.9395},
    {"plasterboard", 100, 2.73, 0, 0.0085, 0.9395},
    {"wood", 0.001, 1.99, 0, 0.0047, 1.0718},
    {"wood", 28, 1.99, 0, 0.0047, 1.0718},
    {"glass", 0.1, 6.31, 0, 0.0036, 1.3394},
    {"glass", 28, 6.31, 0, 0.0036, 1.3394},
    {"glass", 220, 5.79, 0, 0.0004, 1.658},
    {"glass", 300, 5.79, 0, 0.0004, 1.658},
    {"ceiling_board", 3.5, 1.48, 0, 0.0011, 1.0750},
    {"ceiling_board", 100, 1.48, 0, 0.0011, 1.0750},
    {"ceiling_board", 300, 1.52, 0, 0.0029, 1.029},
    {"ceiling_board", 450, 1.52, 0, 0.0029, 1.029},
    {"chipboard", 2.4, 2.58, 0, 0.0217, 0.7800},
    {"chipboard", 77, 2.58, 0, 0.0217, 0.7800},
    {"plywood", 1, 2.71, 0, 0.33, 0},
    {"plywood", 24, 2.71, 0, 0.33, 0},
    {"marble", 5.8, 7.074, 0, 0.0055, 0.9262},
    {"marble", 60, 7.074, 0, 0.0055, 0.9262},
    {"floorboard", 50, 3.66, 0, 0.0044, 1.3515},
    {"floorboard", 94, 3.66, 0, 0.0044, 1.3515},
    {"metal", 3.5, 1.0, 0, 1e7, 0},
    {"metal", 100, 1.0, 0, 1e7, 0},
    {"very_dry_ground", 1, 3.0, 0, 0.00015, 2.52},
    {"very_dry_ground", 7, 3.0, 0, 0.00015, 2.52},
    {"medium_dry_ground", 2, 15, -0.1, 0.035, 1.63},
    {"medium_dry_ground", 10, 15, -0.1, 0.035, 1.63},
    {"wet_ground", 2.4, 30, -0.4, 0.15, 1.30},
    {"wet_ground", 9, 30, -0.4, 0.15, 1.30},
};

}  // namespace

TEST(ItuMaterial, PermittivityAndConductivityFollowTable3AtSeveralFrequencies) {
    for (const Row& r : kRows) {
        const auto p = itu_material(r.type).properties(r.f_ghz * 1e9);
        EXPECT_NEAR(p.eps_r, r.a * std::pow(r.f_ghz, r.b), 1e-12 * r.a)
            << r.type << " @ " << r.f_ghz;
        EXPECT_NEAR(p.sigma, r.c * std::pow(r.f_ghz, r.d),
                    1e-9 * r.c * std::pow(r.f_ghz, r.d) + 1e-15)
            << r.type << " @ " << r.f_ghz;
    }
}

TEST(ItuMaterial, EveryTypeOfTheTableIsCovered) {
    std::set<std::string> tested;
    for (const Row& r : kRows)
        tested.insert(r.type);
    const auto& types = itu_material_types();
    EXPECT_EQ(std::set<std::string>(types.begin(), types.end()), tested);
}

TEST(ItuMaterial, NumericValuesComputedByHand) {
    // σ = 0.0462·3.5^0.7822 = 0.123087 S/m (concrete at 3.5 GHz).
    const auto concrete = itu_material("concrete").properties(3.5e9);
    EXPECT_DOUBLE_EQ(concrete.eps_r, 5.24);
    EXPECT_NEAR(concrete.sigma, 0.1230869, 1e-6);
    // Medium dry ground at 5 GHz: ε_r = 15·5^−0.1 = 12.7701, σ = 0.035·5^1.63 = 0.482380.
    const auto ground = itu_material("medium_dry_ground").properties(5e9);
    EXPECT_NEAR(ground.eps_r, 12.77010, 1e-4);
    EXPECT_NEAR(ground.sigma, 0.482380, 1e-5);
    // Glass at 300 GHz uses the second band: σ = 0.0004·300^1.658 = 5.11832.
    const auto glass = itu_material("glass").properties(300e9);
    EXPECT_DOUBLE_EQ(glass.eps_r, 5.79);
    EXPECT_NEAR(glass.sigma, 5.11832, 1e-4);
}

TEST(ItuMaterial, EtaImaginaryPartIsSigmaOverEpsilon0Omega) {
    const auto p = itu_material("concrete").properties(3.5e9);
    EXPECT_DOUBLE_EQ(p.eta.real(), p.eps_r);
    // σ/(ε₀ω) = 0.1230869/(8.8541878128e-12 · 2π · 3.5e9) = 0.632143.
    EXPECT_NEAR(p.eta.imag(), -0.632143, 1e-5);
    // ITU-R P.2040's shorthand ε'' = 17.98·σ/f_GHz agrees to its 4 digits.
    EXPECT_NEAR(-p.eta.imag(), 17.98 * p.sigma / 3.5, 1e-3);
}

TEST(ItuMaterial, OutOfRangeFrequencyRaisesNamingMaterialFrequencyAndRanges) {
    expect_error([] { itu_material("concrete").properties(0.5e9); },
                 {"itu_concrete", "0.5 GHz", "1–100 GHz", "--extrapolate"});
    expect_error([] { itu_material("brick").properties(60e9); },
                 {"itu_brick", "60 GHz", "1–40 GHz"});
    // Between glass's two bands.
    expect_error([] { itu_material("glass").properties(150e9); },
                 {"itu_glass", "150 GHz", "0.1–100 GHz", "220–450 GHz"});
    expect_error([] { itu_material("floorboard").properties(28e9); },
                 {"itu_floorboard", "50–100 GHz"});
}

TEST(ItuMaterial, ExtrapolationOptInUsesNearestBandAndWarnsOncePerMaterial) {
    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    log::get().sinks().push_back(sink);

    Material m = itu_material("concrete");
    m.name = "concrete_extrapolation_test";  // a name no other test warns about
    const auto low = m.properties(0.5e9, Extrapolation::Warn);
    EXPECT_DOUBLE_EQ(low.eps_r, 5.24);
    EXPECT_NEAR(low.sigma, 0.0462 * std::pow(0.5, 0.7822), 1e-12);
    const auto high = m.properties(200e9, Extrapolation::Warn);
    EXPECT_NEAR(high.sigma, 0.0462 * std::pow(200.0, 0.7822), 1e-9);

    // Glass: 120 GHz is nearer (in ratio) to 100 than to 220, 200 GHz nearer to 220.
    Material g = itu_material("glass");
    g.name = "glass_extrapolation_test";
    EXPECT_DOUBLE_EQ(g.properties(120e9, Extrapolation::Warn).eps_r, 6.31);
    EXPECT_DOUBLE_EQ(g.properties(200e9, Extrapolation::Warn).eps_r, 5.79);

    log::get().flush();
    log::get().sinks().pop_back();
    const std::string text = captured.str();
    const auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count("'concrete_extrapolation_test'"), 1u) << text;
    EXPECT_EQ(count("'glass_extrapolation_test'"), 1u) << text;
}

TEST(ItuMaterial, NamesAreItuPrefixedAndPrefixIsAccepted) {
    EXPECT_EQ(itu_material("wood").name, "itu_wood");
    EXPECT_EQ(itu_material("wood").itu_type, "wood");
    EXPECT_EQ(itu_material("itu_wood").name, "itu_wood");
    EXPECT_TRUE(itu_material("metal").is_itu());
    expect_error([] { itu_material("unobtainium"); }, {"unobtainium", "concrete", "wet_ground"});
}

TEST(ItuMaterial, DefaultColoursAreDistinctAndValid) {
    std::set<std::array<float, 3>> colours;
    for (const auto& t : itu_material_types()) {
        const Material m = itu_material(t);
        EXPECT_NO_THROW(m.validate()) << t;
        colours.insert(m.colour);
    }
    EXPECT_EQ(colours.size(), itu_material_types().size());
    // Glass is bluish, wood is brownish (red > green > blue).
    const auto glass = itu_material("glass").colour, wood = itu_material("wood").colour;
    EXPECT_GT(glass[2], glass[0]);
    EXPECT_GT(wood[0], wood[1]);
    EXPECT_GT(wood[1], wood[2]);
}

TEST(Material, HumidityScalesApplyToEpsAndSigma) {
    Material m = itu_material("brick");
    m.eps_r_scale = 1.3;
    m.sigma_scale = 1.6;
    const auto p = m.properties(2.4e9);
    EXPECT_NEAR(p.eps_r, 1.3 * 3.91, 1e-12);
    EXPECT_NEAR(p.sigma, 1.6 * 0.0238 * std::pow(2.4, 0.16), 1e-12);
}

TEST(CustomMaterial, GivesFixedEpsAndSigmaAtAnyFrequency) {
    const Material m = custom_material("wall_paint", 4.0, 0.02);
    EXPECT_FALSE(m.is_itu());
    for (double f : {1e6, 3.5e9, 1e12}) {
        const auto p = m.properties(f);
        EXPECT_DOUBLE_EQ(p.eps_r, 4.0);
        EXPECT_DOUBLE_EQ(p.sigma, 0.02);
        EXPECT_NEAR(p.eta.imag(), -0.02 / (8.8541878128e-12 * 2 * 3.141592653589793 * f), 1e-12);
    }
}

TEST(CustomMaterial, ValidationRejectsEachOutOfRangeField) {
    expect_error([] { custom_material("bad_eps", 0.5, 0.0); }, {"bad_eps", "eps_r"});
    expect_error([] { custom_material("bad_sigma", 2.0, -1.0); }, {"bad_sigma", "sigma"});
    expect_error([] { custom_material("nan_eps", std::nan(""), 0.0); }, {"nan_eps", "eps_r"});
    const auto with = [](auto change) {
        Material m = custom_material("m", 2.0, 0.1);
        change(m);
        return m;
    };
    expect_error([&] { with([](Material& m) { m.scattering_coefficient = 1.5; }).validate(); },
                 {"'m'", "scattering_coefficient"});
    expect_error([&] { with([](Material& m) { m.xpd_coefficient = -0.1; }).validate(); },
                 {"xpd_coefficient"});
    expect_error([&] { with([](Material& m) { m.alpha_r = 0.5; }).validate(); }, {"alpha_r"});
    expect_error([&] { with([](Material& m) { m.alpha_i = 0; }).validate(); }, {"alpha_i"});
    expect_error([&] { with([](Material& m) { m.lambda_ = 1.2; }).validate(); }, {"lambda"});
    expect_error([&] { with([](Material& m) { m.thickness = 0; }).validate(); }, {"thickness"});
    expect_error([&] { with([](Material& m) { m.name.clear(); }).validate(); }, {"empty name"});
    EXPECT_NO_THROW(with([](Material& m) { m.scattering_coefficient = 1.0; }).validate());
}

TEST(ScatteringPattern, NamesRoundTripAndUnknownRaises) {
    for (auto p : {ScatteringPattern::Lambertian, ScatteringPattern::Directive,
                   ScatteringPattern::Backscattering}) {
        EXPECT_EQ(scattering_pattern_from_string(to_string(p)), p);
    }
    EXPECT_EQ(to_string(ScatteringPattern::Directive), "directive");
    expect_error([] { scattering_pattern_from_string("specular"); }, {"specular", "lambertian"});
}
