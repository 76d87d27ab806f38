// pqc-bpf keygen: create a signing identity (KEY, mode 0600) and KEY.pub.
#include <iostream>

#include "cli_support.h"
#include "passphrase_options.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_file.h"

namespace pqbpf::cli {
namespace {

struct KeygenOptions {
  std::string name;
  std::string output;
  std::vector<std::string> capabilities{"sign"};
  bool force = false;
  bool json = false;
  PassphraseOptions passphrase;
};

int run_keygen(const KeygenOptions& o) {
  auto identity = Identity::create(o.name, o.capabilities);
  if (!identity.ok()) return report_error(identity.error(), o.json);

  KeySaveOptions save;
  save.force = o.force;
  if (auto source = o.passphrase.source()) {
    auto pass = read_new_passphrase(*source);
    if (!pass.ok()) return report_error(pass.error(), o.json);
    save.passphrase = std::move(pass).value();
  }
  if (auto s = save_key_file(o.output, *identity, save); !s.ok()) {
    return report_error(s.error(), o.json);
  }
  const std::string pub = public_key_path(o.output);
  if (o.json) {
    print_json({{"ok", true},
                {"did", identity->did().str()},
                {"name", identity->name()},
                {"algorithm", std::string(identity->algorithm())},
                {"key_file", o.output},
                {"public_key_file", pub},
                {"encrypted", save.passphrase.has_value()}});
  } else {
    std::cout << "identity " << identity->name() << "\n"
              << "  did:        " << identity->did().str() << "\n"
              << "  private key " << o.output << " (mode 0600"
              << (save.passphrase ? ", passphrase-protected" : "") << ")\n"
              << "  public key  " << pub << " (give this to policy authors)\n";
  }
  return kExitOk;
}

}  // namespace

void add_keygen_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<KeygenOptions>();
  auto* cmd = app.add_subcommand("keygen", "Create an ML-DSA-65 signing identity (KEY and KEY.pub)");
  cmd->add_option("--name", o->name, "Identity name, e.g. ops-signer")->required();
  cmd->add_option("-o,--output", o->output, "Private key file to write (KEY.pub is written too)")
      ->required();
  cmd->add_option("--capability", o->capabilities, "Capability to record (repeatable; default: sign). 'sign' signs BPF objects, 'log' the audit log; never both");
  cmd->add_flag("--force", o->force, "Overwrite existing KEY and KEY.pub");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  o->passphrase.add_to(*cmd);
  cmd->callback([o, &run] { run = [o] { return run_keygen(*o); }; });
}

}  // namespace pqbpf::cli
