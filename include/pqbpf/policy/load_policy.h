// LoadPolicy: an ordered list of PolicyRules, a default decision (deny unless
// said), and revocation lists checked before any rule.
//
// evaluate() decides per program: an object is allowed only when every
// program in it is allowed by the first rule covering that program's type.
// It never throws. A policy that could not be loaded is LoadPolicy::deny_all,
// which denies everything with reason policy_error.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/did.h"
#include "pqbpf/core/reason.h"
#include "pqbpf/policy/load_request.h"
#include "pqbpf/policy/policy_decision.h"
#include "pqbpf/policy/policy_rule.h"
#include "pqbpf/result.h"

namespace pqbpf::policy {

// The checked form of the seed's enforce(): which kind of failure, if any.
enum class EnforceOutcome {
  kAllowed,
  kUntrustedSigner,  // reason untrusted_signer or revoked_signer
  kPolicyDenied,     // any other denial
};

struct [[nodiscard]] EnforceResult {
  EnforceOutcome outcome = EnforceOutcome::kPolicyDenied;
  PolicyDecision decision;

  bool ok() const { return outcome == EnforceOutcome::kAllowed; }
  // ok, or kRejected with "<reason_code>: <sentence>".
  Status status() const;
};

class LoadPolicy {
 public:
  LoadPolicy() = default;  // no rules, default deny: denies everything (no_rule)

  // A policy that denies every request with policy_error and `why` (the
  // loader's error), for a gate whose policy file is unreadable.
  static LoadPolicy deny_all(std::string why);

  LoadPolicy& add_rule(PolicyRule rule);
  LoadPolicy& set_default_decision(Decision decision);
  LoadPolicy& revoke_signer(Did signer);
  // `sha3_256_hex`: 64 hex digits (either case; stored lowercase).
  Status revoke_object(std::string_view sha3_256_hex);

  const std::vector<PolicyRule>& rules() const { return rules_; }
  Decision default_decision() const { return default_decision_; }
  const std::set<Did>& revoked_signers() const { return revoked_signers_; }
  const std::set<std::string>& revoked_objects() const { return revoked_objects_; }
  bool is_deny_all() const { return deny_all_; }
  const std::string& deny_all_reason() const { return deny_all_reason_; }

  PolicyDecision evaluate(const LoadRequest& request) const noexcept;
  // What can be decided before the object is parsed (issue 11.3), for a
  // verified `signer` and the verified object's SHA3-256: an unreadable
  // policy, a revoked object or signer, and a signer no rule could allow
  // (no rule's allowed_signers admits it and the default is deny). nullopt
  // when the object is worth reading; else the denial, the same one
  // evaluate() would give.
  std::optional<PolicyDecision> screen_signer(const Did& signer,
                                              std::string_view object_sha3_256) const noexcept;
  // The same for an object with no envelope: an unreadable policy, a revoked
  // object, and no way for it to be allowed (no rule with require_signature
  // false and an empty allowed_signers, and the default is deny: unsigned).
  std::optional<PolicyDecision> screen_unsigned(std::string_view object_sha3_256) const noexcept;
  EnforceResult enforce(const LoadRequest& request) const noexcept;
  // Seed style: throws UntrustedSignerError or PolicyDeniedError on denial.
  void enforce_or_throw(const LoadRequest& request) const;

 private:
  std::vector<PolicyRule> rules_;
  Decision default_decision_ = Decision::kDeny;
  std::set<Did> revoked_signers_;
  std::set<std::string> revoked_objects_;
  bool deny_all_ = false;
  std::string deny_all_reason_;
};

}  // namespace pqbpf::policy
