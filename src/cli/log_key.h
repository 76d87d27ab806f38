// The audit log's own signing identity, used for its checkpoints. By default
// it lives next to the log as LOG.key (0600) and LOG.key.pub, created on
// first use; --log-key names another key file.
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
};

std::string default_log_key_path(const std::string& log_path);

// Loads (or creates, when it is the default path and missing) the log key and
// opens the writer. Notices go to stderr.
Result<std::unique_ptr<log::LogWriter>> open_log_for_append(const LogKeyOptions& options,
                                                            const PassphraseProvider& passphrase);

}  // namespace pqbpf::cli
