// pqc-bpf check: the gate's decision for one envelope: verify, evaluate the
// policy, and append a record of the attempt (malformed ones included) to the
// audit log. Exit 0 allow, 1 deny, 2 unusable input (also recorded, denied).
#include <iostream>

#include "cli_support.h"
#include "log_key.h"
#include "passphrase_options.h"
#include "pqbpf/gate/load_check.h"
#include "pqbpf/policy/policy_file.h"

namespace pqbpf::cli {
namespace {

struct CheckOptions {
  std::string envelope;
  std::string policy;
  std::string object;
  std::string log;
  std::string log_key;
  std::string witness;
  bool no_create_key = false;
  std::string durability = "always";
  std::string actor;
  bool json = false;
  PassphraseOptions passphrase;
};

int run_check(const CheckOptions& o) {
  // A policy that cannot be read denies everything (and the attempt is still
  // recorded). Its .pub references become DIDs here, once, by the library's
  // bounded reader; the decision below never reads a key file.
  Error policy_error;
  policy::LoadPolicy policy = policy::load_policy_file_or_deny_all(o.policy, {}, &policy_error);

  std::unique_ptr<log::LogWriter> writer;
  if (!o.log.empty()) {
    auto opened = open_log_for_append({o.log, o.log_key, o.durability, !o.no_create_key, o.witness},
                                      o.passphrase.provider());
    if (!opened.ok()) {
      // Fail closed: nothing is allowed when the attempt cannot be recorded.
      Error e = opened.error();
      e.message += " (decision: deny, reason log_error)";
      return report_error(e, o.json);
    }
    writer = std::move(opened).value();
  }

  gate::CheckRequest request;
  request.envelope_path = o.envelope;
  if (!o.object.empty()) request.object_path = o.object;
  request.actor = log::Actor::current_process();
  if (!o.actor.empty()) request.actor.name = o.actor;

  const gate::CheckOutcome outcome = gate::check_load_attempt(request, policy, writer.get());
  Status closed = writer ? writer->close() : ok_status();

  const bool input_error = outcome.input_error || policy.is_deny_all();
  int code = outcome.decision == Decision::kAllow ? kExitOk
             : input_error                        ? kExitUsage
                                                  : kExitRejected;
  if (!closed.ok() && code == kExitOk) code = kExitUsage;

  if (policy.is_deny_all()) std::cerr << "pqc-bpf: error: " << policy_error.message << "\n";
  // A denial is printed once, as the result line below; stderr is for input
  // that could not be used (exit 2).
  if (outcome.decision == Decision::kDeny && outcome.input_error && !policy.is_deny_all()) {
    std::cerr << "pqc-bpf: error: " << o.envelope << ": denied (" << reason_code_name(outcome.reason)
              << "): " << outcome.sentence << "\n";
  }
  if (!closed.ok()) std::cerr << "pqc-bpf: error: " << closed.error().message << "\n";

  if (o.json) {
    nlohmann::json doc{{"ok", code == kExitOk},
                       {"decision", std::string(decision_name(outcome.decision))},
                       {"reason", std::string(reason_code_name(outcome.reason))},
                       {"sentence", outcome.sentence},
                       {"valid", outcome.verification.valid}};
    doc["signer_did"] = outcome.verification.valid && outcome.verification.signer_did
                            ? nlohmann::json(outcome.verification.signer_did->str())
                            : nlohmann::json(nullptr);
    doc["rule"] = outcome.policy.rule_index ? nlohmann::json(*outcome.policy.rule_index)
                                            : nlohmann::json(nullptr);
    doc["program"] = outcome.policy.program ? nlohmann::json(*outcome.policy.program)
                                            : nlohmann::json(nullptr);
    doc["log_seq"] = outcome.log_seq ? nlohmann::json(*outcome.log_seq) : nlohmann::json(nullptr);
    print_json(doc);
  } else {
    std::cout << (outcome.decision == Decision::kAllow ? "ALLOW " : "DENY ") << o.envelope << " ("
              << reason_code_name(outcome.reason) << "): " << outcome.sentence << "\n";
    if (outcome.log_seq) std::cout << "  recorded as seq " << *outcome.log_seq << " in " << o.log << "\n";
  }
  return code;
}

}  // namespace

void add_check_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Verify an envelope, apply a policy, record the attempt");
  cmd->add_option("envelope", o->envelope, "Envelope file (.sig.json)")->required();
  cmd->add_option("--policy", o->policy, "Policy file (YAML or JSON)")->required();
  cmd->add_option("--object", o->object, "Object to check (default: next to the envelope, or embedded)");
  cmd->add_option("--log", o->log, "Audit log to append the attempt to (JSON Lines)");
  cmd->add_option("--log-key", o->log_key,
                  "The log's signing key for checkpoints (default: LOG.key, created loudly if "
                  "missing)");
  cmd->add_flag("--no-create-key", o->no_create_key,
                "Refuse (deny) instead of creating a missing LOG.key (see 'log init')");
  cmd->add_option("--witness", o->witness,
                  "The log's witness file: last signed checkpoint, checked on open "
                  "(default: LOG.witness)");
  cmd->add_option("--durability", o->durability, "Log durability: always (default), batch, none");
  cmd->add_option("--actor", o->actor, "Who is asking, recorded in the log");
  cmd->add_flag("--json", o->json, "Print the decision as JSON");
  o->passphrase.add_to(*cmd);
  cmd->callback([o, &run] { run = [o] { return run_check(*o); }; });
}

}  // namespace pqbpf::cli
