// pqc-bpf run: start a command under the bpf() sandbox (docs/SANDBOX.md).
// Its own bpf(BPF_PROG_LOAD) calls fail with EPERM, other bpf() commands
// pass only when allowed with --allow-bpf-cmd, and every refusal is recorded
// in the audit log. With --envelopes (or --gate: the gate daemon's store),
// loads of signed, allowed programs are admitted (docs/TRANSPARENT_GATE.md).
// Exits with the command's status (128 + signal when it was killed); 125
// when the sandbox could not start, 126/127 when the command cannot be
// executed / is not found (as env(1) and timeout(1)).
#include <signal.h>
#include <sys/prctl.h>

#include <iostream>

#include "cli_support.h"
#include "log_key.h"
#include "passphrase_options.h"
#include "pqbpf/policy/policy_file.h"
#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/gate_forwarder.h"
#include "pqbpf/sandbox/supervisor.h"
#include "pqbpf/sandbox/transparent_gate.h"

namespace pqbpf::cli {
namespace {

constexpr int kExitSandboxFailed = 125;
constexpr int kExitCannotExecute = 126;
constexpr int kExitNotFound = 127;

struct RunOptions {
  std::vector<std::string> command;
  std::vector<std::string> allow;
  std::string envelopes;
  std::string policy;
  std::string gate_socket;
  bool no_default_cmds = false;
  std::string log;
  std::string log_key;
  std::string durability = "always";
  bool quiet = false;
  PassphraseOptions passphrase;
};

// Opens the log with SIGINT/SIGTERM/SIGHUP/SIGQUIT blocked, so a thread the
// log writer starts never takes a signal meant for the supervisor (which
// reads them from a signalfd and forwards them to the workload).
Result<std::unique_ptr<log::LogWriter>> open_log_signals_blocked(const RunOptions& o) {
  sigset_t set, old;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  auto opened = open_log_for_append({o.log, o.log_key, o.durability}, o.passphrase.provider());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return opened;
}

int run_run(const RunOptions& o) {
  // No other process of this uid may ptrace the supervisor or read its memory.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  sandbox::SupervisorOptions options;
  // With envelopes, loads matching a signed, allowed program are admitted
  // (docs/TRANSPARENT_GATE.md) and a loader's other commands pass by default.
  std::unique_ptr<sandbox::TransparentGate> gate;
  if (!o.envelopes.empty()) {
    auto policy = policy::load_policy_file(o.policy);
    if (!policy.ok()) {
      std::cerr << "pqc-bpf: error: " << policy.error().message << " (the command was not started)\n";
      return kExitSandboxFailed;
    }
    auto opened = sandbox::TransparentGate::open(o.envelopes, std::move(policy).value());
    if (!opened.ok()) {
      std::cerr << "pqc-bpf: error: " << opened.error().message << " (the command was not started)\n";
      return kExitSandboxFailed;
    }
    gate = std::move(opened).value();
    for (const auto& e : gate->envelopes()) {
      if (o.quiet || (e.programs > 0 && e.decision == Decision::kAllow)) continue;
      std::cerr << "pqc-bpf: run: " << e.path << ": "
                << (e.programs > 0 ? "matched loads are denied" : "no load can match it") << " ("
                << reason_code_name(e.reason) << "): " << e.sentence << "\n";
    }
    options.gate = gate.get();
    if (!o.no_default_cmds) options.rules.allowed_commands = sandbox::default_loader_commands();
  }
  // With --gate, the daemon decides every load (its store, policy and log).
  std::unique_ptr<sandbox::GateForwarder> forwarder;
  if (!o.gate_socket.empty()) {
    forwarder = std::make_unique<sandbox::GateForwarder>(o.gate_socket, [](const std::string& why) {
      std::cerr << "pqc-bpf: error: " << why << " (later loads are refused the same way)\n";
    });
    options.forwarder = forwarder.get();
    if (!o.no_default_cmds) options.rules.allowed_commands = sandbox::default_loader_commands();
  }
  for (const std::string& name : o.allow) {
    options.rules.allowed_commands.insert(*sandbox::bpf_command_by_name(name));  // checked at parse
  }
  std::unique_ptr<log::LogWriter> writer;
  if (!o.log.empty()) {
    auto opened = open_log_signals_blocked(o);
    if (!opened.ok()) {
      std::cerr << "pqc-bpf: error: " << opened.error().message << " (the command was not started)\n";
      return kExitSandboxFailed;
    }
    writer = std::move(opened).value();
    options.log = writer.get();
  }
  options.on_refusal = [&o](const log::AttemptRecord& record, const sandbox::BpfCall& call) {
    if (o.quiet) return;
    std::cerr << "pqc-bpf: run: refused bpf " << sandbox::bpf_command_name(call.cmd) << " from pid "
              << record.actor.pid.value_or(call.caller.tid) << " ("
              << record.actor.command.value_or("?") << "): " << reason_code_name(record.reason)
              << "\n";
  };
  options.on_log_error = [](const Error& e) {
    std::cerr << "pqc-bpf: error: a refusal could not be recorded (the call was refused): "
              << e.message << "\n";
  };

  auto result = sandbox::run_supervised(o.command, options);
  Status closed = writer ? writer->close() : ok_status();
  if (!closed.ok()) std::cerr << "pqc-bpf: error: " << closed.error().message << "\n";
  if (!result.ok()) {
    std::cerr << "pqc-bpf: error: " << result.error().message << "\n";
    switch (result.error().code) {
      case ErrorCode::kNotFound: return kExitNotFound;
      case ErrorCode::kPermission: return kExitCannotExecute;
      default: return kExitSandboxFailed;
    }
  }
  return sandbox::shell_exit_status(result->wait_status);
}

}  // namespace

void add_run_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Run a command whose bpf() program loads are admitted only when signed, and recorded");
  cmd->add_option("--log", o->log, "Audit log to record every refused bpf() call in");
  cmd->add_option("--log-key", o->log_key,
                  "The log's signing key for checkpoints (default: LOG.key, created if missing)");
  cmd->add_option("--durability", o->durability, "Log durability: always (default), batch, none");
  std::string known;
  for (const std::string& n : sandbox::known_bpf_command_names()) known += (known.empty() ? "" : ", ") + n;
  cmd->add_option("--allow-bpf-cmd", o->allow,
                  "A bpf() command the command may use (repeatable; default none). "
                  "prog_load and prog_test_run are never allowed. Known: " + known)
      ->allow_extra_args(false)  // one name per --allow-bpf-cmd: the command never ends up here
      ->check([](const std::string& name) -> std::string {
        const auto c = sandbox::bpf_command_by_name(name);
        if (!c) return "unknown bpf command '" + name + "'";
        if (!sandbox::bpf_command_may_continue(*c)) {
          return "'" + name + "' can never be allowed: " + sandbox::why_never_allowed(*c);
        }
        return "";
      });
  cmd->add_option("--envelopes", o->envelopes,
                  "Directory of signed envelopes (*.sig.json, object beside): a load whose "
                  "instructions are a signed program the policy allows is admitted "
                  "(docs/TRANSPARENT_GATE.md)");
  cmd->add_option("--policy", o->policy, "Policy file deciding the envelopes (with --envelopes)");
  cmd->add_option(
      "--gate", o->gate_socket,
      "Gate daemon socket: every load is decided and recorded by pqc-bpf-gated with its "
      "envelope store (not with --envelopes or --policy; --log then records only the loads "
      "the daemon could not decide)");
  cmd->add_flag(
      "--no-default-bpf-cmds", o->no_default_cmds,
      "With --envelopes or --gate: allow only the --allow-bpf-cmd commands, not a loader's "
      "defaults");
  cmd->add_flag("--quiet", o->quiet, "No notice on stderr per refused call");
  o->passphrase.add_to(*cmd);
  cmd->add_option("command", o->command, "The command and its arguments (after --)")->required();
  cmd->footer(
      "Example: pqc-bpf run --log audit.log --allow-bpf-cmd map_create -- ./agent --flag\n"
      "         pqc-bpf run --gate /run/pqc-bpf/gate.sock -- bpftool prog loadall x.bpf.o "
      "/sys/fs/bpf/x\n"
      "Exit: the command's status (128+N when killed by signal N); 125 the sandbox could\n"
      "not start; 126 the command cannot be executed; 127 not found.");
  cmd->callback([o, cmd, &run] {
    if (!o->gate_socket.empty()) {
      for (const auto& [set, name] :
           {std::pair{!o->envelopes.empty(), "--envelopes"},
            std::pair{!o->policy.empty(), "--policy"}}) {
        if (set) {
          throw CLI::ValidationError("--gate",
                                     std::string("not with ") + name +
                                         ": the gate daemon decides with its own");
        }
      }
    }
    if (!o->envelopes.empty() && o->policy.empty()) {
      throw CLI::ValidationError("--envelopes", "needs --policy");
    }
    if (o->envelopes.empty() &&
        (!o->policy.empty() || (o->no_default_cmds && o->gate_socket.empty()))) {
      throw CLI::ValidationError("--policy", "only with --envelopes");
    }
    (void)cmd;
    run = [o] { return run_run(*o); };
  });
}

}  // namespace pqbpf::cli
