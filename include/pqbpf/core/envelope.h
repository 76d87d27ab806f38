// Envelope: the <object>.sig.json file. A JSON object with exactly
//   manifest    the manifest (see manifest.h)
//   public_key  standard base64 of the 1952-byte ML-DSA-65 public key
//   signature   standard base64 of the 3309-byte ML-DSA-65 signature
//   object      optional (sign --embed): standard base64 of the object
// Parsing is strict and bounded (docs/FORMAT.md, "Limits"): unknown, missing
// or duplicate keys, wrong types, bad base64, wrong lengths, invalid UTF-8,
// nesting past 8 levels and files past 128 MiB are each a one-line error.
//
// An Envelope in hand is well-formed; it is NOT verified. Verification (DID
// binding, signature, object hash) is attest/verifier.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/manifest.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/result.h"

namespace pqbpf {

constexpr std::string_view kEnvelopeSuffix = ".sig.json";
// Envelopes may embed an object up to kMaxObjectFileSize (64 MiB, ~86 MiB of
// base64); past this size the file is refused before parsing.
constexpr std::size_t kMaxEnvelopeBytes = 128u << 20;
constexpr std::size_t kMaxEnvelopeDepth = 8;

class Envelope {
 public:
  // Checks the key's parameter set (ML-DSA-65), the signature length and the
  // embedded object's size limit. Does not verify anything cryptographic.
  static Result<Envelope> create(Manifest manifest, crypto::mldsa::PublicKey public_key,
                                 std::vector<std::uint8_t> signature,
                                 std::optional<std::vector<std::uint8_t>> object = std::nullopt,
                                 const std::string& label = "envelope");

  const Manifest& manifest() const { return manifest_; }
  const crypto::mldsa::PublicKey& public_key() const { return public_key_; }
  std::span<const std::uint8_t> signature() const { return signature_; }
  const std::optional<std::vector<std::uint8_t>>& object() const { return object_; }
  bool has_embedded_object() const { return object_.has_value(); }

 private:
  Envelope(Manifest manifest, crypto::mldsa::PublicKey public_key, std::vector<std::uint8_t> signature,
           std::optional<std::vector<std::uint8_t>> object)
      : manifest_(std::move(manifest)),
        public_key_(std::move(public_key)),
        signature_(std::move(signature)),
        object_(std::move(object)) {}

  Manifest manifest_;
  crypto::mldsa::PublicKey public_key_;
  std::vector<std::uint8_t> signature_;
  std::optional<std::vector<std::uint8_t>> object_;
};

// `label` (usually the path) prefixes every message: "<label>: <what>".
// Unknown manifest format or algorithm -> kUnsupported; other defects -> kParse
// (kLimitExceeded for size and depth).
Result<Envelope> parse_envelope(std::string_view text, const std::string& label);

// Pretty JSON (2-space indent, keys in a fixed sorted order, trailing newline).
std::string serialize_envelope(const Envelope& envelope);

// "x.bpf.o" -> "x.bpf.o.sig.json".
std::string default_envelope_path(const std::string& object_path);
// "x.bpf.o.sig.json" -> "x.bpf.o"; nullopt when the path lacks the suffix.
std::optional<std::string> default_object_path(const std::string& envelope_path);

}  // namespace pqbpf
