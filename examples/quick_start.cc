// The README's C++ quick start, verbatim, so the front page cannot rot:
// built and run by the tests.
//
//   quick_start   (run in a directory holding tracepoint_exec.bpf.o)
#include <cassert>
#include <iostream>

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/gate/load_request_builder.h"
#include "pqbpf/log/attestation_log.h"
#include "pqbpf/policy/load_policy.h"

using namespace pqbpf;

int main() {
  // 1. Load and sign a compiled eBPF object (errors are Result<T>, never exceptions).
  Identity identity = Identity::create("bpf-signer", {"sign"}).value();
  BPFProgramMetadata metadata{.name = "trace_exec",
                              .program_type = BPFProgramType::kTracepoint,
                              .attach_point = "sched/sched_process_exec",
                              .author = "ops-team"};
  BPFProgram program = BPFProgram::from_file(metadata, "tracepoint_exec.bpf.o").value();
  BPFSigner signer = BPFSigner::create(identity).value();
  SignedBPFProgram signed_program = signer.sign(program).value();

  // 2. Verify independently: DID/key binding, signature, hash, size, program list.
  VerificationResult result = BPFVerifier::verify(signed_program);
  assert(result.valid && result.signer_did == identity.did());

  // 3. Enforce a policy at load time, and record the attempt.
  policy::LoadPolicy load_policy;
  load_policy.add_rule({.program_types = {BPFProgramType::kTracepoint},
                        .allowed_signers = {identity.did()}});
  policy::PolicyDecision decision = gate::evaluate(load_policy, signed_program);
  log::AttestationLog audit;  // AttestationLog::open(path, signer) for the durable log
  log::AttemptRecord attempt{.action = "check", .program = metadata.name};
  audit.log(attempt, decision.decision, decision.reason, decision.sentence,
            log::Actor::named("admission-controller")).value();
  if (!decision.allowed()) return 1;  // decision.sentence says why; decision.reason is stable
  // ... now hand program.bytecode() to bpf_prog_load().

  std::cout << "quick start: " << decision_name(decision.decision) << " ("
            << reason_code_name(decision.reason) << "), " << audit.entries().value().size()
            << " record\n";
  return result.valid ? 0 : 1;
}
