// fetch_and_check_maps (see map_check.h).
#include "map_check.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

namespace pqbpf::sandbox::internal {
namespace {

constexpr std::size_t kKernelNameMax = BPF_OBJ_NAME_LEN - 1;

Error refuse(const std::string& s) { return make_error(ErrorCode::kPermission, s); }

// Whether the map is frozen (no more writes from user space), from the
// kernel's own fdinfo line "frozen:\t1" for our descriptor of it. Nothing
// else reports it without trying a write.
bool is_frozen(int fd) {
  const std::string path = "/proc/self/fdinfo/" + std::to_string(fd);
  UniqueFd info(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!info.valid()) return false;
  char buf[1024];
  const ssize_t n = ::read(info.get(), buf, sizeof(buf) - 1);
  if (n <= 0) return false;
  const std::string text(buf, static_cast<std::size_t>(n));
  return text.find("\nfrozen:\t1\n") != std::string::npos;
}

// The signed map's name as the kernel holds it: libbpf truncates to 15
// bytes; an internal map's loader-chosen prefix is free, its suffix is not.
bool name_fits(const ExpectedMap& want, const std::string& kernel_name) {
  if (want.internal) return kernel_name.ends_with(want.internal_suffix.substr(0, kKernelNameMax));
  return kernel_name == want.name.substr(0, kKernelNameMax);
}

}  // namespace

bool is_bpf_map(int fd) {
  char target[64];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
  return n > 0 && std::string(target, static_cast<std::size_t>(n)) == "anon_inode:bpf-map";
}

MapFdSource map_fds_of_process(int pidfd) {
  return [pidfd](std::int32_t workload_fd) -> Result<UniqueFd> {
    UniqueFd got(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, workload_fd, 0)));
    if (!got.valid()) return make_error(ErrorCode::kPermission, std::strerror(errno));
    return got;
  };
}

Result<CheckedMaps> fetch_and_check_maps(const MapFdSource& source, const ExpectedObject& object,
                                         const ExpectedProgram& program,
                                         const std::vector<std::int32_t>& workload_fds) {
  CheckedMaps out;
  // workload fd -> our fd and the signed map it was checked against
  std::map<std::int32_t, std::pair<int, std::uint32_t>> by_workload_fd;
  std::map<std::uint32_t, std::uint32_t> id_of_map;  // signed map index -> kernel map id
  std::map<std::uint32_t, std::uint32_t> map_of_id;
  for (std::size_t s = 0; s < program.slots.size(); ++s) {
    const MapSlot& slot = program.slots[s];
    const ExpectedMap& want = object.maps[slot.map];
    const std::int32_t wfd = workload_fds[s];
    // Named only in a refusal: a map that fits costs no string.
    auto which = [&] { return "map '" + want.name + "' (fd " + std::to_string(wfd) + " in the caller)"; };
    if (auto it = by_workload_fd.find(wfd); it != by_workload_fd.end()) {
      // The same descriptor again (a map used in several places): checked
      // once against this signed map; against another one it is refused.
      const auto [seen_fd, seen_map] = it->second;
      if (seen_map != slot.map) {
        return refuse(which() + " is the kernel map already given for map '" +
                      object.maps[seen_map].name + "'");
      }
      out.slot_fds.push_back(seen_fd);
      continue;
    }
    auto got = source(wfd);
    if (!got.ok()) return refuse(which() + " could not be fetched: " + got.error().message);
    const int fd = got->get();
    out.owned.push_back(std::move(got).value());
    by_workload_fd.emplace(wfd, std::make_pair(fd, slot.map));
    // Whether it is a map at all is asked only when it does not fit: a
    // program, BTF or link descriptor answers BPF_OBJ_GET_INFO_BY_FD with its
    // own kind of info, which cannot pass as the signed map's (a program's
    // key and value sizes would be its SHA-1 tag), and the supervisor's own
    // load, the only use of these descriptors, is refused by the kernel for
    // anything but a map. The readlink costs a few microseconds per map.
    auto not_a_map = [&]() -> std::optional<Error> {
      if (is_bpf_map(fd)) return std::nullopt;
      return refuse(which() + " is not a BPF map");
    };
    bpf_map_info info;
    std::memset(&info, 0, sizeof(info));
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
      if (auto e = not_a_map()) return *e;
      return refuse(which() + ": BPF_OBJ_GET_INFO_BY_FD failed: " + std::strerror(errno));
    }
    const std::string kname(info.name, strnlen(info.name, sizeof(info.name)));
    if (info.type != want.type || info.key_size != want.key_size || info.value_size != want.value_size) {
      if (auto e = not_a_map()) return *e;
      return refuse(which() + " has type " + std::to_string(info.type) + ", key size " +
                    std::to_string(info.key_size) + ", value size " + std::to_string(info.value_size) +
                    "; signed: type " + std::to_string(want.type) + ", key size " +
                    std::to_string(want.key_size) + ", value size " + std::to_string(want.value_size));
    }
    if (!name_fits(want, kname)) return refuse(which() + " is named '" + kname + "'");
    if (want.bind_contents) {
      // Read-only data: the verifier treats its values as constants of the
      // program, so they are part of what was signed. That holds only for a
      // map the program cannot write and user space can no longer write
      // (frozen, as libbpf leaves .rodata): an unfrozen one could be checked
      // here and rewritten after the load (a loader's bpf_map__reuse_fd).
      // Frozen first, then read: the contents cannot change in between.
      if ((info.map_flags & BPF_F_RDONLY_PROG) == 0) {
        return refuse(which() + " is read-only data the program could write" +
                      " (no BPF_F_RDONLY_PROG)");
      }
      if (!is_frozen(fd)) {
        return refuse(which() + " is read-only data that is not frozen" +
                      " (its contents could change after the check)");
      }
      std::vector<std::uint8_t> value(want.value_size);
      const std::uint32_t key = 0;
      if (want.contents.size() != want.value_size ||
          bpf_map_lookup_elem(fd, &key, value.data()) != 0 || value != want.contents) {
        return refuse(which() + (want.internal_suffix == ".kconfig"
                                   ? " does not hold this kernel's configuration values as libbpf "
                                     "reads them"
                                   : " does not hold the signed read-only data"));
      }
    }
    auto [it, fresh] = id_of_map.emplace(slot.map, info.id);
    if (!fresh && it->second != info.id) {
      return refuse(which() + " is another kernel map than an earlier reference to the same map");
    }
    auto [jt, fresh_id] = map_of_id.emplace(info.id, slot.map);
    if (!fresh_id && jt->second != slot.map) {
      return refuse(which() + " is the kernel map already given for map '" +
                    object.maps[jt->second].name + "'");
    }
    out.slot_fds.push_back(fd);
  }
  return out;
}

}  // namespace pqbpf::sandbox::internal
