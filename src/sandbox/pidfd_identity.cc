// identity_from_pidfd (see pidfd_identity.h).
#include "pidfd_identity.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "pqbpf/core/unique_fd.h"
#include "proc_file.h"

namespace pqbpf::sandbox::internal {
namespace {

// linux/pidfd.h of Linux 6.13 (Debian 12's headers are older): the first
// published layout of struct pidfd_info (PIDFD_INFO_SIZE_VER0, 64 bytes).
struct PidfdInfoV0 {
  std::uint64_t mask;
  std::uint64_t cgroupid;
  std::uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  std::int32_t exit_code;
};
static_assert(sizeof(PidfdInfoV0) == 64);
constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD (Linux 6.9)
constexpr std::uint64_t kInfoCgroupId = 1ULL << 2;
constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfoV0);

constexpr std::size_t kMaxCachedCgroups = 1024;
std::mutex g_cgroup_mutex;
std::map<std::uint64_t, std::string> g_cgroup_paths;

std::optional<PidfdInfoV0> get_info(int pidfd) {
  PidfdInfoV0 info{};
  info.mask = kInfoCgroupId;
  if (::ioctl(pidfd, kPidfdGetInfo, &info) != 0) return std::nullopt;
  return info;
}

}  // namespace

std::optional<std::string> cgroup_v2_path(std::string_view rest) {
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (line.starts_with("0::")) return std::string(line.substr(3));
  }
  return std::nullopt;
}

std::optional<PidfdIdentity> identity_from_pidfd(std::int64_t tid, UniqueFd* thread_pidfd) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(tid), kPidfdThread)));
  if (!pidfd.valid()) return std::nullopt;
  struct HandOver {
    UniqueFd& fd;
    UniqueFd* to;
    ~HandOver() {
      if (to != nullptr) *to = std::move(fd);
    }
  } hand_over{pidfd, thread_pidfd};
  const auto info = get_info(pidfd.get());
  if (!info || (info->mask & kInfoCgroupId) == 0 || info->pid != static_cast<std::uint32_t>(tid)) {
    return std::nullopt;
  }
  PidfdIdentity out;
  out.tgid = info->tgid;
  out.euid = info->euid;
  {
    std::lock_guard<std::mutex> lock(g_cgroup_mutex);
    if (auto it = g_cgroup_paths.find(info->cgroupid); it != g_cgroup_paths.end()) {
      out.cgroup = it->second;
      return out;
    }
  }
  // First sight of this cgroup: its path from /proc, kept only if the task
  // was still in the same cgroup after the read.
  const auto text = read_proc_file("/proc/" + std::to_string(tid) + "/cgroup");
  if (text) out.cgroup = cgroup_v2_path(*text);
  const auto again = get_info(pidfd.get());
  if (out.cgroup && again && again->cgroupid == info->cgroupid) {
    std::lock_guard<std::mutex> lock(g_cgroup_mutex);
    if (g_cgroup_paths.size() >= kMaxCachedCgroups) g_cgroup_paths.clear();
    g_cgroup_paths.emplace(info->cgroupid, *out.cgroup);
  }
  return out;
}

}  // namespace pqbpf::sandbox::internal
