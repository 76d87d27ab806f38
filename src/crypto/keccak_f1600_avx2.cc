// Keccak-f[1600] kernels for x86-64-v3 (AVX2, BMI1, BMI2). This file alone is
// compiled with -mavx2 -mbmi -mbmi2 (see CMakeLists.txt); cpu_dispatch.cc
// decides at run time whether they may run. Both compute exactly FIPS 202's
// permutation (keccak_f1600_test.cc checks them against the spec).
//
//  - keccak_f1600_v3: one state in general-purpose registers. The plain
//    chi form a ^ (~b & c) is one `andn` and rotations are `rorx` (no copy
//    needed), so the lane-complementing trick of the portable code is not
//    needed here.
//  - keccak_f1600_x4_avx2: four independent states, one per 64-bit element
//    of a 256-bit register. AVX2 has no 64-bit rotate: shift left, shift
//    right and OR, except rotations by 8 and 56, which are byte shuffles.
#include "keccak_f1600.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "keccak_rounds.h"

namespace pqbpf::crypto::internal {
namespace {

struct OpsU64 {
  using V = std::uint64_t;
  static V x2(V a, V b) { return a ^ b; }
  static V x5(V a, V b, V c, V d, V e) { return a ^ b ^ c ^ d ^ e; }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else {
      return (a << N) | (a >> (64 - N));
    }
  }
  static V chi(V a, V b, V c) { return a ^ (~b & c); }
  static V iota(V a, std::uint64_t rc) { return a ^ rc; }
};

struct OpsAvx2 {
  using V = __m256i;
  static V x2(V a, V b) { return _mm256_xor_si256(a, b); }
  static V x5(V a, V b, V c, V d, V e) {
    return _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d)), e);
  }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else if constexpr (N == 8) {
      const V idx = _mm256_setr_epi8(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14, 7, 0,
                                     1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
      return _mm256_shuffle_epi8(a, idx);
    } else if constexpr (N == 56) {
      const V idx = _mm256_setr_epi8(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8, 1, 2,
                                     3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
      return _mm256_shuffle_epi8(a, idx);
    } else {
      return _mm256_or_si256(_mm256_slli_epi64(a, N), _mm256_srli_epi64(a, 64 - N));
    }
  }
  static V chi(V a, V b, V c) { return _mm256_xor_si256(a, _mm256_andnot_si256(b, c)); }
  static V iota(V a, std::uint64_t rc) {
    return _mm256_xor_si256(a, _mm256_set1_epi64x(static_cast<long long>(rc)));
  }
};

}  // namespace

void keccak_f1600_v3(std::uint64_t state[25]) {
  std::uint64_t a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = state[i];
  keccak_rounds<OpsU64>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) state[i] = a[i];
}

void keccak_f1600_x4_avx2(std::uint64_t* lanes, std::size_t stride) {
  __m256i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + i * stride));
  }
  keccak_rounds<OpsAvx2>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes + i * stride), a[i]);
  }
}

}  // namespace pqbpf::crypto::internal

#else  // not x86-64: never selected by the dispatcher; keep the symbols.

namespace pqbpf::crypto::internal {
void keccak_f1600_v3(std::uint64_t state[25]) { keccak_f1600_scalar(state); }
void keccak_f1600_x4_avx2(std::uint64_t* lanes, std::size_t stride) {
  keccak_f1600_x4_scalar(lanes, stride);
}
}  // namespace pqbpf::crypto::internal

#endif
