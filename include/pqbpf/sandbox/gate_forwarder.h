// GateForwarder: `pqc-bpf run --gate SOCKET` (docs/TRANSPARENT_GATE.md).
// Instead of deciding a workload's BPF_PROG_LOAD itself, the supervisor sends
// what it copied out of the workload once to the gate daemon (protocol 1,
// op forwarded_load): the attribute, the instructions, the caller's identity,
// and its own descriptors of the BPF maps the instructions name (fetched from
// the workload with pidfd_getfd). The daemon decides with its envelope store
// (the same TransparentGate::admit), records the decision and, when it admits
// the load, returns the program fd, which the supervisor injects into the
// workload exactly as in the local mode.
//
// Fail closed: a daemon that cannot be reached, or answers with an error or
// anything but a program fd, means the load is refused with EPERM.
#pragma once

#include <functional>
#include <string>

#include "pqbpf/sandbox/bpf_call.h"
#include "pqbpf/sandbox/transparent_gate.h"

namespace pqbpf::sandbox {

class GateForwarder {
 public:
  // `on_failure` is called once, with one sentence, the first time the
  // daemon cannot decide a load.
  GateForwarder(std::string socket_path, std::function<void(const std::string&)> on_failure);

  // Decides `call` through the daemon. `pidfd` is the caller's process (for
  // pidfd_getfd), or -1. The returned record is the supervisor's copy for its
  // notices; the daemon's log holds the real one. Never throws.
  Admission forward(const BpfCall& call, int pidfd) noexcept;

 private:
  Admission forward_or_throw(const BpfCall& call, int pidfd);
  Admission failed(const BpfCall& call, const std::string& why);

  std::string socket_path_;
  std::function<void(const std::string&)> on_failure_;
  bool reported_ = false;
};

}  // namespace pqbpf::sandbox
