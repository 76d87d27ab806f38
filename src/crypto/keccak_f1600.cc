// Keccak-f[1600]: FIPS 202 Section 3.3, theta, rho, pi, chi and iota per round.
//
// Portable scalar code. Index tables are constexpr and the loops have fixed
// trip counts, so the compiler fully unrolls them and keeps lanes in registers.
#include "keccak_f1600.h"

#include <bit>

namespace pqbpf::crypto::internal {
namespace {

// Round constants RC[i] (FIPS 202, Algorithm 5/6), precomputed.
constexpr std::uint64_t kRoundConstants[24] = {
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
constexpr int kRho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                          25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

// pi: lane (x, y) moves to (y, 2x + 3y mod 5).
constexpr int pi_destination(int index) {
  const int x = index % 5;
  const int y = index / 5;
  return y + 5 * ((2 * x + 3 * y) % 5);
}

}  // namespace

void keccak_f1600(std::uint64_t a[25]) {
  for (int round = 0; round < 24; ++round) {
    std::uint64_t c[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];

    std::uint64_t b[25];
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) {
      const int x = i % 5;
      const std::uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
      b[pi_destination(i)] = std::rotl(a[i] ^ d, kRho[i]);
    }

#pragma GCC unroll 5
    for (int y = 0; y < 25; y += 5) {
#pragma GCC unroll 5
      for (int x = 0; x < 5; ++x) {
        a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
      }
    }
    a[0] ^= kRoundConstants[round];
  }
}

}  // namespace pqbpf::crypto::internal
