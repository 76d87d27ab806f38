// pqc-bpf verify: offline verification of an envelope against its object
// (detached OBJECT next to OBJECT.sig.json, --object, or embedded). Exit 0
// only when every check passed; only signed values are printed as trusted.
#include <iostream>

#include "cli_support.h"
#include "pqbpf/attest/verifier.h"

namespace pqbpf::cli {
namespace {

struct VerifyOptions {
  std::string envelope;
  std::string object;
  bool json = false;
};

int run_verify(const VerifyOptions& o) {
  std::optional<std::string> object;
  if (!o.object.empty()) object = o.object;
  const VerificationResult r = verify_envelope_file(o.envelope, object);
  const int code = r.valid ? kExitOk : (r.input_error ? kExitUsage : kExitRejected);
  if (!r.valid) std::cerr << "pqc-bpf: error: " << r.error << "\n";
  if (o.json) {
    nlohmann::json doc{{"ok", r.valid},
                       {"valid", r.valid},
                       {"signature_valid", r.signature_valid},
                       {"hash_consistent", r.hash_consistent},
                       {"reason", std::string(reason_code_name(r.reason))},
                       {"error", r.error}};
    doc["programs_consistent"] =
        r.programs_consistent ? nlohmann::json(*r.programs_consistent) : nlohmann::json(nullptr);
    doc["signer_did"] = r.signer_did ? nlohmann::json(r.signer_did->str()) : nlohmann::json(nullptr);
    if (r.valid && r.manifest) doc["manifest"] = r.manifest->to_json();
    print_json(doc);
    return code;
  }
  if (r.valid) {
    const Manifest& m = *r.manifest;
    std::cout << "OK " << o.envelope << "\n"
              << "  signer   " << r.signer_did->str() << "\n"
              << "  name     " << m.metadata().name << " ("
              << program_type_name(m.metadata().program_type) << ")\n"
              << "  object   " << m.size() << " bytes, sha3-256 " << m.sha3_256() << "\n"
              << "  signed   " << m.signed_at() << "\n";
    for (const auto& p : m.programs()) {
      std::cout << "  program  " << p.name << " " << p.section << " (" << p.type << ")\n";
    }
  } else {
    std::cout << "INVALID " << o.envelope << " (" << reason_code_name(r.reason) << ")\n";
  }
  return code;
}

}  // namespace

void add_verify_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand("verify", "Verify an envelope and its object offline");
  cmd->add_option("envelope", o->envelope, "Envelope file (.sig.json)")->required();
  cmd->add_option("--object", o->object,
                  "Object to check (default: the envelope path without .sig.json, or embedded)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, &run] { run = [o] { return run_verify(*o); }; });
}

}  // namespace pqbpf::cli
