// Lobby: a 20 m × 15 m × 5 m entrance hall for THz (RF-3DGS+, DESIGN.md §6.4): one fixed
// transmitter, rough walls, pillars, a reception desk, a glass entrance.
//
// Materials at 300 GHz. ITU-R P.2040 has 220–450 GHz bands only for glass and ceiling board,
// so those two are ITU materials; the others are custom, with ε_r and σ from extending the
// P.2040 formulas (ε_r = a·f^b, σ = c·f^d, f = 300 GHz) past their upper limit, which agrees
// with measured THz values of building materials (ε_r 4–7 for concrete and stone, ~2 for
// wood; Piesiewicz et al., "Properties of building and plastic materials in the THz range",
// Int. J. Infrared Millim. Waves 28, 2007):
//   concrete   ε_r 5.24,  σ = 0.0462·300^0.7822 ≈ 4.0 S/m   (walls, pillars; rough)
//   marble     ε_r 7.07,  σ = 0.0055·300^0.9262 ≈ 1.1 S/m   (stone floor)
//   wood       ε_r 1.99,  σ = 0.0047·300^1.0718 ≈ 2.1 S/m   (reception desk)
//   metal      ε_r 1,     σ = 10⁷ S/m                       (lift doors)
// At 300 GHz (λ = 1 mm) plaster and stone are rough on the wavelength scale, so walls, pillars
// and floor scatter diffusely with a directive lobe (Degli-Esposti's model, α_R = 4).
#include <numbers>

#include "builtin_parts.hpp"

namespace radiofield::scene::builtin {
namespace {

constexpr double kWidth = 20.0, kDepth = 15.0, kHeight = 5.0;

std::uint32_t rough(Scene& s,
                    const std::string& name,
                    double eps_r,
                    double sigma,
                    double scattering,
                    std::array<float, 3> colour) {
    Material m = custom_material(name, eps_r, sigma);
    m.colour = colour;
    m.scattering_coefficient = scattering;
    m.scattering_pattern = ScatteringPattern::Directive;
    m.alpha_r = 4;
    return s.add_material(std::move(m));
}

Mesh named(const std::string& name) {
    Mesh m;
    m.name = name;
    return m;
}

}  // namespace

Scene lobby(std::uint64_t seed) {
    Scene s;
    s.name = "lobby";
    s.frequency_hz = 300e9;
    s.description =
        "20x15x5 m THz lobby: rough concrete walls, 6 pillars, reception desk, glass "
        "entrance; one fixed Tx; 300 GHz";
    const std::uint32_t wall = rough(s, "lobby_concrete", 5.24, 4.0, 0.4, {0.58f, 0.58f, 0.60f});
    const std::uint32_t floor =
        rough(s, "lobby_stone_floor", 7.07, 1.1, 0.3, {0.86f, 0.80f, 0.66f});
    const std::uint32_t wood = custom(s, "lobby_wood", 1.99, 2.1, {0.55f, 0.36f, 0.20f});
    const int metal = static_cast<int>(custom(s, "lobby_metal", 1.0, 1e7, {0.44f, 0.52f, 0.62f}));
    const int glass = static_cast<int>(itu(s, "glass"));
    const std::uint32_t cloth = custom(s, "upholstery", 1.5, 0.01, {0.20f, 0.30f, 0.58f});

    RoomSpec r;
    r.width = kWidth;
    r.depth = kDepth;
    r.height = kHeight;
    r.floor_material = floor;
    r.ceiling_material = itu(s, "ceiling_board");
    r.south = {wall,
               0.3,
               {{"entrance_glass_w", 4, 9, 0, 4.2, glass, 0.08},
                {"entrance", 9, 11, 0, 2.8, -1, 0},
                {"entrance_glass_e", 11, 16, 0, 4.2, glass, 0.08}}};
    r.north = {wall, 0.3, {}};
    for (int i = 0; i < 3; ++i) {
        const double u0 = 7.0 + 2.4 * i;
        r.north.openings.push_back(
            {"lift_door_" + std::to_string(i + 1), u0, u0 + 1.2, 0, 2.4, metal, 0.05});
    }
    r.west = {
        wall,
        0.3,
        {{"window_w1", 3, 7, 1.0, 4.0, glass, 0.08}, {"window_w2", 8, 12, 1.0, 4.0, glass, 0.08}}};
    r.east = {wall, 0.3, {}};
    add_room(s, r);

    int pillar = 0;
    for (double y : {5.0, 10.0}) {
        for (double x : {5.0, 10.0, 15.0}) {
            Mesh m = named("pillar_" + std::to_string(++pillar));
            shapes::add_prism(m, {x, y}, 0.35, 12, 0, kHeight, wall);
            s.meshes.push_back(std::move(m));
        }
    }

    // L-shaped reception counter in front of the lifts' east side.
    Mesh desk = named("reception_desk");
    shapes::BuildingSpec counter;
    counter.footprint = {{13.5, 11.0}, {17.5, 11.0}, {17.5, 13.2},
                         {16.8, 13.2}, {16.8, 11.7}, {13.5, 11.7}};
    counter.z1 = 1.1;
    counter.wall_material = counter.window_material = counter.roof_material = wood;
    shapes::add_building(desk, counter);
    s.meshes.push_back(std::move(desk));

    // Waiting area: two sofas facing each other across a glass coffee table.
    Jitter j(seed, 300);
    const double ox = 2.0 + j(0.1), oy = 6.2 + j(0.1);
    for (int k = 0; k < 2; ++k) {
        Mesh sofa = named("sofa_" + std::to_string(k + 1));
        const double y0 = oy + 2.4 * k;  // sofa 2: mirrored, back on the north side
        shapes::add_box(sofa, {ox, y0, 0}, {ox + 2.0, y0 + 0.8, 0.45}, cloth);
        const double by = k == 0 ? y0 : y0 + 0.6;
        shapes::add_box(sofa, {ox, by, 0.47}, {ox + 2.0, by + 0.2, 0.85}, cloth);
        s.meshes.push_back(std::move(sofa));
    }
    Mesh table = named("coffee_table");
    shapes::add_box(table, {ox + 0.4, oy + 1.3, 0}, {ox + 1.6, oy + 1.9, 0.4},
                    static_cast<std::uint32_t>(glass));
    s.meshes.push_back(std::move(table));

    Device tx;
    tx.name = "tx";
    tx.position = {10.0, kDepth - 0.4, 3.5};
    tx.orientation = {-std::numbers::pi / 2, 0, 0};  // facing into the hall (−y)
    s.transmitters.push_back(std::move(tx));
    return s;
}

}  // namespace radiofield::scene::builtin
