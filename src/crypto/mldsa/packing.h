// Byte encodings of FIPS 204, Section 7.1-7.2: SimpleBitPack / BitPack
// (Algorithms 16-19), HintBitPack / HintBitUnpack (Algorithms 20-21), and the
// key and signature encodings pkEncode, skEncode, sigEncode, w1Encode
// (Algorithms 22-28).
//
// Coefficients are written little-endian, bits * 256 / 8 bytes per
// polynomial. The packers are straight-line arithmetic (no data-dependent
// branch or index), so they are safe on s1, s2 and t0. Only the hint decoder
// branches, and it runs on public signatures.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "params.h"
#include "poly.h"
#include "pqbpf/crypto/ct.h"

namespace pqbpf::crypto::mldsa::internal {

// The N low-order bytes of v, little-endian, at out.
template <int N>
inline void store_le_prefix(std::uint8_t* out, std::uint64_t v) {
  static_assert(N >= 1 && N <= 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(out, &v, N);
}

// Writes f(a_i) (each < 2^Bits) for all 256 coefficients, 32 * Bits bytes.
// Groups of eight values (four when Bits > 16) are ORed into one 64- or
// 128-bit word and stored at once: straight-line arithmetic, no byte loop.
template <int Bits, typename F>
inline void pack_poly(std::uint8_t* out, const Poly& a, F f) {
  static_assert(Bits >= 1 && Bits <= 24);
  constexpr int kGroup = Bits <= 16 ? 8 : 4;
  constexpr int kBytes = kGroup * Bits / 8;
  static_assert(kGroup * Bits % 8 == 0);
  using Acc = std::conditional_t<(kGroup * Bits <= 64), std::uint64_t, unsigned __int128>;
  for (int i = 0; i < kN / kGroup; ++i) {
    Acc acc = 0;
#pragma GCC unroll 8
    for (int j = 0; j < kGroup; ++j) {
      acc |= static_cast<Acc>(static_cast<std::uint32_t>(f(a.c[kGroup * i + j]))) << (Bits * j);
    }
    // Straight from registers (a bounce through a byte buffer would read
    // across two wider stores, which the CPU cannot forward).
    std::uint8_t* o = out + i * kBytes;
    if constexpr (sizeof(Acc) == 8) {
      store_le_prefix<kBytes>(o, acc);
    } else {
      store_le_prefix<8>(o, static_cast<std::uint64_t>(acc));
      store_le_prefix<kBytes - 8>(o + 8, static_cast<std::uint64_t>(acc >> 64));
    }
  }
}

// Reads 256 Bits-bit values and stores f(value) in a, from 32 * Bits bytes
// (from group first_group of eight values on, when given).
template <int Bits, typename F>
inline void unpack_poly(Poly& a, const std::uint8_t* in, F f, int first_group = 0) {
  static_assert(Bits >= 1 && Bits <= 24);
  constexpr std::uint32_t kMask = (std::uint32_t{1} << Bits) - 1;
  for (int i = first_group; i < kN / 8; ++i) {
    std::uint64_t acc = 0;
    int nbits = 0;
    const std::uint8_t* p = in + i * Bits;
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      while (nbits < Bits) {
        acc |= static_cast<std::uint64_t>(*p++) << nbits;
        nbits += 8;
      }
      a.c[8 * i + j] = f(static_cast<std::uint32_t>(acc) & kMask);
      acc >>= Bits;
      nbits -= Bits;
    }
  }
}

// --- t1: SimpleBitPack(t1, 2^10 - 1) (pkEncode, Algorithm 22) -------------
inline void pack_t1(std::uint8_t* out, const Poly& t1) {
  pack_poly<10>(out, t1, [](std::int32_t v) { return v; });
}
inline void unpack_t1(Poly& t1, const std::uint8_t* in) {
  unpack_poly<10>(t1, in, [](std::uint32_t v) { return static_cast<std::int32_t>(v); });
}

// --- t0: BitPack(t0, 2^(d-1) - 1, 2^(d-1)) (skEncode, Algorithm 24) ------
inline void pack_t0(std::uint8_t* out, const Poly& t0) {
  pack_poly<kD>(out, t0, [](std::int32_t v) { return (1 << (kD - 1)) - v; });
}
inline void unpack_t0(Poly& t0, const std::uint8_t* in) {
  unpack_poly<kD>(t0, in,
                  [](std::uint32_t v) { return (1 << (kD - 1)) - static_cast<std::int32_t>(v); });
}

// --- s1, s2: BitPack(s, eta, eta) (skEncode, Algorithm 24) ----------------
template <class P>
inline void pack_eta(std::uint8_t* out, const Poly& s) {
  pack_poly<P::eta_bits>(out, s, [](std::int32_t v) { return P::eta - v; });
}
// Unpacks without checking; returns an all-ones mask if some encoded value is
// above 2 eta (FIPS 204, Algorithm 25 skDecode: such keys are malformed).
// Branch-free: the private key is secret.
template <class P>
inline std::uint32_t unpack_eta(Poly& s, const std::uint8_t* in) {
  std::int32_t bad = 0;
  unpack_poly<P::eta_bits>(s, in, [&bad](std::uint32_t v) {
    bad |= 2 * P::eta - static_cast<std::int32_t>(v);  // negative iff v > 2 eta
    return P::eta - static_cast<std::int32_t>(v);
  });
  return ct::mask_negative(bad);
}

// --- z: BitPack(z, gamma1 - 1, gamma1) (sigEncode, Algorithm 26) ---------
template <class P>
inline void pack_z(std::uint8_t* out, const Poly& z) {
  pack_poly<P::z_bits>(out, z, [](std::int32_t v) { return P::gamma1 - v; });
}
template <class P>
inline void unpack_z(Poly& z, const std::uint8_t* in) {
  const auto f = [](std::uint32_t v) { return P::gamma1 - static_cast<std::int32_t>(v); };
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) {
    // All groups but the last with AVX2 (so its loads stay inside the
    // polynomial's bytes), the last one here.
    unpack_z_avx2(P::z_bits, P::gamma1, z, in);
    unpack_poly<P::z_bits>(z, in, f, kN / 8 - 1);
    return;
  }
#endif
  unpack_poly<P::z_bits>(z, in, f);
}

