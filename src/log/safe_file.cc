// Safe opening of the log's own files (rules in safe_file.h).
#include "safe_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pqbpf/core/file_io.h"

namespace pqbpf::log::internal {

Error io_error(const std::string& label, const std::string& what, int err) {
  return make_error(ErrorCode::kIo, label + ": " + what + ": " + std::strerror(err));
}
namespace {

Error open_error(const std::string& path, std::string_view what, int err) {
  if (err == ELOOP) {
    return make_error(ErrorCode::kPermission,
                      path + ": " + std::string(what) +
                          " is a symbolic link; refusing to follow it (remove it, or point "
                          "--log at the real file)");
  }
  if (err == ENXIO || err == EWOULDBLOCK) {
    return make_error(ErrorCode::kPermission,
                      path + ": " + std::string(what) + " is not a regular file");
  }
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                    path + ": cannot open " + std::string(what) + ": " + std::strerror(err));
}

Error permission(const std::string& path, std::string_view what, const std::string& problem) {
  return make_error(ErrorCode::kPermission, path + ": " + std::string(what) + " " + problem);
}

Status clear_nonblock(int fd, const std::string& path) {
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    return make_error(ErrorCode::kIo, path + ": fcntl failed: " + std::strerror(errno));
  }
  return ok_status();
}

}  // namespace

Status check_owned_file(int fd, const std::string& path, std::string_view what) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    return make_error(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return permission(path, what, "is not a regular file; refusing it");
  if (st.st_uid != ::geteuid()) {
    return permission(path, what,
                      "is owned by uid " + std::to_string(st.st_uid) + ", not by the running "
                      "user (uid " + std::to_string(::geteuid()) + "); refusing it");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return permission(path, what,
                      std::string("is writable by group or others (mode ") + mode +
                          "); refusing it (chmod go-w it)");
  }
  return ok_status();
}

Result<int> open_owned_file(const std::string& path, int flags, mode_t mode, std::string_view what) {
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
  if (fd < 0) return open_error(path, what, errno);
  Status st = check_owned_file(fd, path, what);
  if (st.ok()) st = clear_nonblock(fd, path);
  if (!st.ok()) {
    ::close(fd);
    return st.error();
  }
  return fd;
}

Result<int> open_regular_file_for_reading(const std::string& path) {
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP) {
    return make_error(ErrorCode::kPermission,
                      path + ": is a symbolic link, which the log's writer never creates; "
                             "refusing to follow it (name the real file)");
  }
  if (fd < 0) return open_error(path, "file", errno);
  struct stat st{};
  Status s = ok_status();
  if (::fstat(fd, &st) != 0) {
    s = make_error(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    s = make_error(ErrorCode::kPermission, path + ": not a regular file; refusing to read it");
  } else {
    s = clear_nonblock(fd, path);
  }
  if (!s.ok()) {
    ::close(fd);
    return s.error();
  }
  return fd;
}

std::string parent_directory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status check_log_directory(const std::string& path) {
  const std::string dir = parent_directory(path);
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) {
    const int e = errno;
    return make_error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                      dir + ": cannot use the log directory: " + std::strerror(e));
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, dir + ": the log directory is not a directory");
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return make_error(ErrorCode::kPermission,
                      dir + ": the log directory is owned by uid " + std::to_string(st.st_uid) +
                          ", neither the running user nor root; refusing it");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return make_error(ErrorCode::kPermission,
                      dir + ": the log directory is writable by group or others and not sticky, "
                            "so they could replace the log's files; refusing it (chmod go-w it)");
  }
  return ok_status();
}

Status link_no_replace(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) == 0) return ok_status();
  const int e = errno;
  return make_error(e == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kIo,
                    from + ": cannot link to " + to + ": " + std::strerror(e));
}

}  // namespace pqbpf::log::internal
