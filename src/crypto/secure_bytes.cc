// Secret wiping and constant-time comparison.
#include "pqbpf/crypto/secure_bytes.h"

#include <cstring>

namespace pqbpf::crypto {

void secure_wipe(void* data, std::size_t size) {
  if (size == 0) return;
  std::memset(data, 0, size);
  // Compiler barrier: the memory is treated as read, so the memset stays.
  __asm__ __volatile__("" : : "r"(data) : "memory");
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  // Value barrier so the loop is not turned into an early-exit comparison.
  __asm__("" : "+r"(diff));
  return diff == 0;
}

}  // namespace pqbpf::crypto
