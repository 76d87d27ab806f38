// One message with descriptors over a SOCK_SEQPACKET socket (internal to the
// daemon and the client): recvmsg/sendmsg with SCM_RIGHTS, bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon::internal {

// Most descriptors one receive accepts; more are dropped by the kernel
// (MSG_CTRUNC) and the message is refused.
constexpr std::size_t kMaxReceiveFds = 16;

struct Received {
  std::vector<std::uint8_t> bytes;
  std::vector<UniqueFd> fds;
  bool would_block = false;  // nothing to read yet (non-blocking socket)
  bool closed = false;       // the peer closed the connection
};

// Errors: kLimitExceeded for a message over `max_bytes` or with more than
// kMaxReceiveFds descriptors (the received descriptors are closed); kIo.
Result<Received> receive_message(int fd, std::size_t max_bytes, bool blocking);
Status send_message(int fd, std::string_view bytes, const std::vector<UniqueFd>& fds, bool blocking);
Status send_message(int fd, std::string_view bytes, const std::vector<int>& fds, bool blocking);

}  // namespace pqbpf::daemon::internal
