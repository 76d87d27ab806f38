// Matching a copied BPF_PROG_LOAD request against a program of a verified
// object (sandbox-internal). Pure functions over bytes already copied out of
// the workload: no system call, no second read.
//
// A request matches an ExpectedProgram when its type, expected attach type,
// flags and instruction count are the signed program's, and every
// instruction byte is the one libbpf produced from the verified object,
// except exactly the loader-filled fields (ExpectedProgram::slots): there
// the ld_imm64 must be a map reference of the same kind (BPF_PSEUDO_MAP_FD
// for kMapFd, BPF_PSEUDO_MAP_VALUE for kMapValue) to the same register, and
// its first imm (a fd number in the workload) is returned for the caller to
// check against the signed map (map_check.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "expected_program.h"

namespace pqbpf::sandbox::internal {

// The BPF_PROG_LOAD attribute as copied (a short copy reads as zeros, as the
// kernel treats it). Pointers are addresses in the workload and are never
// followed again.
struct ProgLoadAttr {
  std::uint32_t prog_type = 0;
  std::uint32_t insn_cnt = 0;
  std::uint32_t kern_version = 0;
  std::uint32_t prog_flags = 0;
  std::string prog_name;
  std::uint32_t prog_ifindex = 0;
  std::uint32_t expected_attach_type = 0;
  std::uint32_t attach_btf_id = 0;
  std::uint32_t attach_fd = 0;  // attach_prog_fd / attach_btf_obj_fd
  std::uint32_t core_relo_cnt = 0;
  std::uint64_t fd_array = 0;
  std::uint64_t core_relos = 0;
  // Fields this build does not pass on that are set (prog_token_fd,
  // signature, anything past the known end): their names, for the refusal.
  std::vector<std::string> unknown_set;
};

ProgLoadAttr parse_prog_load_attr(std::span<const std::uint8_t> attr);

// "" when the supervisor can load a request with these attribute values
// itself; otherwise why not (attach by BTF id, device offload, kernel-side
// CO-RE, an fd array, a token, a field this build does not know).
std::string unsupported_attr(const ProgLoadAttr& attr);

// The probes libbpf and bpftool make before loading (docs/TRANSPARENT_GATE.md),
// exact shapes, no flags:
//   `r0 = 0; exit` as a socket filter (touches no memory, calls nothing), or
//   as cgroup_sock for BPF_CGROUP_INET_SOCK_CREATE, loaded as `r0 = 1; exit`
//   (attached, it allows everything);
//   `call bpf_ktime_get_coarse_ns; exit` (socket filter): reads the clock;
//   `bpf_probe_read_kernel(fp - 8, 8, NULL); exit` (tracepoint or kprobe):
//   reads address 0, which fails;
//   libbpf's global data probe (socket filter, 5 instructions): stores 42 in
//   the value of a map given by fd, which must be the probe's own map
//   (array, key 4, value 32, 1 entry, named libbpf_global).
struct ProbeShape {
  std::string description;
  std::optional<std::int32_t> map_fd;  // the workload's fd in the global data probe
  bool load_return_one = false;         // load `r0 = 1; exit` instead (cgroup_sock)
};
constexpr std::uint32_t kProbeMapValueSize = 32;
constexpr const char* kProbeMapName = "libbpf_global";
std::optional<ProbeShape> probe_shape(const ProgLoadAttr& attr, std::span<const std::uint8_t> insns);

struct MatchedProgram {
  // The workload's fd number in each slot, in ExpectedProgram::slots order.
  std::vector<std::int32_t> map_fds;
};

// The match, or why not: the first difference (field, or instruction index
// and what was expected there).
struct MatchResult {
  std::optional<MatchedProgram> matched;
  std::string why;
  // How far the instructions agreed before the first difference (to report
  // the closest candidate).
  std::size_t agreed = 0;
};

MatchResult match_program(const ProgLoadAttr& attr, std::span<const std::uint8_t> insns,
                          const ExpectedProgram& expected);

}  // namespace pqbpf::sandbox::internal
