// Starting the workload under the bpf() filter (see launch.h).
#include "launch.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pqbpf::sandbox::internal {
namespace {

// Messages from the child: the stage that failed and its errno, or the
// listener fd attached to kListener.
enum Stage : char { kListener = 'L', kSetupFailed = 'S', kExecFailed = 'X' };
struct ChildMessage {
  char stage;
  int err;
};

// Async-signal-safe: only system calls from here to exec.
[[noreturn]] void child_main(int sock, char* const* argv, const BpfNotifyFilter& filter,
                             const sigset_t& mask) {
  auto send_failure = [sock](Stage stage, int err) {
    ChildMessage m{stage, err};
    (void)::send(sock, &m, sizeof(m), MSG_NOSIGNAL);
  };
  if (::sigprocmask(SIG_SETMASK, &mask, nullptr) != 0) {
    send_failure(kSetupFailed, errno);
    ::_exit(125);
  }
  const int listener = install_filter_in_child(filter);
  if (listener < 0) {
    send_failure(kSetupFailed, -listener);
    ::_exit(125);
  }
  ChildMessage m{kListener, 0};
  iovec iov{&m, sizeof(m)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &listener, sizeof(int));
  if (::sendmsg(sock, &msg, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(m))) ::_exit(125);
  ::close(listener);
  ::execvp(argv[0], argv);
  send_failure(kExecFailed, errno);
  ::_exit(errno == ENOENT ? 127 : 126);
}

Error reap_with(pid_t pid, Error e) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return e;
}

}  // namespace

Result<Launched> launch_workload(const std::vector<std::string>& argv, const BpfNotifyFilter& filter,
                                 const sigset_t& child_mask) {
  if (argv.empty()) return make_error(ErrorCode::kInvalidArgument, "no command to run");
  // Everything the child needs is prepared before fork.
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return make_error(ErrorCode::kInternal, std::string("socketpair: ") + std::strerror(errno));
  }
  UniqueFd parent_end(sv[0]);
  UniqueFd child_end(sv[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return make_error(ErrorCode::kInternal, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(sv[0]);
    child_main(sv[1], cargv.data(), filter, child_mask);
  }
  child_end.reset();

  Launched out;
  out.pid = pid;
  out.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!out.pidfd.valid()) {
    ::kill(pid, SIGKILL);
    return reap_with(pid, make_error(ErrorCode::kInternal,
                                     std::string("pidfd_open: ") + std::strerror(errno)));
  }

  // 1. The listener (or why the child could not install the filter).
  ChildMessage m{};
  iovec iov{&m, sizeof(m)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = ::recvmsg(parent_end.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  const cmsghdr* c = n == static_cast<ssize_t>(sizeof(m)) ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (m.stage == kListener && c != nullptr && c->cmsg_level == SOL_SOCKET &&
      c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
    out.listener.reset(fd);
  }
  if (!out.listener.valid()) {
    ::kill(pid, SIGKILL);
    const std::string why = m.stage == kSetupFailed ? std::strerror(m.err) : "no listener received";
    return reap_with(pid, make_error(ErrorCode::kInternal,
                                     "could not install the seccomp filter in the child: " + why));
  }

  // 2. End of file: exec succeeded (the socket was close-on-exec).
  do {
    n = ::recv(parent_end.get(), &m, sizeof(m), 0);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof(m)) && m.stage == kExecFailed) {
    const ErrorCode code = m.err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kPermission;
    return reap_with(pid, make_error(code, argv[0] + ": cannot execute: " + std::strerror(m.err)));
  }
  return out;
}

}  // namespace pqbpf::sandbox::internal
