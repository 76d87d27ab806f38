// SHAKE sponge for ML-DSA (FIPS 202, Algorithm 8, with the SHAKE suffix).
#include "xof.h"

#include <bit>
#include <cstring>

#include "../keccak_f1600.h"
#include "../keccak_lanes.h"
#include "pqbpf/crypto/secure_bytes.h"

namespace pqbpf::crypto::mldsa::internal {
using crypto::internal::load_le64;
using crypto::internal::store_le64;
using crypto::internal::xor_byte;

template <std::size_t Rate>
Shake<Rate>::~Shake() {
  secure_wipe(state_, sizeof(state_));
}

template <std::size_t Rate>
void Shake<Rate>::absorb(const std::uint8_t* data, std::size_t len) {
  while (len > 0) {
    if (pos_ == 0 && len >= Rate) {
      const std::size_t blocks = len / Rate;
      crypto::internal::keccak_absorb_blocks(state_, data, blocks, Rate / 8);
      data += blocks * Rate;
      len -= blocks * Rate;
      continue;
    }
    std::size_t take = Rate - pos_;
    if (take > len) take = len;
    for (std::size_t i = 0; i < take; ++i) xor_byte(state_, pos_ + i, data[i]);
    pos_ += take;
    data += take;
    len -= take;
    if (pos_ == Rate) {
      crypto::internal::keccak_f1600(state_);
      pos_ = 0;
    }
  }
}

template <std::size_t Rate>
void Shake<Rate>::finalize() {
  xor_byte(state_, pos_, 0x1F);
  xor_byte(state_, Rate - 1, 0x80);
  pos_ = Rate;  // the next squeeze permutes first
}

template <std::size_t Rate>
void Shake<Rate>::squeeze_blocks(std::uint8_t* out, std::size_t nblocks) {
  for (std::size_t b = 0; b < nblocks; ++b) {
    crypto::internal::keccak_f1600(state_);
    for (std::size_t i = 0; i < Rate / 8; ++i) store_le64(out + 8 * i, state_[i]);
    out += Rate;
  }
  pos_ = Rate;
}

template <std::size_t Rate>
void Shake<Rate>::squeeze(std::uint8_t* out, std::size_t len) {
  while (len > 0) {
    if (pos_ == Rate) {
      crypto::internal::keccak_f1600(state_);
      pos_ = 0;
    }
    std::size_t take = Rate - pos_;
    if (take > len) take = len;
    std::size_t i = 0;
    // Whole lanes while aligned, then single bytes.
    if (pos_ % 8 == 0) {
      for (; i + 8 <= take; i += 8) store_le64(out + i, state_[(pos_ + i) / 8]);
    }
    for (; i < take; ++i) {
      out[i] = static_cast<std::uint8_t>(state_[(pos_ + i) / 8] >> (8 * ((pos_ + i) % 8)));
    }
    pos_ += take;
    out += take;
    len -= take;
  }
}

template class Shake<168>;
template class Shake<136>;

template <std::size_t Rate>
ShakeBatch<Rate>::ShakeBatch(const std::uint8_t* prefix, std::size_t prefix_len,
                             const std::uint8_t (*suffix)[2], int n)
    : n_(n) {
  static_assert(crypto::internal::kKeccakBatch == 8);
  // One block holds everything (prefix_len + 2 < Rate). The block shared by
  // all streams: prefix, the SHAKE suffix 1111 after the two stream bytes,
  // and the final pad bit (FIPS 202, B.2); then each stream's two bytes.
  std::uint64_t block[Rate / 8] = {};
  std::size_t i = 0;
  for (; i + 8 <= prefix_len; i += 8) block[i / 8] = load_le64(prefix + i);
  for (; i < prefix_len; ++i) xor_byte(block, i, prefix[i]);
  xor_byte(block, prefix_len + 2, 0x1F);
  xor_byte(block, Rate - 1, 0x80);
  for (std::size_t w = 0; w < Rate / 8; ++w) {
    for (std::size_t j = 0; j < 8; ++j) lanes_[8 * w + j] = block[w];
  }
  for (std::size_t w = Rate / 8; w < 25; ++w) {
    for (std::size_t j = 0; j < 8; ++j) lanes_[8 * w + j] = 0;
  }
  for (int j = 0; j < n; ++j) {
    for (int b = 0; b < 2; ++b) {
      const std::size_t pos = prefix_len + static_cast<std::size_t>(b);
      lanes_[8 * (pos / 8) + static_cast<std::size_t>(j)] ^=
          static_cast<std::uint64_t>(suffix[j][b]) << (8 * (pos % 8));
    }
  }
  secure_wipe(block, sizeof(block));
}

template <std::size_t Rate>
ShakeBatch<Rate>::~ShakeBatch() {
  secure_wipe(lanes_, sizeof(lanes_));
}

template <std::size_t Rate>
void ShakeBatch<Rate>::squeeze_blocks(std::uint8_t* const* out, std::size_t nblocks) {
  std::uint8_t* o[kMaxStreams];
  for (std::size_t b = 0; b < nblocks; ++b) {
    for (int j = 0; j < n_; ++j) o[j] = out[j] + b * Rate;
    crypto::internal::keccak_f1600_batch_squeeze(lanes_, n_, Rate / 8, o);
  }
}

template class ShakeBatch<168>;
template class ShakeBatch<136>;

void shake256(std::uint8_t* out, std::size_t outlen, std::span<const std::uint8_t> in1,
              std::span<const std::uint8_t> in2, std::span<const std::uint8_t> in3) {
  Shake256 h;
  h.absorb(in1);
  h.absorb(in2);
  h.absorb(in3);
  h.finalize();
  h.squeeze(out, outlen);
}

}  // namespace pqbpf::crypto::mldsa::internal
