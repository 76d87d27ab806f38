// check_load_attempt: the gate's decision path for one load attempt:
// read + verify the envelope and object, evaluate the policy, record the
// attempt. Never throws and fails closed: any error is a deny with a reason
// code, and every attempt (malformed ones included) is recorded when a log is
// given. If the record cannot be made durable, the decision is deny
// (`log_error`), whatever the policy said.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "pqbpf/attest/verifier.h"
#include "pqbpf/gate/verification_cache.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/log/record.h"
#include "pqbpf/policy/load_policy.h"

namespace pqbpf::gate {

struct CheckRequest {
  std::string envelope_path;
  std::optional<std::string> object_path;  // default: envelope path minus .sig.json
  log::Actor actor;
  std::string action = "check";
};

// One load attempt whose inputs are already in memory (the gate daemon's
// sealed memfds, a library caller's buffers). The labels name the inputs in
// messages and in the record.
struct CheckBytesRequest {
  std::span<const std::uint8_t> envelope;
  std::string envelope_label = "envelope";
  std::optional<std::span<const std::uint8_t>> object;  // detached object, if any
  std::string object_label = "object";
  log::Actor actor;
  std::string action = "check";
  // Optional (VerifyOptions::prepared_key): a daemon's cache of expanded keys.
  std::function<crypto::mldsa::PublicKey(const crypto::mldsa::PublicKey&)> prepared_key;
  // Optional: results of earlier allowed verifications of the same bytes
  // (verification_cache.h); the signer screening and the policy decision
  // are made afresh on every hit.
  VerificationCache* verification_cache = nullptr;
};

struct CheckOutcome {
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kInternalError;
  std::string sentence;  // one line: why
  // verification.object holds the verified object bytes when valid: what a
  // loader must hand to the kernel (never a second read of a path).
  VerificationResult verification;
  policy::PolicyDecision policy;
  std::string envelope_sha3_256;  // "" when the envelope could not be read
  std::optional<std::uint64_t> log_seq;
  std::optional<Error> log_error;
  // The envelope or object could not be read or parsed (CLI exit 2).
  bool input_error = false;
};

// Reads the envelope and object files once each; everything is judged from
// those bytes.
CheckOutcome check_load_attempt(const CheckRequest& request, const policy::LoadPolicy& policy,
                                log::LogWriter* log) noexcept;
// The same decision path for inputs already in memory.
CheckOutcome check_load_bytes(const CheckBytesRequest& request, const policy::LoadPolicy& policy,
                              log::LogWriter* log) noexcept;

// The record check_load_attempt writes for an outcome (exposed for callers
// that record elsewhere, e.g. the seed's AttestationLog API).
log::AttemptRecord make_attempt_record(const CheckRequest& request, const CheckOutcome& outcome);
log::AttemptRecord make_attempt_record(const CheckBytesRequest& request, const CheckOutcome& outcome);

}  // namespace pqbpf::gate
