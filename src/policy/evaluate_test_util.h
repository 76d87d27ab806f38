// Shared by the evaluate tests: a verified request, one program, a rule.
#pragma once

#include <string>

#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy::evaluate_test {

inline Did did_of(char c) { return Did::parse("did:pqaid:" + std::string(64, c)).value(); }

inline const std::string kHash(64, 'a');

inline bpf::ProgramInfo program(std::string name, BPFProgramType type, std::string section,
                                std::string target = "", std::uint64_t insns = 10) {
  bpf::ProgramInfo p;
  if (kernel_program_type(type) != type) {  // as the reader reports a refined section
    p.refined_type = type;
    type = kernel_program_type(type);
  }
  p.name = std::move(name);
  p.type = type;
  p.section = std::move(section);
  p.attach_target = std::move(target);
  p.insn_count = insns;
  p.reachable_insns = insns;
  return p;
}

// A request whose envelope verified, signed by `signer`, with one kprobe
// program.
inline LoadRequest verified(const Did &signer) {
  LoadRequest r;
  r.envelope_present = true;
  r.envelope_well_formed = true;
  r.did_bound = true;
  r.signature_valid = true;
  r.hash_consistent = true;
  r.programs_consistent = true;
  r.signer = signer;
  r.object_sha3_256 = kHash;
  r.object_size = 4096;
  r.declared_type = BPFProgramType::kKprobe;
  r.programs = {
      program("trace_open", BPFProgramType::kKprobe, "kprobe/do_sys_openat2", "do_sys_openat2")};
  r.license_known = true;
  r.license = "GPL";
  return r;
}

inline PolicyRule rule_for(std::initializer_list<BPFProgramType> types) {
  PolicyRule rule;
  rule.program_types = types;
  return rule;
}

inline bool one_line(const std::string &s) {
  return !s.empty() && s.find('\n') == std::string::npos;
}

}  // namespace pqbpf::policy::evaluate_test
