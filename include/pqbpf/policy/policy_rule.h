// PolicyRule: one ordered entry of a LoadPolicy, with the seed's fields plus
// the per-program checks of manifest format 2 (attach targets, instruction
// counts, licenses). A rule covers a program when the program's type is in
// `program_types`; see docs/POLICY.md for how refined types match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/did.h"
#include "pqbpf/core/program_type.h"

namespace pqbpf::policy {

constexpr std::uint64_t kDefaultMaxBytecodeSize = 2ull << 20;  // 2 MiB, as the seed

// In `licenses`, stands for every license string the kernel treats as GPL
// compatible ("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
// "Dual MIT/GPL", "Dual MPL/GPL").
constexpr std::string_view kGplCompatibleLicenses = "gpl_compatible";

struct PolicyRule {
  std::string name;  // optional label, shown in sentences
  // Types this rule covers. A kernel type (kprobe, tracing) also covers its
  // refined names (kretprobe, uprobe, uretprobe; fentry, fexit); a refined
  // name covers only itself.
  std::vector<BPFProgramType> program_types;
  // DIDs allowed to sign programs of these types; empty = any verified signer.
  std::vector<Did> allowed_signers;
  // false lets an unsigned or invalid object through this rule: testing only.
  bool require_signature = true;
  std::uint64_t max_bytecode_size = kDefaultMaxBytecodeSize;  // whole object, bytes
  // Glob patterns ('*' any run, '?' one character) for the program's attach
  // target; empty = any target.
  std::vector<std::string> attach_targets;
  std::optional<std::uint64_t> max_insns;  // per program
  // Exact license strings, or kGplCompatibleLicenses; empty = any license.
  std::vector<std::string> licenses;
  // true lets an object whose programs the reader cannot list be judged by
  // its signed declared type (a claim, not a fact). Off by default: such an
  // object is denied (uninspectable_object).
  bool allow_uninspectable = false;

  // True when a program of type `type` falls under this rule.
  bool covers(BPFProgramType type) const;
};

// True when `rule_type` listed in a rule covers a program of `program_type`.
bool rule_type_covers(BPFProgramType rule_type, BPFProgramType program_type);

}  // namespace pqbpf::policy
