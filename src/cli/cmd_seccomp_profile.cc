// pqc-bpf seccomp-profile: print the OCI / Kubernetes seccomp profile that
// denies bpf() to a container (docs/SANDBOX.md, "Pods").
#include <iostream>

#include "cli_support.h"
#include "pqbpf/sandbox/seccomp_profile.h"

namespace pqbpf::cli {

void add_seccomp_profile_command(CLI::App& app, CommandRun& run) {
  auto* cmd = app.add_subcommand(
      "seccomp-profile", "Print the OCI/Kubernetes seccomp profile that denies bpf() to a pod");
  cmd->callback([&run] {
    run = [] {
      std::cout << sandbox::oci_seccomp_profile();
      return std::cout.flush() ? kExitOk : kExitUsage;
    };
  });
}

}  // namespace pqbpf::cli
