// FIPS 202 sponge construction (Algorithm 8) and the SHA3/SHAKE instances.
#include "pqbpf/crypto/sha3.h"

#include <bit>
#include <cstring>

#include "keccak_f1600.h"
#include "keccak_lanes.h"
#include "pqbpf/crypto/secure_bytes.h"

namespace pqbpf::crypto {
namespace {

using internal::load_le64;
using internal::store_le64;
using internal::xor_byte;

constexpr std::uint8_t kSha3Suffix = 0x06;   // "01" + pad10*1 first bit
constexpr std::uint8_t kShakeSuffix = 0x1F;  // "1111" + pad10*1 first bit

}  // namespace

KeccakSponge::KeccakSponge(std::size_t rate_bytes, std::uint8_t domain_suffix)
    : rate_(rate_bytes), suffix_(domain_suffix) {}

KeccakSponge::~KeccakSponge() { secure_wipe(state_, sizeof(state_)); }

void KeccakSponge::reset() {
  secure_wipe(state_, sizeof(state_));
  offset_ = 0;
  squeezing_ = false;
}

Status KeccakSponge::absorb(std::span<const std::uint8_t> data) {
  if (squeezing_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "absorb after squeeze: the sponge is already producing output");
  }
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  // Finish a partly filled block byte by byte.
  while (n > 0 && offset_ % 8 != 0) {
    xor_byte(state_, offset_++, *p++);
    --n;
    if (offset_ == rate_) {
      internal::keccak_f1600(state_);
      offset_ = 0;
    }
  }
  // Whole blocks at a time (the state stays in registers between them).
  if (offset_ == 0 && n >= rate_ && rate_ % 8 == 0) {
    const std::size_t blocks = n / rate_;
    internal::keccak_absorb_blocks(state_, p, blocks, rate_ / 8);
    p += blocks * rate_;
    n -= blocks * rate_;
  }
  // Whole lanes at a time.
  while (n >= 8) {
    state_[offset_ / 8] ^= load_le64(p);
    offset_ += 8;
    p += 8;
    n -= 8;
    if (offset_ == rate_) {
      internal::keccak_f1600(state_);
      offset_ = 0;
    }
  }
  while (n > 0) {
    xor_byte(state_, offset_++, *p++);
    --n;
    if (offset_ == rate_) {
      internal::keccak_f1600(state_);
      offset_ = 0;
    }
  }
  return ok_status();
}

void KeccakSponge::pad_and_switch() {
  // pad10*1 merged with the domain suffix (FIPS 202, B.2).
  xor_byte(state_, offset_, suffix_);
  xor_byte(state_, rate_ - 1, 0x80);
  internal::keccak_f1600(state_);
  offset_ = 0;
  squeezing_ = true;
}

void KeccakSponge::squeeze(std::span<std::uint8_t> out) {
  if (!squeezing_) pad_and_switch();
  std::uint8_t* p = out.data();
  std::size_t n = out.size();
  while (n > 0) {
    if (offset_ == rate_) {
      internal::keccak_f1600(state_);
      offset_ = 0;
    }
    if (offset_ % 8 == 0 && n >= 8 && rate_ - offset_ >= 8) {
      store_le64(p, state_[offset_ / 8]);
      p += 8;
      n -= 8;
      offset_ += 8;
      continue;
    }
    *p++ = static_cast<std::uint8_t>(state_[offset_ / 8] >> (8 * (offset_ % 8)));
    ++offset_;
    --n;
  }
}

Sha3_256::Sha3_256() : sponge_(136, kSha3Suffix) {}
Sha3_256& Sha3_256::update(std::span<const std::uint8_t> data) {
  (void)sponge_.absorb(data);  // cannot fail: finish() resets the sponge
  return *this;
}
Sha3_256& Sha3_256::update(std::string_view data) {
  return update(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}
Sha3_256Digest Sha3_256::finish() {
  Sha3_256Digest out;
  sponge_.squeeze(out);
  sponge_.reset();
  return out;
}
void Sha3_256::reset() { sponge_.reset(); }

Sha3_512::Sha3_512() : sponge_(72, kSha3Suffix) {}
Sha3_512& Sha3_512::update(std::span<const std::uint8_t> data) {
  (void)sponge_.absorb(data);
  return *this;
}
Sha3_512Digest Sha3_512::finish() {
  Sha3_512Digest out;
  sponge_.squeeze(out);
  sponge_.reset();
  return out;
}
void Sha3_512::reset() { sponge_.reset(); }

Shake Shake::shake128() { return Shake(168); }
Shake Shake::shake256() { return Shake(136); }
Status Shake::absorb(std::span<const std::uint8_t> data) { return sponge_.absorb(data); }
void Shake::squeeze(std::span<std::uint8_t> out) { sponge_.squeeze(out); }

Sha3_256Digest sha3_256(std::span<const std::uint8_t> data) {
  return Sha3_256().update(data).finish();
}
Sha3_256Digest sha3_256(std::string_view data) { return Sha3_256().update(data).finish(); }
Sha3_512Digest sha3_512(std::span<const std::uint8_t> data) {
  return Sha3_512().update(data).finish();
}
void shake128(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  Shake s = Shake::shake128();
  (void)s.absorb(in);
  s.squeeze(out);
}
void shake256(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  Shake s = Shake::shake256();
  (void)s.absorb(in);
  s.squeeze(out);
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0F];
  }
  return out;
}

bool is_lowercase_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error(ErrorCode::kParse, "hex string has odd length");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kParse, "hex string has a character outside [0-9a-f]");
    }
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace pqbpf::crypto
