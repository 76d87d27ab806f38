// Turns what the verifier established into the policy's input. This is the
// one place where verification facts cross into the policy, so the policy
// never re-derives (or trusts) anything from the envelope itself.
#pragma once

#include <optional>

#include "pqbpf/attest/signed_program.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/load_request.h"

namespace pqbpf::gate {

// From a verification outcome (valid or not). The signer DID is passed on only
// when the verifier bound it to the key and the signature verified.
policy::LoadRequest make_load_request(const VerificationResult& verification);

// For an object that arrived without any envelope (reason `unsigned`).
// Parses the object: prefer evaluate_unsigned, which asks the policy first.
policy::LoadRequest make_unsigned_request(std::span<const std::uint8_t> object,
                                          const std::string& label);

// The decision for an object without any envelope. The policy is asked
// first (screen_unsigned), so an object no rule could admit never reaches
// the object reader; otherwise its programs are read and evaluated.
policy::PolicyDecision evaluate_unsigned(const policy::LoadPolicy& policy,
                                         std::span<const std::uint8_t> object,
                                         const std::string& label) noexcept;

// Verification options whose before_parse asks `policy` (screen_signer)
// whether the verified signer could be allowed at all, before the object is
// parsed; a denial is stored in `screened`. Both must outlive the call.
VerifyOptions screening_options(const policy::LoadPolicy& policy,
                                std::optional<policy::PolicyDecision>& screened);

// The decision for a verification made with screening_options: the screen's
// denial when it stopped verification, else policy.evaluate.
policy::PolicyDecision decide(const policy::LoadPolicy& policy, const VerificationResult& verification,
                              const std::optional<policy::PolicyDecision>& screened);

// The seed's `policy.evaluate(signed)`: verify (screened), then evaluate.
policy::PolicyDecision evaluate(const policy::LoadPolicy& policy,
                                const SignedBPFProgram& signed_program) noexcept;

}  // namespace pqbpf::gate
