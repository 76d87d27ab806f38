// Did: a signer's stable identity, "did:pqaid:" + lowercase hex SHA3-256 of
// the raw ML-DSA public key. Constructed only by parse() (strict syntax) or
// from a public key, so a Did in hand is always well-formed.
#pragma once

#include <string>
#include <string_view>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/result.h"

namespace pqbpf {

class Did {
 public:
  static constexpr std::string_view kPrefix = "did:pqaid:";

  // Exactly the prefix followed by 64 lowercase hex digits.
  static Result<Did> parse(std::string_view text);
  static Did from_public_key(const crypto::mldsa::PublicKey& key);
  // True when this DID is the hash of `key` (the DID/key binding check).
  bool matches(const crypto::mldsa::PublicKey& key) const;

  const std::string& str() const { return text_; }
  friend bool operator==(const Did&, const Did&) = default;
  friend auto operator<=>(const Did&, const Did&) = default;

 private:
  explicit Did(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace pqbpf
