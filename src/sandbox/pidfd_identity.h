// A task's ids from the kernel in one call (sandbox-internal).
//
// Reading /proc/<tid>/status and /proc/<tid>/cgroup for every bpf() call a
// supervisor judges costs tens of microseconds (both are generated text, the
// cgroup file under the cgroup locks). Linux 6.13+ answers the same through
// a thread pidfd: PIDFD_GET_INFO gives the thread group id, the effective
// uid and the cgroup id. A cgroup's path is looked up in /proc once per cgroup id
// (ids are never reused while the system runs) and kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {

struct PidfdIdentity {
  std::int64_t tgid = 0;
  std::uint32_t euid = 0;
  std::optional<std::string> cgroup;  // cgroup v2 path, as /proc/<tid>/cgroup's "0::" line
};

// nullopt when the kernel cannot answer (older than 6.13, or the task is
// gone); the caller then reads /proc. With `thread_pidfd`, the thread pidfd
// opened for the question is handed over (invalid if none could be opened):
// the supervisor uses the same one for pidfd_getfd, opened before it checks
// that the call is still pending, so it is the caller's and not a reused id.
std::optional<PidfdIdentity> identity_from_pidfd(std::int64_t tid, UniqueFd* thread_pidfd = nullptr);

// The "0::" line's path in the text of /proc/<tid>/cgroup.
std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup);

}  // namespace pqbpf::sandbox::internal
