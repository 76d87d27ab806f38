// SOCK_SEQPACKET messages with SCM_RIGHTS (see socket_io.h).
#include "socket_io.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pqbpf::daemon::internal {

namespace {

using Control = std::array<char, CMSG_SPACE(sizeof(int) * kKernelMaxPassedFds)>;

void take_fds(msghdr& msg, std::vector<UniqueFd>& out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.emplace_back(received);
    }
  }
}

// One recvmsg(2) into `data` with room for the most descriptors the kernel
// passes, retried on EINTR; the descriptors that came are appended to `fds`
// (also when the data was truncated). Returns recvmsg's result; `msg_flags`
// gets the message's flags (MSG_TRUNC, MSG_CTRUNC).
ssize_t receive_with_fds(int fd, void* data, std::size_t size, int flags, std::vector<UniqueFd>& fds,
                         int& msg_flags) {
  alignas(cmsghdr) Control control;
  iovec iov{data, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | flags);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) take_fds(msg, fds);
  msg_flags = msg.msg_flags;
  return n;
}

}  // namespace

Result<Received> receive_message(int fd, std::size_t max_bytes, bool blocking, std::size_t max_fds) {
  Received out;
  // One receive buffer per thread, as large as the largest message it
  // accepts, reused: a fresh zeroed buffer per message (192 KiB for the
  // daemon) cost more than the rest of the receive. Only the bytes that
  // arrived are copied out.
  thread_local std::vector<std::uint8_t> buffer;
  if (buffer.size() < max_bytes + 1) buffer.resize(max_bytes + 1);
  int msg_flags = 0;
  const ssize_t n = receive_with_fds(fd, buffer.data(), max_bytes + 1, blocking ? 0 : MSG_DONTWAIT, out.fds, msg_flags);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      out.would_block = true;
      return out;
    }
    return make_error(ErrorCode::kIo, std::string("recvmsg: ") + std::strerror(errno));
  }
  if (n == 0 && out.fds.empty()) {
    out.closed = true;
    return out;
  }
  if ((msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(n) > max_bytes) {
    out.refused = make_error(ErrorCode::kLimitExceeded, "message larger than " + std::to_string(max_bytes) +
                                                            " bytes; send large inputs as sealed memfds");
    return out;
  }
  if ((msg_flags & MSG_CTRUNC) != 0 || out.fds.size() > max_fds) {
    out.refused = make_error(ErrorCode::kLimitExceeded, "more than " + std::to_string(max_fds) + " descriptors");
    return out;
  }
  out.bytes.assign(buffer.begin(), buffer.begin() + n);
  return out;
}

ssize_t drain_one_message(int fd, std::vector<UniqueFd>& fds) {
  char byte;
  int msg_flags = 0;
  return receive_with_fds(fd, &byte, 1, MSG_DONTWAIT | MSG_TRUNC, fds, msg_flags);
}

Status send_message(int fd, std::string_view bytes, const std::vector<int>& fds, bool blocking) {
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.resize(CMSG_SPACE(sizeof(int) * fds.size()));
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | (blocking ? 0 : MSG_DONTWAIT));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return make_error(ErrorCode::kIo, std::string("sendmsg: ") + std::strerror(errno));
  if (static_cast<std::size_t>(n) != bytes.size()) return make_error(ErrorCode::kIo, "sendmsg: short send");
  return ok_status();
}

Status send_message(int fd, std::string_view bytes, const std::vector<UniqueFd>& fds, bool blocking) {
  std::vector<int> raw;
  raw.reserve(fds.size());
  for (const auto& f : fds) raw.push_back(f.get());
  return send_message(fd, bytes, raw, blocking);
}

}  // namespace pqbpf::daemon::internal
