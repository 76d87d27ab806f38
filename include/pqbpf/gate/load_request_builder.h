// Turns what the verifier established into the policy's input. This is the
// one place where verification facts cross into the policy, so the policy
// never re-derives (or trusts) anything from the envelope itself.
#pragma once

#include "pqbpf/attest/signed_program.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/load_request.h"

namespace pqbpf::gate {

// From a verification outcome (valid or not). The signer DID is passed on only
// when the verifier bound it to the key and the signature verified.
policy::LoadRequest make_load_request(const VerificationResult& verification);

// For an object that arrived without any envelope (reason `unsigned`).
policy::LoadRequest make_unsigned_request(std::span<const std::uint8_t> object,
                                          const std::string& label);

// The seed's `policy.evaluate(signed)`: verify, then evaluate.
policy::PolicyDecision evaluate(const policy::LoadPolicy& policy,
                                const SignedBPFProgram& signed_program) noexcept;

}  // namespace pqbpf::gate
