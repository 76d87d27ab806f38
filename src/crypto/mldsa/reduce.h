// Arithmetic modulo q = 8380417 on int32 coefficients (FIPS 204, Section 7.5
// and Appendix A: Montgomery multiplication). All functions are branch-free.
#pragma once

#include <cstdint>

#include "params.h"

namespace pqbpf::crypto::mldsa::internal {

constexpr std::int32_t kQInv = 58728449;  // q^-1 mod 2^32
constexpr std::int32_t kMont = 4193792;   // 2^32 mod q (before centring: -4186625)

// For |a| < 2^31 * q returns a * 2^-32 mod q in (-q, q).
inline std::int32_t montgomery_reduce(std::int64_t a) {
  const std::int32_t t = static_cast<std::int32_t>(
      static_cast<std::int64_t>(static_cast<std::int32_t>(a)) * kQInv);
  return static_cast<std::int32_t>((a - static_cast<std::int64_t>(t) * kQ) >> 32);
}

// For a <= 2^31 - 2^22 - 1 returns r = a mod q with -6283008 <= r <= 6283008.
inline std::int32_t reduce32(std::int32_t a) {
  const std::int32_t t = (a + (1 << 22)) >> 23;
  return a - t * kQ;
}

// Adds q if a is negative.
inline std::int32_t caddq(std::int32_t a) { return a + ((a >> 31) & kQ); }

// Standard representative in [0, q) of a reduce32-able value.
inline std::int32_t freeze(std::int32_t a) { return caddq(reduce32(a)); }

}  // namespace pqbpf::crypto::mldsa::internal
