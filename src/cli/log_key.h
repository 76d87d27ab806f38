// The audit log's own signing identity, used for its checkpoints. By default
// it lives next to the log as LOG.key (0600) and LOG.key.pub; `pqc-bpf log
// init LOG` creates it explicitly. `check` creates it on first use only when
// it is the default path and missing, and then says so loudly on stderr
// (file and DID); `--no-create-key` refuses instead. --log-key names another
// key file (never created). The witness file (last signed checkpoint, see
// pqbpf/log/witness.h) defaults to LOG.witness; --witness names another.
#pragma once

#include <memory>
#include <string>

#include "pqbpf/core/key_file.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::cli {

struct LogKeyOptions {
  std::string log_path;
  std::string key_path;  // "" = LOG.key
  std::string durability = "always";
  bool create_key = true;    // create LOG.key on first use (loudly)
  std::string witness_path;  // "" = LOG.witness
};

std::string default_log_key_path(const std::string& log_path);

// Creates a new log key at `key_path` (0600, and its .pub); kAlreadyExists
// unless `force`. Returns the new identity's DID.
Result<std::string> create_log_key(const std::string& key_path, bool force);

// Loads (or creates, see above) the log key and opens the writer. Notices go
// to stderr.
Result<std::unique_ptr<log::LogWriter>> open_log_for_append(const LogKeyOptions& options,
                                                            const PassphraseProvider& passphrase);

}  // namespace pqbpf::cli
