// Internal: reading files that hold secrets (private key files, passphrase
// files) straight into SecureBytes, with the ssh-style permission check for
// private keys. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>

#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf::internal {

struct SecretFileOptions {
  std::uint64_t max_size = 1u << 20;
  // Refuse the file if group or others have any permission bit
  // ("<path>: permissions 0644 are too open; run chmod 600 <path>").
  bool require_private_mode = false;
};

// Opens once, checks type, mode and size on that descriptor (no race between
// the check and the read), reads into SecureBytes, wipes the read buffer.
Result<crypto::SecureBytes> read_secret_file(const std::string& path,
                                             const SecretFileOptions& options);

}  // namespace pqbpf::internal
