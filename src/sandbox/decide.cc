// decide_bpf_call: the sandbox's rule set (see verdict.h).
#include <cerrno>

#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/verdict.h"

namespace pqbpf::sandbox {

Verdict decide_bpf_call(const BpfCall& call, const SandboxRules& rules) {
  Verdict v;
  v.kind = Verdict::Kind::kRefuse;
  v.error = EPERM;
  v.decision = Decision::kDeny;
  if (!call.is_bpf) {
    // The filter sends only bpf(); anything else is refused, not run.
    v.action = "bpf_command";
    v.reason = ReasonCode::kInternalError;
    v.sentence = "unexpected system call " + std::to_string(call.syscall_nr) +
                 " reached the bpf() supervisor; refused";
    return v;
  }
  if (bpf_command_loads_code(call.cmd)) {
    v.action = "direct_load";
    v.reason = ReasonCode::kDirectLoadRefused;
    v.sentence = "a workload under pqc-bpf run may not load BPF programs itself";
    return v;
  }
  if (bpf_command_may_continue(call.cmd) && rules.allowed_commands.contains(call.cmd)) {
    v.kind = Verdict::Kind::kContinue;
    v.error = 0;
    v.decision = Decision::kAllow;
    v.reason = ReasonCode::kAllowed;
    v.action = "bpf_command";
    v.sentence = "bpf command " + bpf_command_name(call.cmd) + " is on the allow-list";
    return v;
  }
  v.action = "bpf_command";
  v.reason = ReasonCode::kBpfCommandDenied;
  v.sentence = "bpf command " + bpf_command_name(call.cmd) +
               " is not on the allow-list (--allow-bpf-cmd)";
  return v;
}

}  // namespace pqbpf::sandbox
