// Sealed memfd input (see memfd_input.h).
#include "memfd_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pqbpf::daemon::internal {

Result<std::vector<std::uint8_t>> read_sealed_memfd(int fd, std::uint64_t max_size,
                                                    const std::string& label) {
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0) {
    return make_error(ErrorCode::kInvalidArgument, label + ": not a memfd (" + std::strerror(errno) +
                                                       "); send a sealed memfd or inline bytes");
  }
  constexpr int kNeeded = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
  if ((seals & kNeeded) != kNeeded) {
    return make_error(
        ErrorCode::kInvalidArgument,
        label + ": memfd is not sealed; add F_SEAL_WRITE|F_SEAL_SHRINK|F_SEAL_GROW before sending");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, label + ": not a regular memfd");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0) return make_error(ErrorCode::kInvalidArgument, label + ": memfd is empty");
  if (size > max_size) {
    return make_error(ErrorCode::kLimitExceeded, label + ": " + std::to_string(size) +
                                                     " bytes is past the daemon's limit of " +
                                                     std::to_string(max_size));
  }
  std::vector<std::uint8_t> out(size);
  std::uint64_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, out.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(ErrorCode::kIo, label + ": short read of a sealed memfd");
    got += static_cast<std::uint64_t>(n);
  }
  return out;
}

}  // namespace pqbpf::daemon::internal
