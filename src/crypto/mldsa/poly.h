// Polynomials in R_q = Z_q[X]/(X^256 + 1) and the coefficient-wise operations
// of FIPS 204, Section 7.4 (Power2Round, Decompose, MakeHint, UseHint) and
// the infinity-norm check. Everything that can touch secret data is
// branch-free; use_hint is only used by verification, on public data.
#pragma once

#include <array>
#include <cstdint>

#include "../cpu_dispatch.h"
#include "ntt.h"
#include "params.h"
#include "pqbpf/crypto/ct.h"
#include "reduce.h"

namespace pqbpf::crypto::mldsa::internal {

struct alignas(32) Poly {
  std::int32_t c[kN];
};

template <int N>
using PolyVec = std::array<Poly, N>;

void poly_add(Poly& r, const Poly& a, const Poly& b);
void poly_sub(Poly& r, const Poly& a, const Poly& b);
void poly_reduce(Poly& a);  // reduce32 on every coefficient
void poly_caddq(Poly& a);
void poly_freeze(Poly& a);  // standard representatives in [0, q)
void poly_shiftl(Poly& a);  // a * 2^d
inline void poly_ntt(Poly& a) { ntt(a.c); }
inline void poly_invntt_tomont(Poly& a) { invntt_tomont(a.c); }
// r = a * b * 2^-32 coefficient-wise (NTT domain).
void poly_pointwise_montgomery(Poly& r, const Poly& a, const Poly& b);

// All-ones if some coefficient has |a_i| >= bound, else zero. Coefficients
// must be reduce32 outputs. Constant time: looks at every coefficient.
std::uint32_t poly_norm_exceeds_mask(const Poly& a, std::int32_t bound);

// The AVX2 forms (poly_avx2.cc), same integers; only for x86-64 with the
// dispatch level at AVX2 or above (PQBPF_MLDSA_AVX2_POLY says they exist).
#if defined(__x86_64__)
#define PQBPF_MLDSA_AVX2_POLY 1
void poly_add_avx2(Poly& r, const Poly& a, const Poly& b);
void poly_sub_avx2(Poly& r, const Poly& a, const Poly& b);
void poly_reduce_avx2(Poly& a);
void poly_caddq_avx2(Poly& a);
void poly_freeze_avx2(Poly& a);
void poly_shiftl_avx2(Poly& a);
// OR over i of (bound - 1) - |a_i|: negative iff some |a_i| >= bound.
std::int32_t poly_norm_acc_avx2(const Poly& a, std::int32_t bound);
void poly_power2round_avx2(Poly& a1, Poly& a0, const Poly& a);
// gamma2 is (q-1)/32 or (q-1)/88 (the parameter set, public).
void poly_decompose_avx2(std::int32_t gamma2, Poly& a1, Poly& a0, const Poly& a);
std::uint32_t poly_make_hint_avx2(std::int32_t gamma2, Poly& h, const Poly& a0, const Poly& a1);
void poly_use_hint_avx2(std::int32_t gamma2, Poly& r, const Poly& a, const Poly& h);
// BitUnpack of z for bits = 18 or 20: every group of eight coefficients but
// the last (the caller unpacks that one). Same integers as packing.h.
void unpack_z_avx2(int bits, std::int32_t gamma1, Poly& z, const std::uint8_t* in);
#endif

// FIPS 204, Algorithm 35, Power2Round, for a in [0, q): a = a1 * 2^d + a0
// with a0 in (-2^(d-1), 2^(d-1)].
void poly_power2round(Poly& a1, Poly& a0, const Poly& a);

// FIPS 204, Algorithm 36, Decompose, for a in [0, q): a = a1 * 2 gamma2 + a0
// with a0 in (-gamma2, gamma2], and the special case a - a0 = q - 1 mapped to
// a1 = 0, a0 = a0 - 1. Branch-free.
template <std::int32_t Gamma2>
inline std::int32_t decompose(std::int32_t& a0, std::int32_t a) {
  std::int32_t a1 = (a + 127) >> 7;
  if constexpr (Gamma2 == (kQ - 1) / 32) {
    a1 = (a1 * 1025 + (1 << 21)) >> 22;
    a1 &= 15;
  } else {
    static_assert(Gamma2 == (kQ - 1) / 88);
    a1 = (a1 * 11275 + (1 << 23)) >> 24;
    a1 ^= ((43 - a1) >> 31) & a1;  // 44 -> 0
  }
  a0 = a - a1 * 2 * Gamma2;
  a0 -= (((kQ - 1) / 2 - a0) >> 31) & kQ;
  return a1;
}

// FIPS 204, Algorithm 39, MakeHint, in the form used by Sign_internal step 26:
// given a0 = LowBits(w - cs2) + ct0 and a1 = HighBits(w), returns 1 if adding
// -ct0 changes the high bits. Branch-free (works on secret data).
template <std::int32_t Gamma2>
inline std::uint32_t make_hint(std::int32_t a0, std::int32_t a1) {
  const std::uint32_t above = ct::mask_lt(Gamma2, a0);
  const std::uint32_t below = ct::mask_lt(a0, -Gamma2);
  const std::uint32_t edge =
      ct::mask_eq(static_cast<std::uint32_t>(a0), static_cast<std::uint32_t>(-Gamma2)) &
      ~ct::mask_is_zero(static_cast<std::uint32_t>(a1));
  return (above | below | edge) & 1U;
}

// FIPS 204, Algorithm 40, UseHint, for a in [0, q). Public data only.
template <std::int32_t Gamma2>
inline std::int32_t use_hint(std::int32_t a, std::uint32_t hint) {
  std::int32_t a0;
  const std::int32_t a1 = decompose<Gamma2>(a0, a);
  if (hint == 0) return a1;
  if constexpr (Gamma2 == (kQ - 1) / 32) {
    return (a0 > 0 ? a1 + 1 : a1 - 1) & 15;
  } else {
    if (a0 > 0) return a1 == 43 ? 0 : a1 + 1;
    return a1 == 0 ? 43 : a1 - 1;
  }
}

// Decompose on every coefficient of a (in [0, q)): a1 = HighBits(a),
// a0 = LowBits(a) (Algorithms 36-38). a0 may be the same polynomial as a.
template <std::int32_t Gamma2>
inline void poly_decompose(Poly& a1, Poly& a0, const Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_decompose_avx2(Gamma2, a1, a0, a);
#endif
  for (int i = 0; i < kN; ++i) a1.c[i] = decompose<Gamma2>(a0.c[i], a.c[i]);
}

// h_i = make_hint(a0_i, a1_i) for every coefficient; returns the number of
// ones. Branch-free (secret data).
template <std::int32_t Gamma2>
inline std::uint32_t poly_make_hint(Poly& h, const Poly& a0, const Poly& a1) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_make_hint_avx2(Gamma2, h, a0, a1);
#endif
  std::uint32_t hints = 0;
  for (int i = 0; i < kN; ++i) {
    const std::uint32_t bit = make_hint<Gamma2>(a0.c[i], a1.c[i]);
    h.c[i] = static_cast<std::int32_t>(bit);
    hints += bit;
  }
  return hints;
}

// r_i = use_hint(a_i, h_i) for a in [0, q) and h in {0, 1}. Public data.
template <std::int32_t Gamma2>
inline void poly_use_hint(Poly& r, const Poly& a, const Poly& h) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_use_hint_avx2(Gamma2, r, a, h);
#endif
  for (int i = 0; i < kN; ++i) r.c[i] = use_hint<Gamma2>(a.c[i], static_cast<std::uint32_t>(h.c[i]));
}

}  // namespace pqbpf::crypto::mldsa::internal
