// Internal: reading files that hold secrets (private key files, passphrase
// files) straight into SecureBytes, with the ssh-style permission check for
// private keys. Not part of the public API.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf::internal {

struct SecretFileOptions {
  std::uint64_t max_size = 1u << 20;
  // Refuse the file if group or others have any of these permission bits
  // ("<path>: permissions 0644 are too open; run chmod 600 <path>"):
  // 077 for private keys, 066 (read or write) for passphrase files.
  mode_t refused_mode_bits = 0;
  // Refuse a file not owned by the running (effective) user, as ssh does for
  // its keys: someone else's file may be swapped for theirs at any time.
  bool require_own_file = false;
};

// Opens once (non-blocking, so a FIFO planted at the path cannot hang us),
// checks type, owner, mode and size on that descriptor (no race between the
// check and the read), reads into SecureBytes, wipes the read buffer.
Result<crypto::SecureBytes> read_secret_file(const std::string& path,
                                             const SecretFileOptions& options);

}  // namespace pqbpf::internal
