// Byte <-> lane helpers for the Keccak sponge: FIPS 202 lanes are 64-bit
// little-endian words. Shared by the SHA3/SHAKE sponge and ML-DSA's XOFs.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pqbpf::crypto::internal {

inline std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline void store_le64(std::uint8_t* p, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

inline void xor_byte(std::uint64_t* state, std::size_t pos, std::uint8_t byte) {
  state[pos / 8] ^= static_cast<std::uint64_t>(byte) << (8 * (pos % 8));
}

}  // namespace pqbpf::crypto::internal
