// Where a key file's passphrase comes from: a file (its first line), an
// environment variable, or a prompt on the controlling terminal with echo
// off. The passphrase is returned in SecureBytes and every intermediate
// buffer is wiped. A passphrase read from the environment is wiped there
// and the variable removed (unsetenv), so child processes do not inherit it
// (docs/KEYS.md). A passphrase file that group or others may read or write
// is refused.
#pragma once

#include <string>

#include "pqbpf/crypto/secure_bytes.h"
#include "pqbpf/result.h"

namespace pqbpf {

constexpr std::size_t kMaxPassphraseSize = 1024;  // bytes

struct PassphraseSource {
  enum class Kind { kFile, kEnvironment, kTerminal };
  Kind kind = Kind::kTerminal;
  std::string value;  // file path, variable name, or the prompt text

  static PassphraseSource file(std::string path) { return {Kind::kFile, std::move(path)}; }
  static PassphraseSource environment(std::string name) {
    return {Kind::kEnvironment, std::move(name)};
  }
  static PassphraseSource terminal(std::string prompt = "Passphrase: ") {
    return {Kind::kTerminal, std::move(prompt)};
  }
};

// Reads one passphrase. File: the first line without its "\n" or "\r\n".
// Terminal: /dev/tty with echo disabled; no terminal -> kInvalidArgument
// naming --passphrase-file/--passphrase-env. An empty passphrase is refused.
Result<crypto::SecureBytes> read_passphrase(const PassphraseSource& source);

// For a new key: like read_passphrase, but a terminal prompt asks twice and
// refuses if the two entries differ.
Result<crypto::SecureBytes> read_new_passphrase(const PassphraseSource& source);

}  // namespace pqbpf
