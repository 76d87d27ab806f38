// read_proc_file (see proc_file.h).
#include "proc_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {

std::optional<std::string> read_proc_file(const std::string& path) {
  constexpr std::size_t kMaxBytes = 16 * 1024;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  std::string out;
  char buf[4096];
  while (out.size() < kMaxBytes) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (out.size() > kMaxBytes) out.resize(kMaxBytes);
  return out;
}

}  // namespace pqbpf::sandbox::internal
