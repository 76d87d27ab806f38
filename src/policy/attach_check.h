// The attach_targets check of one rule on one program (internal): which
// attach points the gate would use for the program, and whether the rule's
// patterns admit each of them (docs/POLICY.md "Attach targets").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pqbpf/core/program_type.h"
#include "pqbpf/policy/policy_rule.h"

namespace pqbpf::policy {

// True for the types the gate attaches where the signed manifest's
// metadata.attach_point says (xdp, sched_cls, the cgroup types, sock_ops),
// not where the section says. Mirrors loader::attach_kind_of; a test holds
// the two together.
bool attaches_at_manifest_attach_point(BPFProgramType type);

// Where one program attaches, from both sources the gate reads.
struct AttachFacts {
  std::optional<BPFProgramType> type;
  std::string section_target;          // from the section name, "" if none
  std::string manifest_attach_point;   // metadata.attach_point, "" if none
};

// nullopt when the rule has no attach_targets or they admit every attach
// point the gate would use for the program; else the denial sentence, naming
// the program (`what`), the attach point and the rule (`where`).
std::optional<std::string> check_attach_targets(const PolicyRule& rule, const std::string& where,
                                                const std::string& what, const AttachFacts& facts);

}  // namespace pqbpf::policy
