// PolicyDecision: the outcome of LoadPolicy::evaluate, a decision with a
// stable reason code (core/reason.h) and one human sentence, plus which rule
// and which program decided it (for the audit log and the CLI).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pqbpf/core/program_type.h"
#include "pqbpf/core/reason.h"

namespace pqbpf::policy {

// How one program of the object fared.
struct ProgramVerdict {
  std::string name;
  std::optional<BPFProgramType> type;     // the type the rules were matched on
  std::optional<std::size_t> rule_index;  // 0-based; nullopt: no rule matched
  Decision decision = Decision::kDeny;
};

struct PolicyDecision {
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kInternalError;
  std::string sentence;  // one line, no trailing period
  // The rule that denied (or, when allowed, the rule of the first program);
  // nullopt for revocation, the default decision and policy errors.
  std::optional<std::size_t> rule_index;
  std::optional<std::string> program;  // the first program denied
  // Programs in object order, up to and including the first denied one.
  std::vector<ProgramVerdict> programs;

  bool allowed() const { return decision == Decision::kAllow; }
};

}  // namespace pqbpf::policy
