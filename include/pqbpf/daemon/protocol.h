// The gate daemon's wire protocol, version 1 (docs/GATE_API.md).
//
// Transport: a Unix SOCK_SEQPACKET socket, so every request and every reply
// is exactly one message and a message arrives whole or not at all. A request
// is a fixed 24-byte little-endian header, then the inline envelope, inline
// object and pin path bytes, in that order; an input sent as a sealed memfd
// travels as an SCM_RIGHTS descriptor instead (length 0 in the header). A
// forwarded load (op 3) has its own body after the header (forwarded_load.h)
// and carries map descriptors besides an optional memfd. A reply is one JSON
// object (docs/GATE_API.md), with any program, map and link
// descriptors attached as SCM_RIGHTS.
//
// parse_request is strict and bounded: exact header, known op and flags only,
// lengths that add up to the message size exactly, the descriptor count the
// flags promise, a pin path of safe characters. It is fuzzed
// (fuzz/gate_request_fuzzer.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/daemon/forwarded_load.h"
#include "pqbpf/loader/pin_path.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon {

constexpr std::uint8_t kProtocolVersion = 1;
constexpr std::size_t kRequestHeaderSize = 24;
// Largest request message (header + inline bytes). Bigger inputs go as memfds.
constexpr std::size_t kMaxInlineRequest = 192 * 1024;
constexpr std::size_t kMaxRequestFds = 2;
// Largest reply message the daemon sends (JSON), and the most descriptors.
constexpr std::size_t kMaxReplySize = 64 * 1024;
constexpr std::size_t kMaxReplyFds = 128;

// kForwardedLoad: a sandbox supervisor's copy of its workload's
// BPF_PROG_LOAD (forwarded_load.h; `pqc-bpf run --gate`).
enum class Op : std::uint8_t { kLoad = 1, kStatus = 2, kForwardedLoad = 3 };

// Request flags (a bit set).
enum RequestFlag : std::uint16_t {
  kFlagEnvelopeMemfd = 1u << 0,  // the envelope is the first SCM_RIGHTS fd
  kFlagObjectMemfd = 1u << 1,    // the detached object is the next fd
  kFlagObjectInline = 1u << 2,   // a detached object follows inline
  kFlagReturnFds = 1u << 3,      // hand program/map/link fds back
  kFlagPin = 1u << 4,            // pin under the daemon's bpffs root
  kFlagAttach = 1u << 5,         // attach where the signed sections say
  kFlagInsnsMemfd = 1u << 6,     // forwarded load: the instructions are the first fd
};
constexpr std::uint16_t kKnownFlags = 0x7f;

struct Request {
  Op op = Op::kStatus;
  std::uint16_t flags = 0;
  // Inline bytes (empty when the input is a memfd or absent).
  std::vector<std::uint8_t> envelope;
  std::vector<std::uint8_t> object;
  bool envelope_memfd = false;
  bool object_memfd = false;
  bool has_object = false;   // a detached object (inline or memfd) is sent
  std::string pin_path;      // set when kFlagPin; relative to the pin root, or absolute
  std::size_t fd_count = 0;  // descriptors this request carries
  // Op::kForwardedLoad only: the body. In the header its length is in the
  // first length field (bytes 8..11); the other two are zero.
  std::optional<ForwardedLoad> forwarded;

  bool return_fds() const { return (flags & kFlagReturnFds) != 0; }
  bool pin() const { return (flags & kFlagPin) != 0; }
  bool attach() const { return (flags & kFlagAttach) != 0; }
};

// Parses one request message that arrived with `fd_count` descriptors.
// Errors: kParse (shape), kUnsupported (version), kLimitExceeded (sizes),
// kInvalidArgument (flag combinations, fd count, pin path characters).
Result<Request> parse_request(std::span<const std::uint8_t> message, std::size_t fd_count);

// The message bytes of a request (the client side); memfds are sent beside it.
std::vector<std::uint8_t> encode_request(const Request& request);

}  // namespace pqbpf::daemon
