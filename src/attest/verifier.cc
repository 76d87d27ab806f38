// BPFVerifier: the fail-closed verification sequence (see verifier.h for
// the order and the reason code of each step) and the file-level wrapper
// that applies the detached-object rules.
#include "pqbpf/attest/verifier.h"

#include <algorithm>

#include "pqbpf/core/file_io.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;

VerificationResult fail(VerificationResult r, ReasonCode reason, std::string error, bool input_error = false) {
  r.valid = false;
  r.reason = reason;
  r.error = std::move(error);
  r.input_error = input_error;
  r.object.clear();
  r.facts.reset();
  return r;
}

// The object bytes an attempt presented: the detached file and/or the copy
// embedded in the envelope.
struct Candidates {
  std::optional<std::span<const std::uint8_t>> embedded;
  std::optional<std::span<const std::uint8_t>> detached;
};

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// SHA3-256 of every distinct candidate, whatever the outcome: revocation
// matches on the bytes presented, not on what verification concluded.
std::vector<std::string> presented_hashes(const Candidates& c) {
  std::vector<std::string> out;
  if (c.detached) out.push_back(crypto::to_hex(crypto::sha3_256(*c.detached)));
  if (c.embedded && !(c.detached && same_bytes(*c.embedded, *c.detached))) {
    out.push_back(crypto::to_hex(crypto::sha3_256(*c.embedded)));
  }
  return out;
}

VerificationResult verify_unchecked(const Envelope& envelope, const Candidates& candidates,
                                    const std::string& object_label, const VerifyOptions& options) {
  VerificationResult r;
  const Manifest& manifest = envelope.manifest();
  // 1. DID/key binding (cheap; no crypto beyond one SHA3).
  const Did key_did = Did::from_public_key(envelope.public_key());
  if (!(manifest.signer() == key_did)) {
    return fail(std::move(r), ReasonCode::kDidMismatch,
                "manifest signer " + manifest.signer().str() + " is not the DID of the envelope's public key (" +
                    key_did.str() + ")");
  }
  // 2. The signature over the canonical manifest, with our context string.
  const std::string message = manifest.canonical_bytes();
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(message.data()),
                                            message.size());
  std::optional<mldsa::PublicKey> prepared;
  if (options.prepared_key) {
    prepared.emplace(options.prepared_key(envelope.public_key()));
    if (!(*prepared == envelope.public_key())) {
      return fail(std::move(r), ReasonCode::kInternalError, "the prepared public key is not the envelope's key");
    }
  }
  const mldsa::PublicKey& key = prepared ? *prepared : envelope.public_key();
  if (message.empty() || !mldsa::verify(key, bytes, signature_context(), envelope.signature()).ok()) {
    return fail(std::move(r), ReasonCode::kBadSignature,
                "the ML-DSA-65 signature does not verify for signer " + key_did.str());
  }
  r.signature_valid = true;
  r.signer_did = key_did;
  r.manifest = manifest;
  // 3. Which object: embedded, detached, or both (then identical).
  std::span<const std::uint8_t> object;
  std::string label = object_label;
  const auto& detached = candidates.detached;
  const auto& embedded = candidates.embedded;
  if (embedded && detached) {
    if (!same_bytes(*embedded, *detached)) {
      return fail(std::move(r), ReasonCode::kObjectConflict,
                  object_label + ": differs from the object embedded in the envelope");
    }
    object = *detached;
  } else if (detached) {
    object = *detached;
  } else if (embedded) {
    object = *embedded;
    label = "embedded object";
  } else {
    return fail(std::move(r), ReasonCode::kObjectMissing,
                "no object to check: the envelope embeds none and no detached object was given", true);
  }
  // 4. Size, then hash.
  if (object.size() > kMaxObjectFileSize) {
    return fail(std::move(r), ReasonCode::kSizeExceeded,
                label + ": " + std::to_string(object.size()) + " bytes, larger than the object limit of " +
                    std::to_string(kMaxObjectFileSize));
  }
  if (object.size() != manifest.size()) {
    return fail(std::move(r), ReasonCode::kSizeMismatch,
                label + ": " + std::to_string(object.size()) + " bytes, but " +
                    std::to_string(manifest.size()) + " were signed");
  }
  const std::string hash = crypto::to_hex(crypto::sha3_256(object));
  r.presented_object_sha3_256 = {hash};  // the only object (both copies are identical)
  if (hash != manifest.sha3_256()) {
    return fail(std::move(r), ReasonCode::kHashMismatch,
                label + ": SHA3-256 " + hash + " differs from the signed " + manifest.sha3_256());
  }
  r.hash_consistent = true;
  // 5. The caller's last word before any parser sees the object.
  if (options.before_parse) {
    if (auto refusal = options.before_parse(key_did, manifest)) {
      r.refused_before_parse = true;
      return fail(std::move(r), refusal->reason, refusal->sentence);
    }
  }
  // 6. Read the programs from the verified bytes, whatever the format: the
  // policy judges only what the object holds, never what the signer typed.
  auto facts = derive_object_facts(object, label);
  if (manifest.format() != ManifestFormat::kV1) {
    // Formats 2 and 3: the signed program list (format 3: with what each
    // program calls) must be the object's.
    if (!facts.ok()) {
      r.programs_consistent = false;
      return fail(std::move(r), ReasonCode::kProgramMismatch,
                  "cannot re-derive the program list: " + facts.error().message);
    }
    if (auto diff = describe_facts_difference(manifest, *facts)) {
      r.programs_consistent = false;
      return fail(std::move(r), ReasonCode::kProgramMismatch, label + ": " + *diff);
    }
    r.programs_consistent = true;
  }
  if (facts.ok()) {
    r.facts = std::move(facts).value();
  } else {
    // Format 1 signs no program list, so the signature still stands; a gate
    // denies the object (uninspectable_object) unless a rule allows that.
    r.inspection_error = facts.error().message;
  }
  r.valid = true;
  r.reason = ReasonCode::kAllowed;
  r.error.clear();
  r.object.assign(object.begin(), object.end());
  return r;
}

}  // namespace

