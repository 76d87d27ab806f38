// Fuzz target: the envelope verifier (BPFVerifier::verify on an envelope with
// an embedded object), the step that turns bytes into "signature valid".
//
// A mis-parse here is an `allow`, so every valid result is re-checked from
// first principles: the signer DID is the key's DID, ML-DSA-65 accepts the
// signature over the manifest's canonical bytes with context "pqc-bpf/v1",
// and the checked object has the signed size and SHA3-256. Invalid results
// must carry a reason other than `allowed` and a message.
// Seeds: envelopes signed over a real object (fuzz/seeds/make_seeds.cc).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/sha3.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto envelope = pqbpf::parse_envelope(text, "fuzz.sig.json");
  if (!envelope.ok()) return 0;
  const pqbpf::VerificationResult result = pqbpf::BPFVerifier::verify(*envelope, std::nullopt);
  if (!result.valid) {
    FUZZ_CHECK(result.reason != pqbpf::ReasonCode::kAllowed, "an invalid result is not allowed");
    FUZZ_CHECK(!result.error.empty(), "an invalid result says why");
    if (!result.signature_valid) FUZZ_CHECK(!result.signer_did.has_value(), "no signer without a signature");
    return 0;
  }
  FUZZ_CHECK(result.reason == pqbpf::ReasonCode::kAllowed, "a valid result is allowed");
  FUZZ_CHECK(result.signature_valid && result.hash_consistent, "valid implies both checks");
  const auto& manifest = envelope->manifest();
  FUZZ_CHECK(pqbpf::Did::from_public_key(envelope->public_key()) == manifest.signer(),
             "the signer is bound to the key");
  FUZZ_CHECK(result.signer_did && *result.signer_did == manifest.signer(), "the reported signer is the bound one");
  const std::string message = manifest.canonical_bytes();
  FUZZ_CHECK(pqbpf::crypto::mldsa::verify(
                 envelope->public_key(),
                 std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(message.data()),
                                               message.size()),
                 pqbpf::signature_context(), envelope->signature())
                 .ok(),
             "ML-DSA accepts the signature over the canonical manifest");
  FUZZ_CHECK(envelope->object().has_value() && result.object == *envelope->object(),
             "the checked object is the embedded one");
  FUZZ_CHECK(result.object.size() == manifest.size(), "signed size");
  FUZZ_CHECK(pqbpf::crypto::to_hex(pqbpf::crypto::sha3_256(result.object)) == manifest.sha3_256(),
             "signed hash");
  return 0;
}
