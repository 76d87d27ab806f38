// One message with descriptors over a SOCK_SEQPACKET socket (internal to the
// daemon and the client): recvmsg/sendmsg with SCM_RIGHTS, bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon::internal {

// Most descriptors one request may carry (the daemon's receive limit).
constexpr std::size_t kMaxReceiveFds = 16;
// Most descriptors the kernel passes in one message (SCM_MAX_FD). Every
// receive makes room for all of them: descriptors that do not fit are closed
// by the kernel in the receiving thread, and that close may block (a client's
// lingering TCP socket; fd_closer.h).
constexpr std::size_t kKernelMaxPassedFds = 253;

struct Received {
  std::vector<std::uint8_t> bytes;
  std::vector<UniqueFd> fds;  // every descriptor that came, also when refused
  bool would_block = false;   // nothing to read yet (non-blocking socket)
  bool closed = false;        // the peer closed the connection
  // The message is refused (kLimitExceeded: over `max_bytes`, or more than
  // `max_fds` descriptors); `fds` still holds what came, for the caller to
  // dispose of.
  std::optional<Error> refused;
};

// Errors: kIo. A refused message is a value (Received::refused).
Result<Received> receive_message(int fd, std::size_t max_bytes, bool blocking,
                                 std::size_t max_fds = kMaxReceiveFds);
// Reads and discards one message of a non-blocking socket, keeping its
// descriptors in `fds`: its length, or -1 (nothing queued, or an error).
ssize_t drain_one_message(int fd, std::vector<UniqueFd>& fds);
Status send_message(int fd, std::string_view bytes, const std::vector<UniqueFd>& fds, bool blocking);
Status send_message(int fd, std::string_view bytes, const std::vector<int>& fds, bool blocking);

}  // namespace pqbpf::daemon::internal
