// The forwarded-load request body (op 3 of protocol version 1;
// docs/GATE_API.md): one BPF_PROG_LOAD a sandbox supervisor (`pqc-bpf run
// --gate`) copied out of its workload, sent once so the gate daemon decides it
// with its envelope store (sandbox::TransparentGate::admit) instead of the
// supervisor.
//
// The body is the call as the supervisor read it: the caller's identity
// (sandbox::Caller), the attribute bytes, the instruction bytes (inline when
// at most kMaxInlineInsnBytes, else a sealed memfd, the first descriptor),
// and the workload fd numbers of the maps the instructions name, whose
// descriptors (fetched from the workload with pidfd_getfd) follow as
// SCM_RIGHTS in the same order. Parsing is strict: every field bounded, an
// absent optional field is all zero, the descriptor count is the one the
// body promises, and an accepted body re-encodes to the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pqbpf/result.h"
#include "pqbpf/sandbox/bpf_call.h"

namespace pqbpf::daemon {

// Fixed part of the body (little-endian; docs/GATE_API.md has the layout).
constexpr std::size_t kForwardedFixedSize = 56;
// Instructions larger than this travel as a sealed memfd.
constexpr std::size_t kMaxInlineInsnBytes = 128 * 1024;
// Map descriptors one forwarded load may carry (with the memfd, at most 16:
// what the daemon receives in one message).
constexpr std::size_t kMaxForwardedMapFds = 15;
// Bound on each text field (command, exe, cgroup, read errors).
constexpr std::size_t kMaxForwardedText = 4096;
constexpr std::uint32_t kBpfProgLoadCmd = 5;  // BPF_PROG_LOAD

struct ForwardedLoad {
  // The call as read; call.load->insns is empty when insns_memfd.
  sandbox::BpfCall call;
  bool insns_memfd = false;
  // map_fds[i] is the workload's fd number of the i-th map descriptor sent
  // (after the memfd, if any). Distinct, non-negative.
  std::vector<std::int32_t> map_fds;

  std::size_t fd_count() const { return (insns_memfd ? 1u : 0u) + map_fds.size(); }
};

// Parses a body that arrived with `fd_count` descriptors. `insns_memfd` is
// the header's flag. Errors: kParse (shape), kLimitExceeded (sizes),
// kInvalidArgument (descriptor count, fields that contradict each other).
Result<ForwardedLoad> parse_forwarded_load(std::span<const std::uint8_t> body, bool insns_memfd,
                                           std::size_t fd_count);
std::vector<std::uint8_t> encode_forwarded_load(const ForwardedLoad& load);

}  // namespace pqbpf::daemon
