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

#include "pqbpf/bpf/capabilities.h"
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
  // Glob patterns ('*' any run, '?' one character) for where each program
  // attaches: its section's target, or for xdp, tc and cgroup programs the
  // signed manifest's attach_point (docs/POLICY.md "Attach targets"). A
  // target that is itself a glob (kprobe.multi/vfs_*) needs one pattern that
  // covers all it matches. Empty = any target.
  std::vector<std::string> attach_targets;
  std::optional<std::uint64_t> max_insns;  // per program
  // Exact license strings, or kGplCompatibleLicenses; empty = any license.
  std::vector<std::string> licenses;
  // true lets an object whose programs the reader cannot list be judged by
  // its signed declared type (a claim, not a fact). Off by default: such an
  // object is denied (uninspectable_object).
  bool allow_uninspectable = false;

  // What the rule's programs may call (docs/POLICY.md "Capabilities",
  // docs/CAPABILITIES.md), judged per program over its code and the
  // subprograms it reaches. Helper names carry the bpf_ prefix. A denied_*
  // entry always denies; an allowed_* list, when present (even empty),
  // admits only what it lists: a helper passes when its name is in
  // allowed_helpers or its class in allowed_capabilities (when either is
  // present), a kfunc when it is in allowed_kfuncs or `kfunc` is in
  // allowed_capabilities (when either is present). A helper of class
  // `unknown` is denied unless allowed_capabilities lists `unknown`, even in
  // a rule with none of these keys.
  std::vector<std::string> denied_helpers;
  std::optional<std::vector<std::string>> allowed_helpers;
  std::vector<bpf::Capability> denied_capabilities;
  std::optional<std::vector<bpf::Capability>> allowed_capabilities;
  std::vector<std::string> denied_kfuncs;
  std::optional<std::vector<std::string>> allowed_kfuncs;
  // libbpf map type names ("hash", "ringbuf", ...; "unknown" for maps whose
  // type the reader could not read): every map a program references.
  std::optional<std::vector<std::string>> allowed_map_types;

  // True when any of the capability keys above is set.
  bool has_capability_rules() const;

  // True when a program of type `type` falls under this rule.
  bool covers(BPFProgramType type) const;
};

// True when `rule_type` listed in a rule covers a program of `program_type`.
bool rule_type_covers(BPFProgramType rule_type, BPFProgramType program_type);

}  // namespace pqbpf::policy
