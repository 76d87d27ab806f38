// pqc-bpf log show | verify: read the audit log across rotated files.
//   show:   filter and print records (text or --json)
//   verify: check the hash chain and every signed checkpoint against LOG.pub;
//           exit 1 naming the first bad record when anything was tampered with.
#include <iostream>

#include "cli_support.h"
#include "pqbpf/core/public_key_file.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"

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
  bool require_closed = false;
  bool json = false;
};

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
  auto report = log::verify_log(o.file, key->public_key(), options);
  if (!report.ok()) return report_error(report.error(), o.json);
  const auto& r = *report;
  if (o.json) {
    print_json({{"ok", true},
                {"files", r.files},
                {"records", r.records},
                {"attempts", r.attempts},
                {"checkpoints", r.checkpoints},
                {"last_seq", r.last_seq},
                {"head", r.head_hex},
                {"last_checkpoint_seq", r.last_checkpoint_seq},
                {"unsealed", r.unsealed},
                {"closed", r.closed},
                {"torn_bytes", r.torn_bytes},
                {"warnings", r.warnings}});
  } else {
    std::cout << "OK " << o.file << ": " << r.records << " records (" << r.attempts
              << " attempts, " << r.checkpoints << " checkpoints) in " << r.files.size()
              << " file(s), chain head " << r.head_hex << "\n";
    if (r.unsealed > 0) {
      std::cout << "  note: " << r.unsealed << " record(s) after the last checkpoint (seq "
                << r.last_checkpoint_seq << ") are chained but not yet signed\n";
    }
    for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_log_command(CLI::App& app, CommandRun& run) {
  auto* cmd = app.add_subcommand("log", "Show or verify the audit log");
  cmd->require_subcommand(1, 1);

  auto show = std::make_shared<LogShowOptions>();
  auto* s = cmd->add_subcommand("show", "Print records (across rotated files)");
  s->add_option("file", show->file, "Audit log file")->required();
  s->add_option("--decision", show->decision, "Only attempts with this decision: allow or deny");
  s->add_option("--signer", show->signer, "Only attempts signed by this DID");
  s->add_option("--since", show->since, "Only records at or after this RFC 3339 time");
  s->add_option("--limit", show->limit, "Only the newest N records");
  s->add_flag("--checkpoints", show->checkpoints, "Include checkpoint records");
  s->add_flag("--json", show->json, "Print as JSON");
  s->callback([show, &run] { run = [show] { return run_log_show(*show); }; });

  auto verify = std::make_shared<LogVerifyOptions>();
  auto* v = cmd->add_subcommand("verify", "Check the hash chain and signed checkpoints");
  v->add_option("file", verify->file, "Audit log file")->required();
  v->add_option("--key", verify->key, "The log's public key file (LOG.key.pub)")->required();
  v->add_flag("--require-closed", verify->require_closed,
              "Fail unless the log ends with a closing checkpoint");
  v->add_flag("--json", verify->json, "Print as JSON");
  v->callback([verify, &run] { run = [verify] { return run_log_verify(*verify); }; });
}

}  // namespace pqbpf::cli
