// The three ways a command can be given a passphrase (--passphrase-file,
// --passphrase-env, --passphrase-prompt), shared by keygen, sign and check.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "pqbpf/core/key_file.h"
#include "pqbpf/core/passphrase.h"

namespace pqbpf::cli {

struct PassphraseOptions {
  std::string file;
  std::string env;
  bool prompt = false;

  void add_to(CLI::App& command);
  // nullopt when no option was given.
  std::optional<PassphraseSource> source() const;
  // For loading a key: asks only if the key file turns out to be encrypted.
  PassphraseProvider provider() const;
};

}  // namespace pqbpf::cli
