// Who is on the other end of a client connection, read once at accept.
//
// uid, gid and pid come from SO_PEERCRED: the kernel took them when the
// client called connect(), so the client cannot choose them. Command,
// executable, cgroup and effective capabilities are read at accept from the
// process that connected, held by SO_PEERPIDFD: /proc/<pid> is opened, then
// the pidfd is polled to prove that process was still alive (so the number
// was not reused) and the files are read through that directory descriptor,
// which never follows the number to another process. They describe the
// connecting process as it was at accept: a client may later exec or hand
// its socket to another process, and the facts are not read again.
#pragma once

#include <sys/types.h>

#include <string>

#include "pqbpf/loader/load_privilege.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon {

struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string comm;    // /proc/<pid>/comm, "" if unreadable
  std::string exe;     // readlink /proc/<pid>/exe
  std::string cgroup;  // /proc/<pid>/cgroup, the unified (0::) path
  // The connecting process's effective capabilities and user namespace
  // (capget), for handing out program descriptors (request_handler.cc);
  // unreadable when the process could not be held by a pidfd or had exited.
  loader::CallerPrivilege privilege;
};

Result<Peer> peer_of(int connection_fd);

// The record's actor: uid, pid, command, exe, cgroup.
log::Actor actor_of(const Peer& peer);

}  // namespace pqbpf::daemon
