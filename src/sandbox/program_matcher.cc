// Matching a copied load request (see program_matcher.h).
#include "program_matcher.h"

#include <linux/bpf.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

namespace pqbpf::sandbox::internal {
namespace {

// Offsets in union bpf_attr's BPF_PROG_LOAD struct. The uapi header of
// Debian 12 (Linux 6.1) ends at core_relo_rec_size; the later fields are
// named here by offset (Linux 6.18 include/uapi/linux/bpf.h).
constexpr std::size_t kOffLogTrueSize = 140;
constexpr std::size_t kOffTokenFd = 144;
constexpr std::size_t kOffFdArrayCnt = 148;
constexpr std::size_t kOffSignature = 152;
constexpr std::size_t kOffSignatureSize = 160;
constexpr std::size_t kOffKeyringId = 164;
constexpr std::size_t kKnownEnd = 168;
static_assert(offsetof(bpf_attr, core_relo_rec_size) == 136);

constexpr std::uint8_t kOpLdImm64 = BPF_LD | BPF_IMM | BPF_DW;

template <typename T>
T field(std::span<const std::uint8_t> attr, std::size_t off) {
  T v{};
  if (off + sizeof(T) <= attr.size()) std::memcpy(&v, attr.data() + off, sizeof(T));
  return v;
}

bool any_set(std::span<const std::uint8_t> attr, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < attr.size(); ++i) {
    if (attr[i] != 0) return true;
  }
  return false;
}

std::string hex_insn(const std::uint8_t* p) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 8; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 0xf];
  }
  return s;
}

}  // namespace

ProgLoadAttr parse_prog_load_attr(std::span<const std::uint8_t> attr) {
  ProgLoadAttr a;
  a.prog_type = field<std::uint32_t>(attr, offsetof(bpf_attr, prog_type));
  a.insn_cnt = field<std::uint32_t>(attr, offsetof(bpf_attr, insn_cnt));
  a.kern_version = field<std::uint32_t>(attr, offsetof(bpf_attr, kern_version));
  a.prog_flags = field<std::uint32_t>(attr, offsetof(bpf_attr, prog_flags));
  std::array<char, BPF_OBJ_NAME_LEN> name{};
  for (std::size_t i = 0; i < name.size(); ++i) {
    name[i] = static_cast<char>(field<std::uint8_t>(attr, offsetof(bpf_attr, prog_name) + i));
  }
  a.prog_name.assign(name.data(), strnlen(name.data(), name.size()));
  a.prog_ifindex = field<std::uint32_t>(attr, offsetof(bpf_attr, prog_ifindex));
  a.expected_attach_type = field<std::uint32_t>(attr, offsetof(bpf_attr, expected_attach_type));
  a.attach_btf_id = field<std::uint32_t>(attr, offsetof(bpf_attr, attach_btf_id));
  a.attach_fd = field<std::uint32_t>(attr, offsetof(bpf_attr, attach_prog_fd));
  a.core_relo_cnt = field<std::uint32_t>(attr, offsetof(bpf_attr, core_relo_cnt));
  a.fd_array = field<std::uint64_t>(attr, offsetof(bpf_attr, fd_array));
  a.core_relos = field<std::uint64_t>(attr, offsetof(bpf_attr, core_relos));
  // log_true_size is written by the kernel; whatever the caller put there
  // is ignored, as the kernel ignores it.
  (void)kOffLogTrueSize;
  if (field<std::int32_t>(attr, kOffTokenFd) != 0) a.unknown_set.push_back("prog_token_fd");
  if (field<std::uint32_t>(attr, kOffFdArrayCnt) != 0) a.unknown_set.push_back("fd_array_cnt");
  if (field<std::uint64_t>(attr, kOffSignature) != 0) a.unknown_set.push_back("signature");
  if (field<std::uint32_t>(attr, kOffSignatureSize) != 0) a.unknown_set.push_back("signature_size");
  if (field<std::int32_t>(attr, kOffKeyringId) != 0) a.unknown_set.push_back("keyring_id");
  if (any_set(attr, kKnownEnd, attr.size())) a.unknown_set.push_back("bytes past offset 168");
  return a;
}

