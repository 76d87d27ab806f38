// pqc-bpf log init | show | verify: the audit log.
//   init:   create the log's checkpoint key (LOG.key, 0600, and LOG.key.pub)
//   show:   filter and print records (text or --json)
//   verify: check the hash chain and every signed checkpoint against LOG.pub
//           and the witness (--witness W, else LOG.witness when it exists,
//           unless --no-witness); exit 1 naming the first bad record when
//           anything was tampered with, or when no checkpoint by that key
//           covers the chain (unless --allow-unsealed).
#include <iostream>
#include <optional>

#include "cli_support.h"
#include "log_key.h"
#include "pqbpf/core/public_key_file.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/witness.h"

namespace pqbpf::cli {
namespace {

struct LogShowOptions {
  std::string file;
  std::string decision;
  std::string signer;
  std::string since;
  std::size_t limit = 0;
  bool checkpoints = false;
  bool json = false;
};

struct LogVerifyOptions {
  std::string file;
  std::string key;
  std::string witness;
  bool no_witness = false;
  bool require_closed = false;
  bool allow_unsealed = false;
  bool json = false;
};

struct LogInitOptions {
  std::string file;
  std::string key;  // "" = FILE.key
  bool force = false;
  bool json = false;
};

// The witness `log verify` checks the log against, and where it came from.
struct ChosenWitness {
  std::string source;  // "option", "default" (LOG.witness), "missing" or "skipped"
  std::string file;    // the file read, or the default one that does not exist
  std::optional<log::Witness> witness;
};

// --witness FILE if given; else the writers' own LOG.witness when it exists,
// since only a witness reveals records cut from the end of the log; nothing
// with --no-witness. Read like any file of the log: no symlink, regular
// file, at most 4 KiB.
Result<ChosenWitness> choose_witness(const LogVerifyOptions& o) {
  if (o.no_witness) return ChosenWitness{"skipped", "", std::nullopt};
  if (!o.witness.empty()) {
    PQBPF_ASSIGN_OR_RETURN(std::optional<log::Witness> w, log::read_witness(o.witness, false));
    if (!w) return make_error(ErrorCode::kNotFound, o.witness + ": no such witness file");
    return ChosenWitness{"option", o.witness, std::move(w)};
  }
  const std::string beside = log::default_witness_path(o.file);
  auto w = log::read_witness(beside, false);
  if (!w.ok()) {
    return make_error(w.error().code,
                      w.error().message + " (read as the log's witness by default; pass "
                                          "--witness COPY to use another, or --no-witness)");
  }
  if (!*w) return ChosenWitness{"missing", beside, std::nullopt};
  return ChosenWitness{"default", beside, std::move(*w)};
}

int run_log_init(const LogInitOptions& o) {
  const std::string key_path = o.key.empty() ? default_log_key_path(o.file) : o.key;
  auto did = create_log_key(key_path, o.force);
  if (!did.ok()) return report_error(did.error(), o.json);
  if (o.json) {
    print_json({{"ok", true},
                {"log", o.file},
                {"key", key_path},
                {"public_key", public_key_path(key_path)},
                {"witness", log::default_witness_path(o.file)},
                {"did", *did}});
  } else {
    std::cout << "created audit log key " << key_path << " (" << *did << ", mode 0600)\n"
              << "  give auditors " << public_key_path(key_path) << "; verify with: pqc-bpf log "
              << "verify " << o.file << " --key " << public_key_path(key_path) << "\n"
              << "  (that also checks " << log::default_witness_path(o.file)
              << ", which the writers keep; copy it off the host and pass the copy with "
              << "--witness)\n";
  }
  return kExitOk;
}

nlohmann::json record_to_json(const log::LogRecord& r) {
  // The stored line is the record, byte for byte.
  auto parsed = nlohmann::json::parse(r.line, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(r.line) : parsed;
}

int run_log_show(const LogShowOptions& o) {
  log::RecordFilter filter;
  if (!o.decision.empty()) {
    if (o.decision == "allow") {
      filter.decision = Decision::kAllow;
    } else if (o.decision == "deny") {
      filter.decision = Decision::kDeny;
    } else {
      return report_error({ErrorCode::kInvalidArgument,
                           "--decision must be allow or deny, got '" + o.decision + "'"},
                          o.json);
    }
  }
  if (!o.signer.empty()) {
    auto did = Did::parse(o.signer);
    if (!did.ok()) return report_error({ErrorCode::kInvalidArgument, "--signer: " + did.error().message}, o.json);
    filter.signer = did->str();
  }
  if (!o.since.empty()) {
    auto since = log::parse_rfc3339_ns(o.since);
    if (!since.ok()) {
      return report_error({ErrorCode::kInvalidArgument,
                           "--since: " + since.error().message + " (use e.g. 2026-11-29T12:00:00Z)"},
                          o.json);
    }
    filter.since_ns = *since;
  }
  filter.limit = o.limit;
  filter.include_checkpoints = o.checkpoints;
  auto records = log::read_records(o.file, filter);
  if (!records.ok()) return report_error(records.error(), o.json);
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *records) list.push_back(record_to_json(r));
    print_json({{"ok", true}, {"file", o.file}, {"records", list}});
  } else {
    for (const auto& r : *records) std::cout << log::format_record_text(r) << "\n";
    std::cout << records->size() << " record(s)\n";
  }
  return kExitOk;
}

int run_log_verify(const LogVerifyOptions& o) {
  auto key = load_public_key_file(o.key);
  if (!key.ok()) return report_error(key.error(), o.json);
  log::VerifyOptions options;
  options.require_closed = o.require_closed;
  options.allow_unsealed = o.allow_unsealed;
  auto chosen = choose_witness(o);
  if (!chosen.ok()) return report_error(chosen.error(), o.json);
  if (chosen->witness) {
    options.witness_seq = chosen->witness->seq;
    options.witness_head_hex = chosen->witness->head_hex;
    options.witness_file = chosen->file;
  }
  // Said in both forms: without a witness, a cut at the end goes unseen.
  std::vector<std::string> notes;
  if (chosen->source == "missing") {
    notes.push_back("no witness file " + chosen->file +
                    ": records cut from the end of the log back to a checkpoint cannot be detected "
                    "without one");
  }
  auto report = log::verify_log(o.file, key->public_key(), options);
  if (!report.ok()) return report_error(report.error(), o.json);
  const auto& r = *report;
  if (o.json) {
    print_json({{"ok", true},
                {"files", r.files},
                {"records", r.records},
                {"attempts", r.attempts},
                {"recovered", r.recovered},
                {"checkpoints", r.checkpoints},
                {"last_seq", r.last_seq},
                {"head", r.head_hex},
                {"last_checkpoint_seq", r.last_checkpoint_seq},
                {"unsealed", r.unsealed},
                {"closed", r.closed},
                {"torn_bytes", r.torn_bytes},
                {"witness_seq", options.witness_seq ? nlohmann::json(*options.witness_seq)
                                                    : nlohmann::json(nullptr)},
                {"witness_source", chosen->source},
                {"witness_file", chosen->file.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(chosen->file)},
                {"notes", notes},
                {"warnings", r.warnings}});
  } else {
    std::cout << "OK " << o.file << ": " << r.records << " records (" << r.attempts
              << " attempts, " << r.checkpoints << " checkpoints) in " << r.files.size()
              << " file(s), chain head " << r.head_hex << "\n";
    // Always said, even when 0: records after the last checkpoint are covered
    // by no signature.
    if (r.checkpoints == 0) {
      std::cout << "  unsealed: " << r.unsealed
                << " record(s); no checkpoint signs any of them (accepted by --allow-unsealed)\n";
    } else {
      std::cout << "  unsealed: " << r.unsealed << " record(s) after the last checkpoint (seq "
                << r.last_checkpoint_seq << ")"
                << (r.unsealed > 0 ? " are chained but not signed" : "") << "\n";
    }
    if (r.recovered > 0) {
      std::cout << "  recovered: " << r.recovered
                << " crash recovery record(s); the moved bytes are in " << o.file << ".torn\n";
    }
    if (options.witness_seq) {
      std::cout << "  witness: the log holds seq " << *options.witness_seq << " with the hash in "
                << chosen->file
                << (chosen->source == "default" ? " (found beside the log; --no-witness skips it)"
                                                : "")
                << "\n";
    } else if (chosen->source == "skipped") {
      std::cout << "  witness: not checked (--no-witness)\n";
    }
    for (const auto& n : notes) std::cout << "  note: " << n << "\n";
    for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_log_command(CLI::App& app, CommandRun& run) {
  auto* cmd = app.add_subcommand("log", "Show or verify the audit log");
  cmd->require_subcommand(1, 1);

  auto init = std::make_shared<LogInitOptions>();
  auto* i = cmd->add_subcommand("init", "Create the log's checkpoint key (LOG.key, 0600)");
  i->add_option("file", init->file, "Audit log file the key is for")->required();
  i->add_option("--log-key", init->key, "Where to create the key (default: FILE.key)");
  i->add_flag("--force", init->force, "Overwrite an existing key (the old one can no longer sign)");
  i->add_flag("--json", init->json, "Print as JSON");
  i->callback([init, &run] { run = [init] { return run_log_init(*init); }; });

  auto show = std::make_shared<LogShowOptions>();
  auto* s = cmd->add_subcommand("show", "Print records (across rotated files)");
  s->add_option("file", show->file, "Audit log file")->required();
  s->add_option("--decision", show->decision, "Only attempts with this decision: allow or deny");
  s->add_option("--signer", show->signer, "Only attempts signed by this DID");
  s->add_option("--since", show->since, "Only records at or after this RFC 3339 time");
  s->add_option("--limit", show->limit, "Only the newest N records");
  s->add_flag("--checkpoints", show->checkpoints, "Include checkpoint and recovered records");
  s->add_flag("--json", show->json, "Print as JSON");
  s->callback([show, &run] { run = [show] { return run_log_show(*show); }; });

  auto verify = std::make_shared<LogVerifyOptions>();
  auto* v = cmd->add_subcommand("verify", "Check the hash chain and signed checkpoints");
  v->add_option("file", verify->file, "Audit log file")->required();
  v->add_option("--key", verify->key, "The log's public key file (LOG.key.pub)")->required();
  auto* witness = v->add_option(
      "--witness", verify->witness,
      "Witness file (a copy of LOG.witness): the log must still hold its checkpoint "
      "(default: LOG.witness if it exists)");
  v->add_flag("--no-witness", verify->no_witness,
              "Check no witness, not even LOG.witness (a cut at the end goes unseen)")
      ->excludes(witness);
  v->add_flag("--require-closed", verify->require_closed,
              "Fail unless the log ends with a closing checkpoint");
  v->add_flag("--allow-unsealed", verify->allow_unsealed,
              "Accept a chain that no checkpoint by --key signs (default: exit 1)");
  v->add_flag("--json", verify->json, "Print as JSON");
  v->callback([verify, &run] { run = [verify] { return run_log_verify(*verify); }; });
}

}  // namespace pqbpf::cli