// --- w1: SimpleBitPack(w1, (q-1)/(2 gamma2) - 1) (w1Encode, Algorithm 28) -
template <class P>
inline void pack_w1(std::uint8_t* out, const Poly& w1) {
  pack_poly<P::w1_bits>(out, w1, [](std::int32_t v) { return v; });
}

// --- Hints: FIPS 204, Algorithm 20 HintBitPack -----------------------------
// h holds 0/1 coefficients with at most omega ones in total (checked by the
// caller). Writes omega + k bytes. Public data: only called on an accepted
// signature.
template <class P>
inline void pack_hints(std::uint8_t* out, const PolyVec<P::k>& h) {
  for (int i = 0; i < P::omega + P::k; ++i) out[i] = 0;
  int index = 0;
  for (int i = 0; i < P::k; ++i) {
    for (int j = 0; j < kN; ++j) {
      if (h[i].c[j] != 0) out[index++] = static_cast<std::uint8_t>(j);
    }
    out[P::omega + i] = static_cast<std::uint8_t>(index);
  }
}

// FIPS 204, Algorithm 21 HintBitUnpack. Returns false (the spec's bottom) for
// every malformed encoding: a cumulative count that decreases or exceeds
// omega, indices not strictly increasing within a polynomial, or non-zero
// padding after the last index. Never reads outside the omega + k bytes.
template <class P>
inline bool unpack_hints(PolyVec<P::k>& h, const std::uint8_t* in) {
  for (auto& p : h) {
    for (auto& c : p.c) c = 0;
  }
  unsigned index = 0;
  for (int i = 0; i < P::k; ++i) {
    const unsigned end = in[P::omega + i];
    if (end < index || end > static_cast<unsigned>(P::omega)) return false;
    const unsigned first = index;
    for (; index < end; ++index) {
      if (index > first && in[index - 1] >= in[index]) return false;
      h[i].c[in[index]] = 1;
    }
  }
  for (unsigned j = index; j < static_cast<unsigned>(P::omega); ++j) {
    if (in[j] != 0) return false;
  }
  return true;
}

}  // namespace pqbpf::crypto::mldsa::internal
