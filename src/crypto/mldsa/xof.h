// SHAKE128 / SHAKE256 for ML-DSA (FIPS 204, Section 3.7: H = SHAKE256,
// G = SHAKE128), squeezing whole rate-sized blocks for the samplers.
//
// A thin sponge on internal::keccak_f1600 rather than the general-purpose
// KeccakSponge: the samplers consume output block by block. ShakeBatch runs
// up to eight independent SHAKE instances in lock step on the multi-state
// permutation (internal::keccak_f1600_batch): ExpandA's matrix entries,
// ExpandS's and ExpandMask's polynomials are such independent streams.
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

// Up to kMaxStreams SHAKE instances whose inputs are one shared prefix
// followed by a two-byte suffix of their own (rho || s || r for ExpandA,
// rho' || nonce for ExpandS and ExpandMask), with prefix + 2 < Rate.
template <std::size_t Rate>
class ShakeBatch {
 public:
  static constexpr std::size_t kRate = Rate;
  static constexpr int kMaxStreams = 8;
  // Absorbs prefix || suffix[j] for j < n and pads; n is public.
  ShakeBatch(const std::uint8_t* prefix, std::size_t prefix_len,
             const std::uint8_t (*suffix)[2], int n);
  ~ShakeBatch();
  ShakeBatch(const ShakeBatch&) = delete;
  ShakeBatch& operator=(const ShakeBatch&) = delete;

  // Squeezes nblocks blocks from every stream: out[j] receives
  // nblocks * Rate bytes for j < n.
  void squeeze_blocks(std::uint8_t* const* out, std::size_t nblocks);

 private:
  // Lane i of stream j at [8i + j]; the capacity lanes are zeroed by the
  // constructor, the rate lanes written.
  alignas(64) std::uint64_t lanes_[25 * 8];
  int n_;
};

using Shake128Batch = ShakeBatch<168>;
using Shake256Batch = ShakeBatch<136>;

extern template class ShakeBatch<168>;
extern template class ShakeBatch<136>;

// H(in1 || in2 || in3, outlen): one-shot SHAKE256 over up to three parts.
void shake256(std::uint8_t* out, std::size_t outlen, std::span<const std::uint8_t> in1,
              std::span<const std::uint8_t> in2 = {}, std::span<const std::uint8_t> in3 = {});

}  // namespace pqbpf::crypto::mldsa::internal
