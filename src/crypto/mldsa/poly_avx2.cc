// AVX2 forms of the coefficient-wise operations of poly.h (FIPS 204,
// Sections 7.4-7.5): Decompose / HighBits / LowBits (Algorithms 36-38),
// MakeHint (39), UseHint (40), the infinity-norm check, Power2Round (35) and
// the plain add / sub / reduce / freeze loops. Eight coefficients per vector;
// each computes exactly the integers of the scalar code in poly.h and
// poly.cc (poly_avx2_test.cc checks every input of Decompose and UseHint, and
// mldsa_dispatch_test.cc whole keys and signatures).
//
// Functions carry __attribute__((target("avx2"))) rather than the file being
// built with -mavx2, so no AVX2 code can leak into shared inline functions;
// poly.h / poly.cc call them only when the dispatch level allows AVX2. No
// branch and no address depends on a coefficient: the sign path runs them on
// secret data, and the constant-time test (mldsa_ct_test, at the AVX2 level)
// covers them.
#include <cstdint>

#include "poly.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace pqbpf::crypto::mldsa::internal {
namespace {

#define PQBPF_AVX2 __attribute__((target("avx2")))

PQBPF_AVX2 inline __m256i load(const std::int32_t* p) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(p));
}
PQBPF_AVX2 inline void store(std::int32_t* p, __m256i v) {
  _mm256_store_si256(reinterpret_cast<__m256i*>(p), v);
}
PQBPF_AVX2 inline __m256i set1(std::int32_t v) { return _mm256_set1_epi32(v); }

// reduce32 (reduce.h) on eight lanes: a - round(a / 2^23) * q.
PQBPF_AVX2 inline __m256i reduce32(__m256i a) {
  const __m256i t = _mm256_srai_epi32(_mm256_add_epi32(a, set1(1 << 22)), 23);
  return _mm256_sub_epi32(a, _mm256_mullo_epi32(t, set1(kQ)));
}
// caddq: a + q where a < 0.
PQBPF_AVX2 inline __m256i caddq(__m256i a) {
  return _mm256_add_epi32(a, _mm256_and_si256(_mm256_srai_epi32(a, 31), set1(kQ)));
}

// decompose<Gamma2> (poly.h) on eight lanes in [0, q): returns a1, sets a0.
template <std::int32_t Gamma2>
PQBPF_AVX2 inline __m256i decompose(__m256i& a0, __m256i a) {
  __m256i a1 = _mm256_srai_epi32(_mm256_add_epi32(a, set1(127)), 7);
  if constexpr (Gamma2 == (kQ - 1) / 32) {
    a1 = _mm256_mullo_epi32(a1, set1(1025));
    a1 = _mm256_srai_epi32(_mm256_add_epi32(a1, set1(1 << 21)), 22);
    a1 = _mm256_and_si256(a1, set1(15));
  } else {
    static_assert(Gamma2 == (kQ - 1) / 88);
    a1 = _mm256_mullo_epi32(a1, set1(11275));
    a1 = _mm256_srai_epi32(_mm256_add_epi32(a1, set1(1 << 23)), 24);
    // 44 -> 0
    const __m256i wrap = _mm256_srai_epi32(_mm256_sub_epi32(set1(43), a1), 31);
    a1 = _mm256_xor_si256(a1, _mm256_and_si256(wrap, a1));
  }
  a0 = _mm256_sub_epi32(a, _mm256_mullo_epi32(a1, set1(2 * Gamma2)));
  const __m256i high = _mm256_srai_epi32(_mm256_sub_epi32(set1((kQ - 1) / 2), a0), 31);
  a0 = _mm256_sub_epi32(a0, _mm256_and_si256(high, set1(kQ)));
  return a1;
}

// OR of the eight lanes.
PQBPF_AVX2 inline std::int32_t or_lanes(__m256i v) {
  __m128i x = _mm_or_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  x = _mm_or_si128(x, _mm_shuffle_epi32(x, 0x4E));
  x = _mm_or_si128(x, _mm_shuffle_epi32(x, 0xB1));
  return _mm_cvtsi128_si32(x);
}

// Sum of the eight lanes.
PQBPF_AVX2 inline std::int32_t sum_lanes(__m256i v) {
  __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4E));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xB1));
  return _mm_cvtsi128_si32(x);
}

}  // namespace

PQBPF_AVX2 void poly_add_avx2(Poly& r, const Poly& a, const Poly& b) {
  for (int i = 0; i < kN; i += 8) store(r.c + i, _mm256_add_epi32(load(a.c + i), load(b.c + i)));
}

