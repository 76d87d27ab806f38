// pqc-bpf: the operator's command line. Each command lives in its own file
// and only parses arguments and prints; the work is done by the library.
#include <bpf/libbpf.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>

#include "cli_support.h"

namespace {

std::string version_text() {
  return "pqc-bpf " PQBPF_VERSION " (ML-DSA-65 FIPS 204, SHA3-256 FIPS 202, libbpf " +
         std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()) +
         ")";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pqbpf::cli;
  // Named, not argv[0]: help and the generated man page and completion say "pqc-bpf".
  CLI::App app{"pqc-bpf: post-quantum (ML-DSA-65) signed load gate for eBPF programs", "pqc-bpf"};
  app.set_version_flag("--version", version_text());
  // Every command's options on one page (pqc-bpf(1) is generated from each command's --help).
  app.set_help_all_flag("--help-all", "Print the help of every command and exit");
  app.require_subcommand(1, 1);
  app.footer(
      "Exit codes: 0 valid/allowed, 1 invalid/denied, 2 usage or input error.\n"
      "Run 'pqc-bpf COMMAND --help' for a command's options.");

  CommandRun run;
  add_keygen_command(app, run);   // create a signing identity
  add_sign_command(app, run);     // sign a .bpf.o into an envelope
  add_verify_command(app, run);   // verify an envelope offline
  add_info_command(app, run);     // show an envelope without trusting it
  add_inspect_command(app, run);  // list programs/maps of a .bpf.o
  add_check_command(app, run);    // verify + policy + audit record
  add_log_command(app, run);      // show / verify the audit log
  add_run_command(app, run);      // run a command whose own bpf() loads are refused
  add_seccomp_profile_command(app, run);  // OCI seccomp profile denying bpf()
  add_load_command(app, run);     // load through the gate daemon
  add_completion_command(app, run);  // (hidden) bash completion from this table

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pqc-bpf: error: " << e.what() << "; see 'pqc-bpf --help'\n";
    return kExitUsage;
  }
  int rc = kExitUsage;
  try {
    rc = run ? run() : kExitUsage;
  } catch (const std::exception& e) {
    // Library code does not throw; this is a last line of defence.
    std::cerr << "pqc-bpf: error: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  // Output that never arrived (a full disk, a closed pipe) is an I/O error,
  // not a success: scripts act on the exit code.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "pqc-bpf: error: cannot write standard output; the command's output was lost\n";
    return std::max(rc, static_cast<int>(kExitUsage));
  }
  return rc;
}
