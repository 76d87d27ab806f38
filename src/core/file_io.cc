// Bounded reads and atomic writes (see file_io.h).
#include "pqbpf/core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf {
namespace {

Error io_error(const std::string& path, const std::string& what, int err) {
  const ErrorCode code = err == ENOENT ? ErrorCode::kNotFound
                         : (err == EACCES || err == EPERM) ? ErrorCode::kPermission
                                                           : ErrorCode::kIo;
  return make_error(code, path + ": " + what + ": " + std::strerror(err));
}

Status write_all(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot write", errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok_status();
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISLNK(mode)) return "symbolic link";
  return "unknown file type";
}

Error not_regular(const std::string& path, mode_t mode) {
  return make_error(ErrorCode::kInvalidArgument,
                    path + ": not a regular file (" + file_kind(mode) + "); expected a file");
}

}  // namespace

InputFile::InputFile(InputFile&& other) noexcept : fd_(other.fd_), stat_(other.stat_) {
  other.fd_ = -1;
}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    stat_ = other.stat_;
    other.fd_ = -1;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status check_path_text(std::string_view path) {
  const auto nul = path.find('\0');
  if (nul == std::string_view::npos) return ok_status();
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(path.substr(0, nul)) + "\\0...: path contains a NUL byte");
}

Status check_write_destination(const std::string& path, bool overwrite) {
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok_status();
    return io_error(path, "cannot stat", errno);
  }
  if (!overwrite) {
    return make_error(ErrorCode::kAlreadyExists, path + ": already exists; use --force to overwrite");
  }
  if (S_ISLNK(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument,
                      path + ": is a symbolic link; --force replaces only regular files");
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, path + ": not a regular file (" +
                                                       std::string(file_kind(st.st_mode)) +
                                                       "); --force replaces only regular files");
  }
  return ok_status();
}

Result<InputFile> InputFile::open(const std::string& path) {
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  // Refuse what is visibly not a file before opening it: opening a device
  // can have side effects. The fstat below is the check that counts (the
  // path may change in between).
  struct stat before {};
  if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) {
    return not_regular(path, before.st_mode);
  }
  // O_NONBLOCK: opening a FIFO for reading blocks until a writer appears,
  // which would hang the gate on a FIFO planted at an input path.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return io_error(path, "cannot open", errno);
  InputFile file;
  file.fd_ = fd;
  if (::fstat(fd, &file.stat_) != 0) return io_error(path, "cannot stat", errno);
  if (!S_ISREG(file.stat_.st_mode)) return not_regular(path, file.stat_.st_mode);
  // A regular file: reads never block on O_NONBLOCK anyway, but callers get
  // an ordinary descriptor.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return io_error(path, "cannot clear O_NONBLOCK", errno);
  }
  return file;
}

Result<std::vector<std::uint8_t>> read_file(const std::string& path, std::uint64_t max_size) {
  PQBPF_ASSIGN_OR_RETURN(InputFile file, InputFile::open(path));
  const int fd = file.fd();
  const struct stat& st = file.stat();
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    return make_error(ErrorCode::kLimitExceeded,
                      path + ": file is " + std::to_string(st.st_size) +
                          " bytes, larger than the limit of " + std::to_string(max_size));
  }
  std::vector<std::uint8_t> data;
  data.reserve(static_cast<std::size_t>(st.st_size));
  std::uint8_t buf[65536];
  for (;;) {
    // Never ask for more than one byte past the cap.
    const std::uint64_t room = max_size - data.size() + 1;
    const std::size_t want = room < sizeof(buf) ? static_cast<std::size_t>(room) : sizeof(buf);
    const ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot read", errno);
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_size) {
      return make_error(ErrorCode::kLimitExceeded,
                        path + ": file grew past the limit of " + std::to_string(max_size) +
                            " bytes while being read");
    }
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

Result<std::string> read_text_file(const std::string& path, std::uint64_t max_size) {
  PQBPF_ASSIGN_OR_RETURN(auto bytes, read_file(path, max_size));
  return std::string(bytes.begin(), bytes.end());
}

Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> data,
                         const WriteOptions& options) {
  namespace fs = std::filesystem;
  PQBPF_RETURN_IF_ERROR(check_write_destination(path, options.overwrite));
  std::string tmpl = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error(path, "cannot create temporary file", errno);
  UniqueFd closer(fd);
  auto fail = [&](Error e) -> Status {
    ::unlink(tmpl.c_str());
    return e;
  };
  if (::fchmod(fd, options.mode) != 0) return fail(io_error(path, "cannot set mode", errno));
  if (auto s = write_all(fd, data.data(), data.size(), path); !s.ok()) return fail(s.error());
  if (::fsync(fd) != 0) return fail(io_error(path, "cannot fsync", errno));
  if (::close(closer.release()) != 0) return fail(io_error(path, "cannot close", errno));
  if (!options.overwrite) {
    // link() fails if the destination appeared meanwhile: never clobber.
    if (::link(tmpl.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmpl.c_str());
      if (err == EEXIST) {
        return make_error(ErrorCode::kAlreadyExists,
                          path + ": already exists; use --force to overwrite");
      }
      return io_error(path, "cannot create", err);
    }
    ::unlink(tmpl.c_str());
  } else if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    return fail(io_error(path, "cannot rename into place", errno));
  }
  // Make the directory entry durable too.
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view data,
                         const WriteOptions& options) {
  return write_file_atomic(
      path, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), options);
}

}  // namespace pqbpf
