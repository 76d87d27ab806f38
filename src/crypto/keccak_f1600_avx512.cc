// Keccak-f[1600] kernels for AVX-512 (F and VL). This file alone is compiled
// with -mavx512f -mavx512vl (and the x86-64-v3 flags); cpu_dispatch.cc
// decides at run time whether they may run.
//
// With AVX-512 a 64-bit rotate is one instruction (`vprolq`) and any
// three-input boolean function is one `vpternlogq`: chi's a ^ (~b & c) and
// three of theta's five-way XOR each take one. The same rounds run on
// 256-bit registers (four states, AVX-512VL) and on 512-bit registers
// (eight states).
#include "keccak_f1600.h"

#if defined(__x86_64__)
// GCC 12's _mm512_rol_epi64 passes _mm512_undefined_epi32() as the unused
// merge source and then warns about it at every call: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "keccak_rounds.h"

namespace pqbpf::crypto::internal {
namespace {

// Truth tables for vpternlogq with inputs (a, b, c) = (0xF0, 0xCC, 0xAA).
constexpr int kXor3 = 0x96;          // a ^ b ^ c
constexpr int kXorAndNot = 0xD2;     // a ^ (~b & c)

struct OpsAvx512 {
  using V = __m512i;
  static V x2(V a, V b) { return _mm512_xor_si512(a, b); }
  static V x5(V a, V b, V c, V d, V e) {
    return _mm512_ternarylogic_epi64(_mm512_ternarylogic_epi64(a, b, c, kXor3), d, e, kXor3);
  }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else {
      return _mm512_rol_epi64(a, N);
    }
  }
  static V chi(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, kXorAndNot); }
  static V iota(V a, std::uint64_t rc) {
    return _mm512_xor_si512(a, _mm512_set1_epi64(static_cast<long long>(rc)));
  }
};

struct OpsAvx512Vl {
  using V = __m256i;
  static V x2(V a, V b) { return _mm256_xor_si256(a, b); }
  static V x5(V a, V b, V c, V d, V e) {
    return _mm256_ternarylogic_epi64(_mm256_ternarylogic_epi64(a, b, c, kXor3), d, e, kXor3);
  }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else {
      return _mm256_rol_epi64(a, N);
    }
  }
  static V chi(V a, V b, V c) { return _mm256_ternarylogic_epi64(a, b, c, kXorAndNot); }
  static V iota(V a, std::uint64_t rc) {
    return _mm256_xor_si256(a, _mm256_set1_epi64x(static_cast<long long>(rc)));
  }
};

// One state, one lane per 128-bit register (the upper half unused): with 32
// vector registers the whole state and its temporaries stay in registers,
// and each chi and rotation is a single instruction. Faster than the
// general-purpose-register code on the machines we measured.
struct OpsAvx512Vl128 {
  using V = __m128i;
  static V x2(V a, V b) { return _mm_xor_si128(a, b); }
  static V x5(V a, V b, V c, V d, V e) {
    return _mm_ternarylogic_epi64(_mm_ternarylogic_epi64(a, b, c, kXor3), d, e, kXor3);
  }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else {
      return _mm_rol_epi64(a, N);
    }
  }
  static V chi(V a, V b, V c) { return _mm_ternarylogic_epi64(a, b, c, kXorAndNot); }
  static V iota(V a, std::uint64_t rc) {
    return _mm_xor_si128(a, _mm_cvtsi64_si128(static_cast<long long>(rc)));
  }
};

}  // namespace

void keccak_f1600_avx512(std::uint64_t state[25]) {
  __m128i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = _mm_cvtsi64_si128(static_cast<long long>(state[i]));
  keccak_rounds<OpsAvx512Vl128>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) state[i] = static_cast<std::uint64_t>(_mm_cvtsi128_si64(a[i]));
}

void keccak_f1600_x8_avx512(std::uint64_t* lanes) {
  __m512i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = _mm512_loadu_si512(lanes + 8 * i);
  keccak_rounds<OpsAvx512>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) _mm512_storeu_si512(lanes + 8 * i, a[i]);
}

void keccak_f1600_x4_avx512vl(std::uint64_t* lanes, std::size_t stride) {
  __m256i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + i * stride));
  }
  keccak_rounds<OpsAvx512Vl>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes + i * stride), a[i]);
  }
}

}  // namespace pqbpf::crypto::internal

#else  // not x86-64: never selected by the dispatcher; keep the symbols.

namespace pqbpf::crypto::internal {
void keccak_f1600_avx512(std::uint64_t state[25]) { keccak_f1600_scalar(state); }
void keccak_f1600_x8_avx512(std::uint64_t* lanes) {
  keccak_f1600_x4_scalar(lanes, 8);
  keccak_f1600_x4_scalar(lanes + 4, 8);
}
void keccak_f1600_x4_avx512vl(std::uint64_t* lanes, std::size_t stride) {
  keccak_f1600_x4_scalar(lanes, stride);
}
}  // namespace pqbpf::crypto::internal

#endif
