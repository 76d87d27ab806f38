// pqc-bpf completion bash: print the shell completion script, generated from
// this program's own command table (completion_script.h). Hidden from --help:
// the package installs its output, users rarely need to run it.
#include <iostream>

#include "cli_support.h"
#include "completion_script.h"

namespace pqbpf::cli {

void add_completion_command(CLI::App& app, CommandRun& run) {
  auto* cmd = app.add_subcommand("completion", "Print the bash completion script");
  cmd->group("");  // hidden
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "Shell (bash)")->required()->check(CLI::IsMember({"bash"}));
  cmd->callback([&app, &run, shell] {  // shell: keeps the bound string alive
    run = [&app] {
      std::cout << bash_completion_script(app);
      return std::cout.flush() ? kExitOk : kExitUsage;
    };
  });
}

}  // namespace pqbpf::cli
