// The 24 rounds of Keccak-f[1600] (FIPS 202, Section 3.3: theta, rho, pi,
// chi, iota) written once, over an abstract lane type, for the x86 kernels:
// one 64-bit lane (built for x86-64-v3, so chi becomes `andn` and rho
// `rorx`), four states in the 64-bit elements of an AVX2 register, and four
// or eight states with AVX-512 (`vprolq`, and `vpternlogq` for chi and the
// five-way parity).
//
// `Ops` supplies the lane type V and: x2(a, b) = a ^ b, x5(a..e) = a ^ b ^ c
// ^ d ^ e, rol<N>(a) (0 <= N < 64), chi(a, b, c) = a ^ (~b & c) and
// iota(a, rc) = a ^ rc in every element. Ops with a three-input XOR in one
// instruction also define x3(a, b, c) and kTernary = true: theta's
// A ^ C[x-1] ^ rol(C[x+1], 1) is then one operation per lane instead of
// forming D[x] first (five fewer operations per round).
//
// Included by the kernel files, each compiled for its own instruction set,
// and by the portable keccak_f1600.cc for the constants alone; everything
// here is in an anonymous namespace so no function compiled for one
// instruction set can be picked by the linker for another file.
#pragma once

#include <cstdint>

namespace pqbpf::crypto::internal {
namespace {

constexpr std::uint64_t kKeccakRc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// rho offsets for lane x + 5y (FIPS 202, Table 2).
constexpr int kKeccakRho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

// pi: output lane (x, y) comes from input lane (x + 3y mod 5, x).
constexpr int keccak_pi_source(int x, int y) { return (x + 3 * y) % 5 + 5 * x; }

template <class Ops>
constexpr bool keccak_ternary() {
  if constexpr (requires { Ops::kTernary; }) {
    return Ops::kTernary;
  } else {
    return false;
  }
}

// One output lane of theta + rho + pi for plane y, position x. d holds D[x]
// (or, with a three-input XOR, C[x] followed by rol(C[x], 1) in d[5..9]).
template <class Ops, int X, int Y>
[[gnu::always_inline]] inline typename Ops::V keccak_b(const typename Ops::V (&a)[25],
                                                       const typename Ops::V (&d)[10]) {
  constexpr int s = keccak_pi_source(X, Y);
  constexpr int x = s % 5;
  if constexpr (keccak_ternary<Ops>()) {
    return Ops::template rol<kKeccakRho[s]>(Ops::x3(a[s], d[(x + 4) % 5], d[5 + (x + 1) % 5]));
  } else {
    return Ops::template rol<kKeccakRho[s]>(Ops::x2(a[s], d[x]));
  }
}

template <class Ops, int Y>
[[gnu::always_inline]] inline void keccak_plane(const typename Ops::V (&a)[25],
                                                typename Ops::V (&e)[25],
                                                const typename Ops::V (&d)[10]) {
  using V = typename Ops::V;
  const V b0 = keccak_b<Ops, 0, Y>(a, d);
  const V b1 = keccak_b<Ops, 1, Y>(a, d);
  const V b2 = keccak_b<Ops, 2, Y>(a, d);
  const V b3 = keccak_b<Ops, 3, Y>(a, d);
  const V b4 = keccak_b<Ops, 4, Y>(a, d);
  e[5 * Y + 0] = Ops::chi(b0, b1, b2);
  e[5 * Y + 1] = Ops::chi(b1, b2, b3);
  e[5 * Y + 2] = Ops::chi(b2, b3, b4);
  e[5 * Y + 3] = Ops::chi(b3, b4, b0);
  e[5 * Y + 4] = Ops::chi(b4, b0, b1);
}

// One round from a into e.
template <class Ops>
[[gnu::always_inline]] inline void keccak_round(const typename Ops::V (&a)[25],
                                                typename Ops::V (&e)[25], std::uint64_t rc) {
  using V = typename Ops::V;
  V d[10];
  if constexpr (keccak_ternary<Ops>()) {
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) d[x] = Ops::x5(a[x], a[x + 5], a[x + 10], a[x + 15], a[x + 20]);
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) d[5 + x] = Ops::template rol<1>(d[x]);
  } else {
    V c[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = Ops::x5(a[x], a[x + 5], a[x + 10], a[x + 15], a[x + 20]);
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      d[x] = Ops::x2(c[(x + 4) % 5], Ops::template rol<1>(c[(x + 1) % 5]));
    }
  }
  keccak_plane<Ops, 0>(a, e, d);
  keccak_plane<Ops, 1>(a, e, d);
  keccak_plane<Ops, 2>(a, e, d);
  keccak_plane<Ops, 3>(a, e, d);
  keccak_plane<Ops, 4>(a, e, d);
  e[0] = Ops::iota(e[0], rc);
}

// All 24 rounds on a, two at a time so the result ends up back in a.
template <class Ops>
[[gnu::always_inline]] inline void keccak_rounds(typename Ops::V (&a)[25]) {
  typename Ops::V e[25];
  for (int r = 0; r < 24; r += 2) {
    keccak_round<Ops>(a, e, kKeccakRc[r]);
    keccak_round<Ops>(e, a, kKeccakRc[r + 1]);
  }
}

}  // namespace
}  // namespace pqbpf::crypto::internal
