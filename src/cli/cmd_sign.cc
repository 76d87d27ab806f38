// pqc-bpf sign: sign a .bpf.o into <object>.sig.json. The signer derives the
// program list from the object, checks its own signature, and writes the
// envelope atomically (never overwriting without --force).
#include <iostream>

#include "cli_support.h"
#include "passphrase_options.h"
#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/core/key_file.h"

namespace pqbpf::cli {
namespace {

struct SignOptionsCli {
  std::string object;
  std::string key;
  std::string output;
  std::string type;
  BPFProgramMetadata metadata;
  int format = 3;
  bool embed = false;
  bool force = false;
  bool json = false;
  PassphraseOptions passphrase;
};

int run_sign(SignOptionsCli o) {
  if (!o.type.empty()) {
    auto type = parse_program_type(o.type);
    if (!type.ok()) return report_error(Error{ErrorCode::kInvalidArgument, "--type: " + type.error().message}, o.json);
    o.metadata.program_type = *type;
  }
  auto identity = load_key_file(o.key, o.passphrase.provider());
  if (!identity.ok()) return report_error(identity.error(), o.json);
  auto signer = BPFSigner::create(*identity);
  if (!signer.ok()) return report_error(Error{signer.error().code, o.key + ": " + signer.error().message}, o.json);
  auto program = BPFProgram::from_file(o.metadata, o.object);
  if (!program.ok()) return report_error(program.error(), o.json);

  SignOptions options;
  options.embed = o.embed;
  options.format = o.format == 1 ? ManifestFormat::kV1
                   : o.format == 2 ? ManifestFormat::kV2
                                   : ManifestFormat::kV3;
  auto signed_program = signer->sign(*program, options);
  if (!signed_program.ok()) return report_error(signed_program.error(), o.json);

  const std::string out = o.output.empty() ? default_envelope_path(o.object) : o.output;
  if (auto s = write_envelope(out, *signed_program, o.force); !s.ok()) {
    return report_error(s.error(), o.json);
  }
  const Manifest& m = signed_program->manifest();
  if (o.json) {
    print_json({{"ok", true},
                {"envelope", out},
                {"object", o.object},
                {"signer", m.signer().str()},
                {"sha3_256", m.sha3_256()},
                {"size", m.size()},
                {"format", std::string(manifest_format_name(m.format()))},
                {"programs", m.programs().size()},
                {"embedded", o.embed}});
  } else {
    std::cout << "signed " << o.object << " -> " << out << "\n"
              << "  signer   " << m.signer().str() << " (" << identity->name() << ")\n"
              << "  sha3-256 " << m.sha3_256() << ", " << m.size() << " bytes\n"
              << "  type     " << program_type_name(m.metadata().program_type) << ", "
              << m.programs().size() << " program(s)\n";
  }
  return kExitOk;
}

}  // namespace

void add_sign_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<SignOptionsCli>();
  auto* cmd = app.add_subcommand("sign", "Sign a compiled BPF object with ML-DSA-65");
  cmd->add_option("object", o->object, "Compiled BPF object (.bpf.o)")->required();
  cmd->add_option("--key", o->key, "Private key file from 'pqc-bpf keygen'")->required();
  cmd->add_option("--name", o->metadata.name, "Program name recorded in the manifest")->required();
  cmd->add_option("--type", o->type,
                  "Program type (bpftool name, e.g. kprobe, xdp); inferred from the object when "
                  "omitted; refused if any program in the object has another type");
  cmd->add_option("--attach-point", o->metadata.attach_point,
                  "Where the gate attaches xdp, tc and cgroup programs: IFNAME, IFNAME:ingress or "
                  "IFNAME:egress, or a cgroup v2 directory (a policy's attach_targets judges it)");
  cmd->add_option("--author", o->metadata.author, "Author");
  cmd->add_option("--description", o->metadata.description, "Description");
  cmd->add_option("--version", o->metadata.version, "Program version");
  cmd->add_option("--license", o->metadata.license, "License");
  cmd->add_option("--kernel-min", o->metadata.kernel_min, "Minimum kernel version, e.g. 5.15");
  cmd->add_option("-o,--output", o->output, "Envelope to write (default: OBJECT.sig.json)");
  cmd->add_option("--format", o->format,
                  "Manifest format: 3 (default) binds every program read from the object and the "
                  "helpers, kfuncs and maps it uses; 2 binds the programs only; 1 binds only the "
                  "whole-object hash, for objects the reader cannot inspect")
      ->check(CLI::IsMember({1, 2, 3}));
  cmd->add_flag("--embed", o->embed, "Embed the object (base64) in the envelope");
  cmd->add_flag("--force", o->force, "Overwrite an existing envelope");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  o->passphrase.add_to(*cmd);
  cmd->callback([o, &run] { run = [o] { return run_sign(*o); }; });
}

}  // namespace pqbpf::cli
