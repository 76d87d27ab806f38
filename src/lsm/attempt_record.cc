// Decoding the LSM's ring-buffer events and turning them into audit records
// (see kernel_attempt.h). The event bytes come from our own BPF program, but
// are still checked for size: a short record is dropped, never read past.
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "gate_lsm.h"
#include "pqbpf/lsm/kernel_attempt.h"

namespace pqbpf::lsm {
namespace {

std::string bounded_text(const char* p, std::size_t max) {
  std::size_t n = 0;
  while (n < max && p[n] != '\0') ++n;
  return std::string(p, n);
}

Verdict verdict_of(unsigned v) {
  switch (v) {
    case GATE_ALLOW_GATE: return Verdict::kAllowGate;
    case GATE_ALLOW_AUDIT: return Verdict::kAllowAudit;
    case GATE_DENY: return Verdict::kDeny;
    case GATE_PENDING_DIGEST: return Verdict::kPendingDigest;
    case GATE_ALLOW_DIGEST: return Verdict::kAllowDigest;
    case GATE_DENY_DIGEST: return Verdict::kDenyDigest;
    case GATE_DENY_PROTECT: return Verdict::kDenyProtect;
    case GATE_AUDIT_PROTECT: return Verdict::kAuditProtect;
    case GATE_ALLOW_INERT: return Verdict::kAllowInert;
    default: return Verdict::kUnknown;
  }
}

std::string hook_name(unsigned h) {
  switch (h) {
    case GATE_HOOK_BPF: return "bpf";
    case GATE_HOOK_PROG: return "bpf_prog";
    case GATE_HOOK_MAP: return "bpf_map";
    case GATE_HOOK_PTRACE: return "ptrace_access_check";
    case GATE_HOOK_INODE: return "inode_unlink/rename/permission";
    case GATE_HOOK_UMOUNT: return "sb_umount";
    default: return "hook " + std::to_string(h);
  }
}

// The unified cgroup path of a live process ("0::/path"), else "".
std::string cgroup_of(std::uint32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3, 1024);
  }
  return "";
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kAllowGate: return "allow_gate";
    case Verdict::kAllowAudit: return "allow_audit";
    case Verdict::kDeny: return "deny";
    case Verdict::kPendingDigest: return "pending_digest";
    case Verdict::kAllowDigest: return "allow_digest";
    case Verdict::kDenyDigest: return "deny_digest";
    case Verdict::kDenyProtect: return "deny_protect";
    case Verdict::kAuditProtect: return "audit_protect";
    case Verdict::kAllowInert: return "allow_inert";
    case Verdict::kUnknown: break;
  }
  return "unknown";
}

bool verdict_denies(Verdict v) {
  return v == Verdict::kDeny || v == Verdict::kDenyDigest || v == Verdict::kDenyProtect ||
         v == Verdict::kUnknown;
}

bool decode_event(const void* data, std::size_t size, KernelAttempt& out) {
  if (data == nullptr || size < sizeof(gate_event)) return false;
  gate_event e;
  std::memcpy(&e, data, sizeof(e));
  out = KernelAttempt{};
  out.pid = e.pid;
  out.tid = e.tid;
  out.uid = e.uid;
  out.gid = e.gid;
  out.cgroup_id = e.cgroup_id;
  out.command = bounded_text(e.comm, sizeof(e.comm));
  out.hook = hook_name(e.hook);
  out.cmd = e.cmd;
  out.prog_type = e.prog_type;
  out.insn_count = e.insn_cnt;
  out.program_name = bounded_text(e.name, sizeof(e.name));
  bool any_tag = false;
  for (unsigned char b : e.tag) any_tag = any_tag || b != 0;
  if (any_tag) {
    char hex[2 * GATE_LSM_TAG_SIZE + 1];
    for (int i = 0; i < GATE_LSM_TAG_SIZE; ++i) std::snprintf(hex + 2 * i, 3, "%02x", e.tag[i]);
    out.tag = hex;
  }
  out.object_id = e.object_id;
  out.verdict = verdict_of(e.verdict);
  return true;
}

std::string bpf_command_name(std::uint32_t cmd) {
  switch (cmd) {
    case BPF_MAP_CREATE: return "BPF_MAP_CREATE";
    case BPF_PROG_LOAD: return "BPF_PROG_LOAD";
    case BPF_PROG_GET_FD_BY_ID: return "BPF_PROG_GET_FD_BY_ID";
    case BPF_MAP_GET_FD_BY_ID: return "BPF_MAP_GET_FD_BY_ID";
    case BPF_LINK_GET_FD_BY_ID: return "BPF_LINK_GET_FD_BY_ID";
    case BPF_OBJ_GET: return "BPF_OBJ_GET";
    case BPF_LINK_DETACH: return "BPF_LINK_DETACH";
    default: return "cmd " + std::to_string(cmd);
  }
}

std::string prog_type_name(std::uint32_t type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return name != nullptr ? std::string(name) : "type " + std::to_string(type);
}

log::AttemptRecord to_record(const KernelAttempt& a) {
  log::AttemptRecord r;
  r.action = "kernel_attempt";
  const bool denied = verdict_denies(a.verdict);
  r.decision = denied ? Decision::kDeny : Decision::kAllow;
  if (!denied) {
    r.reason = ReasonCode::kAllowed;
  } else if (a.verdict == Verdict::kDenyProtect) {
    r.reason = ReasonCode::kBpfCommandDenied;
  } else {
    r.reason = ReasonCode::kDirectLoadRefused;
  }
  r.actor.uid = a.uid;
  r.actor.pid = a.pid;
  r.actor.command = a.command;
  const std::string path = cgroup_of(a.pid);
  r.actor.cgroup = path.empty() ? "id " + std::to_string(a.cgroup_id) : path;
  const bool load = a.cmd == BPF_PROG_LOAD;
  if (load) {
    if (!a.program_name.empty()) r.program = a.program_name;
    r.program_types.push_back(prog_type_name(a.prog_type));
    r.insn_count = a.insn_count;
  }
  std::string s = "BPF LSM (" + a.hook + "): " + bpf_command_name(a.cmd) + " (cmd " +
                  std::to_string(a.cmd) + ") by tid " + std::to_string(a.tid) + " gid " +
                  std::to_string(a.gid) + ", verdict " + std::string(verdict_name(a.verdict));
  if (load) {
    s += ", prog type " + std::to_string(a.prog_type) + ", " + std::to_string(a.insn_count) + " insns";
  }
  if (!a.tag.empty()) s += ", tag " + a.tag;
  if (a.object_id != 0) s += ", object id " + std::to_string(a.object_id);
  r.reason_text = s;
  return r;
}

log::AttemptRecord loss_record(std::uint64_t lost) {
  log::AttemptRecord r;
  r.action = "kernel_attempt";
  r.decision = Decision::kDeny;
  r.reason = ReasonCode::kLogError;
  r.reason_text = "BPF LSM: " + std::to_string(lost) +
                  " kernel attempt event(s) lost (ring buffer full); their verdicts stood "
                  "but they are not in this log";
  return r;
}

}  // namespace pqbpf::lsm
