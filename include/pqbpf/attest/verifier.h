// BPFVerifier: decides whether an envelope is a valid signature over an
// object. Fails closed: `valid` is true only when every check passed.
//
// Order (cheap first; docs/FORMAT.md "Verification"):
//   1. the manifest's signer is the DID of public_key     did_mismatch
//   2. the ML-DSA-65 signature over the canonical manifest bad_signature
//      (context "pqc-bpf/v1")
//   3. an object is present (embedded and/or detached)     object_missing
//      and, when both are, they are identical              object_conflict
//   4. size within kMaxObjectFileSize                      size_exceeded
//      size equals the signed size                         size_mismatch
//      SHA3-256 equals the signed hash                     hash_mismatch
//   5. VerifyOptions::before_parse, when given, may stop     (its reason)
//      here, before the object reaches any parser
//   6. the programs are read from the object (every format):
//      format 2: programs, maps, license equal the signed   program_mismatch
//      ones; format 1: an object the reader cannot inspect
//      still verifies (inspection_error says why)
// Parsing failures before step 1 are malformed_envelope (unsupported_format
// for an unknown manifest format or algorithm). Whether the declared type of
// a format-1 manifest covers the programs found is the policy's question
// (program_mismatch at `check`), not a verification failure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/attest/object_facts.h"
#include "pqbpf/attest/signed_program.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/core/manifest.h"
#include "pqbpf/core/reason.h"

namespace pqbpf {

struct VerificationResult {
  bool valid = false;             // every check passed
  bool signature_valid = false;   // DID bound to the key and the signature verifies
  bool hash_consistent = false;   // the object has the signed size and SHA3-256
  // Format 2 only: the re-derived programs/maps/license equal the signed ones.
  // nullopt for format 1 or when verification stopped earlier.
  std::optional<bool> programs_consistent;
  // SHA3-256 (hex) of every object byte string this attempt presented (the
  // detached object, the embedded one when it differs), computed whatever the
  // outcome, so revoked_objects can match even a failed attempt (issue 11.10).
  std::vector<std::string> presented_object_sha3_256;
  // VerifyOptions::before_parse stopped verification: signature, size and
  // hash were good, and the object was never parsed.
  bool refused_before_parse = false;
  // Format 1, valid: why the reader could not list the object's programs
  // ("" when it could, or for format 2, where that is program_mismatch).
  std::string inspection_error;
  // Set only when signature_valid: only what is signed is shown as trusted.
  std::optional<Did> signer_did;
  std::optional<Manifest> manifest;
  // Set only when valid: the object bytes that were checked (hand these, not
  // a second read of the file, to the loader) and what the reader found in
  // them (every format; unset when a format-1 object could not be inspected).
  std::vector<std::uint8_t> object;
  std::optional<ObjectFacts> facts;
  // SHA3-256 (hex) of the envelope bytes that were parsed and verified; ""
  // when no envelope bytes were read (the file-level and bytes-level entry
  // points set it).
  std::string envelope_sha3_256;

  ReasonCode reason = ReasonCode::kInternalError;  // kAllowed when valid
  std::string error;  // one line, "" when valid
  // True when the failure is about input that could not be read or parsed
  // (the CLI exits 2), false for a well-formed input that failed a check (exit 1).
  bool input_error = false;
};

// A reason to stop before the object is parsed (see VerifyOptions).
struct PreParseRefusal {
  ReasonCode reason = ReasonCode::kUntrustedSigner;
  std::string sentence;
};

struct VerifyOptions {
  // Called once the DID binding, the signature, the object's size and its
  // SHA3-256 have passed, and before the object reaches the object reader
  // (libbpf/libelf). A gate asks its policy here whether this signer could be
  // allowed at all, so an attacker's own valid signature never gets the
  // parser to run (issue 11.3). Returning a refusal ends verification with
  // its reason (valid false, refused_before_parse true). Unset: no filter.
  std::function<std::optional<PreParseRefusal>(const Did& signer, const Manifest& manifest)> before_parse;
  // Optional: the key to verify the signature with, given the envelope's key.
  // A long-running gate returns a copy of a key it has seen before, whose
  // expanded form (matrix A, NTT(t1)) is already built, so a known signer
  // costs a warm verification. The returned key must encode exactly the
  // envelope's key bytes; anything else fails verification (internal_error).
  // Unset: the envelope's own key (a cold verification).
  std::function<crypto::mldsa::PublicKey(const crypto::mldsa::PublicKey& envelope_key)> prepared_key;
};

class BPFVerifier {
 public:
  // Uses signed_program.object as the detached object.
  static VerificationResult verify(const SignedBPFProgram& signed_program,
                                   const VerifyOptions& options = {});
  // `detached`: the object the caller will load, if any; `object_label` names
  // it in messages.
  static VerificationResult verify(const Envelope& envelope,
                                   std::optional<std::span<const std::uint8_t>> detached,
                                   const std::string& object_label = "object",
                                   const VerifyOptions& options = {});
};

// Verifies an envelope held in memory (`envelope_bytes`, the file's exact
// bytes) against an optional detached object. Every fact comes from these
// buffers: nothing is read again. `envelope_sha3_256` in the result is the
// hash of `envelope_bytes` (set whenever they were given).
VerificationResult verify_envelope_bytes(std::span<const std::uint8_t> envelope_bytes,
                                         const std::string& envelope_label,
                                         std::optional<std::span<const std::uint8_t>> detached,
                                         const std::string& object_label = "object",
                                         const VerifyOptions& options = {});

// Reads and verifies an envelope file. Each file is read once, into memory,
// and only those bytes are hashed, parsed and verified; on success
// `result.object` holds the verified object bytes, which are what a loader
// must use (never a second read of the path). The detached object is `object_path`
// if given (it must exist), else the envelope path without ".sig.json" when
// that file exists; an embedded object is used as well, and when both are
// present they must be identical. Never throws; every failure is a result.
VerificationResult verify_envelope_file(const std::string& envelope_path,
                                        const std::optional<std::string>& object_path = std::nullopt,
                                        const VerifyOptions& options = {});

}  // namespace pqbpf
