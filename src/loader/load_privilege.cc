// Load privilege checks (see pqbpf/loader/load_privilege.h).
#include "pqbpf/loader/load_privilege.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>


namespace pqbpf::loader {
namespace {

// Not in Debian 12's linux/capability.h (Linux 5.8+).
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has(std::uint64_t set, int cap) { return (set >> cap) & 1u; }

// The kernel's test: the capability itself, or CAP_SYS_ADMIN.
bool capable(std::uint64_t set, int cap) { return has(set, cap) || has(set, CAP_SYS_ADMIN); }

// Types bpf_prog_load() also asks CAP_NET_ADMIN for.
bool needs_net_admin(std::uint32_t type) {
  switch (type) {
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT:
    case BPF_PROG_TYPE_XDP:
    case BPF_PROG_TYPE_LWT_IN:
    case BPF_PROG_TYPE_LWT_OUT:
    case BPF_PROG_TYPE_LWT_XMIT:
    case BPF_PROG_TYPE_LWT_SEG6LOCAL:
    case BPF_PROG_TYPE_SK_SKB:
    case BPF_PROG_TYPE_SK_MSG:
    case BPF_PROG_TYPE_LIRC_MODE2:
    case BPF_PROG_TYPE_FLOW_DISSECTOR:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_SOCK_OPS:
    case BPF_PROG_TYPE_EXT:
      return true;
    default:
      return false;
  }
}

// Types bpf_prog_load() also asks CAP_PERFMON for.
bool needs_perfmon(std::uint32_t type) {
  switch (type) {
    case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACEPOINT:
    case BPF_PROG_TYPE_PERF_EVENT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
    case BPF_PROG_TYPE_TRACING:
    case BPF_PROG_TYPE_LSM:
    case BPF_PROG_TYPE_STRUCT_OPS:
    case BPF_PROG_TYPE_EXT:
      return true;
    default:
      return false;
  }
}

bool unprivileged_type(std::uint32_t type) {
  return type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

// The user namespace of `path` ("/proc/<tid>/ns/user"), as device and inode.
std::optional<std::pair<dev_t, ino_t>> user_namespace(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::pair{st.st_dev, st.st_ino};
}

// Our own user namespace, from a descriptor of it kept open for the life of
// the process: while it is open, nsfs keeps the namespace's dentry, so each
// stat of a caller's ns/user link to the same namespace finds that dentry
// instead of building and freeing one (about 1.5 us of every check on a
// small VM, two checks per skeleton load).
std::optional<std::pair<dev_t, ino_t>> own_user_namespace() {
  static const auto own = []() -> std::optional<std::pair<dev_t, ino_t>> {
    const int fd = ::open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return user_namespace("/proc/self/ns/user");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return std::nullopt;
    }
    return std::pair{st.st_dev, st.st_ino};  // fd stays open on purpose
  }();
  return own;
}

}  // namespace

CallerPrivilege read_caller_privilege(std::int64_t tid) {
  CallerPrivilege p;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, static_cast<int>(tid)};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) == 0) {
    p.effective = static_cast<std::uint64_t>(data[0].effective) | (static_cast<std::uint64_t>(data[1].effective) << 32);
  }
  const auto own = own_user_namespace();
  const auto theirs = user_namespace("/proc/" + std::to_string(tid) + "/ns/user");
  p.same_user_namespace = own && theirs && *own == *theirs;
  return p;
}

int unprivileged_bpf_disabled() {
  char digit = 0;
  const int fd = ::open("/proc/sys/kernel/unprivileged_bpf_disabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  const ssize_t n = ::read(fd, &digit, 1);
  ::close(fd);
  return n == 1 && digit >= '0' && digit <= '2' ? digit - '0' : 1;
}

std::optional<std::string> missing_load_privilege(const CallerPrivilege& privilege, std::uint32_t prog_type) {
  const bool depends = privilege.effective && privilege.same_user_namespace &&
                       !capable(*privilege.effective, kCapBpf) && unprivileged_type(prog_type);
  return missing_load_privilege(privilege, prog_type, depends ? unprivileged_bpf_disabled() : 1);
}

std::optional<std::string> missing_load_privilege(const CallerPrivilege& privilege, std::uint32_t prog_type,
                                                  int unprivileged_disabled) {
  if (!privilege.effective) return "the caller's capabilities could not be read";
  if (!privilege.same_user_namespace) {
    return "the caller is in another user namespace, where its capabilities do not count for loading";
  }
  const std::uint64_t caps = *privilege.effective;
  if (!capable(caps, kCapBpf)) {
    if (!unprivileged_type(prog_type)) return "the caller lacks CAP_BPF (or CAP_SYS_ADMIN), which the kernel requires";
    if (unprivileged_disabled != 0) {
      return "the caller lacks CAP_BPF (or CAP_SYS_ADMIN), and kernel.unprivileged_bpf_disabled is " +
             std::to_string(unprivileged_disabled);
    }
  }
  if (needs_net_admin(prog_type) && !capable(caps, CAP_NET_ADMIN)) {
    return "the caller lacks CAP_NET_ADMIN (or CAP_SYS_ADMIN), which the kernel requires for this type";
  }
  if (needs_perfmon(prog_type) && !capable(caps, kCapPerfmon)) {
    return "the caller lacks CAP_PERFMON (or CAP_SYS_ADMIN), which the kernel requires for this type";
  }
  return std::nullopt;
}

}  // namespace pqbpf::loader
