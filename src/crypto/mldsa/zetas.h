// The NTT twiddle factors of FIPS 204, Appendix B: zetas[i] =
// 1753^BitRev8(i) * 2^32 mod q (Montgomery form), centred in (-q/2, q/2].
// A constexpr table: computed by the compiler, so it needs no initialiser at
// run time and every translation unit (scalar and AVX2) sees the same values.
#pragma once

#include <array>
#include <cstdint>

#include "params.h"

namespace pqbpf::crypto::mldsa::internal {

constexpr unsigned bit_rev8(unsigned i) {
  unsigned r = 0;
  for (int b = 0; b < 8; ++b) r |= ((i >> b) & 1U) << (7 - b);
  return r;
}

constexpr std::array<std::int32_t, kN> make_zetas() {
  std::array<std::int32_t, kN> z{};
  constexpr std::int64_t kZeta = 1753;
  constexpr std::int64_t kR = (std::int64_t{1} << 32) % kQ;
  for (unsigned i = 0; i < kN; ++i) {
    std::int64_t v = 1;
    for (unsigned e = 0; e < bit_rev8(i); ++e) v = v * kZeta % kQ;
    v = v * kR % kQ;
    if (v > kQ / 2) v -= kQ;
    z[i] = static_cast<std::int32_t>(v);
  }
  return z;
}

inline constexpr std::array<std::int32_t, kN> kZetas = make_zetas();
static_assert(kZetas[1] == 25847 && kZetas[2] == -2608894 && kZetas[255] == 1976782);

}  // namespace pqbpf::crypto::mldsa::internal
