// Pinning under one bpffs root without following symlinks (see pin_root.h).
#include "pqbpf/loader/pin_root.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>

#include "pqbpf/loader/pin_path.h"

namespace pqbpf::loader {
namespace {

Error errno_error(const std::string& what, int err) {
  return make_error(err == EACCES || err == EPERM ? ErrorCode::kPermission : ErrorCode::kIo,
                    what + ": " + std::strerror(err));
}

bool on_bpffs(int fd) {
  struct statfs fs {};
  return ::fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC;
}

}  // namespace

Result<PinRoot> PinRoot::open(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return make_error(ErrorCode::kInvalidArgument, "pin root " + path + ": must be an absolute path");
  }
  UniqueFd fd(::open(path.c_str(), O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_RDONLY));
  if (!fd.valid()) return errno_error("pin root " + path, errno);
  if (!on_bpffs(fd.get())) {
    return make_error(ErrorCode::kInvalidArgument,
                      "pin root " + path + ": not on a bpf file system; mount bpffs there");
  }
  std::string clean = path;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  return PinRoot(std::move(clean), std::move(fd));
}

Result<std::string> PinRoot::relative(std::string_view request_path) const {
  if (!pin_path_is_safe(request_path)) {
    return make_error(ErrorCode::kInvalidArgument, "pin path " + std::string(request_path) +
                                                       ": not a plain path (no '..', no empty parts)");
  }
  if (request_path.front() != '/') return std::string(request_path);
  const std::string prefix = path_ == "/" ? "/" : path_ + "/";
  if (request_path.size() <= prefix.size() || request_path.substr(0, prefix.size()) != prefix) {
    return make_error(ErrorCode::kPermission,
                      "pin path " + std::string(request_path) + ": outside the pin root " + path_);
  }
  return std::string(request_path.substr(prefix.size()));
}

Result<UniqueFd> PinRoot::make_dir(std::string_view request_path) const {
  PQBPF_ASSIGN_OR_RETURN(const std::string rel, relative(request_path));
  UniqueFd dir(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!dir.valid()) return errno_error("pin root " + path_, errno);
  std::size_t start = 0;
  while (start < rel.size()) {
    std::size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    const std::string part = rel.substr(start, end - start);
    if (::mkdirat(dir.get(), part.c_str(), 0700) != 0 && errno != EEXIST) {
      return errno_error("pin path " + path_ + "/" + rel, errno);
    }
    UniqueFd next(::openat(dir.get(), part.c_str(), O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_RDONLY));
    if (!next.valid()) {
      const int err = errno;
      if (err == ELOOP || err == ENOTDIR) {
        return make_error(ErrorCode::kPermission,
                          "pin path " + path_ + "/" + rel + ": '" + part + "' is not a directory (symlink?)");
      }
      return errno_error("pin path " + path_ + "/" + rel, err);
    }
    if (!on_bpffs(next.get())) {
      return make_error(ErrorCode::kPermission,
                        "pin path " + path_ + "/" + rel + ": leaves the bpf file system");
    }
    dir = std::move(next);
    start = end + 1;
  }
  return dir;
}

Status pin_at(int dir_fd, const std::string& name, int object_fd) {
  if (!pin_name_is_safe(name)) {
    return make_error(ErrorCode::kInvalidArgument, "pin name " + name + ": unsafe characters");
  }
  const std::string path = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
  if (::bpf_obj_pin(object_fd, path.c_str()) != 0) {
    const int err = errno;
    return make_error(err == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kIo,
                      "pin " + name + ": " + std::strerror(err));
  }
  return ok_status();
}

void unpin_at(int dir_fd, const std::string& name) {
  if (pin_name_is_safe(name)) (void)::unlinkat(dir_fd, name.c_str(), 0);
}

}  // namespace pqbpf::loader
