// getrandom(2) with EINTR retry and short-read handling.
#include "pqbpf/crypto/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace pqbpf::crypto {

Status random_bytes(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::kCrypto,
                        std::string("getrandom failed: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return ok_status();
}

}  // namespace pqbpf::crypto
