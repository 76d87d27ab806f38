// Fuzz target: parse_policy (YAML and JSON policy files) and evaluate().
//
// yaml-cpp recurses per nesting level, so this target is what proves the
// depth guard in front of it. Every accepted policy is evaluated against a
// few fixed requests; the invariants are the ones load_policy.h promises:
// evaluate() is deterministic, and revocation wins over every rule (a revoked
// signer or object hash is always denied).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "pqbpf/core/did.h"
#include "pqbpf/policy/policy_file.h"

namespace {

using pqbpf::BPFProgramType;
using pqbpf::policy::LoadPolicy;
using pqbpf::policy::LoadRequest;

const std::string kHash(64, 'a');

// A request that passed verification, signed by `signer`, with two programs.
LoadRequest verified_request(const pqbpf::Did& signer) {
  LoadRequest r;
  r.envelope_present = r.envelope_well_formed = r.did_bound = true;
  r.signature_valid = r.hash_consistent = r.programs_consistent = true;
  r.signer = signer;
  r.object_sha3_256 = kHash;
  r.object_size = 4096;
  r.declared_type = BPFProgramType::kKprobe;
  pqbpf::bpf::ProgramInfo kprobe;
  kprobe.name = "trace_open";
  kprobe.section = "kretprobe/do_sys_openat2";
  kprobe.type = BPFProgramType::kKprobe;
  kprobe.attach_target = "do_sys_openat2";
  kprobe.insn_count = 40;
  pqbpf::bpf::ProgramInfo xdp;
  xdp.name = "drop";
  xdp.section = "xdp";
  xdp.type = BPFProgramType::kXdp;
  xdp.insn_count = 2;
  r.programs = {kprobe, xdp};
  r.license_known = true;
  r.license = "GPL";
  return r;
}

void check_policy(const LoadPolicy& policy) {
  std::vector<LoadRequest> requests;
  if (!policy.revoked_signers().empty()) {
    requests.push_back(verified_request(*policy.revoked_signers().begin()));
  }
  for (const auto& rule : policy.rules()) {
    if (!rule.allowed_signers.empty()) {
      requests.push_back(verified_request(rule.allowed_signers.front()));
      break;
    }
  }
  requests.push_back(verified_request(pqbpf::Did::parse("did:pqaid:" + std::string(64, 'e')).value()));
  // An unsigned request for a revoked object hash (or for no revocation at all).
  LoadRequest unsigned_request;
  unsigned_request.object_sha3_256 =
      policy.revoked_objects().empty() ? kHash : *policy.revoked_objects().begin();
  unsigned_request.declared_type = BPFProgramType::kXdp;
  requests.push_back(unsigned_request);

  for (const auto& request : requests) {
    const auto first = policy.evaluate(request);
    const auto second = policy.evaluate(request);
    FUZZ_CHECK(first.decision == second.decision && first.reason == second.reason,
               "evaluate is deterministic");
    const auto enforced = policy.enforce(request);
    FUZZ_CHECK(enforced.ok() == first.allowed(), "enforce agrees with evaluate");
    if (request.signer && policy.revoked_signers().count(*request.signer)) {
      FUZZ_CHECK(!first.allowed(), "a revoked signer is denied");
    }
    // The pre-parse screen never refuses what a full evaluation would allow.
    if (request.signer && policy.screen_signer(*request.signer, request.object_sha3_256)) {
      FUZZ_CHECK(!first.allowed(), "a signer refused before parsing is denied by evaluate too");
    }
    if (!request.envelope_present && policy.screen_unsigned(request.object_sha3_256)) {
      FUZZ_CHECK(!first.allowed(), "an unsigned object refused before parsing is denied by evaluate too");
    }
    if (policy.revoked_objects().count(request.object_sha3_256)) {
      FUZZ_CHECK(!first.allowed(), "a revoked object is denied");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pqbpf::policy::PolicyLoadOptions options;
  // .pub paths never touch the file system here: each resolves to no key.
  options.resolve_public_key_file = [](const std::string& path) -> pqbpf::Result<pqbpf::Did> {
    return pqbpf::make_error(pqbpf::ErrorCode::kNotFound, path + ": not found (fuzzing)");
  };
  auto policy = pqbpf::policy::parse_policy(text, "fuzz.yaml", "", options);
  if (!policy.ok()) {
    FUZZ_CHECK(!policy.error().message.empty(), "errors carry a message");
    return 0;
  }
  FUZZ_CHECK(!policy->is_deny_all(), "a parsed policy is not the deny-all placeholder");
  FUZZ_CHECK(policy->rules().size() <= pqbpf::policy::kMaxPolicyRules, "rule count bounded");
  check_policy(*policy);
  return 0;
}
