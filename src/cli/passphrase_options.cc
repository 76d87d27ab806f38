// Passphrase option parsing (see passphrase_options.h).
#include "passphrase_options.h"

namespace pqbpf::cli {

void PassphraseOptions::add_to(CLI::App& command) {
  auto* f = command.add_option("--passphrase-file", file,
                               "Read the key passphrase from the first line of this file");
  auto* e = command.add_option("--passphrase-env", env,
                               "Read the key passphrase from this environment variable (then unset)");
  auto* p = command.add_flag("--passphrase-prompt", prompt,
                             "Ask for the key passphrase on the terminal");
  f->excludes(e)->excludes(p);
  e->excludes(p);
}

std::optional<PassphraseSource> PassphraseOptions::source() const {
  if (!file.empty()) return PassphraseSource::file(file);
  if (!env.empty()) return PassphraseSource::environment(env);
  if (prompt) return PassphraseSource::terminal();
  return std::nullopt;
}

PassphraseProvider PassphraseOptions::provider() const {
  auto chosen = source();
  return [chosen]() -> Result<crypto::SecureBytes> {
    // An encrypted key with no option given: fall back to the terminal, which
    // fails with a clear message when there is none.
    return read_passphrase(chosen.value_or(PassphraseSource::terminal()));
  };
}

}  // namespace pqbpf::cli
