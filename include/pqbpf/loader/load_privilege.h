// Whether a process may load, itself, what it asks a gate to load.
//
// The sandbox's supervisor and the gate daemon load with their own
// privileges. Without this check a process with fewer (an unprivileged user,
// capabilities dropped) would get signed programs loaded, or program
// descriptors handed over, that the kernel would refuse it: a gate must
// narrow what reaches the kernel, never widen who may load. So the caller
// must hold what Linux's bpf_prog_load() asks of it (6.18,
// kernel/bpf/syscall.c): CAP_BPF for every type but socket_filter and
// cgroup_skb (those two only while kernel.unprivileged_bpf_disabled is 0),
// plus CAP_NET_ADMIN for the networking types and CAP_PERFMON for the
// tracing ones; CAP_SYS_ADMIN stands for each. Capabilities count only in
// the supervisor's own user namespace (the kernel asks the initial one; a
// caller in a child namespace holds none there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pqbpf::loader {

struct CallerPrivilege {
  // The caller thread's effective capability set; nullopt when unreadable.
  std::optional<std::uint64_t> effective;
  // The caller lives in the supervisor's user namespace (false if unknown).
  bool same_user_namespace = false;
};

// Reads the thread's effective set (capget) and its user namespace. Whoever
// asks must then prove `tid` was still the same task (a seccomp
// notification still pending, a pidfd still alive).
CallerPrivilege read_caller_privilege(std::int64_t tid);

// kernel.unprivileged_bpf_disabled (0, 1 or 2); 1 when it cannot be read.
int unprivileged_bpf_disabled();

// nullopt when a caller with `privilege` may load a program of kernel type
// `prog_type`; otherwise the one-line reason, naming what is missing.
std::optional<std::string> missing_load_privilege(const CallerPrivilege& privilege, std::uint32_t prog_type,
                                                  int unprivileged_bpf_disabled);

// The same, reading kernel.unprivileged_bpf_disabled only when the answer
// depends on it (socket_filter or cgroup_skb, for a caller without CAP_BPF or
// CAP_SYS_ADMIN): a privileged caller's check reads no file.
std::optional<std::string> missing_load_privilege(const CallerPrivilege& privilege, std::uint32_t prog_type);

}  // namespace pqbpf::loader
