// The sandbox's answer to one bpf() call and how it is decided.
//
// decide_bpf_call() is the sandbox's whole rule set today: BPF_PROG_LOAD is
// refused (a workload may not load its own code), other commands pass only
// when they are on the operator's allow-list. Admitting a load whose
// instructions match a signed, policy-allowed program (issue 13) is a third
// kind of answer: the supervisor loads the copied instructions itself through
// the gate and hands the workload the fd (SECCOMP_IOCTL_NOTIF_ADDFD); it
// would be added here as Verdict::Kind::kInjectFd, never as kContinue.
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
  };
  Kind kind = Kind::kRefuse;
  int error = 1;  // EPERM
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kInternalError;
  std::string action;    // the record's action: "direct_load", "bpf_command"
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