PQBPF_AVX2 void poly_sub_avx2(Poly& r, const Poly& a, const Poly& b) {
  for (int i = 0; i < kN; i += 8) store(r.c + i, _mm256_sub_epi32(load(a.c + i), load(b.c + i)));
}

PQBPF_AVX2 void poly_reduce_avx2(Poly& a) {
  for (int i = 0; i < kN; i += 8) store(a.c + i, reduce32(load(a.c + i)));
}

PQBPF_AVX2 void poly_caddq_avx2(Poly& a) {
  for (int i = 0; i < kN; i += 8) store(a.c + i, caddq(load(a.c + i)));
}

PQBPF_AVX2 void poly_freeze_avx2(Poly& a) {
  for (int i = 0; i < kN; i += 8) store(a.c + i, caddq(reduce32(load(a.c + i))));
}

PQBPF_AVX2 void poly_shiftl_avx2(Poly& a) {
  for (int i = 0; i < kN; i += 8) store(a.c + i, _mm256_slli_epi32(load(a.c + i), kD));
}

PQBPF_AVX2 std::int32_t poly_norm_acc_avx2(const Poly& a, std::int32_t bound) {
  // As the scalar loop: OR of (bound - 1) - |a_i|, negative iff some |a_i| >= bound.
  const __m256i limit = set1(bound - 1);
  __m256i acc = _mm256_setzero_si256();
  for (int i = 0; i < kN; i += 8) {
    acc = _mm256_or_si256(acc, _mm256_sub_epi32(limit, _mm256_abs_epi32(load(a.c + i))));
  }
  return or_lanes(acc);
}

PQBPF_AVX2 void poly_power2round_avx2(Poly& a1, Poly& a0, const Poly& a) {
  for (int i = 0; i < kN; i += 8) {
    const __m256i v = load(a.c + i);
    const __m256i hi = _mm256_srai_epi32(_mm256_add_epi32(v, set1((1 << (kD - 1)) - 1)), kD);
    store(a0.c + i, _mm256_sub_epi32(v, _mm256_slli_epi32(hi, kD)));
    store(a1.c + i, hi);
  }
}

