// The audit record of one refused bpf() call (see supervisor.h).
//
// The record carries what the supervisor read, labelled as such: the
// workload owns that memory and may have changed it, or lied.
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "pqbpf/crypto/sha3.h"
#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/supervisor.h"

namespace pqbpf::sandbox {
namespace {

std::string prog_type_label(std::uint32_t type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return name ? std::string(name) : "type_" + std::to_string(type);
}

}  // namespace

log::AttemptRecord make_refusal_record(const BpfCall& call, const Verdict& verdict) {
  log::AttemptRecord r;
  r.action = verdict.action;
  r.decision = verdict.decision;
  r.reason = verdict.reason;

  const Caller& c = call.caller;
  r.actor.pid = c.pid ? *c.pid : c.tid;
  r.actor.uid = c.uid;
  r.actor.command = c.command;
  r.actor.exe = c.exe;
  r.actor.cgroup = c.cgroup;

  std::string text = verdict.sentence + "; as read from the caller: " +
                     (call.is_bpf ? "cmd " + bpf_command_name(call.cmd)
                                  : "syscall " + std::to_string(call.syscall_nr));
  if (c.pid && *c.pid != c.tid) text += ", thread " + std::to_string(c.tid);
  if (call.read_error) text += ", " + *call.read_error;
  if (call.load) {
    const ProgLoadRead& load = *call.load;
    r.program_types.push_back(prog_type_label(load.prog_type));
    if (!load.name.empty()) r.program = load.name;
    r.insn_count = load.insn_cnt;
    text += ", " + std::to_string(load.insn_cnt) + " instructions claimed";
    if (!load.insns.empty()) {
      text += ", instructions read (sha3-256 " + crypto::to_hex(crypto::sha3_256(load.insns)) + ")";
    }
    if (load.insns_error) text += ", " + *load.insns_error;
  }
  if (!call.still_valid) {
    text += "; the caller exited or was interrupted before it was answered, so these values may "
            "not be its request";
  }
  r.reason_text = std::move(text);
  return r;
}

}  // namespace pqbpf::sandbox
