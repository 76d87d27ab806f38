// Fuzz target: parse_request (the gate daemon's protocol-1 request parser).
//
// Input: one byte giving the number of descriptors that "arrived" (mod 4),
// then the message. An accepted request must re-encode to exactly the same
// bytes (no two readings of one message), carry the descriptors its flags
// promise, and a pin path only of the safe shape. A forwarded load (op 3)
// must carry one descriptor per map plus its memfd, bounded, and inline
// instructions of exactly insn_cnt * 8 bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "pqbpf/daemon/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t fds = data[0] % 4;
  const std::span<const std::uint8_t> message(data + 1, size - 1);
  auto parsed = pqbpf::daemon::parse_request(message, fds);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.error().message.empty(), "errors carry a message");
    return 0;
  }
  const auto& r = *parsed;
  FUZZ_CHECK(pqbpf::daemon::encode_request(r) == std::vector<std::uint8_t>(message.begin(), message.end()),
             "an accepted request re-encodes to the same bytes");
  FUZZ_CHECK(message.size() <= pqbpf::daemon::kMaxInlineRequest, "size bound");
  if (r.op == pqbpf::daemon::Op::kLoad) {
    FUZZ_CHECK(r.fd_count == (r.envelope_memfd ? 1u : 0u) + (r.object_memfd ? 1u : 0u), "fd count");
    FUZZ_CHECK(r.envelope_memfd != !r.envelope.empty(), "envelope from exactly one source");
    FUZZ_CHECK(r.pin() || r.return_fds(), "a load keeps its program somewhere");
    FUZZ_CHECK(!r.pin() || pqbpf::loader::pin_path_is_safe(r.pin_path), "safe pin path");
  } else if (r.op == pqbpf::daemon::Op::kForwardedLoad) {
    FUZZ_CHECK(r.forwarded.has_value(), "a forwarded load has its body");
    const auto& f = *r.forwarded;
    FUZZ_CHECK(r.fd_count == f.fd_count() && fds == f.fd_count(), "forwarded fd count");
    FUZZ_CHECK(f.map_fds.size() <= pqbpf::daemon::kMaxForwardedMapFds, "map bound");
    FUZZ_CHECK(f.call.attr.size() <= pqbpf::sandbox::kMaxAttrBytes, "attr bound");
    if (f.call.load && !f.call.load->insns.empty()) {
      FUZZ_CHECK(
          !f.insns_memfd && f.call.load->insns.size() == std::size_t{f.call.load->insn_cnt} * 8,
          "inline instructions are insn_cnt * 8 bytes");
    }
  } else {
    FUZZ_CHECK(fds == 0 && message.size() == pqbpf::daemon::kRequestHeaderSize, "bare status");
  }
  return 0;
}
