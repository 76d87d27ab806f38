// Opening the audit log with its signing key (see log_key.h).
#include "log_key.h"

#include <filesystem>
#include <iostream>

#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_purpose.h"
#include "pqbpf/log/log_signer.h"

namespace pqbpf::cli {

std::string default_log_key_path(const std::string& log_path) { return log_path + ".key"; }

Result<std::string> create_log_key(const std::string& key_path, bool force) {
  PQBPF_ASSIGN_OR_RETURN(Identity created, Identity::create("audit-log", {"log"}));
  KeySaveOptions save;
  save.force = force;
  PQBPF_RETURN_IF_ERROR(save_key_file(key_path, created, save));
  return created.did().str();
}

Result<std::unique_ptr<log::LogWriter>> open_log_for_append(const LogKeyOptions& options,
                                                            const PassphraseProvider& passphrase) {
  PQBPF_ASSIGN_OR_RETURN(const log::Durability durability,
                         log::parse_durability(options.durability));
  const bool use_default = options.key_path.empty();
  const std::string key_path = use_default ? default_log_key_path(options.log_path) : options.key_path;
  std::error_code ec;
  if (use_default && !std::filesystem::exists(std::filesystem::symlink_status(key_path, ec))) {
    if (!options.create_key) {
      return make_error(ErrorCode::kNotFound,
                        key_path + ": no audit log key; create it with 'pqc-bpf log init " +
                            options.log_path + "' (or drop --no-create-key)");
    }
    PQBPF_ASSIGN_OR_RETURN(const std::string did, create_log_key(key_path, false));
    // Never silent: a new log key means a new trust anchor for `log verify`.
    std::cerr << "pqc-bpf: notice: no audit log key existed, so a NEW one was created: "
              << key_path << " (" << did << ", mode 0600). Keep it readable only by the gate; "
              << "verify the log with: pqc-bpf log verify " << options.log_path << " --key "
              << public_key_path(key_path)
              << (options.witness_path.empty() ? "" : " --witness " + options.witness_path)
              << ". Create keys explicitly with 'pqc-bpf log init', "
              << "or pass --no-create-key to refuse.\n";
  }
  PQBPF_ASSIGN_OR_RETURN(Identity identity, load_key_file(key_path, passphrase));
  if (Status purpose = check_key_purpose(identity, KeyPurpose::kSignLog); !purpose.ok()) {
    return make_error(purpose.error().code, key_path + ": " + purpose.error().message);
  }
  PQBPF_ASSIGN_OR_RETURN(log::LogSigner signer,
                         log::LogSigner::create(identity.private_key(), identity.public_key()));
  log::LogOptions log_options;
  log_options.durability = durability;
  if (!options.witness_path.empty()) log_options.witness_path = options.witness_path;
  return log::LogWriter::open(options.log_path, std::move(signer), log_options);
}

}  // namespace pqbpf::cli