std::string unsupported_attr(const ProgLoadAttr& a) {
  if (a.prog_ifindex != 0) return "it asks for device offload (prog_ifindex), which the gate does not do";
  if (a.attach_btf_id != 0 || a.attach_fd != 0) {
    return "it attaches by BTF id or to another program (attach_btf_id, attach_prog_fd), which the "
           "gate does not bind";
  }
  if (a.core_relo_cnt != 0 || a.core_relos != 0) {
    return "it asks the kernel to apply CO-RE relocations (core_relos), which the gate does not bind";
  }
  if (a.fd_array != 0) return "it passes an fd_array, which the gate does not bind";
  if (!a.unknown_set.empty()) {
    std::string s = "it sets attribute fields the gate does not pass on:";
    for (const auto& f : a.unknown_set) s += " " + f;
    return s;
  }
  return "";
}

std::optional<ProbeShape> probe_shape(const ProgLoadAttr& attr, std::span<const std::uint8_t> insns) {
  // r0 = 0 (BPF_ALU64 | BPF_MOV | BPF_K, dst r0); exit.
  static constexpr std::array<std::uint8_t, 16> kReturnZero = {0xb7, 0, 0, 0, 0, 0, 0, 0,
                                                               0x95, 0, 0, 0, 0, 0, 0, 0};
  // call bpf_ktime_get_coarse_ns (helper 160); exit: libbpf 1.1's memcg
  // accounting probe (bump_rlimit_memlock), a socket filter.
  static constexpr std::array<std::uint8_t, 16> kClock = {0x85, 0, 0, 0, 160, 0, 0, 0,
                                                          0x95, 0, 0, 0, 0, 0, 0, 0};
  // libbpf 1.1's global data probe (probe_kern_global_data), a socket filter:
  // r1 = map_value(fd, 16) ll; *(u64 *)(r1 + 0) = 42; r0 = 0; exit.
  // Bytes 4..7 (the fd) are checked by the caller: the map must be the
  // probe's own one-entry array (kProbeMap*).
  static constexpr std::array<std::uint8_t, 40> kGlobalData = {
      0x18, 0x21, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 16, 0, 0, 0,  0x7a, 0x01, 0, 0, 42, 0, 0, 0,
      0xb7, 0, 0, 0, 0, 0, 0, 0,     0x95, 0, 0, 0, 0, 0, 0, 0};
  // libbpf 1.1's probe_kern_probe_read_kernel (a tracepoint; kprobe in
  // older releases): bpf_probe_read_kernel(fp - 8, 8, NULL), which reads
  // nothing and fails.
  static constexpr std::array<std::uint8_t, 48> kProbeRead = {
      0xbf, 0xa1, 0, 0, 0, 0, 0, 0,  0x07, 0x01, 0, 0, 0xf8, 0xff, 0xff, 0xff,
      0xb7, 0x02, 0, 0, 8, 0, 0, 0,  0xb7, 0x03, 0, 0, 0, 0, 0, 0,
      0x85, 0, 0, 0, 113, 0, 0, 0,   0x95, 0, 0, 0, 0, 0, 0, 0};
  if (attr.prog_flags != 0) return std::nullopt;
  // A probe program is attachable like any other: `r0 = 0` attached as XDP
  // would drop every packet of an interface. So only the types libbpf 1.1
  // probes with are probes: socket filters (which only ever see the
  // caller's own sockets) and, for FEAT_EXP_ATTACH_TYPE, a cgroup_sock
  // program for BPF_CGROUP_INET_SOCK_CREATE, which the supervisor loads as
  // `r0 = 1; exit` (allow) so that attached it refuses nothing.
  const bool sock_create = attr.prog_type == BPF_PROG_TYPE_CGROUP_SOCK &&
                           attr.expected_attach_type == BPF_CGROUP_INET_SOCK_CREATE;
  if (attr.expected_attach_type != 0 && !sock_create) return std::nullopt;
  if ((attr.prog_type == BPF_PROG_TYPE_TRACEPOINT || attr.prog_type == BPF_PROG_TYPE_KPROBE) &&
      attr.insn_cnt == 6 && insns.size() == kProbeRead.size() &&
      std::memcmp(insns.data(), kProbeRead.data(), kProbeRead.size()) == 0) {
    return ProbeShape{"bpf_probe_read_kernel(fp - 8, 8, NULL); exit", std::nullopt, false};
  }
  const bool socket_filter = attr.prog_type == BPF_PROG_TYPE_SOCKET_FILTER;
  if (attr.insn_cnt == 2 && insns.size() == 16) {
    if (std::memcmp(insns.data(), kReturnZero.data(), 16) == 0) {
      if (socket_filter) return ProbeShape{"r0 = 0; exit", std::nullopt, false};
      if (sock_create) return ProbeShape{"r0 = 0; exit, loaded as r0 = 1; exit", std::nullopt, true};
      return std::nullopt;
    }
    if (socket_filter && std::memcmp(insns.data(), kClock.data(), 16) == 0) {
      return ProbeShape{"call bpf_ktime_get_coarse_ns; exit", std::nullopt, false};
    }
  }
  if (socket_filter && attr.insn_cnt == 5 && insns.size() == kGlobalData.size() &&
      std::memcmp(insns.data(), kGlobalData.data(), 4) == 0 &&
      std::memcmp(insns.data() + 8, kGlobalData.data() + 8, kGlobalData.size() - 8) == 0) {
    std::int32_t fd;
    std::memcpy(&fd, insns.data() + 4, 4);
    return ProbeShape{"libbpf's global data probe", fd, false};
  }
  return std::nullopt;
}

