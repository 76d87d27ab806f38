// The exceptions of the seed's throwing LoadPolicy::enforce_or_throw. The
// library's own decision path never throws; these exist only for callers who
// prefer the seed's style. Both carry the full PolicyDecision.
#pragma once

#include <stdexcept>

#include "pqbpf/policy/policy_decision.h"

namespace pqbpf::policy {

class PolicyError : public std::runtime_error {
 public:
  explicit PolicyError(PolicyDecision decision);
  const PolicyDecision& decision() const noexcept { return decision_; }

 private:
  PolicyDecision decision_;
};

// The signer is not in the matching rule's allow-list, or is revoked.
class UntrustedSignerError : public PolicyError {
 public:
  using PolicyError::PolicyError;
};

// Any other denial.
class PolicyDeniedError : public PolicyError {
 public:
  using PolicyError::PolicyError;
};

}  // namespace pqbpf::policy
