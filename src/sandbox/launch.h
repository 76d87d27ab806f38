// Starting the workload under the bpf() filter (sandbox-internal).
//
// fork; in the child: restore the signal mask, PR_SET_NO_NEW_PRIVS, install
// the filter with a new listener, send the listener fd to the parent over a
// socketpair (SCM_RIGHTS), close it (the workload must never hold its own
// listener), exec. The socket is close-on-exec: end of file tells the parent
// the exec succeeded; otherwise the child sends its errno first.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "pqbpf/result.h"
#include "seccomp_filter.h"
#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {

struct Launched {
  pid_t pid = -1;
  UniqueFd listener;  // the seccomp notification fd
  UniqueFd pidfd;     // readable when the child exits
};

// `child_mask` is the signal mask the workload starts with. On an error after
// fork, the child has been reaped.
Result<Launched> launch_workload(const std::vector<std::string>& argv, const BpfNotifyFilter& filter,
                                 const sigset_t& child_mask);

}  // namespace pqbpf::sandbox::internal
