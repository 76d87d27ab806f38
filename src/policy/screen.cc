// LoadPolicy::screen_signer: the part of the decision that needs no object
// facts. A gate runs it after the signature and hash checks and before the
// object reaches libbpf/libelf, so an attacker who signs with their own key
// (a valid signature, an unwanted signer) never gets the parser to run on
// their bytes (issue 11.3). It denies only what evaluate() would deny with
// the same reason whatever the object holds.
#include <algorithm>

#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy {
namespace {

PolicyDecision denial(ReasonCode reason, std::string sentence) {
  PolicyDecision d;
  d.decision = Decision::kDeny;
  d.reason = reason;
  d.sentence = std::move(sentence);
  return d;
}

// What denies any object whatever signed it: a policy that could not be read,
// or the object's hash on the revoked list (compared in lower case).
std::optional<PolicyDecision> screen_object(const LoadPolicy& policy, std::string_view object_sha3_256) {
  if (policy.is_deny_all()) {
    return denial(ReasonCode::kPolicyError,
                  "the load policy could not be read, so every load is denied: " + policy.deny_all_reason());
  }
  std::string hash(object_sha3_256);
  std::transform(hash.begin(), hash.end(), hash.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (policy.revoked_objects().count(hash) != 0) {
    return denial(ReasonCode::kRevokedObject, "object " + hash + " is on the policy's revoked_objects list");
  }
  return std::nullopt;
}

// A rule could allow some program of this signer: its allow-list is empty
// (any verified signer) or names the signer. require_signature: false does
// not widen this: a rule with a list still requires a listed signer.
bool rule_admits(const PolicyRule& rule, const Did& signer) {
  return rule.allowed_signers.empty() ||
         std::find(rule.allowed_signers.begin(), rule.allowed_signers.end(), signer) !=
             rule.allowed_signers.end();
}

}  // namespace

std::optional<PolicyDecision> LoadPolicy::screen_signer(const Did& signer,
                                                        std::string_view object_sha3_256) const noexcept {
  try {
    if (auto denied = screen_object(*this, object_sha3_256)) return denied;
    if (revoked_signers_.count(signer) != 0) {
      return denial(ReasonCode::kRevokedSigner,
                    "signer " + signer.str() + " is on the policy's revoked_signers list");
    }
    // default allow admits programs no rule covers, whoever signed them.
    if (default_decision_ == Decision::kAllow) return std::nullopt;
    if (rules_.empty()) {
      return denial(ReasonCode::kNoRule, "the policy has no rules, and the default decision is deny");
    }
    if (std::any_of(rules_.begin(), rules_.end(), [&](const PolicyRule& r) { return rule_admits(r, signer); })) {
      return std::nullopt;
    }
    return denial(ReasonCode::kUntrustedSigner,
                  "signer " + signer.str() +
                      " is in no rule's allowed_signers, so no rule could allow the object "
                      "(it was not parsed)");
  } catch (...) {
    return denial(ReasonCode::kInternalError, "internal error while screening the signer");
  }
}

std::optional<PolicyDecision> LoadPolicy::screen_unsigned(std::string_view object_sha3_256) const noexcept {
  try {
    if (auto denied = screen_object(*this, object_sha3_256)) return denied;
    if (default_decision_ == Decision::kAllow) return std::nullopt;
    // Only a rule that requires no signature and lists no signers lets an
    // unsigned program through (a listed signer needs a verified envelope).
    if (std::any_of(rules_.begin(), rules_.end(), [](const PolicyRule& r) {
          return !r.require_signature && r.allowed_signers.empty();
        })) {
      return std::nullopt;
    }
    return denial(ReasonCode::kUnsigned,
                  "the object has no signature envelope, and no rule admits unsigned objects "
                  "(it was not parsed)");
  } catch (...) {
    return denial(ReasonCode::kInternalError, "internal error while screening the object");
  }
}

}  // namespace pqbpf::policy
