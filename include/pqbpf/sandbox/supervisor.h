// run_supervised: starts a command under a seccomp filter that sends every
// bpf() call to this process (SECCOMP_RET_USER_NOTIF) and answers each one
// until the command exits. docs/SANDBOX.md describes the design.
//
// Per call: read the command (a register, so it cannot race); for
// BPF_PROG_LOAD copy the attribute, the instructions and the name out of the
// workload once (process_vm_readv), check SECCOMP_IOCTL_NOTIF_ID_VALID, decide
// (decide_bpf_call, or with a TransparentGate its admit()), record every
// refusal and admission in the audit log, answer. Refusals are answered with
// an error; an admitted load with the supervisor's own program fd
// (SECCOMP_IOCTL_NOTIF_ADDFD + SECCOMP_ADDFD_FLAG_SEND); allowed commands pass
// in the seccomp filter itself (only commands that load no code).
//
// The filter is inherited by the workload's threads and children. When this
// process exits (or dies), the workload's later bpf() calls fail with ENOSYS.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pqbpf/log/log_writer.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"
#include "pqbpf/sandbox/bpf_call.h"
#include "pqbpf/sandbox/verdict.h"

namespace pqbpf::sandbox {
class GateForwarder;
class TransparentGate;
}

namespace pqbpf::sandbox {

struct SupervisorOptions {
  SandboxRules rules;
  // With a gate, BPF_PROG_LOAD is decided by TransparentGate::admit (and
  // admitted loads are answered with the program fd, SECCOMP_IOCTL_NOTIF_ADDFD);
  // without one, every load is refused. Not owned.
  const TransparentGate* gate = nullptr;
  // Or: every BPF_PROG_LOAD is sent to the gate daemon, which decides it the
  // same way (`run --gate`; gate_forwarder.h). Not owned.
  GateForwarder* forwarder = nullptr;
  // Refusals are appended here when set. If a record cannot be written the
  // call is still refused (it was going to be) and log_errors counts it.
  log::LogWriter* log = nullptr;
  // Called once per refusal with its record (after it was appended, or
  // instead when there is no log); the CLI prints a notice.
  std::function<void(const log::AttemptRecord&, const BpfCall&)> on_refusal;
  // Called when a refusal could not be recorded (the call is refused anyway).
  std::function<void(const Error&)> on_log_error;
  // Test hook: called with the caller's tid after a notification is received
  // and before anything about the caller is read (only for calls that will be
  // refused or are loads: allowed commands read nothing).
  std::function<void(std::int64_t tid)> before_read;
};

struct SupervisorResult {
  int wait_status = 0;         // the command's status as waitpid(2) gives it
  std::uint64_t refused = 0;   // calls answered with an error
  std::uint64_t continued = 0; // calls the kernel ran (allow-listed commands)
  std::uint64_t admitted = 0;  // loads answered with a program fd the supervisor loaded
  std::uint64_t log_errors = 0;
  std::uint64_t gone = 0;      // callers that exited before they were answered
};

// Exit status in the shell's convention: the code, or 128 + signal.
int shell_exit_status(int wait_status);

// Starts argv[0] (PATH search) with argv, supervises it to its end. Errors:
// the sandbox could not be set up (kInternal/kIo), or the command could not be
// executed (kNotFound: not found; kPermission: not executable).
Result<SupervisorResult> run_supervised(const std::vector<std::string>& argv,
                                        const SupervisorOptions& options);

// The record of one refused call (what decide_bpf_call said, what was read).
log::AttemptRecord make_refusal_record(const BpfCall& call, const Verdict& verdict);

}  // namespace pqbpf::sandbox
