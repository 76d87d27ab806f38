// Who is on the other end of a client connection: SO_PEERCRED (taken by the
// kernel at connect time, so the client cannot choose it) plus what /proc
// says about that pid (command, executable, cgroup), read once at accept.
// The /proc facts are best effort: a pid can exit (or, rarely, be reused)
// between connect and the read, so the record states them as read.
#pragma once

#include <sys/types.h>

#include <string>

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
};

Result<Peer> peer_of(int connection_fd);

// The record's actor: uid, pid, command, exe, cgroup.
log::Actor actor_of(const Peer& peer);

}  // namespace pqbpf::daemon
