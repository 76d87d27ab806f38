// VerificationResult -> policy::LoadRequest (see load_request_builder.h).
#include "pqbpf/gate/load_request_builder.h"

#include "pqbpf/attest/object_facts.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::gate {
namespace {

// `object_sha3_256`: the digest of exactly `object` when the caller has it
// (the verifier hashed these bytes), else "" and it is computed here.
void add_object_facts(policy::LoadRequest& request, std::span<const std::uint8_t> object,
                      const std::optional<ObjectFacts>& facts,
                      const std::string& object_sha3_256 = {}) {
  if (!object.empty()) {
    request.object_sha3_256 =
        object_sha3_256.empty() ? crypto::to_hex(crypto::sha3_256(object)) : object_sha3_256;
    request.object_size = object.size();
  }
  if (facts) {
    request.programs = facts->info.programs;
    request.license = facts->license;
    request.license_known = true;
    // Nothing to judge is treated like nothing readable (uninspectable_object).
    if (request.programs.empty()) request.inspection_error = "the reader found no programs in it";
  }
}

}  // namespace

policy::LoadRequest make_load_request(const VerificationResult& v) {
  policy::LoadRequest request;
  request.envelope_present = true;
  request.envelope_well_formed = v.manifest.has_value();
  request.signature_valid = v.signature_valid;
  request.did_bound = v.signature_valid || (v.manifest && v.reason != ReasonCode::kDidMismatch);
  request.hash_consistent = v.hash_consistent;
  request.programs_consistent = v.programs_consistent.value_or(v.hash_consistent);
  if (!v.valid) {
    request.verification_failure = v.reason;
    request.verification_detail = v.error;
  }
  if (v.valid && v.signer_did) request.signer = v.signer_did;
  if (v.manifest) {
    const auto& md = v.manifest->metadata();
    if (md.program_type != BPFProgramType::kUnspec) request.declared_type = md.program_type;
    request.declared_attach_point = md.attach_point;
  }
  request.presented_object_sha3_256 = v.presented_object_sha3_256;
  request.inspection_error = v.inspection_error;
  // A valid result holds the one object the verifier hashed (verifier.cc:
  // presented_object_sha3_256 = {hash of v.object}): no second SHA3-256.
  const bool hashed = v.valid && v.presented_object_sha3_256.size() == 1;
  add_object_facts(request, v.object, v.facts,
                   hashed ? v.presented_object_sha3_256.front() : std::string());
  return request;
}

policy::LoadRequest make_unsigned_request(std::span<const std::uint8_t> object,
                                          const std::string& label) {
  policy::LoadRequest request;
  request.envelope_present = false;
  request.verification_failure = ReasonCode::kUnsigned;
  request.verification_detail = label + ": no signature envelope";
  std::optional<ObjectFacts> facts;
  if (auto derived = derive_object_facts(object, label); derived.ok()) {
    facts = std::move(*derived);
  } else {
    request.inspection_error = derived.error().message;
  }
  add_object_facts(request, object, facts);
  return request;
}

policy::PolicyDecision evaluate_unsigned(const policy::LoadPolicy& policy,
                                         std::span<const std::uint8_t> object,
                                         const std::string& label) noexcept {
  try {
    if (auto screened = policy.screen_unsigned(crypto::to_hex(crypto::sha3_256(object)))) return *screened;
    return policy.evaluate(make_unsigned_request(object, label));
  } catch (...) {
    policy::PolicyDecision denied;
    denied.decision = Decision::kDeny;
    denied.reason = ReasonCode::kInternalError;
    denied.sentence = "internal error while evaluating the policy";
    return denied;
  }
}

VerifyOptions screening_options(const policy::LoadPolicy& policy,
                                std::optional<policy::PolicyDecision>& screened) {
  VerifyOptions options;
  options.before_parse = [&policy, &screened](const Did& signer,
                                              const Manifest& manifest) -> std::optional<PreParseRefusal> {
    screened = policy.screen_signer(signer, manifest.sha3_256());
    if (!screened) return std::nullopt;
    return PreParseRefusal{screened->reason, screened->sentence};
  };
  return options;
}

policy::PolicyDecision decide(const policy::LoadPolicy& policy, const VerificationResult& verification,
                              const std::optional<policy::PolicyDecision>& screened) {
  if (screened && verification.refused_before_parse) return *screened;
  return policy.evaluate(make_load_request(verification));
}

policy::PolicyDecision evaluate(const policy::LoadPolicy& policy,
                                const SignedBPFProgram& signed_program) noexcept {
  try {
    std::optional<policy::PolicyDecision> screened;
    const VerificationResult verification =
        BPFVerifier::verify(signed_program, screening_options(policy, screened));
    return decide(policy, verification, screened);
  } catch (...) {
    policy::PolicyDecision denied;
    denied.decision = Decision::kDeny;
    denied.reason = ReasonCode::kInternalError;
    denied.sentence = "internal error while evaluating the policy";
    return denied;
  }
}

}  // namespace pqbpf::gate
