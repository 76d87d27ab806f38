// Copying a pending bpf() call out of the workload (sandbox-internal).
//
// Each read goes into the supervisor's memory once (process_vm_readv for the
// workload's memory, bounded reads of /proc/<tid>/ for its identity); nothing
// is read again later. Every size is bounded before it is used.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"
#include "pqbpf/sandbox/bpf_call.h"

namespace pqbpf::sandbox::internal {

// Exactly `size` bytes at `addr` in `tid`'s address space.
Result<std::vector<std::uint8_t>> read_workload_memory(std::int64_t tid, std::uint64_t addr,
                                                       std::size_t size);

// pid, uid, comm, exe and cgroup of `tid` (pid, uid and cgroup through a
// pidfd where the kernel can, pidfd_identity.h; the rest from /proc); fields
// it cannot read stay empty. `thread_pidfd` receives the thread pidfd it
// opened, if any (see identity_from_pidfd).
Caller read_caller(std::int64_t tid, UniqueFd* thread_pidfd = nullptr);

// The register-level facts of a notification: arch, nr, cmd, attr address and
// size (the low 32 bits of `int cmd` and `unsigned int size`, as the kernel
// reads them; a 32-bit ABI's pointer is 32 bits).
BpfCall call_from_notification(const seccomp_notif& n, bool is_bpf);

// For BPF_PROG_LOAD: the attribute (bounded by its size argument and
// kMaxAttrBytes), then the instructions (<= kMaxInsns) and the name it names.
// Failures are noted in `call` (read_error, load->insns_error), not returned:
// a refusal is recorded with whatever could be read.
void read_prog_load(BpfCall& call);

}  // namespace pqbpf::sandbox::internal
