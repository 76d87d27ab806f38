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

// The round operations for one register width: 512 bits (eight states),
// 256 bits (four states, AVX-512VL) or 128 bits (one state, one lane per
// register: with 32 vector registers the whole state and its temporaries stay
// in registers, each chi and rotation one instruction; faster than the
// general-purpose-register code on the machines we measured).
template <int Bits>
struct Avx512Vec;
template <>
struct Avx512Vec<512> { using type = __m512i; };
template <>
struct Avx512Vec<256> { using type = __m256i; };
template <>
struct Avx512Vec<128> { using type = __m128i; };

template <int Bits>
struct OpsAvx512 {
  using V = typename Avx512Vec<Bits>::type;
  static constexpr bool kTernary = true;
  template <int Imm>
  static V tern(V a, V b, V c) {
    if constexpr (sizeof(V) == 64) {
      return _mm512_ternarylogic_epi64(a, b, c, Imm);
    } else if constexpr (sizeof(V) == 32) {
      return _mm256_ternarylogic_epi64(a, b, c, Imm);
    } else {
      return _mm_ternarylogic_epi64(a, b, c, Imm);
    }
  }
  static V x2(V a, V b) {
    if constexpr (sizeof(V) == 64) {
      return _mm512_xor_si512(a, b);
    } else if constexpr (sizeof(V) == 32) {
      return _mm256_xor_si256(a, b);
    } else {
      return _mm_xor_si128(a, b);
    }
  }
  static V x3(V a, V b, V c) { return tern<kXor3>(a, b, c); }
  static V x5(V a, V b, V c, V d, V e) { return tern<kXor3>(tern<kXor3>(a, b, c), d, e); }
  template <int N>
  static V rol(V a) {
    if constexpr (N == 0) {
      return a;
    } else if constexpr (sizeof(V) == 64) {
      return _mm512_rol_epi64(a, N);
    } else if constexpr (sizeof(V) == 32) {
      return _mm256_rol_epi64(a, N);
    } else {
      return _mm_rol_epi64(a, N);
    }
  }
  static V chi(V a, V b, V c) { return tern<kXorAndNot>(a, b, c); }
  static V iota(V a, std::uint64_t rc) {
    const auto r = static_cast<long long>(rc);
    if constexpr (sizeof(V) == 64) {
      return x2(a, _mm512_set1_epi64(r));
    } else if constexpr (sizeof(V) == 32) {
      return x2(a, _mm256_set1_epi64x(r));
    } else {
      return x2(a, _mm_cvtsi64_si128(r));  // lane 0 only: the upper half is unused
    }
  }
};

}  // namespace

void keccak_f1600_avx512(std::uint64_t state[25]) {
  __m128i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = _mm_cvtsi64_si128(static_cast<long long>(state[i]));
  keccak_rounds<OpsAvx512<128>>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) state[i] = static_cast<std::uint64_t>(_mm_cvtsi128_si64(a[i]));
}

void keccak_absorb_blocks_avx512(std::uint64_t state[25], const std::uint8_t* data,
                                 std::size_t nblocks, std::size_t rate_words) {
  __m128i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = _mm_cvtsi64_si128(static_cast<long long>(state[i]));
  for (std::size_t b = 0; b < nblocks; ++b, data += 8 * rate_words) {
    // x86 is little-endian: a lane is the 8 bytes as they are.
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) {
      if (static_cast<std::size_t>(i) < rate_words) {
        a[i] = _mm_xor_si128(a[i], _mm_loadl_epi64(reinterpret_cast<const __m128i*>(data + 8 * i)));
      }
    }
    keccak_rounds<OpsAvx512<128>>(a);
  }
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) state[i] = static_cast<std::uint64_t>(_mm_cvtsi128_si64(a[i]));
}

namespace {

// Eight states: load, 24 rounds, store; a keeps the result for the squeeze.
[[gnu::always_inline]] inline void x8_permute(std::uint64_t* lanes, __m512i (&a)[25]) {
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = _mm512_loadu_si512(lanes + 8 * i);
  keccak_rounds<OpsAvx512<512>>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) _mm512_storeu_si512(lanes + 8 * i, a[i]);
}

