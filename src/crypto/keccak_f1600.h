// Keccak-f[1600] permutation (FIPS 202, Algorithm 7, 24 rounds).
//
// Kept behind this one internal function so that a vectorised or multi-way
// permutation can replace it without touching the sponge or ML-DSA.
#pragma once

#include <cstdint>

namespace pqbpf::crypto::internal {

// Lanes are indexed A[x + 5y], each lane little-endian as in FIPS 202.
void keccak_f1600(std::uint64_t state[25]);

}  // namespace pqbpf::crypto::internal
