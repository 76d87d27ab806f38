// Peer identity from SO_PEERCRED, SO_PEERPIDFD and /proc (see peer.h).
#include "pqbpf/daemon/peer.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf::daemon {
namespace {

// Linux 6.5+ (asm-generic/socket.h); Debian 12's headers predate it.
constexpr int kSoPeerPidfd = 77;

// At most `cap` bytes of `name` in the /proc/<pid> directory `dir`; "" when
// it cannot be read (the process has exited, or the file is not there).
std::string read_proc(int dir, const char* name, std::size_t cap) {
  UniqueFd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return "";
  std::string out(cap, '\0');
  std::size_t got = 0;
  while (got < cap) {
    const ssize_t n = ::read(fd.get(), out.data() + got, cap - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string first_line(std::string s) {
  const auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

// The pidfd of the process that connected (the kernel's, not a lookup by
// number); invalid before Linux 6.5 or when that process is gone.
UniqueFd peer_pidfd(int connection_fd) {
  int fd = -1;
  socklen_t len = sizeof(fd);
  if (::getsockopt(connection_fd, SOL_SOCKET, kSoPeerPidfd, &fd, &len) != 0 || len != sizeof(fd)) return UniqueFd();
  return UniqueFd(fd);
}

// A pidfd polls readable once its process has exited.
bool still_running(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

Result<Peer> peer_of(int connection_fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(connection_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
    return make_error(ErrorCode::kIo, std::string("SO_PEERCRED: ") + std::strerror(errno));
  }
  Peer p;
  p.pid = cred.pid;
  p.uid = cred.uid;
  p.gid = cred.gid;
  const UniqueFd pidfd = peer_pidfd(connection_fd);
  const std::string proc = "/proc/" + std::to_string(cred.pid);
  UniqueFd dir(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!pidfd.valid() || !dir.valid()) return p;  // only the kernel's facts
  // capget and the namespace go by number: valid only if the process that
  // connected still holds that number after them, which the pidfd proves.
  loader::CallerPrivilege privilege = loader::read_caller_privilege(cred.pid);
  if (!still_running(pidfd.get())) return p;
  p.privilege = privilege;
  // The directory was opened while the number was still that process's;
  // reads through it fail rather than reach another process.
  p.comm = first_line(read_proc(dir.get(), "comm", 64));
  char exe[PATH_MAX];
  const ssize_t n = ::readlinkat(dir.get(), "exe", exe, sizeof(exe) - 1);
  if (n > 0) p.exe.assign(exe, static_cast<std::size_t>(n));
  // cgroup v2: the line "0::/path".
  const std::string cgroups = read_proc(dir.get(), "cgroup", 4096);
  std::size_t at = 0;
  while (at < cgroups.size()) {
    std::size_t nl = cgroups.find('\n', at);
    if (nl == std::string::npos) nl = cgroups.size();
    const std::string line = cgroups.substr(at, nl - at);
    if (line.rfind("0::", 0) == 0) p.cgroup = line.substr(3);
    at = nl + 1;
  }
  return p;
}

log::Actor actor_of(const Peer& peer) {
  log::Actor a;
  a.uid = peer.uid;
  a.pid = peer.pid;
  if (!peer.comm.empty()) a.command = peer.comm;
  if (!peer.exe.empty()) a.exe = peer.exe;
  if (!peer.cgroup.empty()) a.cgroup = peer.cgroup;
  return a;
}

}  // namespace pqbpf::daemon
