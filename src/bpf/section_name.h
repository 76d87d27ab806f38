// What a program's ELF section name says about it (internal).
//
// libbpf's own table (libbpf_prog_type_by_name in the linked libbpf) decides
// the kernel program type and expected attach type; this file adds what that
// call does not return: the attach target written after the prefix, and the
// seed's refined type names (kretprobe, uprobe, ...).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pqbpf/core/program_type.h"

namespace pqbpf::bpf::internal {

struct SectionFacts {
  std::optional<BPFProgramType> type;  // nullopt: libbpf does not know the name
  std::string expected_attach_type;    // libbpf's name, "" when none
};

// Calls libbpf_prog_type_by_name(); libbpf's warnings are swallowed.
SectionFacts section_facts(std::string_view section);

// "kprobe/do_sys_openat2" -> "do_sys_openat2"; "tp/sched/sched_switch" ->
// "sched/sched_switch"; "" for sections whose suffix is not a target (xdp,
// cgroup_skb/egress) or that have no suffix.
std::string attach_target_from_section(std::string_view section);

// kretprobe/uprobe/uretprobe for kernel type kprobe, fentry/fexit for kernel
// type tracing, when the section prefix says so; nullopt otherwise.
std::optional<BPFProgramType> refined_type_from_section(std::string_view section,
                                                        std::optional<BPFProgramType> kernel_type);

// Expected attach type name for (kernel type, libbpf attach enum value):
// "" when the value is 0 and means "none" for that section.
std::string attach_type_name(int attach_type, std::string_view section);

}  // namespace pqbpf::bpf::internal
