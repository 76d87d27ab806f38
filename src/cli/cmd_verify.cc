// pqc-bpf verify: offline verification of envelopes against their objects
// (detached OBJECT next to OBJECT.sig.json, --object, or embedded). Several
// envelopes are verified across all cores, reported in the order given.
// Exit 0 only when every check of every envelope passed, else the worst code
// (2 unusable input, 1 rejected); only signed values are printed as trusted.
#include <iostream>

#include "cli_support.h"
#include "pqbpf/attest/batch_verify.h"
#include "pqbpf/attest/verifier.h"

namespace pqbpf::cli {
namespace {

struct VerifyCliOptions {
  std::vector<std::string> envelopes;
  std::string object;
  unsigned threads = 0;
  bool json = false;
};

// Names read from the object may hold any byte: print one line each.
std::string printable(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : s[i];
  }
  return out;
}

void print_format_one_notes(const Manifest& m, const VerificationResult& r) {
  if (!r.facts) {
    std::cout << "  note     the object's programs could not be read (" << r.inspection_error
              << "); a gate denies it (uninspectable_object) unless a rule has allow_uninspectable\n";
    return;
  }
  const BPFProgramType declared = m.metadata().program_type;
  for (const auto& p : r.facts->programs) {
    std::cout << "  program  " << printable(p.name) << " " << printable(p.section) << " (" << p.type
              << ", read from the object)\n";
    auto type = parse_program_type(p.type);
    if (!type.ok() || !program_type_compatible(declared, *type)) {
      std::cout << "  note     the signed type " << program_type_name(declared) << " does not cover program "
                << printable(p.name) << " (" << p.type << "); a gate denies this object (program_mismatch)\n";
    }
  }
}

int exit_code(const VerificationResult& r) {
  return r.valid ? kExitOk : (r.input_error ? kExitUsage : kExitRejected);
}

nlohmann::json result_json(const VerificationResult& r) {
  nlohmann::json doc{{"ok", r.valid},
                     {"valid", r.valid},
                     {"signature_valid", r.signature_valid},
                     {"hash_consistent", r.hash_consistent},
                     {"reason", std::string(reason_code_name(r.reason))},
                     {"error", r.error}};
  doc["programs_consistent"] =
      r.programs_consistent ? nlohmann::json(*r.programs_consistent) : nlohmann::json(nullptr);
  doc["signer_did"] = r.signer_did ? nlohmann::json(r.signer_did->str()) : nlohmann::json(nullptr);
  if (r.valid && r.facts) {
    nlohmann::json programs = nlohmann::json::array();
    for (const auto& p : r.facts->programs) {
      programs.push_back({{"name", p.name}, {"section", p.section}, {"type", p.type}});
    }
    doc["object_programs"] = std::move(programs);
  }
  if (r.valid && !r.inspection_error.empty()) doc["inspection_error"] = r.inspection_error;
  if (r.valid && r.manifest) doc["manifest"] = r.manifest->to_json();
  return doc;
}

void print_text(const std::string& envelope, const VerificationResult& r) {
  if (!r.valid) {
    std::cout << "INVALID " << envelope << " (" << reason_code_name(r.reason) << ")\n";
    return;
  }
  const Manifest& m = *r.manifest;
  std::cout << "OK " << envelope << "\n"
            << "  signer   " << r.signer_did->str() << "\n"
            << "  name     " << m.metadata().name << " (" << program_type_name(m.metadata().program_type) << ")\n"
            << "  object   " << m.size() << " bytes, sha3-256 " << m.sha3_256() << "\n"
            << "  signed   " << m.signed_at() << "\n";
  for (const auto& p : m.programs()) {
    std::cout << "  program  " << p.name << " " << p.section << " (" << p.type << ")\n";
  }
  // Format 1 signs no program list: show what the object holds, and say
  // where a gate will disagree with the signed type.
  if (m.format() == ManifestFormat::kV1) print_format_one_notes(m, r);
}

int run_verify(const VerifyCliOptions& o) {
  if (!o.object.empty() && o.envelopes.size() != 1) {
    return report_error(Error{ErrorCode::kInvalidArgument,
                              "--object names the object of one envelope; give exactly one envelope with it"},
                        o.json);
  }
  std::vector<VerificationResult> results;
  if (o.envelopes.size() == 1) {
    std::optional<std::string> object;
    if (!o.object.empty()) object = o.object;
    results.push_back(verify_envelope_file(o.envelopes[0], object));
  } else {
    results = verify_envelope_files(o.envelopes, o.threads);
  }
  int code = kExitOk;
  for (const auto& r : results) {
    code = std::max(code, exit_code(r));
    if (!r.valid) std::cerr << "pqc-bpf: error: " << r.error << "\n";
  }
  if (o.json) {
    if (results.size() == 1) {
      print_json(result_json(results[0]));
    } else {
      nlohmann::json all = nlohmann::json::array();
      for (std::size_t i = 0; i < results.size(); ++i) {
        nlohmann::json doc = result_json(results[i]);
        doc["envelope"] = o.envelopes[i];
        all.push_back(std::move(doc));
      }
      print_json(nlohmann::json{{"ok", code == kExitOk}, {"results", std::move(all)}});
    }
    return code;
  }
  for (std::size_t i = 0; i < results.size(); ++i) print_text(o.envelopes[i], results[i]);
  return code;
}

}  // namespace

void add_verify_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<VerifyCliOptions>();
  auto* cmd = app.add_subcommand("verify", "Verify envelopes and their objects offline");
  cmd->add_option("envelope", o->envelopes, "Envelope files (.sig.json); several are verified in parallel")
      ->required();
  cmd->add_option("--object", o->object,
                  "Object to check (one envelope only; default: the envelope path without .sig.json, "
                  "or embedded)");
  cmd->add_option("--threads", o->threads, "Threads for several envelopes (default: one per CPU)")
      ->check(CLI::Range(0u, 1024u));
  cmd->add_flag("--json", o->json, "Print the result as JSON (several envelopes: {ok, results[]})");
  cmd->callback([o, &run] { run = [o] { return run_verify(*o); }; });
}

}  // namespace pqbpf::cli