namespace {

template <std::int32_t Gamma2>
PQBPF_AVX2 void poly_decompose_avx2_impl(Poly& a1, Poly& a0, const Poly& a) {
  for (int i = 0; i < kN; i += 8) {
    __m256i lo;
    const __m256i hi = decompose<Gamma2>(lo, load(a.c + i));
    store(a1.c + i, hi);
    store(a0.c + i, lo);
  }
}

template <std::int32_t Gamma2>
PQBPF_AVX2 std::uint32_t poly_make_hint_avx2_impl(Poly& h, const Poly& a0, const Poly& a1) {
  // make_hint (poly.h): 1 where a0 > gamma2, a0 < -gamma2, or a0 = -gamma2
  // with a1 != 0.
  const __m256i g = set1(Gamma2);
  const __m256i neg_g = set1(-Gamma2);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i one = set1(1);
  __m256i count = zero;
  for (int i = 0; i < kN; i += 8) {
    const __m256i lo = load(a0.c + i);
    const __m256i above = _mm256_cmpgt_epi32(lo, g);
    const __m256i below = _mm256_cmpgt_epi32(neg_g, lo);
    const __m256i edge = _mm256_andnot_si256(_mm256_cmpeq_epi32(load(a1.c + i), zero),
                                             _mm256_cmpeq_epi32(lo, neg_g));
    const __m256i bit =
        _mm256_and_si256(_mm256_or_si256(_mm256_or_si256(above, below), edge), one);
    store(h.c + i, bit);
    count = _mm256_add_epi32(count, bit);
  }
  return static_cast<std::uint32_t>(sum_lanes(count));
}

template <std::int32_t Gamma2>
PQBPF_AVX2 void poly_use_hint_avx2_impl(Poly& r, const Poly& a, const Poly& h) {
  // use_hint (poly.h): a1 + 1 if a0 > 0, a1 - 1 otherwise, where the hint is
  // set; modulo 16 (gamma2 = (q-1)/32) or 44 (gamma2 = (q-1)/88).
  const __m256i zero = _mm256_setzero_si256();
  const __m256i one = set1(1);
  const __m256i two = set1(2);
  for (int i = 0; i < kN; i += 8) {
    __m256i a0;
    const __m256i a1 = decompose<Gamma2>(a0, load(a.c + i));
    const __m256i step = _mm256_sub_epi32(_mm256_and_si256(_mm256_cmpgt_epi32(a0, zero), two), one);
    const __m256i hinted = _mm256_cmpgt_epi32(load(h.c + i), zero);
    __m256i v = _mm256_add_epi32(a1, _mm256_and_si256(step, hinted));
    if constexpr (Gamma2 == (kQ - 1) / 32) {
      v = _mm256_and_si256(v, set1(15));
    } else {
      v = _mm256_andnot_si256(_mm256_cmpeq_epi32(v, set1(44)), v);  // 44 -> 0
      const __m256i negative = _mm256_cmpgt_epi32(zero, v);          // -1 -> 43
      v = _mm256_or_si256(_mm256_andnot_si256(negative, v), _mm256_and_si256(negative, set1(43)));
    }
    store(r.c + i, v);
  }
}

// BitUnpack(z, gamma1 - 1, gamma1) for Bits = 18 or 20 (FIPS 204,
// Algorithm 19): eight coefficients (Bits bytes) per step. Each half of the
// register takes four of them from its own 16-byte load (at the group's
// start and Bits / 2 bytes in); a byte shuffle puts the three bytes holding
// each into its 32-bit lane, a variable shift and a mask extract it. The
// loads reach 16 + Bits / 2 bytes past a group's start, so the last group
// of the polynomial is unpacked by the scalar code.
template <int Bits>
PQBPF_AVX2 void unpack_z_avx2_impl(Poly& z, const std::uint8_t* in, std::int32_t gamma1) {
  static_assert(Bits == 18 || Bits == 20);
  constexpr int kHalf = Bits / 2;  // bytes per four coefficients
  constexpr int b1 = Bits / 8, b2 = 2 * Bits / 8, b3 = 3 * Bits / 8;
  const __m256i shuffle = _mm256_setr_epi8(
      0, 1, 2, -1, b1, b1 + 1, b1 + 2, -1, b2, b2 + 1, b2 + 2, -1, b3, b3 + 1, b3 + 2, -1,
      0, 1, 2, -1, b1, b1 + 1, b1 + 2, -1, b2, b2 + 1, b2 + 2, -1, b3, b3 + 1, b3 + 2, -1);
  const __m256i shifts = _mm256_setr_epi32(0, Bits % 8, (2 * Bits) % 8, (3 * Bits) % 8, 0,
                                           Bits % 8, (2 * Bits) % 8, (3 * Bits) % 8);
  const __m256i mask = set1((1 << Bits) - 1);
  const __m256i g1 = set1(gamma1);
  for (int i = 0; i < kN / 8 - 1; ++i) {
    const std::uint8_t* p = in + i * Bits;
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + kHalf));
    __m256i v = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), shuffle);
    v = _mm256_and_si256(_mm256_srlv_epi32(v, shifts), mask);
    store(z.c + 8 * i, _mm256_sub_epi32(g1, v));
  }
}

}  // namespace

void unpack_z_avx2(int bits, std::int32_t gamma1, Poly& z, const std::uint8_t* in) {
  if (bits == 20) {
    unpack_z_avx2_impl<20>(z, in, gamma1);
  } else {
    unpack_z_avx2_impl<18>(z, in, gamma1);
  }
}

// gamma2 is public (the parameter set): the branch below picks the template.
void poly_decompose_avx2(std::int32_t gamma2, Poly& a1, Poly& a0, const Poly& a) {
  if (gamma2 == (kQ - 1) / 32) return poly_decompose_avx2_impl<(kQ - 1) / 32>(a1, a0, a);
  poly_decompose_avx2_impl<(kQ - 1) / 88>(a1, a0, a);
}

std::uint32_t poly_make_hint_avx2(std::int32_t gamma2, Poly& h, const Poly& a0, const Poly& a1) {
  if (gamma2 == (kQ - 1) / 32) return poly_make_hint_avx2_impl<(kQ - 1) / 32>(h, a0, a1);
  return poly_make_hint_avx2_impl<(kQ - 1) / 88>(h, a0, a1);
}

void poly_use_hint_avx2(std::int32_t gamma2, Poly& r, const Poly& a, const Poly& h) {
  if (gamma2 == (kQ - 1) / 32) return poly_use_hint_avx2_impl<(kQ - 1) / 32>(r, a, h);
  poly_use_hint_avx2_impl<(kQ - 1) / 88>(r, a, h);
}

#undef PQBPF_AVX2

}  // namespace pqbpf::crypto::mldsa::internal

#endif  // __x86_64__
