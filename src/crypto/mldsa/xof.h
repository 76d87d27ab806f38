// SHAKE128 / SHAKE256 for ML-DSA (FIPS 204, Section 3.7: H = SHAKE256,
// G = SHAKE128), squeezing whole rate-sized blocks for the samplers.
//
// A thin sponge on internal::keccak_f1600 rather than the general-purpose
// KeccakSponge: the samplers consume output block by block, and keeping the
// interface to "absorb, finalize, squeeze blocks" leaves room for a 4-way
// vectorised Keccak (ExpandA, ExpandS and ExpandMask run four independent
// streams) to slot in later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace pqbpf::crypto::mldsa::internal {

template <std::size_t Rate>
class Shake {
 public:
  static constexpr std::size_t kRate = Rate;
  Shake() = default;
  ~Shake();
  Shake(const Shake&) = delete;
  Shake& operator=(const Shake&) = delete;

  void absorb(const std::uint8_t* data, std::size_t len);
  void absorb(std::span<const std::uint8_t> data) { absorb(data.data(), data.size()); }
  // Pads (SHAKE domain 1111 + pad10*1) and switches to squeezing.
  void finalize();
  // Squeezes n whole blocks of kRate bytes; only valid right after finalize()
  // or after previous whole-block squeezes.
  void squeeze_blocks(std::uint8_t* out, std::size_t nblocks);
  // Squeezes any number of bytes.
  void squeeze(std::uint8_t* out, std::size_t len);

 private:
  std::uint64_t state_[25] = {};
  std::size_t pos_ = 0;
};

using Shake128 = Shake<168>;
using Shake256 = Shake<136>;

extern template class Shake<168>;
extern template class Shake<136>;

// H(in1 || in2 || in3, outlen): one-shot SHAKE256 over up to three parts.
void shake256(std::uint8_t* out, std::size_t outlen, std::span<const std::uint8_t> in1,
              std::span<const std::uint8_t> in2 = {}, std::span<const std::uint8_t> in3 = {});

}  // namespace pqbpf::crypto::mldsa::internal