VerificationResult BPFVerifier::verify(const Envelope& envelope,
                                       std::optional<std::span<const std::uint8_t>> detached,
                                       const std::string& object_label, const VerifyOptions& options) {
  Candidates candidates;
  candidates.detached = detached;
  if (envelope.object()) candidates.embedded = std::span<const std::uint8_t>(*envelope.object());
  VerificationResult r;
  try {
    r = verify_unchecked(envelope, candidates, object_label, options);
  } catch (const std::exception& ex) {  // fail closed on anything unexpected
    r = fail(VerificationResult{}, ReasonCode::kInternalError,
             std::string("internal error during verification: ") + ex.what());
  }
  try {
    // A failure before the hash step computed none: hash what was presented.
    if (r.presented_object_sha3_256.empty()) {
      r.presented_object_sha3_256 = presented_hashes(candidates);
    }
  } catch (...) {
    r = fail(VerificationResult{}, ReasonCode::kInternalError, "internal error while hashing the object");
  }
  return r;
}

VerificationResult BPFVerifier::verify(const SignedBPFProgram& signed_program, const VerifyOptions& options) {
  std::optional<std::span<const std::uint8_t>> detached;
  if (signed_program.object) detached = std::span<const std::uint8_t>(*signed_program.object);
  return verify(signed_program.envelope, detached, "object", options);
}

VerificationResult verify_envelope_bytes(std::span<const std::uint8_t> envelope_bytes,
                                         const std::string& envelope_label,
                                         std::optional<std::span<const std::uint8_t>> detached,
                                         const std::string& object_label, const VerifyOptions& options) {
  VerificationResult r;
  try {
    const std::string envelope_hash = crypto::to_hex(crypto::sha3_256(envelope_bytes));
    const std::string_view text(reinterpret_cast<const char*>(envelope_bytes.data()), envelope_bytes.size());
    auto envelope = parse_envelope(text, envelope_label);
    if (!envelope.ok()) {
      const bool unsupported = envelope.error().code == ErrorCode::kUnsupported;
      r.envelope_sha3_256 = envelope_hash;
      if (detached) r.presented_object_sha3_256 = presented_hashes(Candidates{std::nullopt, detached});
      return fail(std::move(r), unsupported ? ReasonCode::kUnsupportedFormat : ReasonCode::kMalformedEnvelope,
                  envelope.error().message, true);
    }
    VerificationResult result = BPFVerifier::verify(*envelope, detached, object_label, options);
    result.envelope_sha3_256 = envelope_hash;
    return result;
  } catch (const std::exception& ex) {
    return fail(std::move(r), ReasonCode::kInternalError,
                std::string("internal error during verification: ") + ex.what());
  }
}

VerificationResult verify_envelope_file(const std::string& envelope_path,
                                        const std::optional<std::string>& object_path,
                                        const VerifyOptions& options) {
  VerificationResult r;
  try {
    // Read once: these bytes are hashed, parsed and verified; nothing reads
    // the path again.
    auto envelope_bytes = read_file(envelope_path, kMaxEnvelopeBytes);
    if (!envelope_bytes.ok()) {
      return fail(std::move(r), ReasonCode::kMalformedEnvelope, envelope_bytes.error().message, true);
    }
    // The detached object: explicit path (must exist), else the default
    // path when it exists (else the embedded object alone).
    std::optional<std::vector<std::uint8_t>> detached;
    std::string label = "object";
    std::optional<std::string> path = object_path;
    const bool required = object_path.has_value();
    if (!path) path = default_object_path(envelope_path);
    if (path) {
      auto bytes = read_file(*path, kMaxObjectFileSize);
      if (bytes.ok()) {
        detached = std::move(bytes).value();
        label = *path;
      } else if (required || bytes.error().code != ErrorCode::kNotFound) {
        const bool too_big = bytes.error().code == ErrorCode::kLimitExceeded;
        r.envelope_sha3_256 = crypto::to_hex(crypto::sha3_256(*envelope_bytes));
        return fail(std::move(r), too_big ? ReasonCode::kSizeExceeded : ReasonCode::kObjectMissing,
                    bytes.error().message, true);
      }
    }
    std::optional<std::span<const std::uint8_t>> view;
    if (detached) view = std::span<const std::uint8_t>(*detached);
    VerificationResult result = verify_envelope_bytes(*envelope_bytes, envelope_path, view, label, options);
    if (result.reason == ReasonCode::kObjectMissing) {
      result.error = envelope_path + ": no object to check: the envelope embeds none and " +
                     (path ? *path + " does not exist" : std::string("its name does not end in .sig.json")) +
                     "; give the object's path (--object)";
    }
    return result;
  } catch (const std::exception& ex) {
    return fail(std::move(r), ReasonCode::kInternalError,
                std::string("internal error during verification: ") + ex.what());
  }
}

}  // namespace pqbpf