// rows[j] = (in[0][j], in[1][j], ..., in[7][j]): an 8x8 transpose of 64-bit
// elements in three rounds of two-source permutes.
inline void transpose8x8(const __m512i in[8], __m512i rows[8]) {
  const __m512i lo = _mm512_setr_epi64(0, 8, 2, 10, 4, 12, 6, 14);
  const __m512i hi = _mm512_setr_epi64(1, 9, 3, 11, 5, 13, 7, 15);
  const __m512i p0 = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
  const __m512i p1 = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
  const __m512i q0 = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
  const __m512i q1 = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
  __m512i a[8];
  for (int k = 0; k < 4; ++k) {
    a[2 * k] = _mm512_permutex2var_epi64(in[2 * k], lo, in[2 * k + 1]);      // elements 0,2,4,6
    a[2 * k + 1] = _mm512_permutex2var_epi64(in[2 * k], hi, in[2 * k + 1]);  // elements 1,3,5,7
  }
  // b[...]: four consecutive inputs per element pair.
  __m512i b[8];
  for (int h = 0; h < 2; ++h) {    // inputs 0-3 or 4-7
    for (int par = 0; par < 2; ++par) {  // even or odd elements
      const __m512i x = a[4 * h + par];
      const __m512i y = a[4 * h + 2 + par];
      b[4 * h + 2 * par] = _mm512_permutex2var_epi64(x, p0, y);      // elements par, 4+par
      b[4 * h + 2 * par + 1] = _mm512_permutex2var_epi64(x, p1, y);  // elements 2+par, 6+par
    }
  }
  // b[4h + 2par + m] holds, for inputs 4h..4h+3, elements e and e+4 with
  // e = par + 2m.
  for (int e = 0; e < 4; ++e) {
    const int par = e & 1;
    const int m = e >> 1;
    const __m512i x = b[2 * par + m];
    const __m512i y = b[4 + 2 * par + m];
    rows[e] = _mm512_permutex2var_epi64(x, q0, y);
    rows[e + 4] = _mm512_permutex2var_epi64(x, q1, y);
  }
}

}  // namespace

void keccak_f1600_x8_avx512_squeeze(std::uint64_t* lanes, std::size_t rate_words,
                                    std::uint8_t* const* out, int n) {
  __m512i a[25];
  x8_permute(lanes, a);
  // Each state's first rate_words lanes, straight from the registers (a
  // round trip through `lanes` would read 8-byte pieces of 64-byte stores,
  // which the CPU cannot forward).
  for (std::size_t w = 0; w < rate_words; w += 8) {
    __m512i in[8];
    for (std::size_t k = 0; k < 8; ++k) in[k] = w + k < 25 ? a[w + k] : _mm512_setzero_si512();
    __m512i rows[8];
    transpose8x8(in, rows);
    const std::size_t left = rate_words - w;
    const __mmask8 keep = left >= 8 ? 0xFF : static_cast<__mmask8>((1U << left) - 1);
    for (int j = 0; j < n; ++j) _mm512_mask_storeu_epi64(out[j] + 8 * w, keep, rows[j]);
  }
}

void keccak_f1600_x8_avx512(std::uint64_t* lanes) {
  __m512i a[25];
  x8_permute(lanes, a);
}

void keccak_f1600_x4_avx512vl(std::uint64_t* lanes, std::size_t stride) {
  __m256i a[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + i * stride));
  }
  keccak_rounds<OpsAvx512<256>>(a);
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes + i * stride), a[i]);
  }
}

}  // namespace pqbpf::crypto::internal

#else  // not x86-64: never selected by the dispatcher; keep the symbols.

#include "keccak_lanes.h"

namespace pqbpf::crypto::internal {
void keccak_f1600_avx512(std::uint64_t state[25]) { keccak_f1600_scalar(state); }
void keccak_f1600_x8_avx512(std::uint64_t* lanes) {
  keccak_f1600_x4_scalar(lanes, 8);
  keccak_f1600_x4_scalar(lanes + 4, 8);
}
void keccak_f1600_x4_avx512vl(std::uint64_t* lanes, std::size_t stride) {
  keccak_f1600_x4_scalar(lanes, stride);
}
void keccak_absorb_blocks_avx512(std::uint64_t state[25], const std::uint8_t* data,
                                 std::size_t nblocks, std::size_t rate_words) {
  for (std::size_t b = 0; b < nblocks; ++b, data += 8 * rate_words) {
    for (std::size_t i = 0; i < rate_words; ++i) state[i] ^= load_le64(data + 8 * i);
    keccak_f1600_scalar(state);
  }
}
void keccak_f1600_x8_avx512_squeeze(std::uint64_t* lanes, std::size_t rate_words,
                                    std::uint8_t* const* out, int n) {
  keccak_f1600_x8_avx512(lanes);
  for (int j = 0; j < n; ++j) {
    for (std::size_t w = 0; w < rate_words; ++w) store_le64(out[j] + 8 * w, lanes[8 * w + j]);
  }
}
}  // namespace pqbpf::crypto::internal

#endif
