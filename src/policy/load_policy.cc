// LoadPolicy's construction, rule matching, and the seed's enforce() in its
// checked and throwing forms. The evaluation itself is in evaluate.cc.
#include "pqbpf/policy/load_policy.h"

#include <algorithm>
#include <utility>

#include "pqbpf/policy/policy_errors.h"

namespace pqbpf::policy {

bool rule_type_covers(BPFProgramType rule_type, BPFProgramType program_type) {
  if (rule_type == program_type) return true;
  // A kernel type covers its refinements; a refined name covers only itself.
  return kernel_program_type(rule_type) == rule_type &&
         kernel_program_type(program_type) == rule_type;
}

bool PolicyRule::covers(BPFProgramType type) const {
  return std::any_of(program_types.begin(), program_types.end(),
                     [type](BPFProgramType listed) { return rule_type_covers(listed, type); });
}

bool PolicyRule::has_capability_rules() const {
  return !denied_helpers.empty() || allowed_helpers.has_value() || !denied_capabilities.empty() ||
         allowed_capabilities.has_value() || !denied_kfuncs.empty() || allowed_kfuncs.has_value() ||
         allowed_map_types.has_value();
}

LoadPolicy LoadPolicy::deny_all(std::string why) {
  LoadPolicy policy;
  policy.deny_all_ = true;
  policy.deny_all_reason_ = std::move(why);
  return policy;
}

LoadPolicy& LoadPolicy::add_rule(PolicyRule rule) {
  rules_.push_back(std::move(rule));
  return *this;
}

LoadPolicy& LoadPolicy::set_default_decision(Decision decision) {
  default_decision_ = decision;
  return *this;
}

LoadPolicy& LoadPolicy::revoke_signer(Did signer) {
  revoked_signers_.insert(std::move(signer));
  return *this;
}

Status LoadPolicy::revoke_object(std::string_view sha3_256_hex) {
  std::string lower;
  if (sha3_256_hex.size() != 64) {
    return make_error(ErrorCode::kInvalidArgument,
                      "revoked object hash must be 64 hex digits (SHA3-256), got " +
                          std::to_string(sha3_256_hex.size()) + " characters");
  }
  for (char c : sha3_256_hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return make_error(ErrorCode::kInvalidArgument,
                        "revoked object hash must be hex digits only (SHA3-256)");
    }
    lower.push_back(c);
  }
  revoked_objects_.insert(std::move(lower));
  return ok_status();
}

Status EnforceResult::status() const {
  if (ok()) return ok_status();
  return make_error(ErrorCode::kRejected,
                    std::string(reason_code_name(decision.reason)) + ": " + decision.sentence);
}

EnforceResult LoadPolicy::enforce(const LoadRequest& request) const noexcept {
  EnforceResult result;
  result.decision = evaluate(request);
  if (result.decision.allowed()) {
    result.outcome = EnforceOutcome::kAllowed;
  } else if (result.decision.reason == ReasonCode::kUntrustedSigner ||
             result.decision.reason == ReasonCode::kRevokedSigner) {
    result.outcome = EnforceOutcome::kUntrustedSigner;
  } else {
    result.outcome = EnforceOutcome::kPolicyDenied;
  }
  return result;
}

void LoadPolicy::enforce_or_throw(const LoadRequest& request) const {
  EnforceResult result = enforce(request);
  switch (result.outcome) {
    case EnforceOutcome::kAllowed:
      return;
    case EnforceOutcome::kUntrustedSigner:
      throw UntrustedSignerError(std::move(result.decision));
    case EnforceOutcome::kPolicyDenied:
      break;
  }
  throw PolicyDeniedError(std::move(result.decision));
}

PolicyError::PolicyError(PolicyDecision decision)
    : std::runtime_error(std::string(reason_code_name(decision.reason)) + ": " + decision.sentence),
      decision_(std::move(decision)) {}

}  // namespace pqbpf::policy
