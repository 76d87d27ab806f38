// pqc-bpf info: show what an envelope claims, WITHOUT verifying it. Every
// value is labelled unverified; use `verify` or `check` before trusting any.
#include <iostream>

#include "cli_support.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::cli {
namespace {

struct InfoOptions {
  std::string envelope;
  bool json = false;
};

int run_info(const InfoOptions& o) {
  auto text = read_text_file(o.envelope, kMaxEnvelopeBytes);
  if (!text.ok()) return report_error(text.error(), o.json);
  auto envelope = parse_envelope(*text, o.envelope);
  if (!envelope.ok()) return report_error(envelope.error(), o.json);

  const Manifest& m = envelope->manifest();
  const Did key_did = Did::from_public_key(envelope->public_key());
  const bool did_matches_key = key_did == m.signer();
  if (o.json) {
    print_json({{"ok", true},
                {"verified", false},
                {"manifest", m.to_json()},
                {"public_key_did", key_did.str()},
                {"signer_matches_public_key", did_matches_key},
                {"embedded_object", envelope->has_embedded_object()}});
    return kExitOk;
  }
  const auto& md = m.metadata();
  std::cout << "UNVERIFIED envelope " << o.envelope
            << " (run 'pqc-bpf verify' before trusting anything below)\n"
            << "  format       " << manifest_format_name(m.format()) << "\n"
            << "  name         " << md.name << "\n"
            << "  type         " << program_type_name(md.program_type) << "\n"
            << "  attach point " << md.attach_point << "\n"
            << "  author       " << md.author << "\n"
            << "  description  " << md.description << "\n"
            << "  version      " << md.version << "\n"
            << "  license      " << md.license << "\n"
            << "  kernel min   " << md.kernel_min << "\n"
            << "  object       " << m.size() << " bytes, sha3-256 " << m.sha3_256()
            << (envelope->has_embedded_object() ? " (embedded)" : " (detached)") << "\n"
            << "  signer       " << m.signer().str()
            << (did_matches_key ? "" : "  [DOES NOT MATCH the envelope's public key]") << "\n"
            << "  signed at    " << m.signed_at() << "\n";
  for (const auto& p : m.programs()) {
    std::cout << "  program      " << p.name << "  " << p.section << "  " << p.type << "  "
              << p.insn_count << " insns\n";
  }
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Show an envelope's claims without verifying them");
  cmd->add_option("envelope", o->envelope, "Envelope file (.sig.json)")->required();
  cmd->add_flag("--json", o->json, "Print as JSON");
  cmd->callback([o, &run] { run = [o] { return run_info(*o); }; });
}

}  // namespace pqbpf::cli
