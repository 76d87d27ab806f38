// The decision path: verify -> policy -> record (see load_check.h).
#include "pqbpf/gate/load_check.h"

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/gate/load_request_builder.h"

namespace pqbpf::gate {
namespace {

// What the record needs to know about the request, whichever entry point.
struct RequestLabels {
  const std::string& action;
  const log::Actor& actor;
  std::string fallback_program;  // when no manifest was read
};

log::AttemptRecord make_record(const RequestLabels& request, const CheckOutcome& outcome) {
  log::AttemptRecord record;
  record.action = request.action;
  record.decision = outcome.decision;
  record.reason = outcome.reason;
  record.reason_text = outcome.sentence;
  record.actor = request.actor;
  const VerificationResult& v = outcome.verification;
  record.program = v.manifest ? v.manifest->metadata().name : request.fallback_program;
  if (v.facts) {
    for (const auto& p : v.facts->info.programs) {
      record.program_types.emplace_back(bpf::program_type_label(p));
    }
  } else if (v.manifest) {
    record.program_types.emplace_back(program_type_name(v.manifest->metadata().program_type));
  }
  if (v.valid && v.presented_object_sha3_256.size() == 1) {
    // The verifier hashed exactly these bytes (v.object) already.
    record.object_sha3_256 = v.presented_object_sha3_256.front();
  } else if (!v.object.empty()) {
    record.object_sha3_256 = crypto::to_hex(crypto::sha3_256(v.object));
  } else if (!v.presented_object_sha3_256.empty()) {
    // Denied: still name the bytes that were presented (the first copy).
    record.object_sha3_256 = v.presented_object_sha3_256.front();
  }
  // Only a signer the verifier bound to the key is recorded as the signer
  // (a signer refused before parsing was bound and verified: record who).
  if ((v.valid || v.refused_before_parse) && v.signer_did) record.signer = v.signer_did->str();
  if (!outcome.envelope_sha3_256.empty()) record.envelope_sha3_256 = outcome.envelope_sha3_256;
  return record;
}

// Verification is done (or failed); decide, then record. Never throws.
void decide_and_record(CheckOutcome& outcome, const policy::LoadPolicy& policy, log::LogWriter* log,
                       const RequestLabels& labels,
                       const std::optional<policy::PolicyDecision>& screened) noexcept {
  try {
    // The logged envelope hash is of the very bytes that were verified.
    outcome.envelope_sha3_256 = outcome.verification.envelope_sha3_256;
    outcome.input_error = outcome.verification.input_error;
    outcome.policy = decide(policy, outcome.verification, screened);
    outcome.decision = outcome.policy.decision;
    outcome.reason = outcome.policy.reason;
    outcome.sentence = outcome.policy.sentence;
  } catch (const std::exception& ex) {
    outcome.decision = Decision::kDeny;
    outcome.reason = ReasonCode::kInternalError;
    outcome.sentence = std::string("internal error: ") + ex.what();
  } catch (...) {
    outcome.decision = Decision::kDeny;
    outcome.reason = ReasonCode::kInternalError;
    outcome.sentence = "internal error";
  }
  if (log == nullptr) return;

  try {
    const log::RecordedDecision recorded = log::record_decision(*log, make_record(labels, outcome));
    outcome.log_seq = recorded.seq;
    if (recorded.error) {
      outcome.log_error = recorded.error;
      outcome.decision = Decision::kDeny;
      outcome.reason = ReasonCode::kLogError;
      outcome.sentence = "the attempt could not be recorded, so it is denied: " +
                         recorded.error->message;
    }
  } catch (...) {
    outcome.log_error = Error{ErrorCode::kIo, "unexpected error while recording"};
    outcome.decision = Decision::kDeny;
    outcome.reason = ReasonCode::kLogError;
    outcome.sentence = "the attempt could not be recorded, so it is denied";
  }
}

// A cached valid verification of these exact bytes, with the one step that
// depends on the policy in force run again: the signer screening the
// verifier does before parsing (VerifyOptions::before_parse). A refusal
// there gives exactly the verifier's refused result.
VerificationResult replay_cached(VerificationResult r, const policy::LoadPolicy& policy,
                                 std::optional<policy::PolicyDecision>& screened) {
  screened = policy.screen_signer(*r.signer_did, r.manifest->sha3_256());
  if (screened) {
    r.valid = false;
    r.refused_before_parse = true;
    r.reason = screened->reason;
    r.error = screened->sentence;
    r.input_error = false;
    r.programs_consistent.reset();
    r.inspection_error.clear();
    r.object.clear();
    r.facts.reset();
  }
  return r;
}

RequestLabels labels_of(const CheckRequest& request) {
  return {request.action, request.actor, request.object_path.value_or(request.envelope_path)};
}

RequestLabels labels_of(const CheckBytesRequest& request) {
  return {request.action, request.actor, request.object ? request.object_label : request.envelope_label};
}

}  // namespace

log::AttemptRecord make_attempt_record(const CheckRequest& request, const CheckOutcome& outcome) {
  return make_record(labels_of(request), outcome);
}

log::AttemptRecord make_attempt_record(const CheckBytesRequest& request, const CheckOutcome& outcome) {
  return make_record(labels_of(request), outcome);
}

CheckOutcome check_load_attempt(const CheckRequest& request, const policy::LoadPolicy& policy,
                                log::LogWriter* log) noexcept {
  CheckOutcome outcome;
  std::optional<policy::PolicyDecision> screened;
  try {
    outcome.verification = verify_envelope_file(request.envelope_path, request.object_path,
                                                screening_options(policy, screened));
  } catch (...) {
    outcome.verification = VerificationResult{};
    outcome.verification.error = "internal error during verification";
  }
  decide_and_record(outcome, policy, log, labels_of(request), screened);
  return outcome;
}

CheckOutcome check_load_bytes(const CheckBytesRequest& request, const policy::LoadPolicy& policy,
                              log::LogWriter* log) noexcept {
  CheckOutcome outcome;
  std::optional<policy::PolicyDecision> screened;
  if (request.verification_cache != nullptr) {
    try {
      // Exactly these bytes verified before: the result, with the digests
      // of these bytes, comes from the cache (no hashing, no parsing).
      if (auto hit = request.verification_cache->find(request.envelope, request.object)) {
        outcome.verification = replay_cached(std::move(*hit), policy, screened);
        decide_and_record(outcome, policy, log, labels_of(request), screened);
        return outcome;
      }
    } catch (...) {
      // verify the ordinary way below
    }
  }
  try {
    VerifyOptions options = screening_options(policy, screened);
    options.prepared_key = request.prepared_key;
    outcome.verification =
        verify_envelope_bytes(request.envelope, request.envelope_label, request.object, request.object_label, options);
  } catch (...) {
    outcome.verification = VerificationResult{};
    outcome.verification.error = "internal error during verification";
  }
  decide_and_record(outcome, policy, log, labels_of(request), screened);
  if (request.verification_cache != nullptr && outcome.policy.decision == Decision::kAllow) {
    try {
      request.verification_cache->remember(request.envelope, request.object, outcome.verification);
    } catch (...) {
    }
  }
  return outcome;
}

}  // namespace pqbpf::gate
