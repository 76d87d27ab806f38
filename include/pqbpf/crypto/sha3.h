// FIPS 202: SHA3-256, SHA3-512, SHAKE128 and SHAKE256 on the Keccak sponge.
//
// All hashers are incremental. XOFs squeeze incrementally in any chunk sizes;
// once squeezing has started, absorb() refuses (returns an error) instead of
// silently producing a wrong digest.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::crypto {

using Sha3_256Digest = std::array<std::uint8_t, 32>;
using Sha3_512Digest = std::array<std::uint8_t, 64>;

// The Keccak[c] sponge with a FIPS 202 domain suffix. Rate in bytes.
class KeccakSponge {
 public:
  KeccakSponge(std::size_t rate_bytes, std::uint8_t domain_suffix);
  ~KeccakSponge();
  KeccakSponge(const KeccakSponge&) = default;
  KeccakSponge& operator=(const KeccakSponge&) = default;

  // Fails with kInvalidArgument once squeeze() has been called.
  Status absorb(std::span<const std::uint8_t> data);
  // Pads on the first call, then returns the next out.size() bytes of output.
  void squeeze(std::span<std::uint8_t> out);
  bool squeezing() const { return squeezing_; }
  void reset();

 private:
  void pad_and_switch();

  std::uint64_t state_[25] = {};
  std::size_t rate_;
  std::size_t offset_ = 0;  // bytes absorbed into / squeezed from current block
  std::uint8_t suffix_;
  bool squeezing_ = false;
};

class Sha3_256 {
 public:
  static constexpr std::size_t kDigestSize = 32;
  Sha3_256();
  Sha3_256& update(std::span<const std::uint8_t> data);
  Sha3_256& update(std::string_view data);
  // Returns the digest; the object must not be updated afterwards (reset first).
  Sha3_256Digest finish();
  void reset();

 private:
  KeccakSponge sponge_;
};

class Sha3_512 {
 public:
  static constexpr std::size_t kDigestSize = 64;
  Sha3_512();
  Sha3_512& update(std::span<const std::uint8_t> data);
  Sha3_512Digest finish();
  void reset();

 private:
  KeccakSponge sponge_;
};

// SHAKE128 / SHAKE256 extendable-output functions.
class Shake {
 public:
  static Shake shake128();
  static Shake shake256();
  Status absorb(std::span<const std::uint8_t> data);
  void squeeze(std::span<std::uint8_t> out);
  void reset() { sponge_.reset(); }

 private:
  explicit Shake(std::size_t rate) : sponge_(rate, 0x1F) {}
  KeccakSponge sponge_;
};

Sha3_256Digest sha3_256(std::span<const std::uint8_t> data);
Sha3_256Digest sha3_256(std::string_view data);
Sha3_512Digest sha3_512(std::span<const std::uint8_t> data);
void shake128(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
void shake256(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

// Lowercase hex; the form used in manifests, DIDs and logs.
std::string to_hex(std::span<const std::uint8_t> bytes);
// Strict: even length, [0-9a-f] only (uppercase refused, so one value has one spelling).
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);
// True when `text` is exactly `digits` characters of [0-9a-f] (e.g. a SHA3-256 hex digest: 64).
bool is_lowercase_hex(std::string_view text, std::size_t digits);

}  // namespace pqbpf::crypto
