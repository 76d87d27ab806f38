// One bpf() attempt the gate's LSM saw (bpf/gate_lsm.h's gate_event, decoded)
// and the audit record it becomes (`action: kernel_attempt`, docs/LSM.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pqbpf/log/record.h"

namespace pqbpf::lsm {

enum class Verdict {
  kAllowGate,     // the gate daemon's own load
  kAllowAudit,    // audit mode: allowed, would have been denied
  kDeny,          // enforce: a direct load, refused
  kPendingDigest, // digest mode: passed to the verifier, judged at the end
  kAllowDigest,   // digest mode: matches an approved program
  kDenyDigest,    // digest mode: matches none
  kDenyProtect,   // touches the gate's own objects or process, refused
  kAuditProtect,  // audit mode: the same, allowed
  kAllowInert,    // digest mode: a constant-returning loader probe (docs/LSM.md)
  kUnknown,
};
std::string_view verdict_name(Verdict v);
bool verdict_denies(Verdict v);

struct KernelAttempt {
  std::uint32_t pid = 0, tid = 0, uid = 0, gid = 0;
  std::uint64_t cgroup_id = 0;
  std::string command;        // the task's comm
  std::string hook;           // "bpf", "bpf_prog", "bpf_map", "ptrace"
  std::uint32_t cmd = 0;      // bpf() command code
  std::uint32_t prog_type = 0;
  std::uint32_t insn_count = 0;
  std::string program_name;   // as the caller named it (attr->prog_name)
  std::string tag;            // hex, when the kernel computed one
  std::uint32_t object_id = 0;
  Verdict verdict = Verdict::kUnknown;
};

// Decodes one ring-buffer record; false if it is not a whole gate_event.
bool decode_event(const void* data, std::size_t size, KernelAttempt& out);

// "BPF_PROG_LOAD", ... ("cmd 99" for codes this build does not know).
std::string bpf_command_name(std::uint32_t cmd);
// libbpf's name of a program type ("xdp"), or "type N".
std::string prog_type_name(std::uint32_t type);

// The audit record: action kernel_attempt, actor (uid, pid, command, cgroup
// path read from /proc when the process still exists, else "id N"), the
// decision, program name/type/instruction count and a sentence with the
// command code, hook, verdict, tag and object id.
log::AttemptRecord to_record(const KernelAttempt& attempt);
// The record of `lost` events the ring buffer could not hold.
log::AttemptRecord loss_record(std::uint64_t lost);

}  // namespace pqbpf::lsm
