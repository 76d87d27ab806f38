// The sandbox's answer to one bpf() call and how it is decided.
//
// decide_bpf_call() is the sandbox's rule set without envelopes: BPF_PROG_LOAD
// is refused (a workload may not load its own code), other commands pass only
// when they are on the operator's allow-list. With envelopes
// (transparent_gate.h), a load whose instructions match a signed,
// policy-allowed program gets the third kind of answer, kInjectFd: the
// supervisor loads the copied instructions itself and hands the workload the
// fd (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND). A load is
// never answered with kContinue.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "pqbpf/core/reason.h"
#include "pqbpf/sandbox/bpf_call.h"

namespace pqbpf::sandbox {

struct Verdict {
  enum class Kind {
    kRefuse,    // the call fails with `error` and is recorded
    kContinue,  // the kernel runs the call as made (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
    kInjectFd,  // the call returns a program fd the supervisor loaded (Admission::program)
  };
  Kind kind = Kind::kRefuse;
  int error = 1;  // EPERM
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kInternalError;
  std::string action;    // the record's action: "direct_load", "bpf_command", "transparent_load", "probe"
  std::string sentence;  // one line: why
};

struct SandboxRules {
  // bpf() commands answered with CONTINUE; never BPF_PROG_LOAD or an unknown
  // command (bpf_command_may_continue).
  std::set<std::uint32_t> allowed_commands;
};

// Decides from what was read. Never continues a command that loads code and
// never continues a call that is not bpf().
Verdict decide_bpf_call(const BpfCall& call, const SandboxRules& rules);

}  // namespace pqbpf::sandbox
