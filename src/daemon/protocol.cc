// Request parsing and encoding for protocol version 1 (see protocol.h).
#include "pqbpf/daemon/protocol.h"

#include <cstring>

namespace pqbpf::daemon {
namespace {

constexpr char kMagic[4] = {'P', 'Q', 'B', 'G'};

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t get32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Error bad(ErrorCode code, std::string what) { return make_error(code, "request: " + std::move(what)); }

}  // namespace

Result<Request> parse_request(std::span<const std::uint8_t> message, std::size_t fd_count) {
  if (message.size() < kRequestHeaderSize) {
    return bad(ErrorCode::kParse, "truncated: " + std::to_string(message.size()) +
                                      " bytes, the header alone is " + std::to_string(kRequestHeaderSize));
  }
  if (message.size() > kMaxInlineRequest) {
    return bad(ErrorCode::kLimitExceeded,
               "message of " + std::to_string(message.size()) + " bytes is past the inline limit " +
                   std::to_string(kMaxInlineRequest) + "; send large inputs as sealed memfds");
  }
  const std::uint8_t* h = message.data();
  if (std::memcmp(h, kMagic, 4) != 0) return bad(ErrorCode::kParse, "bad magic (not a gate request)");
  if (h[4] != kProtocolVersion) {
    return bad(ErrorCode::kUnsupported,
               "protocol version " + std::to_string(h[4]) + " is not supported (this daemon speaks 1)");
  }
  Request r;
  const std::uint8_t op = h[5];
  if (op != static_cast<std::uint8_t>(Op::kLoad) && op != static_cast<std::uint8_t>(Op::kStatus) &&
      op != static_cast<std::uint8_t>(Op::kForwardedLoad)) {
    return bad(ErrorCode::kParse, "unknown op " + std::to_string(op));
  }
  r.op = static_cast<Op>(op);
  r.flags = get16(h + 6);
  const std::uint32_t env_len = get32(h + 8);
  const std::uint32_t obj_len = get32(h + 12);
  const std::uint16_t pin_len = get16(h + 16);
  if (get16(h + 18) != 0 || get32(h + 20) != 0) return bad(ErrorCode::kParse, "reserved bytes are not zero");
  if ((r.flags & ~kKnownFlags) != 0) return bad(ErrorCode::kParse, "unknown flag bits");
  const std::uint64_t total = std::uint64_t{kRequestHeaderSize} + env_len + obj_len + pin_len;
  if (total != message.size()) {
    return bad(ErrorCode::kParse, "lengths add up to " + std::to_string(total) +
                                      " bytes but the message has " + std::to_string(message.size()));
  }
  if (r.op == Op::kForwardedLoad) {
    if ((r.flags & ~kFlagInsnsMemfd) != 0 || obj_len != 0 || pin_len != 0) {
      return bad(ErrorCode::kInvalidArgument,
                 "a forwarded load carries only the instructions-memfd flag and one body length");
    }
    PQBPF_ASSIGN_OR_RETURN(r.forwarded,
                           parse_forwarded_load(message.subspan(kRequestHeaderSize),
                                                (r.flags & kFlagInsnsMemfd) != 0, fd_count));
    r.fd_count = fd_count;
    return r;
  }
  if (fd_count > kMaxRequestFds) {
    return bad(ErrorCode::kInvalidArgument, std::to_string(fd_count) + " descriptors sent, at most 2");
  }
  if ((r.flags & kFlagInsnsMemfd) != 0) {
    return bad(ErrorCode::kInvalidArgument,
               "the instructions-memfd flag is for forwarded loads only");
  }

  if (r.op == Op::kStatus) {
    if (r.flags != 0 || total != kRequestHeaderSize || fd_count != 0) {
      return bad(ErrorCode::kInvalidArgument, "a status request carries no flags, bytes or descriptors");
    }
    return r;
  }

  r.envelope_memfd = (r.flags & kFlagEnvelopeMemfd) != 0;
  r.object_memfd = (r.flags & kFlagObjectMemfd) != 0;
  const bool object_inline = (r.flags & kFlagObjectInline) != 0;
  if (r.object_memfd && object_inline) {
    return bad(ErrorCode::kInvalidArgument, "the object is either inline or a memfd, not both");
  }
  if (r.envelope_memfd != (env_len == 0)) {
    return bad(ErrorCode::kInvalidArgument, r.envelope_memfd
                                                ? "an envelope memfd request has inline envelope bytes"
                                                : "the envelope is empty");
  }
  if (object_inline != (obj_len != 0)) {
    return bad(ErrorCode::kInvalidArgument, object_inline
                                                ? "the inline object is empty"
                                                : "object bytes sent without the inline-object flag");
  }
  if (r.pin() != (pin_len != 0)) {
    return bad(ErrorCode::kInvalidArgument,
               r.pin() ? "pin requested without a pin path" : "a pin path sent without the pin flag");
  }
  if (!r.pin() && !r.return_fds()) {
    return bad(ErrorCode::kInvalidArgument,
               "a load must ask for pinning or for the descriptors (else nothing would keep it loaded)");
  }
  const std::size_t expected_fds = (r.envelope_memfd ? 1u : 0u) + (r.object_memfd ? 1u : 0u);
  if (fd_count != expected_fds) {
    return bad(ErrorCode::kInvalidArgument,
               "expected " + std::to_string(expected_fds) + " descriptors, got " + std::to_string(fd_count));
  }
  r.fd_count = fd_count;
  r.has_object = r.object_memfd || object_inline;

  const std::uint8_t* body = h + kRequestHeaderSize;
  r.envelope.assign(body, body + env_len);
  r.object.assign(body + env_len, body + env_len + obj_len);
  r.pin_path.assign(reinterpret_cast<const char*>(body + env_len + obj_len), pin_len);
  if (r.pin() && !loader::pin_path_is_safe(r.pin_path)) {
    return bad(ErrorCode::kInvalidArgument,
               "pin path is not a plain path under the pin root (only [A-Za-z0-9._-/], no '..', "
               "no empty components, at most 256 bytes)");
  }
  return r;
}

std::vector<std::uint8_t> encode_request(const Request& request) {
  if (request.op == Op::kForwardedLoad && request.forwarded) {
    const std::vector<std::uint8_t> body = encode_forwarded_load(*request.forwarded);
    std::vector<std::uint8_t> out(kRequestHeaderSize);
    std::memcpy(out.data(), kMagic, 4);
    out[4] = kProtocolVersion;
    out[5] = static_cast<std::uint8_t>(request.op);
    put16(out.data() + 6, request.forwarded->insns_memfd ? kFlagInsnsMemfd : 0);
    put32(out.data() + 8, static_cast<std::uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
  }
  const bool object_inline = !request.object.empty();
  std::uint16_t flags = request.flags;
  if (request.op == Op::kLoad) {
    flags &= static_cast<std::uint16_t>(~(kFlagEnvelopeMemfd | kFlagObjectMemfd | kFlagObjectInline));
    if (request.envelope_memfd) flags |= kFlagEnvelopeMemfd;
    if (request.object_memfd) flags |= kFlagObjectMemfd;
    if (object_inline) flags |= kFlagObjectInline;
  }
  std::vector<std::uint8_t> out(kRequestHeaderSize);
  std::memcpy(out.data(), kMagic, 4);
  out[4] = kProtocolVersion;
  out[5] = static_cast<std::uint8_t>(request.op);
  put16(out.data() + 6, flags);
  put32(out.data() + 8, static_cast<std::uint32_t>(request.envelope.size()));
  put32(out.data() + 12, static_cast<std::uint32_t>(request.object.size()));
  put16(out.data() + 16, static_cast<std::uint16_t>(request.pin_path.size()));
  out.insert(out.end(), request.envelope.begin(), request.envelope.end());
  out.insert(out.end(), request.object.begin(), request.object.end());
  out.insert(out.end(), request.pin_path.begin(), request.pin_path.end());
  return out;
}

}  // namespace pqbpf::daemon
