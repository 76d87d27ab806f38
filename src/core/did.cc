// DID syntax and the DID <-> public key binding.
#include "pqbpf/core/did.h"

#include "pqbpf/crypto/sha3.h"

namespace pqbpf {

Result<Did> Did::parse(std::string_view text) {
  const std::string shown(text.substr(0, 80));
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return make_error(ErrorCode::kParse, "invalid DID '" + shown + "': must start with did:pqaid:");
  }
  const std::string_view hex = text.substr(kPrefix.size());
  if (hex.size() != 64) {
    return make_error(ErrorCode::kParse,
                      "invalid DID '" + shown + "': expected 64 hex digits after did:pqaid:");
  }
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return make_error(ErrorCode::kParse,
                        "invalid DID '" + shown + "': only lowercase hex digits allowed");
    }
  }
  return Did(std::string(text));
}

Did Did::from_public_key(const crypto::mldsa::PublicKey& key) {
  return Did(std::string(kPrefix) + crypto::to_hex(crypto::sha3_256(key.bytes())));
}

bool Did::matches(const crypto::mldsa::PublicKey& key) const {
  return from_public_key(key) == *this;
}

}  // namespace pqbpf
