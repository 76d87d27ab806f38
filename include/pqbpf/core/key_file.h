// Private key files: an Identity's seed and public metadata on disk, plain or
// sealed with a passphrase (Argon2id + XChaCha20-Poly1305, libsodium). Format
// in docs/KEYS.md.
//
// Saving writes KEY (mode 0600) and KEY.pub (mode 0644), both atomically, and
// refuses to overwrite either without `force` (checking both before writing
// anything). Loading refuses a key file that group or others may access, as
// ssh does, parses strictly, and re-derives the key pair from the seed to
// check it against the stored DID, so a modified file is detected.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pqbpf/core/identity.h"
#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf {

constexpr std::string_view kKeyFileFormat = "pqc-bpf-key/1";
constexpr std::string_view kPublicKeySuffix = ".pub";

// Argon2id cost. Loading accepts opslimit 1..kMaxKdfOpsLimit and memlimit
// 8 KiB..kMaxKdfMemLimit, so a hostile file cannot make us allocate gigabytes
// or spin for minutes.
struct KdfLimits {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;  // bytes

  // libsodium's INTERACTIVE limits (2 passes, 64 MiB): the default.
  static KdfLimits interactive();
  // libsodium's MODERATE limits (3 passes, 256 MiB).
  static KdfLimits moderate();
  // The smallest libsodium accepts (1 pass, 8 KiB). Tests only: weak.
  static KdfLimits minimum();
};
constexpr std::uint64_t kMaxKdfOpsLimit = 16;
constexpr std::uint64_t kMaxKdfMemLimit = 1ull << 30;

struct KeySaveOptions {
  bool force = false;                              // overwrite KEY and KEY.pub
  std::optional<crypto::SecureBytes> passphrase;   // set: encrypt the seed
  KdfLimits kdf = KdfLimits::interactive();
};

// Called only when the key file is encrypted; returns the passphrase.
using PassphraseProvider = std::function<Result<crypto::SecureBytes>()>;

// "KEY" -> "KEY.pub".
std::string public_key_path(const std::string& key_path);

// Writes KEY and KEY.pub. Errors: kAlreadyExists ("<path>: already exists;
// use --force to overwrite") before anything is written; kInvalidArgument for
// a path ending in .pub or an empty passphrase; kIo.
Status save_key_file(const std::string& path, const Identity& identity,
                     const KeySaveOptions& options = {});

// Reads KEY. Errors: kPermission for a too-open mode or a wrong passphrase
// ("<path>: wrong passphrase, or the key file was modified"); kParse for
// malformed content; kUnsupported for an unknown format or algorithm;
// kRejected when the seed does not produce the stored DID; kLimitExceeded for
// a file past kMaxSmallFileSize or KDF limits past the bounds above.
// An encrypted file with no provider: kInvalidArgument.
Result<Identity> load_key_file(const std::string& path, const PassphraseProvider& passphrase = {});

// Serialisation without the file system (used by save/load and the tests).
// The text of a plain key file holds the seed, hence SecureBytes.
Result<crypto::SecureBytes> serialize_key_file(const Identity& identity, const KeySaveOptions& options);
Result<Identity> parse_key_file(std::string_view text, const std::string& label,
                                const PassphraseProvider& passphrase = {});

// True if the key file text is passphrase-protected (shape check only).
bool key_file_is_encrypted(std::string_view text);

}  // namespace pqbpf
