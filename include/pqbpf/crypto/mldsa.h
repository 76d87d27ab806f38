// FIPS 204 (August 2024) ML-DSA: ML-DSA-44, ML-DSA-65 and ML-DSA-87.
//
// Keys can only be built valid: parse() checks the exact FIPS 204 length.
// PrivateKey keeps its encoding in SecureBytes (wiped on destruction) and has
// no printing operator. verify() returns a [[nodiscard]] Status that is ok()
// only for a valid signature: every other outcome, malformed input included,
// is an error (fail closed).
//
// Sizes (bytes):        public key   private key   signature
//   ML-DSA-44               1312        2560          2420
//   ML-DSA-65               1952        4032          3309
//   ML-DSA-87               2592        4896          4627
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf::crypto::mldsa {

enum class ParameterSet { kMlDsa44, kMlDsa65, kMlDsa87 };

struct Sizes {
  std::size_t public_key;
  std::size_t private_key;
  std::size_t signature;
};

constexpr Sizes sizes(ParameterSet set) {
  switch (set) {
    case ParameterSet::kMlDsa44: return {1312, 2560, 2420};
    case ParameterSet::kMlDsa65: return {1952, 4032, 3309};
    case ParameterSet::kMlDsa87: return {2592, 4896, 4627};
  }
  return {0, 0, 0};
}

// "ML-DSA-44" / "ML-DSA-65" / "ML-DSA-87".
std::string_view parameter_set_name(ParameterSet set);
Result<ParameterSet> parameter_set_from_name(std::string_view name);

constexpr std::size_t kSeedSize = 32;        // xi for KeyGen
constexpr std::size_t kRandomnessSize = 32;  // rnd for Sign
constexpr std::size_t kMuSize = 64;          // mu, the message representative
constexpr std::size_t kMaxContextSize = 255;

using Seed = std::span<const std::uint8_t, kSeedSize>;
using Randomness = std::span<const std::uint8_t, kRandomnessSize>;
using Mu = std::array<std::uint8_t, kMuSize>;

struct KeyPair;
KeyPair generate_key_pair(ParameterSet set, std::span<const std::uint8_t, kSeedSize> seed);

namespace internal {
struct Access;          // the implementation's door into the key types
struct PublicKeyCache;  // tr, expanded matrix A and NTT(t1), built on first use
}  // namespace internal

class PublicKey {
 public:
  // Exact-length check only (every byte string of the right length is a
  // syntactically valid FIPS 204 public key).
  static Result<PublicKey> parse(ParameterSet set, std::span<const std::uint8_t> encoded);
  ParameterSet parameter_set() const { return set_; }
  std::span<const std::uint8_t> bytes() const { return encoded_; }
  // tr = H(pk, 64). Computed on first use, together with the expanded key
  // that verification needs (one pass over the multi-state Keccak), and
  // cached for every copy of the key; thread-safe.
  std::span<const std::uint8_t, 64> tr() const;
  friend bool operator==(const PublicKey& a, const PublicKey& b) {
    return a.set_ == b.set_ && a.encoded_ == b.encoded_;
  }

 private:
  friend struct internal::Access;
  PublicKey(ParameterSet set, std::vector<std::uint8_t> encoded);
  // For key generation, which has just computed tr = H(pk, 64) itself.
  PublicKey(ParameterSet set, std::vector<std::uint8_t> encoded,
            std::span<const std::uint8_t, 64> tr);
  ParameterSet set_;
  std::vector<std::uint8_t> encoded_;
  // Shared by copies: tr and the expanded key, filled once (thread-safe) by
  // the first tr() or verification.
  std::shared_ptr<internal::PublicKeyCache> cache_;
};

class PrivateKey {
 public:
  // Exact-length check, plus the s1/s2 coefficient-range checks of skDecode.
  static Result<PrivateKey> parse(ParameterSet set, std::span<const std::uint8_t> encoded);
  ParameterSet parameter_set() const { return set_; }
  // The raw FIPS 204 encoding. Secret: the only way out of this type.
  std::span<const std::uint8_t> expose_secret_encoding() const { return encoded_.span(); }

  // Not printable: streaming is a compile error, and test frameworks that
  // look for PrintTo (GoogleTest) print a placeholder instead of the bytes.
  friend std::ostream& operator<<(std::ostream&, const PrivateKey&) = delete;
  friend void PrintTo(const PrivateKey& key, std::ostream* os);

 private:
  friend KeyPair generate_key_pair(ParameterSet, std::span<const std::uint8_t, kSeedSize>);
  friend struct internal::Access;
  PrivateKey(ParameterSet set, SecureBytes encoded) : set_(set), encoded_(std::move(encoded)) {}
  ParameterSet set_;
  SecureBytes encoded_;
};

struct KeyPair {
  PublicKey public_key;
  PrivateKey private_key;
};

// FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal(xi). Deterministic in the seed.
KeyPair generate_key_pair(ParameterSet set, Seed seed);
// FIPS 204 Algorithm 1 with fresh getrandom(2) seed.
Result<KeyPair> generate_key_pair(ParameterSet set);
// As generate_key_pair(set, seed), for a seed of unchecked length (from a
// file or a test vector): fails with kInvalidArgument unless it is 32 bytes.
Result<KeyPair> key_pair_from_seed(ParameterSet set, std::span<const std::uint8_t> seed);

enum class SigningMode { kHedged, kDeterministic };

// FIPS 204 Algorithm 2, ML-DSA.Sign (pure, with context string <= 255 bytes).
// Hedged by default: rnd is 32 fresh bytes from getrandom(2).
Result<std::vector<std::uint8_t>> sign(const PrivateKey& key, std::span<const std::uint8_t> message,
                                       std::span<const std::uint8_t> context,
                                       SigningMode mode = SigningMode::kHedged);

// FIPS 204 Algorithm 3, ML-DSA.Verify. ok() only if the signature is valid.
[[nodiscard]] Status verify(const PublicKey& key, std::span<const std::uint8_t> message,
                            std::span<const std::uint8_t> context,
                            std::span<const std::uint8_t> signature);

// FIPS 204 Algorithm 7, ML-DSA.Sign_internal(sk, M', rnd): M' is the already
// formatted message (what the ACVP "internal" interface passes). This and
// sign_mu return an empty vector for an empty (moved-from) key; sign() fails
// with kInvalidArgument.
std::vector<std::uint8_t> sign_internal(const PrivateKey& key,
                                        std::span<const std::uint8_t> formatted_message,
                                        Randomness rnd);
// FIPS 204 Algorithm 8, ML-DSA.Verify_internal(pk, M', sigma).
[[nodiscard]] Status verify_internal(const PublicKey& key,
                                     std::span<const std::uint8_t> formatted_message,
                                     std::span<const std::uint8_t> signature);

// External mu: mu = H(tr || M', 64) with M' = 0 || |ctx| || ctx || M.
Result<Mu> compute_mu(const PublicKey& key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> context);
std::vector<std::uint8_t> sign_mu(const PrivateKey& key, const Mu& mu, Randomness rnd);
[[nodiscard]] Status verify_mu(const PublicKey& key, const Mu& mu,
                               std::span<const std::uint8_t> signature);

}  // namespace pqbpf::crypto::mldsa
