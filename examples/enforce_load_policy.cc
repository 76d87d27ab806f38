// Example: three signers, two trusted and one rogue, evaluated against a
// LoadPolicy; every attempt goes to the AttestationLog, which is printed
// (the seed's enforce_load_policy).
//
//   enforce_load_policy OBJECT.bpf.o
#include <iostream>

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/gate/load_request_builder.h"
#include "pqbpf/log/attestation_log.h"
#include "pqbpf/policy/load_policy.h"

using namespace pqbpf;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: enforce_load_policy OBJECT.bpf.o\n";
    return 2;
  }
  auto program = BPFProgram::from_file({.name = "sample"}, argv[1]);
  if (!program.ok()) return std::cerr << program.error().message << "\n", 2;

  auto ops = Identity::create("ops-team", {"sign"});
  auto observability = Identity::create("observability-vendor", {"sign"});
  auto rogue = Identity::create("rogue-insider", {"sign"});
  if (!ops.ok() || !observability.ok() || !rogue.ok()) return 2;

  // Trust ops and the vendor for every program type the sample holds.
  policy::PolicyRule rule;
  rule.name = "trusted-signers";
  rule.program_types = {BPFProgramType::kKprobe,     BPFProgramType::kTracepoint,
                        BPFProgramType::kXdp,        BPFProgramType::kSocketFilter,
                        BPFProgramType::kSchedCls,   BPFProgramType::kRawTracepoint};
  rule.allowed_signers = {ops->did(), observability->did()};
  policy::LoadPolicy policy;
  policy.add_rule(rule);

  log::AttestationLog audit;
  int unexpected = 0;
  for (const Identity* who : {&*ops, &*observability, &*rogue}) {
    auto signer = BPFSigner::create(*who);
    auto signed_program = signer->sign(*program, {.embed = true});
    if (!signed_program.ok()) return std::cerr << signed_program.error().message << "\n", 2;
    const policy::PolicyDecision d = gate::evaluate(policy, *signed_program);
    log::AttemptRecord attempt;
    attempt.action = "check";
    attempt.program = signed_program->manifest().metadata().name;
    attempt.signer = who->did().str();
    auto logged = audit.log(attempt, d.decision, d.reason, d.sentence,
                            log::Actor::named("admission-controller"));
    if (!logged.ok()) return std::cerr << logged.error().message << "\n", 2;
    const bool should_allow = who != &*rogue;
    if (d.allowed() != should_allow) ++unexpected;
    std::cout << who->name() << ": " << decision_name(d.decision) << " ("
              << reason_code_name(d.reason) << ") " << d.sentence << "\n";
  }

  std::cout << "\naudit log:\n";
  auto entries = audit.entries();
  if (!entries.ok()) return 2;
  for (const auto& e : *entries) {
    std::cout << "  #" << e.seq << " " << e.decision << " " << e.reason << " "
              << e.signer.value_or("-") << "\n";
  }
  return unexpected == 0 && entries->size() == 3 ? 0 : 1;
}
