// Shared plumbing for pqc-bpf commands: exit codes, error lines, JSON output.
//
// Exit codes (documented in README.md):
//   0  valid / allowed / done
//   1  rejected: invalid signature, hash mismatch, policy denial, log tampered
//   2  usage error or unusable input (missing file, malformed JSON, I/O error)
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "pqbpf/result.h"

namespace pqbpf::cli {

enum ExitCode : int { kExitOk = 0, kExitRejected = 1, kExitUsage = 2 };

// A parsed command ready to run; set by the subcommand's callback.
using CommandRun = std::function<int()>;

int exit_code_for(const Error& error);

// Prints "pqc-bpf: error: <message>" on stderr; with json also
// {"ok":false,"error":{"code":..,"message":..}} on stdout. Returns the exit code.
int report_error(const Error& error, bool json);

// Pretty-prints a JSON document on stdout.
void print_json(const nlohmann::json& doc);

// Registration of each command (one file per command).
void add_keygen_command(CLI::App& app, CommandRun& run);
void add_sign_command(CLI::App& app, CommandRun& run);
void add_verify_command(CLI::App& app, CommandRun& run);
void add_info_command(CLI::App& app, CommandRun& run);
void add_inspect_command(CLI::App& app, CommandRun& run);
void add_check_command(CLI::App& app, CommandRun& run);
void add_log_command(CLI::App& app, CommandRun& run);
void add_run_command(CLI::App& app, CommandRun& run);
void add_seccomp_profile_command(CLI::App& app, CommandRun& run);
void add_load_command(CLI::App& app, CommandRun& run);
void add_completion_command(CLI::App& app, CommandRun& run);

}  // namespace pqbpf::cli
