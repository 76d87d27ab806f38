// AVX2 parsing for RejNTTPoly (FIPS 204, Algorithm 30, with Algorithm 14
// CoeffFromThreeBytes): eight 3-byte candidates per step. A byte shuffle
// widens them to 32-bit lanes, a compare against q gives the accept mask,
// and a permutation looked up by that mask packs the accepted lanes to the
// front. Exactly the integers, in the order, of the scalar rej_uniform.
//
// The table lookup is indexed by the accept pattern of candidates derived
// from rho, which is public (the first 32 bytes of the public key).
//
// Also the AVX2 compaction for RejBoundedPoly (Algorithm 31 with Algorithm
// 15 CoeffFromHalfByte): eight half-bytes per step. Here the bytes are
// secret; the same table is indexed only by the accept pattern, which the
// caller has declassified (see rej_eta in sampling.h), and the secret values
// only flow through arithmetic and the permutation.
#include <array>
#include <cstdint>

#include "sampling.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace pqbpf::crypto::mldsa::internal {

#if defined(__x86_64__)
namespace {

// kPack[m]: the indices of the set bits of m, in increasing order, one per
// byte (unused bytes 0).
constexpr std::array<std::uint64_t, 256> make_pack_table() {
  std::array<std::uint64_t, 256> t{};
  for (unsigned m = 0; m < 256; ++m) {
    std::uint64_t v = 0;
    int k = 0;
    for (unsigned b = 0; b < 8; ++b) {
      if ((m >> b) & 1U) v |= std::uint64_t{b} << (8 * k++);
    }
    t[m] = v;
  }
  return t;
}
constexpr std::array<std::uint64_t, 256> kPack = make_pack_table();

}  // namespace

__attribute__((target("avx2,popcnt"))) int rej_uniform_avx2(std::int32_t* a, int ctr,
                                                            const std::uint8_t* buf,
                                                            std::size_t len) {
  // Lane 0 takes bytes 0..11 (at offsets 0..11), lane 1 bytes 12..23 (at
  // offsets 4..15 after the 64-bit permute below).
  const __m256i shuf = _mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1,
                                        4, 5, 6, -1, 7, 8, 9, -1, 10, 11, 12, -1, 13, 14, 15, -1);
  const __m256i mask23 = _mm256_set1_epi32(0x7FFFFF);
  const __m256i q = _mm256_set1_epi32(kQ);
  std::size_t i = 0;
  // 32 bytes are loaded for 24 consumed: stay 32 bytes inside buf, and keep
  // 8 free slots in a.
  while (ctr <= kN - 8 && i + 32 <= len) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(buf + i));
    v = _mm256_permute4x64_epi64(v, 0x94);  // qwords 0, 1, 1, 2
    v = _mm256_and_si256(_mm256_shuffle_epi8(v, shuf), mask23);
    const __m256i ok = _mm256_cmpgt_epi32(q, v);
    const unsigned m = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(ok)));
    const __m256i idx = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(kPack[m])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + ctr), _mm256_permutevar8x32_epi32(v, idx));
    ctr += __builtin_popcount(m);
    i += 24;
  }
  return rej_uniform_scalar(a, ctr, buf + i, len - i);
}

__attribute__((target("avx2,bmi2,popcnt"))) int rej_eta_avx2(int eta_value, std::int32_t* out,
                                                             int ctr,
                                                             const std::uint8_t* buf,
                                                             const std::uint8_t* accept,
                                                             std::size_t len) {
  // Bytes b0..b3 -> half-bytes lo0, hi0, lo1, hi1, ... in eight 32-bit lanes.
  const __m128i dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i shifts = _mm256_setr_epi32(0, 4, 0, 4, 0, 4, 0, 4);
  const __m256i nibble = _mm256_set1_epi32(0x0F);
  const __m256i eta = _mm256_set1_epi32(eta_value);
  std::size_t i = 0;
  for (; i + 4 <= len && ctr < kN; i += 4) {
    std::uint32_t b4;
    std::uint32_t a4;
    __builtin_memcpy(&b4, buf + i, 4);
    __builtin_memcpy(&a4, accept + i, 4);
    const __m128i bytes = _mm_shuffle_epi8(_mm_cvtsi32_si128(static_cast<int>(b4)), dup);
    const __m256i nib =
        _mm256_and_si256(_mm256_srlv_epi32(_mm256_cvtepu8_epi32(bytes), shifts), nibble);
    __m256i v;
    if (eta_value == 2) {  // the parameter set, public
      // eta - (b mod 5), b mod 5 = b - 5 * floor(205 b / 1024) for b < 15.
      const __m256i q5 = _mm256_srli_epi32(_mm256_mullo_epi32(nib, _mm256_set1_epi32(205)), 10);
      const __m256i mod5 = _mm256_sub_epi32(nib, _mm256_mullo_epi32(q5, _mm256_set1_epi32(5)));
      v = _mm256_sub_epi32(eta, mod5);
    } else {
      v = _mm256_sub_epi32(eta, nib);
    }
    // Two accept bits per byte (low, high half-byte) -> one bit per lane.
    const unsigned m = _pext_u32(a4, 0x03030303U);
    const __m256i idx = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(kPack[m])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + ctr), _mm256_permutevar8x32_epi32(v, idx));
    ctr += __builtin_popcount(m);
  }
  return ctr < kN ? ctr : kN;
}

#else

int rej_eta_avx2(int, std::int32_t*, int ctr, const std::uint8_t*, const std::uint8_t*,
                 std::size_t) {
  return ctr;  // never called: the dispatcher selects AVX2 only on x86-64
}

int rej_uniform_avx2(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len) {
  return rej_uniform_scalar(a, ctr, buf, len);
}

#endif

}  // namespace pqbpf::crypto::mldsa::internal
