// Stable reason codes for every verification failure and policy decision.
// The names are part of the output contract (CLI --json, the audit log):
// never rename one, only add.
#pragma once

#include <string_view>

namespace pqbpf {

enum class ReasonCode {
  kAllowed,            // "allowed": every check passed
  kNoRule,             // "no_rule": no rule matched; default decision applied
  kSizeExceeded,       // "size_exceeded": object larger than the rule's cap
  kBadSignature,       // "bad_signature": ML-DSA verification failed
  kDidMismatch,        // "did_mismatch": manifest signer != DID of public_key
  kHashMismatch,       // "hash_mismatch": object SHA3-256 differs from the signed one
  kSizeMismatch,       // "size_mismatch": object size differs from the signed one
  kObjectMissing,      // "object_missing": no detached or embedded object to check
  kObjectConflict,     // "object_conflict": embedded and detached objects differ
  kProgramMismatch,    // "program_mismatch": signed program list != the object's
  kUntrustedSigner,    // "untrusted_signer": signer not in the rule's allow-list
  kRevokedSigner,      // "revoked_signer"
  kRevokedObject,      // "revoked_object"
  kMalformedEnvelope,  // "malformed_envelope": envelope unreadable or invalid
  kUnsupportedFormat,  // "unsupported_format": unknown manifest format/algorithm
  kUnsigned,           // "unsigned": no envelope and the rule requires one
  kTypeNotAllowed,     // "type_not_allowed": program type covered by no allowing rule
  kAttachTargetDenied, // "attach_target_denied"
  kTooManyInsns,       // "too_many_insns"
  kLicenseDenied,      // "license_denied"
  kPolicyError,        // "policy_error": the policy could not be read; deny everything
  kLogError,           // "log_error": the attempt could not be recorded; deny
  kInternalError,      // "internal_error": fail closed on anything unexpected
  kUninspectableObject,  // "uninspectable_object": the reader could not list the
                         // object's programs and no rule allows that
  kDirectLoadRefused,  // "direct_load_refused": a sandboxed workload's own bpf(BPF_PROG_LOAD)
  kBpfCommandDenied,   // "bpf_command_denied": a sandboxed bpf() command not on the allow-list
  kNoMatchingEnvelope, // "no_matching_envelope": a sandboxed load matches no signed program
  kMapMismatch,        // "map_mismatch": a matched load names a map unlike the signed one
  kCapabilityDenied,   // "capability_denied": a program calls a helper or kfunc, or uses a
                       // map type, that its rule does not allow (docs/CAPABILITIES.md)
  kCallerNotPermitted, // "caller_not_permitted": a sandboxed caller lacks the capabilities the
                       // kernel requires for the load it asked for (docs/SANDBOX.md), or a
                       // gate daemon client asking for program descriptors lacks them
                       // (docs/GATE_API.md, "Who gets descriptors")
};

// The last code above: loops over every code run from kAllowed to this.
inline constexpr ReasonCode kLastReasonCode = ReasonCode::kCallerNotPermitted;

constexpr std::string_view reason_code_name(ReasonCode code) {
  switch (code) {
    case ReasonCode::kAllowed: return "allowed";
    case ReasonCode::kNoRule: return "no_rule";
    case ReasonCode::kSizeExceeded: return "size_exceeded";
    case ReasonCode::kBadSignature: return "bad_signature";
    case ReasonCode::kDidMismatch: return "did_mismatch";
    case ReasonCode::kHashMismatch: return "hash_mismatch";
    case ReasonCode::kSizeMismatch: return "size_mismatch";
    case ReasonCode::kObjectMissing: return "object_missing";
    case ReasonCode::kObjectConflict: return "object_conflict";
    case ReasonCode::kProgramMismatch: return "program_mismatch";
    case ReasonCode::kUntrustedSigner: return "untrusted_signer";
    case ReasonCode::kRevokedSigner: return "revoked_signer";
    case ReasonCode::kRevokedObject: return "revoked_object";
    case ReasonCode::kMalformedEnvelope: return "malformed_envelope";
    case ReasonCode::kUnsupportedFormat: return "unsupported_format";
    case ReasonCode::kUnsigned: return "unsigned";
    case ReasonCode::kTypeNotAllowed: return "type_not_allowed";
    case ReasonCode::kAttachTargetDenied: return "attach_target_denied";
    case ReasonCode::kTooManyInsns: return "too_many_insns";
    case ReasonCode::kLicenseDenied: return "license_denied";
    case ReasonCode::kPolicyError: return "policy_error";
    case ReasonCode::kLogError: return "log_error";
    case ReasonCode::kInternalError: return "internal_error";
    case ReasonCode::kUninspectableObject: return "uninspectable_object";
    case ReasonCode::kDirectLoadRefused: return "direct_load_refused";
    case ReasonCode::kBpfCommandDenied: return "bpf_command_denied";
    case ReasonCode::kNoMatchingEnvelope: return "no_matching_envelope";
    case ReasonCode::kMapMismatch: return "map_mismatch";
    case ReasonCode::kCapabilityDenied: return "capability_denied";
    case ReasonCode::kCallerNotPermitted: return "caller_not_permitted";
  }
  return "internal_error";
}

enum class Decision { kAllow, kDeny };

constexpr std::string_view decision_name(Decision d) {
  return d == Decision::kAllow ? "allow" : "deny";
}

}  // namespace pqbpf
