// Peer identity from SO_PEERCRED and /proc (see peer.h).
#include "pqbpf/daemon/peer.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pqbpf::daemon {
namespace {

// At most `cap` bytes of a /proc file; "" when it cannot be read.
std::string read_proc(const std::string& path, std::size_t cap) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  std::string out(cap, '\0');
  std::size_t got = 0;
  while (got < cap) {
    const ssize_t n = ::read(fd, out.data() + got, cap - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

std::string first_line(std::string s) {
  const auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
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
  const std::string proc = "/proc/" + std::to_string(cred.pid);
  p.comm = first_line(read_proc(proc + "/comm", 64));
  char exe[PATH_MAX];
  const ssize_t n = ::readlink((proc + "/exe").c_str(), exe, sizeof(exe) - 1);
  if (n > 0) p.exe.assign(exe, static_cast<std::size_t>(n));
  // cgroup v2: the line "0::/path".
  const std::string cgroups = read_proc(proc + "/cgroup", 4096);
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
