// The capability checks of one rule on one program (internal): helpers,
// kfuncs and map types against the rule's capability keys
// (docs/POLICY.md "Capabilities", docs/CAPABILITIES.md).
#pragma once

#include <optional>
#include <string>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/policy/policy_rule.h"

namespace pqbpf::policy {

// nullopt when `rule` allows what `program` calls and references; else the
// denial sentence, naming the program (`what`, e.g. "program 'x' (kprobe)"),
// the helper or kfunc and its class, and the rule (`where`). `program` is
// nullptr when only the object's declared type is known: then a rule with
// capability keys denies (nothing can be judged).
std::optional<std::string> check_capabilities(const PolicyRule& rule, const std::string& where,
                                              const std::string& what,
                                              const bpf::ProgramInfo* program);

}  // namespace pqbpf::policy
