// Opening the audit log with its signing key (see log_key.h).
#include "log_key.h"

#include <filesystem>
#include <iostream>

#include "pqbpf/core/identity.h"
#include "pqbpf/log/log_signer.h"

namespace pqbpf::cli {

std::string default_log_key_path(const std::string& log_path) { return log_path + ".key"; }

Result<std::unique_ptr<log::LogWriter>> open_log_for_append(const LogKeyOptions& options,
                                                            const PassphraseProvider& passphrase) {
  PQBPF_ASSIGN_OR_RETURN(const log::Durability durability,
                         log::parse_durability(options.durability));
  const bool use_default = options.key_path.empty();
  const std::string key_path = use_default ? default_log_key_path(options.log_path) : options.key_path;
  std::error_code ec;
  if (use_default && !std::filesystem::exists(key_path, ec)) {
    PQBPF_ASSIGN_OR_RETURN(Identity created, Identity::create("audit-log", {"log"}));
    PQBPF_RETURN_IF_ERROR(save_key_file(key_path, created));
    std::cerr << "pqc-bpf: created audit log key " << key_path << " (" << created.did().str()
              << "); verify the log with: pqc-bpf log verify " << options.log_path << " --key "
              << public_key_path(key_path) << "\n";
  }
  PQBPF_ASSIGN_OR_RETURN(Identity identity, load_key_file(key_path, passphrase));
  PQBPF_ASSIGN_OR_RETURN(log::LogSigner signer,
                         log::LogSigner::create(identity.private_key(), identity.public_key()));
  log::LogOptions log_options;
  log_options.durability = durability;
  return log::LogWriter::open(options.log_path, std::move(signer), log_options);
}

}  // namespace pqbpf::cli
