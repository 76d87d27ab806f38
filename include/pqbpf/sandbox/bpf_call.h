// What the supervisor copied out of a workload for one bpf() call: the
// caller's identity from /proc and, for BPF_PROG_LOAD, the attribute, the
// instruction array and the name, each read exactly once into the
// supervisor's memory.
//
// Everything here is "as read": the workload controls its memory and can
// change it, or exit and have its pid reused, while the request is pending.
// The supervisor therefore never reads a second time, checks with
// SECCOMP_IOCTL_NOTIF_ID_VALID after reading that the values still belong to
// the pending call, and its records say these are the values it read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqbpf::sandbox {

// Bounds on what is copied out of a workload for one call.
constexpr std::uint32_t kMaxAttrBytes = 256;        // a larger size: only the first 256 bytes
constexpr std::uint32_t kMaxInsns = 1u << 20;       // the kernel's own limit (BPF_COMPLEXITY_LIMIT_INSNS)
constexpr std::size_t kInsnBytes = 8;               // sizeof(struct bpf_insn)

// Who made the call, from the notification and /proc/<tid>/. Any field the
// supervisor could not read (the caller exited) is empty.
struct Caller {
  std::int64_t tid = 0;                 // the calling thread (the notification's pid)
  std::optional<std::int64_t> pid;      // its process (Tgid)
  std::optional<std::uint32_t> uid;     // effective uid
  std::optional<std::string> command;   // /proc/<tid>/comm
  std::optional<std::string> exe;       // /proc/<tid>/exe link target
  std::optional<std::string> cgroup;    // cgroup v2 path ("0::" line of /proc/<tid>/cgroup)
};

// A BPF_PROG_LOAD request as read from the workload.
struct ProgLoadRead {
  std::uint32_t prog_type = 0;
  std::uint32_t insn_cnt = 0;           // the count the attribute claims
  std::uint64_t insns_addr = 0;
  std::string name;                     // prog_name up to its NUL (<= 15 bytes)
  // The instructions, insn_cnt * 8 bytes, when insn_cnt <= kMaxInsns and they
  // could be read; empty otherwise (insns_error says why).
  std::vector<std::uint8_t> insns;
  std::optional<std::string> insns_error;
};

struct BpfCall {
  std::uint64_t notification_id = 0;
  std::uint32_t arch = 0;               // AUDIT_ARCH_* of the call
  std::int32_t syscall_nr = -1;
  bool is_bpf = false;                  // syscall_nr is bpf() for `arch`
  std::uint32_t cmd = 0;                // low 32 bits of arg 0, as the kernel reads it
  std::uint64_t attr_addr = 0;
  std::uint32_t attr_size = 0;          // the size argument (low 32 bits)
  Caller caller;
  // The attribute, min(attr_size, kMaxAttrBytes) bytes, when read (PROG_LOAD only).
  std::vector<std::uint8_t> attr;
  std::optional<ProgLoadRead> load;
  std::optional<std::string> read_error;  // the attribute could not be read
  // SECCOMP_IOCTL_NOTIF_ID_VALID after reading: false means the caller exited
  // or was interrupted, and what was read may not be its request.
  bool still_valid = false;
};

}  // namespace pqbpf::sandbox
