// Name table for BPFProgramType. Kernel names match libbpf's
// libbpf_bpf_prog_type_str(); a test checks that against the linked libbpf.
#include "pqbpf/core/program_type.h"

#include <array>
#include <string>

namespace pqbpf {
namespace {

struct Entry {
  BPFProgramType type;
  std::string_view name;
};

constexpr std::array kEntries = {
    Entry{BPFProgramType::kUnspec, "unspec"},
    Entry{BPFProgramType::kSocketFilter, "socket_filter"},
    Entry{BPFProgramType::kKprobe, "kprobe"},
    Entry{BPFProgramType::kSchedCls, "sched_cls"},
    Entry{BPFProgramType::kSchedAct, "sched_act"},
    Entry{BPFProgramType::kTracepoint, "tracepoint"},
    Entry{BPFProgramType::kXdp, "xdp"},
    Entry{BPFProgramType::kPerfEvent, "perf_event"},
    Entry{BPFProgramType::kCgroupSkb, "cgroup_skb"},
    Entry{BPFProgramType::kCgroupSock, "cgroup_sock"},
    Entry{BPFProgramType::kLwtIn, "lwt_in"},
    Entry{BPFProgramType::kLwtOut, "lwt_out"},
    Entry{BPFProgramType::kLwtXmit, "lwt_xmit"},
    Entry{BPFProgramType::kSockOps, "sock_ops"},
    Entry{BPFProgramType::kSkSkb, "sk_skb"},
    Entry{BPFProgramType::kCgroupDevice, "cgroup_device"},
    Entry{BPFProgramType::kSkMsg, "sk_msg"},
    Entry{BPFProgramType::kRawTracepoint, "raw_tracepoint"},
    Entry{BPFProgramType::kCgroupSockAddr, "cgroup_sock_addr"},
    Entry{BPFProgramType::kLwtSeg6local, "lwt_seg6local"},
    Entry{BPFProgramType::kLircMode2, "lirc_mode2"},
    Entry{BPFProgramType::kSkReuseport, "sk_reuseport"},
    Entry{BPFProgramType::kFlowDissector, "flow_dissector"},
    Entry{BPFProgramType::kCgroupSysctl, "cgroup_sysctl"},
    Entry{BPFProgramType::kRawTracepointWritable, "raw_tracepoint_writable"},
    Entry{BPFProgramType::kCgroupSockopt, "cgroup_sockopt"},
    Entry{BPFProgramType::kTracing, "tracing"},
    Entry{BPFProgramType::kStructOps, "struct_ops"},
    Entry{BPFProgramType::kExt, "ext"},
    Entry{BPFProgramType::kLsm, "lsm"},
    Entry{BPFProgramType::kSkLookup, "sk_lookup"},
    Entry{BPFProgramType::kSyscall, "syscall"},
    Entry{BPFProgramType::kNetfilter, "netfilter"},
    Entry{BPFProgramType::kKretprobe, "kretprobe"},
    Entry{BPFProgramType::kUprobe, "uprobe"},
    Entry{BPFProgramType::kUretprobe, "uretprobe"},
    Entry{BPFProgramType::kFentry, "fentry"},
    Entry{BPFProgramType::kFexit, "fexit"},
};

constexpr std::array<BPFProgramType, kEntries.size()> make_all() {
  std::array<BPFProgramType, kEntries.size()> out{};
  for (std::size_t i = 0; i < kEntries.size(); ++i) out[i] = kEntries[i].type;
  return out;
}
constexpr auto kAll = make_all();

}  // namespace

std::string_view program_type_name(BPFProgramType type) {
  for (const auto& e : kEntries) {
    if (e.type == type) return e.name;
  }
  return "unknown";
}

Result<BPFProgramType> parse_program_type(std::string_view name) {
  for (const auto& e : kEntries) {
    if (e.name == name) return e.type;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown program type '" + std::string(name) +
                        "' (expected a bpftool name such as kprobe, xdp, tracepoint, lsm)");
}

BPFProgramType kernel_program_type(BPFProgramType type) {
  switch (type) {
    case BPFProgramType::kKretprobe:
    case BPFProgramType::kUprobe:
    case BPFProgramType::kUretprobe:
      return BPFProgramType::kKprobe;
    case BPFProgramType::kFentry:
    case BPFProgramType::kFexit:
      return BPFProgramType::kTracing;
    default:
      return type;
  }
}

int kernel_program_type_number(BPFProgramType type) {
  return static_cast<int>(kernel_program_type(type));
}

std::optional<BPFProgramType> program_type_from_kernel(int kernel_number) {
  if (kernel_number < 0 || kernel_number > static_cast<int>(BPFProgramType::kNetfilter)) {
    return std::nullopt;
  }
  return static_cast<BPFProgramType>(kernel_number);
}

std::span<const BPFProgramType> all_program_types() { return kAll; }

}  // namespace pqbpf