MatchResult match_program(const ProgLoadAttr& attr, std::span<const std::uint8_t> insns,
                          const ExpectedProgram& expected) {
  MatchResult r;
  if (attr.prog_type != expected.prog_type) {
    r.why = "program type " + std::to_string(attr.prog_type) + ", signed " +
            std::to_string(expected.prog_type);
    return r;
  }
  if (static_cast<std::size_t>(attr.insn_cnt) * 8 != expected.insns.size() || insns.size() != expected.insns.size()) {
    r.why = std::to_string(attr.insn_cnt) + " instructions, signed " +
            std::to_string(expected.insns.size() / 8);
    return r;
  }
  MatchedProgram m;
  m.map_fds.reserve(expected.slots.size());
  std::size_t next_slot = 0;
  const std::size_t n = expected.insns.size() / 8;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* got = insns.data() + i * 8;
    const std::uint8_t* want = expected.insns.data() + i * 8;
    if (next_slot < expected.slots.size() && expected.slots[next_slot].insn == i) {
      const MapSlot& slot = expected.slots[next_slot++];
      const std::uint8_t src = slot.kind == MapSlot::Kind::kMapFd ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
      // Same opcode and destination register, the expected kind of map
      // reference, offset field as signed; the fd is checked by the caller.
      if (got[0] != kOpLdImm64 || (got[1] & 0x0f) != (want[1] & 0x0f) || (got[1] >> 4) != src ||
          std::memcmp(got + 2, want + 2, 2) != 0) {
        r.why = "instruction " + std::to_string(i) + " is " + hex_insn(got) +
                ", not a reference to map " + std::to_string(slot.map) + " of the signed object";
        return r;
      }
      std::int32_t fd;
      std::memcpy(&fd, got + 4, 4);
      m.map_fds.push_back(fd);
      // The second half (the value offset for kMapValue) is bound exactly.
      ++i;
      if (std::memcmp(insns.data() + i * 8, expected.insns.data() + i * 8, 8) != 0) {
        r.why = "instruction " + std::to_string(i) + " (second half of a map reference) is " +
                hex_insn(insns.data() + i * 8) + ", signed " + hex_insn(expected.insns.data() + i * 8);
        return r;
      }
      r.agreed = i + 1;
      continue;
    }
    if (std::memcmp(got, want, 8) != 0) {
      r.why = "instruction " + std::to_string(i) + " is " + hex_insn(got) + ", signed " + hex_insn(want);
      const bool core =
          std::find(expected.core_insns.begin(), expected.core_insns.end(), i) != expected.core_insns.end();
      if (core && expected.core_from_kernel) {
        r.why += ": a CO-RE-relocated field, whose value differs from what libbpf computes for this "
                 "kernel";
      } else if (core) {
        r.why += ": a CO-RE-relocated field, whose value on this kernel differs from the signed one "
                 "(the gate could not compute this kernel's value and binds the signed one)";
      } else if (i >= expected.entry_insns && expected.core_in_subprograms > 0) {
        r.why += expected.core_from_kernel
                     ? ", in a subprogram with CO-RE relocations (bound to this kernel's values)"
                     : ", in a subprogram with CO-RE relocations (the gate binds their signed values)";
      }
      return r;
    }
    r.agreed = i + 1;
  }
  if (attr.expected_attach_type != expected.expected_attach_type) {
    r.why = "expected attach type " + std::to_string(attr.expected_attach_type) + ", signed " +
            std::to_string(expected.expected_attach_type);
    return r;
  }
  if (attr.prog_flags != expected.prog_flags) {
    r.why = "program flags " + std::to_string(attr.prog_flags) + ", libbpf would pass " +
            std::to_string(expected.prog_flags);
    return r;
  }
  r.matched = std::move(m);
  return r;
}

}  // namespace pqbpf::sandbox::internal
