// Secret file reads (see key_file_io.h).
#include "key_file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pqbpf/core/file_io.h"

namespace pqbpf::internal {
namespace {

Error open_error(const std::string& path, const char* what, int err) {
  const ErrorCode code = err == ENOENT                     ? ErrorCode::kNotFound
                         : (err == EACCES || err == EPERM) ? ErrorCode::kPermission
                                                           : ErrorCode::kIo;
  return make_error(code, path + ": " + what + ": " + std::strerror(err));
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<crypto::SecureBytes> read_secret_file(const std::string& path,
                                             const SecretFileOptions& options) {
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return open_error(path, "cannot open", errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) return open_error(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, path + ": is a directory, expected a file");
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, path + ": not a regular file");
  }
  if (options.require_own_file && st.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kPermission,
                      path + ": owned by uid " + std::to_string(st.st_uid) + ", not by the user " +
                          "running pqc-bpf (uid " + std::to_string(::geteuid()) +
                          "); run chown " + std::to_string(::geteuid()) + " " + path +
                          " if the file is yours");
  }
  if ((st.st_mode & options.refused_mode_bits) != 0) {
    return make_error(ErrorCode::kPermission, path + ": permissions " + octal_mode(st.st_mode) +
                                                  " are too open; run chmod 600 " + path);
  }
  if (static_cast<std::uint64_t>(st.st_size) > options.max_size) {
    return make_error(ErrorCode::kLimitExceeded,
                      path + ": file is " + std::to_string(st.st_size) +
                          " bytes, larger than the limit of " + std::to_string(options.max_size));
  }
  // One extra byte detects a file that grew since fstat.
  crypto::SecureBytes buffer(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == buffer.size()) {
      return make_error(ErrorCode::kLimitExceeded,
                        path + ": file changed size while being read; try again");
    }
    const ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return open_error(path, "cannot read", errno);
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  crypto::SecureBytes out(buffer.span().first(used));
  return out;  // `buffer` wipes itself
}

}  // namespace pqbpf::internal
