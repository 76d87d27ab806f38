// LoadPolicy::evaluate: revocation first, then the declared type against the
// programs read from the object, then every program of the object through
// the first rule covering its type. Per program the checks run in a
// fixed order (docs/POLICY.md): size cap, signature, allow-list, attach
// target (attach_check.cc), instruction count, license, capabilities
// (capability_check.cc). The
// first failing check denies the whole object, naming the program.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attach_check.h"
#include "capability_check.h"
#include "joined.h"
#include "pqbpf/bpf/license.h"
#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy {
namespace {

// One program as the rules see it: from the object, or, when the object
// could not be inspected, the manifest's declared type (a claim, which only a
// rule with allow_uninspectable accepts).
struct Subject {
  std::string name;
  std::optional<BPFProgramType> type;
  std::string section_target;               // "" when the section names none (or is unknown)
  std::optional<std::uint64_t> insn_count;  // nullopt: unknown
  bool declared_only = false;               // not read from the object
  const bpf::ProgramInfo* info = nullptr;   // the reader's facts (helpers, kfuncs, maps)
};

std::vector<Subject> subjects_of(const LoadRequest& request) {
  std::vector<Subject> out;
  if (request.programs.empty()) {
    // No section is known; only the manifest's attach_point, which
    // attach_targets judges for the types the gate attaches there.
    out.push_back(Subject{"(declared type)", request.declared_type, "", std::nullopt, true});
    return out;
  }
  out.reserve(request.programs.size());
  for (const auto& p : request.programs) {
    // The reader's refined type (kretprobe for a kretprobe/ section) when it
    // has one, so a rule listing only kretprobe does not cover plain kprobes.
    const std::optional<BPFProgramType> type = p.refined_type ? p.refined_type : p.type;
    // max_insns judges what a loader hands the kernel: the program with every
    // subprogram it reaches (nullopt, so denied, when the reader cannot tell).
    out.push_back(Subject{p.name, type, p.attach_target, p.reachable_insns, false, &p});
  }
  return out;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string rule_label(const std::vector<PolicyRule>& rules, std::size_t index) {
  std::string label = "rules[" + std::to_string(index) + "]";
  if (!rules[index].name.empty()) label += " (" + rules[index].name + ")";
  return label;
}

std::string program_label(const Subject& s) {
  // An object whose programs are unknown is judged by its declared type.
  if (s.declared_only) {
    return s.type ? "the object (declared type " + std::string(program_type_name(*s.type)) + ")"
                  : std::string("the object");
  }
  std::string label = "program " + quoted(s.name);
  if (s.type) label += " (" + std::string(program_type_name(*s.type)) + ")";
  return label;
}

// What the verifier found wrong, as a reason code and a sentence.
std::pair<ReasonCode, std::string> verification_problem(const LoadRequest& r) {
  ReasonCode code = ReasonCode::kInternalError;
  if (r.verification_failure) {
    code = *r.verification_failure;
  } else if (!r.envelope_present) {
    code = ReasonCode::kUnsigned;
  } else if (!r.envelope_well_formed) {
    code = ReasonCode::kMalformedEnvelope;
  } else if (!r.did_bound) {
    code = ReasonCode::kDidMismatch;
  } else if (!r.signature_valid) {
    code = ReasonCode::kBadSignature;
  } else if (!r.hash_consistent) {
    code = ReasonCode::kHashMismatch;
  } else if (!r.programs_consistent) {
    code = ReasonCode::kProgramMismatch;
  }
  std::string sentence;
  switch (code) {
    case ReasonCode::kUnsigned: sentence = "the object has no signature envelope"; break;
    case ReasonCode::kMalformedEnvelope: sentence = "the signature envelope is malformed"; break;
    case ReasonCode::kDidMismatch:
      sentence = "the manifest's signer DID is not the DID of the envelope's public key";
      break;
    case ReasonCode::kBadSignature: sentence = "the ML-DSA signature does not verify"; break;
    case ReasonCode::kHashMismatch:
      sentence = "the object's SHA3-256 differs from the signed one";
      break;
    case ReasonCode::kSizeMismatch: sentence = "the object's size differs from the signed one"; break;
    case ReasonCode::kSizeExceeded: sentence = "the object is larger than any object may be"; break;
    case ReasonCode::kProgramMismatch:
      sentence = "the signed program list differs from the object's programs";
      break;
    case ReasonCode::kObjectMissing: sentence = "there is no object to check the envelope against"; break;
    case ReasonCode::kObjectConflict:
      sentence = "the embedded and detached objects differ";
      break;
    case ReasonCode::kUnsupportedFormat:
      sentence = "the envelope's format or algorithm is not supported";
      break;
    default:
      code = ReasonCode::kInternalError;
      sentence = "the verifier reported no verified signer";
      break;
  }
  if (!r.verification_detail.empty()) sentence += " (" + r.verification_detail + ")";
  return {code, std::move(sentence)};
}

std::string uninspectable_sentence(const LoadRequest& r) {
  std::string sentence = "the object's programs could not be read";
  if (!r.inspection_error.empty()) sentence += " (" + r.inspection_error + ")";
  return sentence;
}

bool in_allow_list(const PolicyRule& rule, const Did& signer) {
  return std::find(rule.allowed_signers.begin(), rule.allowed_signers.end(), signer) !=
         rule.allowed_signers.end();
}

bool license_allowed(const PolicyRule& rule, const std::string& license) {
  for (const auto& allowed : rule.licenses) {
    if (allowed == kGplCompatibleLicenses ? bpf::is_gpl_compatible_license(license) : allowed == license) {
      return true;
    }
  }
  return false;
}

struct Denial {
  ReasonCode reason;
  std::string sentence;
};

// Runs one rule's checks on one program; nullopt when the rule allows it.
std::optional<Denial> check_rule(const std::vector<PolicyRule>& rules, std::size_t index,
                                 const Subject& s, const LoadRequest& r) {
  const PolicyRule& rule = rules[index];
  const std::string where = rule_label(rules, index);
  const std::string what = program_label(s);

  if (r.object_size > rule.max_bytecode_size) {
    return Denial{ReasonCode::kSizeExceeded,
                  what + ": the object is " + std::to_string(r.object_size) +
                      " bytes, over the " + std::to_string(rule.max_bytecode_size) +
                      "-byte limit of " + where};
  }
  if (rule.require_signature && !verification_passed(r)) {
    auto [code, sentence] = verification_problem(r);
    return Denial{code, what + ": " + sentence + ", and " + where + " requires a valid signature"};
  }
  if (s.declared_only && !rule.allow_uninspectable) {
    return Denial{ReasonCode::kUninspectableObject,
                  uninspectable_sentence(r) + ", so only its declared type is known, and " + where +
                      " does not allow uninspectable objects"};
  }
  if (!rule.allowed_signers.empty()) {
    if (!r.signer) {
      return Denial{ReasonCode::kUntrustedSigner,
                    what + ": the object has no verified signer, and " + where +
                        " allows only its listed signers"};
    }
    if (!in_allow_list(rule, *r.signer)) {
      return Denial{ReasonCode::kUntrustedSigner,
                    what + ": signer " + r.signer->str() + " is not in the allowed_signers of " +
                        where};
    }
  }
  // The manifest's attach_point is where the daemon's loader attaches xdp,
  // tc and cgroup programs, so it is judged for them like a section target.
  if (auto denied = check_attach_targets(
          rule, where, what, AttachFacts{s.type, s.section_target, r.declared_attach_point})) {
    return Denial{ReasonCode::kAttachTargetDenied, std::move(*denied)};
  }
  if (rule.max_insns) {
    if (!s.insn_count) {
      return Denial{ReasonCode::kTooManyInsns,
                    what + " has an unknown instruction count, and " + where + " caps it at " +
                        std::to_string(*rule.max_insns)};
    }
    if (*s.insn_count > *rule.max_insns) {
      return Denial{ReasonCode::kTooManyInsns,
                    what + " has " + std::to_string(*s.insn_count) + " instructions, over the " +
                        std::to_string(*rule.max_insns) + "-instruction limit of " + where};
    }
  }
  if (!rule.licenses.empty()) {
    if (!r.license_known) {
      return Denial{ReasonCode::kLicenseDenied,
                    what + ": the object's license is unknown, and " + where + " allows only " +
                        joined(rule.licenses)};
    }
    if (!license_allowed(rule, r.license)) {
      const std::string shown = r.license.empty() ? "the object has no license section"
                                                  : "license " + quoted(r.license);
      return Denial{ReasonCode::kLicenseDenied,
                    what + ": " + shown + " is not among the licenses of " + where + " (" +
                        joined(rule.licenses) + ")"};
    }
  }
  if (auto denied = check_capabilities(rule, where, what, s.declared_only ? nullptr : s.info)) {
    return Denial{ReasonCode::kCapabilityDenied, std::move(*denied)};
  }
  return std::nullopt;
}

PolicyDecision evaluate_impl(const LoadPolicy& policy, const LoadRequest& r) {
  PolicyDecision d;
  d.decision = Decision::kDeny;
  if (policy.is_deny_all()) {
    d.reason = ReasonCode::kPolicyError;
    d.sentence = "the load policy could not be read, so every load is denied: " +
                 policy.deny_all_reason();
    return d;
  }

  // Revocation matches the bytes presented, whatever verification said.
  std::vector<std::string> hashes = r.presented_object_sha3_256;
  hashes.push_back(r.object_sha3_256);
  for (std::string object_hash : hashes) {
    std::transform(object_hash.begin(), object_hash.end(), object_hash.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (policy.revoked_objects().count(object_hash) != 0) {
      d.reason = ReasonCode::kRevokedObject;
      d.sentence = "object " + object_hash + " is on the policy's revoked_objects list";
      return d;
    }
  }
  if (r.signer && policy.revoked_signers().count(*r.signer) != 0) {
    d.reason = ReasonCode::kRevokedSigner;
    d.sentence = "signer " + r.signer->str() + " is on the policy's revoked_signers list";
    return d;
  }

  const auto& rules = policy.rules();
  const std::vector<Subject> subjects = subjects_of(r);
  // The signed declared type must cover every program read from the object:
  // a policy never judges a type the signer typed over the one the object holds.
  if (r.declared_type) {
    for (const Subject& s : subjects) {
      if (s.declared_only || !s.type || rule_type_covers(*r.declared_type, *s.type)) continue;
      d.reason = ReasonCode::kProgramMismatch;
      d.program = s.name;
      d.sentence = "program " + quoted(s.name) + " is " + std::string(program_type_name(*s.type)) +
                   " in the object, but the signed manifest declares type " +
                   std::string(program_type_name(*r.declared_type));
      return d;
    }
  }
  for (const Subject& s : subjects) {
    ProgramVerdict verdict{s.name, s.type, std::nullopt, Decision::kDeny};
    std::optional<Denial> denial;
    if (!s.type) {
      if (r.programs.empty() && !verification_passed(r)) {
        // Nothing is known about the object but that its envelope failed.
        auto [code, sentence] = verification_problem(r);
        denial = Denial{code, sentence + (r.inspection_error.empty()
                                              ? ", and the object's program types are unknown"
                                              : ", and " + uninspectable_sentence(r))};
      } else if (s.declared_only) {
        denial = Denial{ReasonCode::kUninspectableObject,
                        uninspectable_sentence(r) + " and no type was declared, so no rule can allow it"};
      } else {
        denial = Denial{ReasonCode::kTypeNotAllowed,
                        program_label(s) + " has a type the gate cannot determine, so no rule "
                                           "can allow it"};
      }
    } else {
      std::optional<std::size_t> match;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].covers(*s.type)) {
          match = i;
          break;
        }
      }
      verdict.rule_index = match;
      if (match) {
        denial = check_rule(rules, *match, s, r);
      } else if (policy.default_decision() == Decision::kDeny) {
        denial = Denial{ReasonCode::kNoRule, program_label(s) +
                                                 ": no rule covers its type, and the default "
                                                 "decision is deny"};
      } else if (s.declared_only) {
        // default allow must not admit an object whose real types are unknown:
        // they might be ones a rule would deny.
        denial = Denial{ReasonCode::kUninspectableObject,
                        uninspectable_sentence(r) + ", and no rule covers its declared type " +
                            "(default allow does not admit uninspectable objects)"};
      }
    }
    if (denial) {
      d.programs.push_back(std::move(verdict));
      d.reason = denial->reason;
      d.sentence = std::move(denial->sentence);
      d.rule_index = d.programs.back().rule_index;
      d.program = s.name;
      return d;
    }
    verdict.decision = Decision::kAllow;
    d.programs.push_back(std::move(verdict));
  }

  d.decision = Decision::kAllow;
  d.reason = ReasonCode::kAllowed;
  d.rule_index = d.programs.front().rule_index;
  d.sentence = d.programs.size() == 1
                   ? std::string("the 1 program is allowed")
                   : "all " + std::to_string(d.programs.size()) + " programs are allowed";
  if (r.signer) d.sentence += " (signer " + r.signer->str() + ")";
  return d;
}

}  // namespace

PolicyDecision LoadPolicy::evaluate(const LoadRequest& request) const noexcept {
  try {
    return evaluate_impl(*this, request);
  } catch (...) {
    PolicyDecision d;
    d.decision = Decision::kDeny;
    d.reason = ReasonCode::kInternalError;
    d.sentence = "internal error while evaluating the policy";
    return d;
  }
}

}  // namespace pqbpf::policy
