// Manifest-named attach targets: parse, resolve, attach (see attach.h).
#include "pqbpf/loader/attach.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pqbpf::loader {
namespace {

// tcx (Linux 6.6) is newer than Debian 12's uapi headers and libbpf 1.1:
// the attach types by number, as in the kernel's enum bpf_attach_type.
constexpr std::uint32_t kTcxIngress = 46;
constexpr std::uint32_t kTcxEgress = 47;

Error invalid(std::string_view point, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument,
                    "manifest attach_point '" + std::string(point) + "': " + what);
}

// Linux's dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or space.
bool valid_ifname(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
  for (unsigned char c : name) {
    if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

Result<std::uint32_t> ifindex_of(std::string_view point, std::string_view name) {
  if (!valid_ifname(name)) return invalid(point, "'" + std::string(name) + "' is not an interface name");
  const unsigned index = ::if_nametoindex(std::string(name).c_str());
  if (index == 0) {
    return make_error(ErrorCode::kNotFound, "manifest attach_point '" + std::string(point) + "': no interface " +
                                                std::string(name) + " in the gate's network namespace");
  }
  return static_cast<std::uint32_t>(index);
}

// Absolute, no empty, "." or ".." components; opened without following any
// symlink, and it must be a directory on cgroup2.
Result<UniqueFd> open_cgroup(std::string_view point) {
  if (point.empty() || point.front() != '/' || point.size() > 4096) {
    return invalid(point, "a cgroup target must be an absolute path to a cgroup v2 directory");
  }
  std::size_t pos = 1;
  while (pos <= point.size()) {
    const std::size_t end = std::min(point.find('/', pos), point.size());
    const std::string_view part = point.substr(pos, end - pos);
    if ((part.empty() && end != point.size()) || part == "." || part == "..") {
      return invalid(point, "empty, '.' or '..' path component");
    }
    pos = end + 1;
  }
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const std::string path(point);
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof(how))));
  if (!fd.valid()) {
    const int err = errno;
    return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument,
                      "manifest attach_point '" + path + "': cannot open the cgroup: " + std::strerror(err));
  }
  struct statfs fs {};
  if (::fstatfs(fd.get(), &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
    return invalid(point, "not a cgroup v2 directory");
  }
  return fd;
}

}  // namespace

AttachKind attach_kind_of(std::uint32_t prog_type) {
  switch (prog_type) {
    case BPF_PROG_TYPE_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACING:
    case BPF_PROG_TYPE_LSM:
      return AttachKind::kSection;
    case BPF_PROG_TYPE_XDP:
      return AttachKind::kXdp;
    case BPF_PROG_TYPE_SCHED_CLS:
      return AttachKind::kTcx;
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_SOCK_OPS:
      return AttachKind::kCgroup;
    default:
      return AttachKind::kUnsupported;
  }
}

Result<AttachTarget> resolve_attach_target(AttachKind kind, std::string_view point) {
  AttachTarget t;
  t.kind = kind;
  t.text = std::string(point);
  if (point.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the manifest names no attach_point, and this program type needs one to attach");
  }
  switch (kind) {
    case AttachKind::kXdp: {
      PQBPF_ASSIGN_OR_RETURN(t.ifindex, ifindex_of(point, point));
      return t;
    }
    case AttachKind::kTcx: {
      const std::size_t colon = point.rfind(':');
      if (colon == std::string_view::npos) return invalid(point, "a tc target is IFNAME:ingress or IFNAME:egress");
      const std::string_view dir = point.substr(colon + 1);
      if (dir != "ingress" && dir != "egress") return invalid(point, "direction must be ingress or egress");
      t.ingress = dir == "ingress";
      PQBPF_ASSIGN_OR_RETURN(t.ifindex, ifindex_of(point, point.substr(0, colon)));
      return t;
    }
    case AttachKind::kCgroup: {
      PQBPF_ASSIGN_OR_RETURN(t.cgroup, open_cgroup(point));
      return t;
    }
    default:
      return make_error(ErrorCode::kInternal, "resolve_attach_target: not a target kind");
  }
}

Result<UniqueFd> attach_to_target(int prog_fd, std::uint32_t expected_attach_type, const AttachTarget& target) {
  int link = -1;
  switch (target.kind) {
    case AttachKind::kXdp:
      link = bpf_link_create(prog_fd, static_cast<int>(target.ifindex), BPF_XDP, nullptr);
      break;
    case AttachKind::kTcx:
      link = bpf_link_create(prog_fd, static_cast<int>(target.ifindex),
                             static_cast<bpf_attach_type>(target.ingress ? kTcxIngress : kTcxEgress), nullptr);
      break;
    case AttachKind::kCgroup:
      link = bpf_link_create(prog_fd, target.cgroup.get(), static_cast<bpf_attach_type>(expected_attach_type),
                             nullptr);
      break;
    default:
      return make_error(ErrorCode::kInternal, "attach_to_target: not a target kind");
  }
  if (link < 0) {
    const int err = -link;  // libbpf 1.x returns -errno
    return make_error(err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kRejected,
                      "attach to " + target.text + " failed: " + std::strerror(err));
  }
  return UniqueFd(link);
}

}  // namespace pqbpf::loader
