#pragma once
// Deterministic random numbers. Parallel work derives one stream per item from
// (seed, index), so results do not depend on the thread count.

#include <cstdint>
#include <random>

namespace radiofield {

// SplitMix64 finaliser: a well-mixed 64-bit value from (seed, stream).
constexpr std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) : m_engine(mix_seed(seed, stream)) {}
    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_engine); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double normal() { return std::normal_distribution<double>(0.0, 1.0)(m_engine); }
    // Uniform integer in [0, n).
    std::uint64_t index(std::uint64_t n) {
        return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(m_engine);
    }
    std::mt19937_64& engine() { return m_engine; }

private:
    std::mt19937_64 m_engine;
};

}  // namespace radiofield
