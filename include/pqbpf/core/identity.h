// Identity and PublicIdentity: who signs, and what a policy author is handed.
//
// An Identity is an ML-DSA-65 key pair derived from a 32-byte seed, plus a
// name, capabilities and a creation time; its DID is computed from the public
// key, never stored apart from it. A PublicIdentity is the shareable half
// (DID, name, algorithm, public key). Both are construct-or-fail: the DID/key
// binding and the field syntax are checked when one is built, so one in hand
// is valid. The seed and private key live in SecureBytes, are wiped on
// destruction and are never printed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/did.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf {

// The one parameter set identities use (issue 3: ML-DSA-65).
constexpr crypto::mldsa::ParameterSet kIdentityParameterSet = crypto::mldsa::ParameterSet::kMlDsa65;

// Limits on the descriptive fields (docs/KEYS.md).
constexpr std::size_t kMaxIdentityNameSize = 128;  // bytes of UTF-8
constexpr std::size_t kMaxCapabilitySize = 64;
constexpr std::size_t kMaxCapabilities = 32;

// Name: 1..128 bytes of valid UTF-8 without control characters.
Status validate_identity_name(std::string_view name);
// Capability: 1..64 characters from [a-z0-9._:-]; a list has no duplicates
// and at most 32 entries.
Status validate_capabilities(const std::vector<std::string>& capabilities);
// RFC 3339 UTC timestamp with second precision: "2026-11-29T12:08:19Z"; no
// leap second (parse_timestamp in core/timestamp.h is the one rule).
Status validate_timestamp(std::string_view timestamp);
// The current time in that form.
std::string current_timestamp();

class PublicIdentity {
 public:
  // Computes the DID from `public_key`; validates the name.
  static Result<PublicIdentity> create(std::string_view name,
                                       const crypto::mldsa::PublicKey& public_key);
  // As create(), and additionally requires `claimed` to be the DID of
  // `public_key` (kRejected naming both DIDs otherwise).
  static Result<PublicIdentity> create_bound(const Did& claimed, std::string_view name,
                                             const crypto::mldsa::PublicKey& public_key);

  const Did& did() const { return did_; }
  const std::string& name() const { return name_; }
  std::string_view algorithm() const { return crypto::mldsa::parameter_set_name(public_key_.parameter_set()); }
  const crypto::mldsa::PublicKey& public_key() const { return public_key_; }

  friend bool operator==(const PublicIdentity&, const PublicIdentity&) = default;

 private:
  friend class Identity;
  PublicIdentity(Did did, std::string name, crypto::mldsa::PublicKey public_key)
      : did_(std::move(did)), name_(std::move(name)), public_key_(std::move(public_key)) {}
  Did did_;
  std::string name_;
  crypto::mldsa::PublicKey public_key_;
};

class Identity {
 public:
  // A fresh identity: 32 bytes from getrandom(2), created_at = now.
  // (The seed's AgentIdentity.create("bpf-signer", capabilities=["sign"]).)
  static Result<Identity> create(std::string_view name, std::vector<std::string> capabilities = {});
  // Rebuilds an identity from its seed (FIPS 204 ML-DSA.KeyGen_internal is
  // deterministic in it). Every field is validated.
  static Result<Identity> from_seed(std::span<const std::uint8_t> seed, std::string_view name,
                                    std::vector<std::string> capabilities,
                                    std::string_view created_at);

  const Did& did() const { return did_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& capabilities() const { return capabilities_; }
  bool has_capability(std::string_view capability) const;
  const std::string& created_at() const { return created_at_; }
  std::string_view algorithm() const { return crypto::mldsa::parameter_set_name(kIdentityParameterSet); }
  const crypto::mldsa::PublicKey& public_key() const { return public_key_; }
  // For signing (attest::BPFSigner) only.
  const crypto::mldsa::PrivateKey& private_key() const { return private_key_; }
  PublicIdentity public_identity() const;

  // The 32-byte seed. Secret: used only to write the key file.
  std::span<const std::uint8_t> expose_secret_seed() const { return seed_.span(); }

 private:
  Identity(crypto::SecureBytes seed, std::string name, std::vector<std::string> capabilities,
           std::string created_at, Did did, crypto::mldsa::PublicKey public_key,
           crypto::mldsa::PrivateKey private_key);

  crypto::SecureBytes seed_;
  std::string name_;
  std::vector<std::string> capabilities_;
  std::string created_at_;
  Did did_;
  crypto::mldsa::PublicKey public_key_;
  crypto::mldsa::PrivateKey private_key_;
};

}  // namespace pqbpf
