// Counter-based random numbers (Philox-4x32-10, Salmon et al., SC'11), the
// generator TensorFlow and JAX use for stateless random ops. Element i of a
// random tensor depends only on (seed, i), so the interpreter, generated
// code and a parallel split of a loop all produce the same numbers.
//
// Plain C++ with no dependencies: both the compiler and the embedded runtime
// include it.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace graphc::runtime {

inline std::array<uint32_t, 4> Philox4x32(uint64_t counter, uint64_t seed) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kKey0 = 0x9E3779B9u, kKey1 = 0xBB67AE85u;
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n1 = static_cast<uint32_t>(p1);
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    const uint32_t n3 = static_cast<uint32_t>(p0);
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += kKey0;
    k1 += kKey1;
  }
  return {c0, c1, c2, c3};
}

// A float in [0, 1) from the top 24 bits of `bits`.
inline float UnitFloat(uint32_t bits) { return static_cast<float>(bits >> 8) * 0x1p-24f; }
// A double in [0, 1) from 53 bits.
inline double UnitDouble(uint32_t hi, uint32_t lo) {
  const uint64_t v = (static_cast<uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(v & ((uint64_t{1} << 53) - 1)) * 0x1p-53;
}

// minval + (maxval - minval) * u can round up to maxval; keep the range
// half-open, [minval, maxval), by stepping below it.
template <typename T>
T BelowMax(T v, T minval, T maxval) {
  return v >= maxval && maxval > minval ? std::nextafter(maxval, minval) : v;
}

// Element `i` of random_uniform(seed) in [minval, maxval).
inline float UniformF32(uint64_t seed, uint64_t i, float minval, float maxval) {
  const auto r = Philox4x32(i, seed);
  return BelowMax(minval + (maxval - minval) * UnitFloat(r[0]), minval, maxval);
}
inline double UniformF64(uint64_t seed, uint64_t i, double minval, double maxval) {
  const auto r = Philox4x32(i, seed);
  return BelowMax(minval + (maxval - minval) * UnitDouble(r[0], r[1]), minval, maxval);
}

// Element `i` of random_normal(seed): Box-Muller on two uniforms from the
// same counter; 1 - u keeps the log argument in (0, 1].
inline double NormalF64(uint64_t seed, uint64_t i, double mean, double stddev) {
  const auto r = Philox4x32(i, seed);
  const double u1 = 1.0 - UnitDouble(r[0], r[1]);
  const double u2 = UnitDouble(r[2], r[3]);
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
inline float NormalF32(uint64_t seed, uint64_t i, float mean, float stddev) {
  return static_cast<float>(NormalF64(seed, i, mean, stddev));
}

}  // namespace graphc::runtime
