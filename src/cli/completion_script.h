// Shell completion generated from the command table itself: whatever
// subcommands and options main() registered are what the script completes,
// so the two cannot drift apart (`pqc-bpf completion bash`).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pqbpf::cli {

// A self-contained bash completion script for `root` (needs only bash >= 4,
// not the bash-completion package). Hidden commands and options (empty group)
// are left out. Values of options that take one complete as file names.
std::string bash_completion_script(const CLI::App& root);

}  // namespace pqbpf::cli
