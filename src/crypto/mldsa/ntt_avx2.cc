// AVX2 NTT and inverse NTT (FIPS 204, Algorithms 41 and 42), computing
// exactly the same integers as the scalar code in ntt.cc.
//
// Eight int32 coefficients per vector. Montgomery multiplication splits the
// lanes into even and odd halves for the 32x32 -> 64-bit vpmuldq. The layers
// with butterfly distance >= 8 work on whole vectors with one broadcast
// twiddle; for the last three (distance 4, 2, 1) each block of 64
// coefficients is transposed 8x8, so that the butterflies are again between
// whole vectors and lane b holds block b, with per-lane twiddles loaded from
// tables rearranged at compile time.
//
// Functions carry __attribute__((target("avx2"))) rather than the file being
// built with -mavx2, so no AVX2 code can leak into shared inline functions;
// ntt.cc only calls them when the dispatch level allows AVX2. No data-dependent branches
// or addresses: the code is as constant-time as the scalar one.
#include <array>
#include <cstdint>

#include "ntt.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PQBPF_MLDSA_HAVE_AVX2_CODE 1
#endif

namespace pqbpf::crypto::mldsa::internal {

#if defined(PQBPF_MLDSA_HAVE_AVX2_CODE)

namespace {

constexpr std::int32_t kQInvLocal = 58728449;
constexpr std::int32_t kInvNttFactor = 41978;

// Twiddles for the transposed layers, lane b = block b of a 64-coefficient
// chunk c (blocks 8c .. 8c + 7 of 8 coefficients each).
struct alignas(32) TransposedZetas {
  // Forward: distance 4 uses zetas[32 + B]; distance 2, group h in {0, 1},
  // zetas[64 + 2B + h]; distance 1, group g in 0..3, zetas[128 + 4B + g].
  std::int32_t fwd4[32];
  std::int32_t fwd2[2][32];
  std::int32_t fwd1[4][32];
  // Inverse (negated): distance 1, -zetas[255 - (4B + g)]; distance 2,
  // -zetas[127 - (2B + h)]; distance 4, -zetas[63 - B].
  std::int32_t inv1[4][32];
  std::int32_t inv2[2][32];
  std::int32_t inv4[32];
};

constexpr TransposedZetas make_transposed_zetas() {
  TransposedZetas t{};
  for (int b = 0; b < 32; ++b) {
    t.fwd4[b] = kZetas[32 + b];
    t.inv4[b] = -kZetas[63 - b];
    for (int h = 0; h < 2; ++h) {
      t.fwd2[h][b] = kZetas[64 + 2 * b + h];
      t.inv2[h][b] = -kZetas[127 - (2 * b + h)];
    }
    for (int g = 0; g < 4; ++g) {
      t.fwd1[g][b] = kZetas[128 + 4 * b + g];
      t.inv1[g][b] = -kZetas[255 - (4 * b + g)];
    }
  }
  return t;
}

// constexpr: built by the compiler, so there is no dynamic initialiser whose
// order against other translation units' initialisers could matter.
constexpr TransposedZetas kTz = make_transposed_zetas();

__attribute__((target("avx2"))) inline __m256i load(const std::int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
__attribute__((target("avx2"))) inline void store(std::int32_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// Lane-wise montgomery_reduce(a * b): (a*b - t*q) / 2^32 with
// t = (int32)(a*b) * q^-1 mod 2^32.
__attribute__((target("avx2"))) inline __m256i montmul(__m256i a, __m256i b) {
  const __m256i q = _mm256_set1_epi32(kQ);
  const __m256i qinv = _mm256_set1_epi32(kQInvLocal);
  const __m256i a_odd = _mm256_srli_epi64(a, 32);
  const __m256i b_odd = _mm256_srli_epi64(b, 32);
  const __m256i p_even = _mm256_mul_epi32(a, b);
  const __m256i p_odd = _mm256_mul_epi32(a_odd, b_odd);
  const __m256i t_even = _mm256_mul_epi32(_mm256_mul_epi32(p_even, qinv), q);
  const __m256i t_odd = _mm256_mul_epi32(_mm256_mul_epi32(p_odd, qinv), q);
  const __m256i r_even = _mm256_srli_epi64(_mm256_sub_epi64(p_even, t_even), 32);
  const __m256i r_odd = _mm256_sub_epi64(p_odd, t_odd);
  return _mm256_blend_epi32(r_even, r_odd, 0xAA);
}

// In-place 8x8 transpose of v[0..7]: afterwards v[i][b] = old v[b][i].
__attribute__((target("avx2"))) inline void transpose8(__m256i v[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]);
  const __m256i t1 = _mm256_unpackhi_epi32(v[0], v[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]);
  const __m256i t3 = _mm256_unpackhi_epi32(v[2], v[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]);
  const __m256i t5 = _mm256_unpackhi_epi32(v[4], v[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]);
  const __m256i t7 = _mm256_unpackhi_epi32(v[6], v[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
  const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
  const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
  const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
  const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
  v[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  v[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  v[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  v[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  v[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  v[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  v[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  v[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// Forward (Cooley-Tukey) butterfly: (x, y) -> (x + zy, x - zy).
__attribute__((target("avx2"))) inline void ct_butterfly(__m256i& x, __m256i& y, __m256i z) {
  const __m256i t = montmul(y, z);
  y = _mm256_sub_epi32(x, t);
  x = _mm256_add_epi32(x, t);
}

// Inverse (Gentleman-Sande) butterfly: (x, y) -> (x + y, z(x - y)).
__attribute__((target("avx2"))) inline void gs_butterfly(__m256i& x, __m256i& y, __m256i z) {
  const __m256i t = x;
  x = _mm256_add_epi32(t, y);
  y = montmul(_mm256_sub_epi32(t, y), z);
}

}  // namespace

__attribute__((target("avx2"))) void ntt_avx2(std::int32_t a[kN]) {
  // Distances 128 .. 8: twiddle zetas[k] for group k - first index of layer.
  unsigned k = 0;
  for (unsigned len = 128; len >= 8; len >>= 1) {
    for (unsigned start = 0; start < kN; start += 2 * len) {
      const __m256i z = _mm256_set1_epi32(kZetas[++k]);
      for (unsigned j = start; j < start + len; j += 8) {
        __m256i x = load(a + j);
        __m256i y = load(a + j + len);
        ct_butterfly(x, y, z);
        store(a + j, x);
        store(a + j + len, y);
      }
    }
  }
  // Distances 4, 2, 1 on transposed 64-coefficient chunks.
  for (int c = 0; c < 4; ++c) {
    std::int32_t* p = a + 64 * c;
    __m256i v[8];
    for (int b = 0; b < 8; ++b) v[b] = load(p + 8 * b);
    transpose8(v);
    const __m256i z4 = load(kTz.fwd4 + 8 * c);
    for (int i = 0; i < 4; ++i) ct_butterfly(v[i], v[i + 4], z4);
    for (int h = 0; h < 2; ++h) {
      const __m256i z2 = load(kTz.fwd2[h] + 8 * c);
      ct_butterfly(v[4 * h + 0], v[4 * h + 2], z2);
      ct_butterfly(v[4 * h + 1], v[4 * h + 3], z2);
    }
    for (int g = 0; g < 4; ++g) {
      ct_butterfly(v[2 * g], v[2 * g + 1], load(kTz.fwd1[g] + 8 * c));
    }
    transpose8(v);
    for (int b = 0; b < 8; ++b) store(p + 8 * b, v[b]);
  }
}

__attribute__((target("avx2"))) void invntt_tomont_avx2(std::int32_t a[kN]) {
  // Distances 1, 2, 4 on transposed chunks.
  for (int c = 0; c < 4; ++c) {
    std::int32_t* p = a + 64 * c;
    __m256i v[8];
    for (int b = 0; b < 8; ++b) v[b] = load(p + 8 * b);
    transpose8(v);
    for (int g = 0; g < 4; ++g) {
      gs_butterfly(v[2 * g], v[2 * g + 1], load(kTz.inv1[g] + 8 * c));
    }
    for (int h = 0; h < 2; ++h) {
      const __m256i z2 = load(kTz.inv2[h] + 8 * c);
      gs_butterfly(v[4 * h + 0], v[4 * h + 2], z2);
      gs_butterfly(v[4 * h + 1], v[4 * h + 3], z2);
    }
    const __m256i z4 = load(kTz.inv4 + 8 * c);
    for (int i = 0; i < 4; ++i) gs_butterfly(v[i], v[i + 4], z4);
    transpose8(v);
    for (int b = 0; b < 8; ++b) store(p + 8 * b, v[b]);
  }
  // Distances 8 .. 128: group m of a layer with G groups uses
  // -zetas[2G - 1 - m] (the scalar code's k counting down from 256).
  for (unsigned len = 8; len < kN; len <<= 1) {
    const unsigned groups = kN / (2 * len);
    for (unsigned m = 0; m < groups; ++m) {
      const __m256i z = _mm256_set1_epi32(-kZetas[2 * groups - 1 - m]);
      const unsigned start = 2 * len * m;
      for (unsigned j = start; j < start + len; j += 8) {
        __m256i x = load(a + j);
        __m256i y = load(a + j + len);
        gs_butterfly(x, y, z);
        store(a + j, x);
        store(a + j + len, y);
      }
    }
  }
  const __m256i f = _mm256_set1_epi32(kInvNttFactor);
  for (unsigned j = 0; j < kN; j += 8) store(a + j, montmul(load(a + j), f));
}

__attribute__((target("avx2"))) void pointwise_montgomery_avx2(std::int32_t r[kN],
                                                               const std::int32_t a[kN],
                                                               const std::int32_t b[kN]) {
  for (unsigned j = 0; j < kN; j += 8) store(r + j, montmul(load(a + j), load(b + j)));
}

__attribute__((target("avx2"))) void dot_montgomery_avx2(std::int32_t r[kN],
                                                         const std::int32_t* a,
                                                         const std::int32_t* b, int n,
                                                         const std::int32_t* c,
                                                         const std::int32_t* t) {
  // reduce32: a - round(a / 2^23) * q.
  const __m256i q = _mm256_set1_epi32(kQ);
  const __m256i half = _mm256_set1_epi32(1 << 22);
  for (unsigned i = 0; i < kN; i += 8) {
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < n; ++j) {
      acc = _mm256_add_epi32(acc, montmul(load(a + j * kN + i), load(b + j * kN + i)));
    }
    if (c != nullptr) acc = _mm256_sub_epi32(acc, montmul(load(c + i), load(t + i)));
    const __m256i k = _mm256_srai_epi32(_mm256_add_epi32(acc, half), 23);
    store(r + i, _mm256_sub_epi32(acc, _mm256_mullo_epi32(k, q)));
  }
}

#else  // no x86: the scalar code only

void ntt_avx2(std::int32_t a[kN]) { ntt_scalar(a); }
void invntt_tomont_avx2(std::int32_t a[kN]) { invntt_tomont_scalar(a); }
void pointwise_montgomery_avx2(std::int32_t r[kN], const std::int32_t a[kN],
                               const std::int32_t b[kN]) {
  for (int i = 0; i < kN; ++i) {
    const std::int64_t p = static_cast<std::int64_t>(a[i]) * b[i];
    const std::int32_t t = static_cast<std::int32_t>(
        static_cast<std::int64_t>(static_cast<std::int32_t>(p)) * 58728449);
    r[i] = static_cast<std::int32_t>((p - static_cast<std::int64_t>(t) * kQ) >> 32);
  }
}

void dot_montgomery_avx2(std::int32_t r[kN], const std::int32_t* a, const std::int32_t* b, int n,
                         const std::int32_t* c, const std::int32_t* t) {
  for (int i = 0; i < kN; ++i) {
    std::int64_t acc = 0;
    for (int j = 0; j < n; ++j) acc += static_cast<std::int64_t>(a[j * kN + i]) * b[j * kN + i];
    if (c != nullptr) acc -= static_cast<std::int64_t>(c[i]) * t[i];
    const std::int64_t t2 = static_cast<std::int32_t>(static_cast<std::int32_t>(acc) * 58728449);
    r[i] = static_cast<std::int32_t>((acc - t2 * kQ) >> 32);
  }
}

#endif

}  // namespace pqbpf::crypto::mldsa::internal
