// BPFProgramType: every program type of the kernel's enum bpf_prog_type, by
// the name bpftool/libbpf print for it, plus the seed's finer-grained names
// (kretprobe, uprobe, ...) that share a kernel type.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "pqbpf/result.h"

namespace pqbpf {

enum class BPFProgramType {
  // Kernel types, in enum bpf_prog_type order (value = kernel number).
  kUnspec = 0,
  kSocketFilter,
  kKprobe,
  kSchedCls,
  kSchedAct,
  kTracepoint,
  kXdp,
  kPerfEvent,
  kCgroupSkb,
  kCgroupSock,
  kLwtIn,
  kLwtOut,
  kLwtXmit,
  kSockOps,
  kSkSkb,
  kCgroupDevice,
  kSkMsg,
  kRawTracepoint,
  kCgroupSockAddr,
  kLwtSeg6local,
  kLircMode2,
  kSkReuseport,
  kFlowDissector,
  kCgroupSysctl,
  kRawTracepointWritable,
  kCgroupSockopt,
  kTracing,
  kStructOps,
  kExt,
  kLsm,
  kSkLookup,
  kSyscall,
  kNetfilter,
  // Seed names that refine a kernel type (not kernel numbers).
  kKretprobe = 1000,  // kernel type kprobe
  kUprobe,            // kernel type kprobe
  kUretprobe,         // kernel type kprobe
  kFentry,            // kernel type tracing
  kFexit,             // kernel type tracing
};

// "socket_filter", "kprobe", ..., "kretprobe".
std::string_view program_type_name(BPFProgramType type);
// Accepts exactly the names above (lowercase). Unknown -> kInvalidArgument.
Result<BPFProgramType> parse_program_type(std::string_view name);
// Kernel type for a refined name (kretprobe -> kprobe); identity otherwise.
BPFProgramType kernel_program_type(BPFProgramType type);
// Kernel enum value (kretprobe -> 2); nullopt never for known values.
int kernel_program_type_number(BPFProgramType type);
// From a kernel enum bpf_prog_type number; nullopt if unknown to us.
std::optional<BPFProgramType> program_type_from_kernel(int kernel_number);
// Every known type, kernel ones first.
std::span<const BPFProgramType> all_program_types();

}  // namespace pqbpf
