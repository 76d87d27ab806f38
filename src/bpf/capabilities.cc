// The helper capability table (see include/pqbpf/bpf/capabilities.h and
// docs/CAPABILITIES.md). Ids and names are the kernel's UAPI enum
// bpf_func_id (Linux 6.1, the linux-libc-dev of Debian 12); the class and
// the first release are ours. The kernel only appends to the enum, so ids
// are dense from 1 and `since` never decreases with the id (a test checks
// both).
#include "pqbpf/bpf/capabilities.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <array>

namespace pqbpf::bpf {
namespace {

using C = Capability;

constexpr HelperInfo kHelpers[] = {
    {1, "bpf_map_lookup_elem", C::kMapAccess, "3.19"},
    {2, "bpf_map_update_elem", C::kMapAccess, "3.19"},
    {3, "bpf_map_delete_elem", C::kMapAccess, "3.19"},
    {4, "bpf_probe_read", C::kKernelMemoryRead, "4.1"},
    {5, "bpf_ktime_get_ns", C::kTime, "4.1"},
    {6, "bpf_trace_printk", C::kOutput, "4.1"},
    {7, "bpf_get_prandom_u32", C::kRandom, "4.1"},
    {8, "bpf_get_smp_processor_id", C::kContextRead, "4.1"},
    {9, "bpf_skb_store_bytes", C::kPacketWrite, "4.1"},
    {10, "bpf_l3_csum_replace", C::kPacketWrite, "4.1"},
    {11, "bpf_l4_csum_replace", C::kPacketWrite, "4.1"},
    {12, "bpf_tail_call", C::kTailCall, "4.2"},
    {13, "bpf_clone_redirect", C::kRedirect, "4.2"},
    {14, "bpf_get_current_pid_tgid", C::kContextRead, "4.2"},
    {15, "bpf_get_current_uid_gid", C::kContextRead, "4.2"},
    {16, "bpf_get_current_comm", C::kContextRead, "4.2"},
    {17, "bpf_get_cgroup_classid", C::kPacketRead, "4.3"},
    {18, "bpf_skb_vlan_push", C::kPacketWrite, "4.3"},
    {19, "bpf_skb_vlan_pop", C::kPacketWrite, "4.3"},
    {20, "bpf_skb_get_tunnel_key", C::kPacketRead, "4.3"},
    {21, "bpf_skb_set_tunnel_key", C::kPacketWrite, "4.3"},
    {22, "bpf_perf_event_read", C::kContextRead, "4.3"},
    {23, "bpf_redirect", C::kRedirect, "4.4"},
    {24, "bpf_get_route_realm", C::kPacketRead, "4.4"},
    {25, "bpf_perf_event_output", C::kOutput, "4.4"},
    {26, "bpf_skb_load_bytes", C::kPacketRead, "4.5"},
    {27, "bpf_get_stackid", C::kKernelMemoryRead, "4.6"},
    {28, "bpf_csum_diff", C::kCompute, "4.6"},
    {29, "bpf_skb_get_tunnel_opt", C::kPacketRead, "4.6"},
    {30, "bpf_skb_set_tunnel_opt", C::kPacketWrite, "4.6"},
    {31, "bpf_skb_change_proto", C::kPacketWrite, "4.8"},
    {32, "bpf_skb_change_type", C::kPacketWrite, "4.8"},
    {33, "bpf_skb_under_cgroup", C::kPacketRead, "4.8"},
    {34, "bpf_get_hash_recalc", C::kPacketRead, "4.8"},
    {35, "bpf_get_current_task", C::kKernelMemoryRead, "4.8"},
    {36, "bpf_probe_write_user", C::kUserMemoryWrite, "4.8"},
    {37, "bpf_current_task_under_cgroup", C::kContextRead, "4.9"},
    {38, "bpf_skb_change_tail", C::kPacketWrite, "4.9"},
    {39, "bpf_skb_pull_data", C::kPacketWrite, "4.9"},
    {40, "bpf_csum_update", C::kPacketWrite, "4.9"},
    {41, "bpf_set_hash_invalid", C::kPacketWrite, "4.9"},
    {42, "bpf_get_numa_node_id", C::kContextRead, "4.10"},
    {43, "bpf_skb_change_head", C::kPacketWrite, "4.10"},
    {44, "bpf_xdp_adjust_head", C::kPacketWrite, "4.10"},
    {45, "bpf_probe_read_str", C::kKernelMemoryRead, "4.11"},
    {46, "bpf_get_socket_cookie", C::kPacketRead, "4.12"},
    {47, "bpf_get_socket_uid", C::kPacketRead, "4.12"},
    {48, "bpf_set_hash", C::kPacketWrite, "4.13"},
    {49, "bpf_setsockopt", C::kKernelWrite, "4.13"},
    {50, "bpf_skb_adjust_room", C::kPacketWrite, "4.13"},
    {51, "bpf_redirect_map", C::kRedirect, "4.14"},
    {52, "bpf_sk_redirect_map", C::kRedirect, "4.14"},
    {53, "bpf_sock_map_update", C::kSocket, "4.14"},
    {54, "bpf_xdp_adjust_meta", C::kPacketWrite, "4.15"},
    {55, "bpf_perf_event_read_value", C::kContextRead, "4.15"},
    {56, "bpf_perf_prog_read_value", C::kContextRead, "4.15"},
    {57, "bpf_getsockopt", C::kSocket, "4.15"},
    {58, "bpf_override_return", C::kOverrideReturn, "4.16"},
    {59, "bpf_sock_ops_cb_flags_set", C::kSocket, "4.16"},
    {60, "bpf_msg_redirect_map", C::kRedirect, "4.17"},
    {61, "bpf_msg_apply_bytes", C::kSocket, "4.17"},
    {62, "bpf_msg_cork_bytes", C::kSocket, "4.17"},
    {63, "bpf_msg_pull_data", C::kPacketRead, "4.17"},
    {64, "bpf_bind", C::kKernelWrite, "4.17"},
    {65, "bpf_xdp_adjust_tail", C::kPacketWrite, "4.18"},
    {66, "bpf_skb_get_xfrm_state", C::kPacketRead, "4.18"},
    {67, "bpf_get_stack", C::kKernelMemoryRead, "4.18"},
    {68, "bpf_skb_load_bytes_relative", C::kPacketRead, "4.18"},
    {69, "bpf_fib_lookup", C::kPacketRead, "4.18"},
    {70, "bpf_sock_hash_update", C::kSocket, "4.18"},
    {71, "bpf_msg_redirect_hash", C::kRedirect, "4.18"},
    {72, "bpf_sk_redirect_hash", C::kRedirect, "4.18"},
    {73, "bpf_lwt_push_encap", C::kPacketWrite, "4.18"},
    {74, "bpf_lwt_seg6_store_bytes", C::kPacketWrite, "4.18"},
    {75, "bpf_lwt_seg6_adjust_srh", C::kPacketWrite, "4.18"},
    {76, "bpf_lwt_seg6_action", C::kRedirect, "4.18"},
    {77, "bpf_rc_repeat", C::kKernelWrite, "4.18"},
    {78, "bpf_rc_keydown", C::kKernelWrite, "4.18"},
    {79, "bpf_skb_cgroup_id", C::kPacketRead, "4.18"},
    {80, "bpf_get_current_cgroup_id", C::kContextRead, "4.18"},
    {81, "bpf_get_local_storage", C::kMapAccess, "4.19"},
    {82, "bpf_sk_select_reuseport", C::kRedirect, "4.19"},
    {83, "bpf_skb_ancestor_cgroup_id", C::kPacketRead, "4.19"},
    {84, "bpf_sk_lookup_tcp", C::kSocket, "4.20"},
    {85, "bpf_sk_lookup_udp", C::kSocket, "4.20"},
    {86, "bpf_sk_release", C::kSocket, "4.20"},
    {87, "bpf_map_push_elem", C::kMapAccess, "4.20"},
    {88, "bpf_map_pop_elem", C::kMapAccess, "4.20"},
    {89, "bpf_map_peek_elem", C::kMapAccess, "4.20"},
    {90, "bpf_msg_push_data", C::kPacketWrite, "4.20"},
    {91, "bpf_msg_pop_data", C::kPacketWrite, "5.0"},
    {92, "bpf_rc_pointer_rel", C::kKernelWrite, "5.0"},
    {93, "bpf_spin_lock", C::kCompute, "5.1"},
    {94, "bpf_spin_unlock", C::kCompute, "5.1"},
    {95, "bpf_sk_fullsock", C::kSocket, "5.1"},
    {96, "bpf_tcp_sock", C::kSocket, "5.1"},
    {97, "bpf_skb_ecn_set_ce", C::kPacketWrite, "5.1"},
    {98, "bpf_get_listener_sock", C::kSocket, "5.1"},
    {99, "bpf_skc_lookup_tcp", C::kSocket, "5.2"},
    {100, "bpf_tcp_check_syncookie", C::kSocket, "5.2"},
    {101, "bpf_sysctl_get_name", C::kContextRead, "5.2"},
    {102, "bpf_sysctl_get_current_value", C::kContextRead, "5.2"},
    {103, "bpf_sysctl_get_new_value", C::kContextRead, "5.2"},
    {104, "bpf_sysctl_set_new_value", C::kKernelWrite, "5.2"},
    {105, "bpf_strtol", C::kCompute, "5.2"},
    {106, "bpf_strtoul", C::kCompute, "5.2"},
    {107, "bpf_sk_storage_get", C::kMapAccess, "5.2"},
    {108, "bpf_sk_storage_delete", C::kMapAccess, "5.2"},
    {109, "bpf_send_signal", C::kSignal, "5.3"},
    {110, "bpf_tcp_gen_syncookie", C::kSocket, "5.3"},
    {111, "bpf_skb_output", C::kOutput, "5.5"},
    {112, "bpf_probe_read_user", C::kUserMemoryRead, "5.5"},
    {113, "bpf_probe_read_kernel", C::kKernelMemoryRead, "5.5"},
    {114, "bpf_probe_read_user_str", C::kUserMemoryRead, "5.5"},
    {115, "bpf_probe_read_kernel_str", C::kKernelMemoryRead, "5.5"},
    {116, "bpf_tcp_send_ack", C::kPacketWrite, "5.5"},
    {117, "bpf_send_signal_thread", C::kSignal, "5.5"},
    {118, "bpf_jiffies64", C::kTime, "5.5"},
    {119, "bpf_read_branch_records", C::kKernelMemoryRead, "5.6"},
    {120, "bpf_get_ns_current_pid_tgid", C::kContextRead, "5.6"},
    {121, "bpf_xdp_output", C::kOutput, "5.6"},
    {122, "bpf_get_netns_cookie", C::kPacketRead, "5.7"},
    {123, "bpf_get_current_ancestor_cgroup_id", C::kContextRead, "5.7"},
    {124, "bpf_sk_assign", C::kRedirect, "5.7"},
    {125, "bpf_ktime_get_boot_ns", C::kTime, "5.8"},
    {126, "bpf_seq_printf", C::kOutput, "5.8"},
    {127, "bpf_seq_write", C::kOutput, "5.8"},
    {128, "bpf_sk_cgroup_id", C::kContextRead, "5.8"},
    {129, "bpf_sk_ancestor_cgroup_id", C::kContextRead, "5.8"},
    {130, "bpf_ringbuf_output", C::kOutput, "5.8"},
    {131, "bpf_ringbuf_reserve", C::kOutput, "5.8"},
    {132, "bpf_ringbuf_submit", C::kOutput, "5.8"},
    {133, "bpf_ringbuf_discard", C::kOutput, "5.8"},
    {134, "bpf_ringbuf_query", C::kOutput, "5.8"},
    {135, "bpf_csum_level", C::kPacketWrite, "5.8"},
    {136, "bpf_skc_to_tcp6_sock", C::kSocket, "5.9"},
    {137, "bpf_skc_to_tcp_sock", C::kSocket, "5.9"},
    {138, "bpf_skc_to_tcp_timewait_sock", C::kSocket, "5.9"},
    {139, "bpf_skc_to_tcp_request_sock", C::kSocket, "5.9"},
    {140, "bpf_skc_to_udp6_sock", C::kSocket, "5.9"},
    {141, "bpf_get_task_stack", C::kKernelMemoryRead, "5.9"},
    {142, "bpf_load_hdr_opt", C::kPacketRead, "5.10"},
    {143, "bpf_store_hdr_opt", C::kPacketWrite, "5.10"},
    {144, "bpf_reserve_hdr_opt", C::kPacketWrite, "5.10"},
    {145, "bpf_inode_storage_get", C::kMapAccess, "5.10"},
    {146, "bpf_inode_storage_delete", C::kMapAccess, "5.10"},
    {147, "bpf_d_path", C::kKernelMemoryRead, "5.10"},
    {148, "bpf_copy_from_user", C::kUserMemoryRead, "5.10"},
    {149, "bpf_snprintf_btf", C::kKernelMemoryRead, "5.10"},
    {150, "bpf_seq_printf_btf", C::kOutput, "5.10"},
    {151, "bpf_skb_cgroup_classid", C::kPacketRead, "5.10"},
    {152, "bpf_redirect_neigh", C::kRedirect, "5.10"},
    {153, "bpf_per_cpu_ptr", C::kKernelMemoryRead, "5.10"},
    {154, "bpf_this_cpu_ptr", C::kKernelMemoryRead, "5.10"},
    {155, "bpf_redirect_peer", C::kRedirect, "5.10"},
    {156, "bpf_task_storage_get", C::kMapAccess, "5.11"},
    {157, "bpf_task_storage_delete", C::kMapAccess, "5.11"},
    {158, "bpf_get_current_task_btf", C::kKernelMemoryRead, "5.11"},
    {159, "bpf_bprm_opts_set", C::kKernelWrite, "5.11"},
    {160, "bpf_ktime_get_coarse_ns", C::kTime, "5.11"},
    {161, "bpf_ima_inode_hash", C::kContextRead, "5.11"},
    {162, "bpf_sock_from_file", C::kSocket, "5.11"},
    {163, "bpf_check_mtu", C::kPacketRead, "5.12"},
    {164, "bpf_for_each_map_elem", C::kMapAccess, "5.13"},
    {165, "bpf_snprintf", C::kKernelMemoryRead, "5.13"},
    {166, "bpf_sys_bpf", C::kSyscall, "5.14"},
    {167, "bpf_btf_find_by_name_kind", C::kSyscall, "5.14"},
    {168, "bpf_sys_close", C::kSyscall, "5.14"},
    {169, "bpf_timer_init", C::kCompute, "5.15"},
    {170, "bpf_timer_set_callback", C::kCompute, "5.15"},
    {171, "bpf_timer_start", C::kCompute, "5.15"},
    {172, "bpf_timer_cancel", C::kCompute, "5.15"},
    {173, "bpf_get_func_ip", C::kContextRead, "5.15"},
    {174, "bpf_get_attach_cookie", C::kContextRead, "5.15"},
    {175, "bpf_task_pt_regs", C::kKernelMemoryRead, "5.15"},
    {176, "bpf_get_branch_snapshot", C::kKernelMemoryRead, "5.16"},
    {177, "bpf_trace_vprintk", C::kOutput, "5.16"},
    {178, "bpf_skc_to_unix_sock", C::kSocket, "5.16"},
    {179, "bpf_kallsyms_lookup_name", C::kSyscall, "5.16"},
    {180, "bpf_find_vma", C::kKernelMemoryRead, "5.17"},
    {181, "bpf_loop", C::kCompute, "5.17"},
    {182, "bpf_strncmp", C::kCompute, "5.17"},
    {183, "bpf_get_func_arg", C::kContextRead, "5.17"},
    {184, "bpf_get_func_ret", C::kContextRead, "5.17"},
    {185, "bpf_get_func_arg_cnt", C::kContextRead, "5.17"},
    {186, "bpf_get_retval", C::kContextRead, "5.18"},
    {187, "bpf_set_retval", C::kOverrideReturn, "5.18"},
    {188, "bpf_xdp_get_buff_len", C::kPacketRead, "5.18"},
    {189, "bpf_xdp_load_bytes", C::kPacketRead, "5.18"},
    {190, "bpf_xdp_store_bytes", C::kPacketWrite, "5.18"},
    {191, "bpf_copy_from_user_task", C::kUserMemoryRead, "5.18"},
    {192, "bpf_skb_set_tstamp", C::kPacketWrite, "5.18"},
    {193, "bpf_ima_file_hash", C::kContextRead, "5.18"},
    {194, "bpf_kptr_xchg", C::kMapAccess, "5.19"},
    {195, "bpf_map_lookup_percpu_elem", C::kMapAccess, "5.19"},
    {196, "bpf_skc_to_mptcp_sock", C::kSocket, "5.19"},
    {197, "bpf_dynptr_from_mem", C::kCompute, "5.19"},
    {198, "bpf_ringbuf_reserve_dynptr", C::kOutput, "5.19"},
    {199, "bpf_ringbuf_submit_dynptr", C::kOutput, "5.19"},
    {200, "bpf_ringbuf_discard_dynptr", C::kOutput, "5.19"},
    {201, "bpf_dynptr_read", C::kCompute, "5.19"},
    {202, "bpf_dynptr_write", C::kCompute, "5.19"},
    {203, "bpf_dynptr_data", C::kCompute, "5.19"},
    {204, "bpf_tcp_raw_gen_syncookie_ipv4", C::kSocket, "6.0"},
    {205, "bpf_tcp_raw_gen_syncookie_ipv6", C::kSocket, "6.0"},
    {206, "bpf_tcp_raw_check_syncookie_ipv4", C::kSocket, "6.0"},
    {207, "bpf_tcp_raw_check_syncookie_ipv6", C::kSocket, "6.0"},
    {208, "bpf_ktime_get_tai_ns", C::kTime, "6.1"},
    {209, "bpf_user_ringbuf_drain", C::kMapAccess, "6.1"},
};

struct NamedCapability {
  Capability capability;
  std::string_view name;
};

constexpr std::array<NamedCapability, 20> kCapabilities{{
    {C::kMapAccess, "map_access"},
    {C::kKernelMemoryRead, "kernel_memory_read"},
    {C::kUserMemoryRead, "user_memory_read"},
    {C::kUserMemoryWrite, "user_memory_write"},
    {C::kKernelWrite, "kernel_write"},
    {C::kPacketRead, "packet_read"},
    {C::kPacketWrite, "packet_write"},
    {C::kRedirect, "redirect"},
    {C::kSignal, "signal"},
    {C::kOverrideReturn, "override_return"},
    {C::kOutput, "output"},
    {C::kSyscall, "syscall"},
    {C::kTime, "time"},
    {C::kRandom, "random"},
    {C::kTailCall, "tail_call"},
    {C::kContextRead, "context_read"},
    {C::kSocket, "socket"},
    {C::kCompute, "compute"},
    {C::kKfunc, "kfunc"},
    {C::kUnknown, "unknown"},
}};

constexpr std::array<Capability, kCapabilities.size()> capability_list() {
  std::array<Capability, kCapabilities.size()> out{};
  for (std::size_t i = 0; i < kCapabilities.size(); ++i) out[i] = kCapabilities[i].capability;
  return out;
}
constexpr auto kCapabilityList = capability_list();

}  // namespace

std::span<const Capability> all_capabilities() { return kCapabilityList; }

std::string_view capability_name(Capability c) {
  for (const auto& n : kCapabilities) {
    if (n.capability == c) return n.name;
  }
  return "unknown";
}

std::optional<Capability> parse_capability(std::string_view name) {
  for (const auto& n : kCapabilities) {
    if (n.name == name) return n.capability;
  }
  return std::nullopt;
}

const HelperInfo* find_helper(std::int64_t id) {
  // Dense from 1: the entry for id i is kHelpers[i - 1].
  constexpr auto count = static_cast<std::int64_t>(std::size(kHelpers));
  if (id < 1 || id > count) return nullptr;
  const HelperInfo* h = &kHelpers[id - 1];
  return h->id == id ? h : nullptr;
}

const HelperInfo* find_helper(std::string_view name) {
  constexpr std::string_view kPrefix = "bpf_";
  std::string full;
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    full = std::string(kPrefix) + std::string(name);
    name = full;
  }
  for (const auto& h : kHelpers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

std::span<const HelperInfo> known_helpers() { return kHelpers; }

std::string helper_display_name(std::int64_t id) {
  if (const HelperInfo* h = find_helper(id)) return std::string(h->name);
  return "unknown#" + std::to_string(id);
}

Capability helper_capability(std::int64_t id) {
  const HelperInfo* h = find_helper(id);
  return h != nullptr ? h->capability : Capability::kUnknown;
}

std::vector<ImpliedCapability> implied_capabilities(std::optional<BPFProgramType> type,
                                                    std::string_view expected_attach_type) {
  std::vector<ImpliedCapability> out;
  if (!type) return out;
  const BPFProgramType kernel = kernel_program_type(*type);
  const bool btf_typed = kernel == BPFProgramType::kTracing || kernel == BPFProgramType::kLsm ||
                         kernel == BPFProgramType::kStructOps;
  if (btf_typed) {
    out.push_back({Capability::kKernelMemoryRead, "reads kernel memory through its BTF-typed arguments"});
  }
  if (expected_attach_type == "modify_return" || kernel == BPFProgramType::kLsm ||
      kernel == BPFProgramType::kStructOps) {
    out.push_back({Capability::kOverrideReturn, "decides what the kernel function it hooks returns"});
  }
  if (kernel == BPFProgramType::kStructOps) {
    out.push_back({Capability::kKernelWrite, "may write the kernel structures it is handed"});
  } else if (kernel == BPFProgramType::kRawTracepointWritable) {
    out.push_back({Capability::kKernelWrite, "may write its tracepoint's buffer"});
  }
  return out;
}

std::vector<ImpliedCapability> implied_capabilities(const ProgramInfo& program) {
  auto out = implied_capabilities(program.type, program.expected_attach_type);
  if (program.writes_packet_directly) {
    out.push_back({Capability::kPacketWrite, "writes packet bytes through its context's packet pointers"});
  }
  return out;
}

bool is_map_type_name(std::string_view name) {
  if (name == "unknown") return true;
  // libbpf's table ends where it returns NULL; 256 is far past any release.
  for (int t = 0; t < 256; ++t) {
    const char* known = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(t));
    if (known == nullptr) break;
    if (name == known) return true;
  }
  return false;
}

}  // namespace pqbpf::bpf
