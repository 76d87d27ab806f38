// The seccomp filter of `pqc-bpf run` (sandbox-internal): every syscall is
// allowed except bpf(), which is sent to the supervisor
// (SECCOMP_RET_USER_NOTIF).
//
// Built with libseccomp in the supervisor, before fork: libseccomp knows the
// bpf() number of every architecture and adds the compat ABIs (i386 and x32
// on x86_64, arm on aarch64), so a 32-bit binary cannot reach bpf() by
// another number, and a call from any other ABI kills the process. The child
// only installs the finished program, with async-signal-safe system calls (the
// supervisor may have threads, e.g. the log writer's).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::sandbox::internal {

struct BpfNotifyFilter {
  std::vector<sock_filter> program;
  // (AUDIT_ARCH_*, syscall number) of bpf() for each architecture the filter
  // covers: a notification that is not one of these is not a bpf() call.
  std::set<std::pair<std::uint32_t, std::int32_t>> bpf_syscalls;
};

// The highest bpf() command number this build knows (bpf_command.h); every
// number above it is always notified.
constexpr std::uint32_t kLastKnownBpfCommand = 36;

// Every bpf() call is sent to the listener, except the commands in
// `pass_in_kernel`, which the filter itself allows (they never reach the
// supervisor: the same answer as CONTINUE, without the round trip). The
// caller guarantees none of them loads code (bpf_command_may_continue).
Result<BpfNotifyFilter> build_bpf_notify_filter(const std::set<std::uint32_t>& pass_in_kernel = {});

// In the forked child: PR_SET_NO_NEW_PRIVS, then installs `filter` with
// SECCOMP_FILTER_FLAG_NEW_LISTENER. Returns the listener fd, or -errno.
// Async-signal-safe.
int install_filter_in_child(const BpfNotifyFilter& filter) noexcept;

}  // namespace pqbpf::sandbox::internal
